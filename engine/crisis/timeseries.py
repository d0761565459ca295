"""Daily series of a crisis batch (``--timeseries``): per front, attacker and defender ground
combat power and the line's position, NaN before the war and after its end; per state, the
personnel lost each day by domain and kind (killed, wounded, captured: crisis/casualties.py),
0 on days without losses."""

from __future__ import annotations

import numpy as np

from wargame.crisis import casualties
from wargame.crisis.world import World, side_sum


class TimeSeries:
    """Daily per-front series for a batch: attacker ground cp, defender ground cp, line position (km)."""

    def __init__(self, w: World):
        self.T = int(round(w.horizon / w.dt))
        self.data = np.full((w.R, self.T, w.F, 3), np.nan, dtype="<f4")
        self.casualties = np.zeros((w.R, w.S, self.T, 3, 3), dtype="<f4")  # (rep, state, day, domain, kind)
        self._so_far = np.zeros((w.R, w.S, 3, 3))  # cumulative at the last step recorded

    def record(self, w: World, t: float):
        k = int(round(t / w.dt)) - 1
        if not 0 <= k < self.T:
            return
        now = casualties.split(w)
        self.casualties[:, :, k] = now - self._so_far
        self._so_far = now
        g = w.front[:, :, :, 0]
        self.data[:, k, :, 0] = side_sum(g, w.side, 1) + side_sum(w.afloat, w.side, 1)
        self.data[:, k, :, 1] = side_sum(g, w.side, -1)
        self.data[:, k, :, 2] = w.position
        self.data[~w.at_war | (w.ended & (w.end_day < t)), k] = np.nan  # before the war, after its end
