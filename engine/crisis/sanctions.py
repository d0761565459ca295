"""Scheduled trade sanctions (docs/model.md §10.4): a cost to both sides by their trade exposure,
and a wearing-down of the target's sustainment.

Schema: engine/model/aid.py ``Sanction``. A sanction j of sanctioner s on target g with cut c
takes effect in the step that holds its ``start_day``. From then on, each step of dt days:

- both lose the cut trade: ``trade[s, g]`` and ``trade[g, s]`` (shares of each one's GDP) fall
  by the factor (1 - c), so every later decision that weighs trade (intervention, the
  conditional invasion, the attacker's expected utility) sees less of it; each side's
  ``sanction_cost`` grows by c x its own exposure x dt / 365 (GDP-years of trade forgone);
- the target's exposure cut, E_j = c x trade[g, s] at the start, adds
  ``pressure_per_day x E_j x dt`` to its pressure (the term homeland strikes add to, §5.2)
  while it is at war;
- its sustainment, the factor on its mobilisation flow, is
  ``prod_j max(0, 1 - wear_per_day x E_j x days since j began)``.

Sanctions are scheduled, not decided: no doctrine chooses them (docs/model.md §8).
"""

from __future__ import annotations

import numpy as np

from wargame.crisis.world import World, carry
from wargame.model.log import Log

STATE = ("sanction_on", "sanction_cost", "sustain")


def attach(w: World, paused: World | None = None) -> None:
    """The sanctions' parameters and state on ``w`` (none: empty arrays, sustainment 1)."""
    items = list(getattr(w.sc, "sanctions", []))
    n, R = len(items), w.R
    w.sanction_by = np.array([w.state_ids.index(s.sanctioner) for s in items], dtype=np.int64)
    w.sanction_on_state = np.array([w.state_ids.index(s.target) for s in items], dtype=np.int64)
    w.sanction_cut, w.sanction_start = np.zeros((R, n)), np.zeros((R, n))
    w.sanction_pressure, w.sanction_wear = np.zeros((R, n)), np.zeros((R, n))
    for k, s in enumerate(items):
        p = f"sanctions[{k}]"
        w.sanction_cut[:, k] = w.sample(s.trade_cut, f"{p}.trade_cut")
        w.sanction_start[:, k] = w.grid(w.sample(s.start_day, f"{p}.start_day"))
        w.sanction_pressure[:, k] = w.sample(s.pressure_per_day, f"{p}.pressure_per_day")
        w.sanction_wear[:, k] = w.sample(s.wear_per_day, f"{p}.wear_per_day")
    w.sanction_exposure = np.zeros((R, n, 2))  # the cut share of GDP: [sanctioner, target]
    w.sanction_on = np.zeros((R, n), dtype=bool)
    w.sanction_cost = np.zeros((R, w.S))  # GDP-years of trade forgone
    w.sustain = np.ones((R, w.S))  # factor on each state's mobilisation flow
    if paused is not None:  # a look-ahead copy: its trade is drawn afresh, so the cuts in force are re-applied
        carry(paused, w, STATE + ("sanction_exposure",), R)
        for j in range(n):
            on = w.sanction_on[:, j]
            s, g = w.sanction_by[j], w.sanction_on_state[j]
            w.trade[on, s, g] *= 1.0 - w.sanction_cut[on, j]
            w.trade[on, g, s] *= 1.0 - w.sanction_cut[on, j]


def step(w: World, log: Log, t: float) -> None:
    """Apply every sanction in the step ending at t (module docstring)."""
    if w.sanction_by.size == 0:
        return
    live = ~w.ended
    w.sustain[:] = 1.0
    for j in range(w.sanction_by.size):
        s, g = w.sanction_by[j], w.sanction_on_state[j]
        cut = w.sanction_cut[:, j]
        begins = live & ~w.sanction_on[:, j] & (w.sanction_start[:, j] <= t + 1e-9)
        if begins.any():
            w.sanction_exposure[begins, j, 0] = cut[begins] * w.trade[begins, s, g]
            w.sanction_exposure[begins, j, 1] = cut[begins] * w.trade[begins, g, s]
            w.trade[begins, s, g] *= 1.0 - cut[begins]
            w.trade[begins, g, s] *= 1.0 - cut[begins]
            w.sanction_on[begins, j] = True
            log.record(begins, t, "sanction", s, g, cut)
        on = w.sanction_on[:, j] & live
        ex_s, ex_g = w.sanction_exposure[:, j, 0], w.sanction_exposure[:, j, 1]
        w.sanction_cost[:, s] += np.where(on, ex_s * w.dt / 365.0, 0.0)
        w.sanction_cost[:, g] += np.where(on, ex_g * w.dt / 365.0, 0.0)
        fighting = on & w.at_war
        w.homeland_pressure[:, g] += np.where(fighting, w.sanction_pressure[:, j] * ex_g * w.dt, 0.0)
        days = np.maximum(t - w.sanction_start[:, j], 0.0)
        w.sustain[:, g] *= np.where(on, np.maximum(0.0, 1.0 - w.sanction_wear[:, j] * ex_g * days), 1.0)
