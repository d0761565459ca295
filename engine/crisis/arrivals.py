"""Scheduled arrivals: reinforcements that reach a front or a home pool on a schedule.

A scenario's ``[[arrivals]]`` (schema: engine/model/arrivals.py; docs/model.md section
2.10) say that a state's combat power in one domain arrives at a front, or in its home
pool, either at once on a day or at a rate per day between two days. Each number is
sampled per replication like any parameter (key path ``arrivals[k].amount`` and so on).

Step k covers ((k-1) dt, k dt]. A lump on day d arrives in the step that holds d (the
grid's rounding up; a lump on day 0 in step 1); a flow contributes rate x (the overlap of
[from_day, to_day] with the step). What reaches a ground front where its side is fighting
this step does not land all at once: it is handed to the ground battle as reinforcement
spread over the step (``w.inflow``, the kernel's rx and ry), so as dt shrinks the results
converge to the continuous model with the reinforcement term. Everything else (home pool,
air and naval, fronts not at war) is added at once, and counts as committed where it lands
on a front. A state not on either side when its forces arrive at a front gets them in its
home pool instead (it has no part in that front's battle yet).
"""

from __future__ import annotations

import numpy as np

from wargame.crisis import clock
from wargame.crisis.world import World

DOMAIN = {"ground": 0, "air": 1, "naval": 2}


def attach(w: World, paused: World | None = None) -> None:
    """The arrivals' parameters on ``w`` and its within-step ground inflow ``w.inflow`` (R, F, S)."""
    items = list(getattr(w.sc, "arrivals", []))
    n, R = len(items), w.R
    w.arr_state = np.array([w.state_ids.index(a.state) for a in items], dtype=np.int64)
    w.arr_front = np.array([-1 if a.front is None else w.front_ids.index(a.front) for a in items], dtype=np.int64)
    w.arr_domain = np.array([DOMAIN[a.domain] for a in items], dtype=np.int64)
    w.arr_lump = np.array([a.amount is not None for a in items], dtype=bool)
    w.arr_amount, w.arr_from, w.arr_to = np.zeros((R, n)), np.zeros((R, n)), np.zeros((R, n))
    for k, a in enumerate(items):
        p = f"arrivals[{k}]"
        if a.amount is not None:
            w.arr_amount[:, k] = w.sample(a.amount, f"{p}.amount")
            w.arr_from[:, k] = w.arr_to[:, k] = w.sample(a.day, f"{p}.day")
        else:
            w.arr_amount[:, k] = w.sample(a.rate_per_day, f"{p}.rate_per_day")
            w.arr_from[:, k] = w.sample(a.from_day, f"{p}.from_day")
            w.arr_to[:, k] = w.sample(a.to_day, f"{p}.to_day")
    w.inflow = np.zeros((R, w.F, w.S)) if paused is None else paused.inflow[np.zeros(R, dtype=np.int64)].copy()


def amounts(w: World, k: int) -> np.ndarray:
    """(R, items): combat power of each arrival that arrives in step k."""
    t0, t1 = clock.step_time(k - 1, w.dt), clock.step_time(k, w.dt)
    lump_step = np.maximum(np.ceil(w.arr_from / w.dt - 1e-9), 1.0)
    lump = np.where(lump_step == k, w.arr_amount, 0.0)
    overlap = np.clip(np.minimum(w.arr_to, t1) - np.maximum(w.arr_from, t0), 0.0, None)
    return np.where(w.arr_lump[None, :], lump, w.arr_amount * overlap)


def arrive(w: World, t: float, fighting: np.ndarray) -> None:
    """Book step t's arrivals; ``fighting``: the rows whose ground battle runs this step."""
    if w.arr_state.size == 0:
        return
    k = clock.step_index(t, w.dt)
    got = amounts(w, k)
    live = ~w.ended
    in_battle = np.zeros(w.R, dtype=bool)
    in_battle[fighting] = True
    for i in np.flatnonzero((got > 0).any(axis=0)):
        s, f, d = w.arr_state[i], w.arr_front[i], w.arr_domain[i]
        a = np.where(live, got[:, i], 0.0)
        home = np.full(w.R, f < 0) | (w.side[:, s] == 0)
        w.home[:, s, d] += np.where(home, a, 0.0)
        if f < 0:
            continue
        on = np.where(home, 0.0, a)
        w.committed[:, s, d] += on
        spread = in_battle & (d == DOMAIN["ground"])
        w.inflow[:, f, s] += np.where(spread, on, 0.0)
        w.front[:, f, s, d] += np.where(spread, 0.0, on)
