"""Daily series of a crisis batch (``--timeseries``): per front, attacker and defender ground
combat power and the line's position, NaN before the war and after its end; per state, the
personnel lost each day by domain and kind (killed, wounded, captured: crisis/casualties.py),
and, where the scenario has the class tables, the ships lost each day by class (crisis/fleet.py)
and the aircraft by type (crisis/air_force.py, in the air and on the ground together); 0 on
days without losses."""

from __future__ import annotations

import numpy as np

from wargame.crisis import casualties, fleet
from wargame.crisis.world import World, side_sum


class TimeSeries:
    """Daily per-front series for a batch: attacker ground cp, defender ground cp, line position (km)."""

    def __init__(self, w: World):
        self.T = int(round(w.horizon / w.dt))
        self.data = np.full((w.R, self.T, w.F, 3), np.nan, dtype="<f4")
        self.casualties = np.zeros((w.R, w.S, self.T, 3, 3), dtype="<f4")  # (rep, state, day, domain, kind)
        self._so_far = np.zeros((w.R, w.S, 3, 3))  # cumulative at the last step recorded
        # Platforms by class / type, only where the scenario has the tables (no columns otherwise); made
        # at the first step recorded, as the World gets its tables (attach) after this series is made.
        self.ships = self.aircraft = self._ships_so_far = self._aircraft_so_far = None
        self._platforms = False

    def platforms(self, w: World):
        """Make the platform series once (first step recorded, or at the end where no step was)."""
        if self._platforms:
            return
        self._platforms = True
        if fleet._on(w):
            self.ships = np.zeros((w.R, w.S, self.T, len(w.ship_classes)), dtype="<f4")
            self._ships_so_far = np.zeros((w.R, w.S, len(w.ship_classes)))
        if w.typed:
            self.aircraft = np.zeros((w.R, w.S, self.T, len(w.aircraft_types)), dtype="<f4")
            self._aircraft_so_far = np.zeros((w.R, w.S, len(w.aircraft_types)))

    def record(self, w: World, t: float):
        k = int(round(t / w.dt)) - 1
        if not 0 <= k < self.T:
            return
        self.platforms(w)
        now = casualties.split(w)
        self.casualties[:, :, k] = now - self._so_far
        self._so_far = now
        if self.ships is not None:
            self.ships[:, :, k] = w.ships_lost - self._ships_so_far
            self._ships_so_far = w.ships_lost.copy()
        if self.aircraft is not None:
            lost = w.aircraft_lost.sum(axis=3)  # in the air and on the ground
            self.aircraft[:, :, k] = lost - self._aircraft_so_far
            self._aircraft_so_far = lost
        g = w.front[:, :, :, 0]
        self.data[:, k, :, 0] = side_sum(g, w.side, 1) + side_sum(w.afloat, w.side, 1)
        self.data[:, k, :, 1] = side_sum(g, w.side, -1)
        self.data[:, k, :, 2] = w.position
        self.data[~w.at_war | (w.ended & (w.end_day < t)), k] = np.nan  # before the war, after its end

