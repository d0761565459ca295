"""The termination thresholds of one simulated day for a whole batch, in one call.

Concept owned: the per-replication quantities the day's termination check compares
with its thresholds (crisis/events.py ``terminate``): each primary's pressure (loss
fraction over its breakpoint), whether the attacker holds a decisive front's objective
(and which front first), whether its line has collapsed past the counter-depth, and
each side's ground strength per front. The decisions on them (who gives way, draws,
ceasefires) stay in numpy on these (n,) arrays; this loop replaces the passes over the
(n, S, 3) and (n, F, S) arrays that built them.

Same arithmetic, same order, as the numpy it replaces, so the same bits:

* loss fraction (``World.loss_fraction``): personnel lost and committed, summed over
  the three domains in order from +0.0 (``world.last_sum``) of ``cp * mpc * share``;
  ``lost / max(committed, 1e-300)`` where committed > 0, else 0; plus homeland pressure;
* breakpoint (``battle.breaking_point``): ``min(tolerance * breakpoint, 1)``;
* a side's ground on a front: its states' ground cp summed in state order from +0.0
  (``world.side_sum``), plus, for the attacker's side, the same sum of what is afloat.
"""
import math

import numpy as np
from numba import njit, prange

from ._dispatch import threads_for
from .config import JIT, PJIT

_CHUNK = 1024  # replications per parallel work item


@njit(**JIT)
def _pressure(lost, committed, mpc, share, homeland, tolerance, breakpoint, r, s):
    num = 0.0
    den = 0.0
    for d in range(3):
        num += lost[r, s, d] * mpc[r, s, d] * share[d]
        den += committed[r, s, d] * mpc[r, s, d] * share[d]
    lf = (num / max(den, 1e-300) if den > 0.0 else 0.0) + homeland[r, s]
    return lf / min(tolerance[r, s] * breakpoint[r, s], 1.0)


@njit(**JIT)
def _rows(lo, hi, rows, lost, committed, mpc, share, homeland, tolerance, breakpoint, att, dfd, position, depth,
          counter_depth, decisive, front, afloat, side, press, objective, collapse, ground):
    F, S = front.shape[1], front.shape[2]
    for j in range(lo, hi):
        r = rows[j]
        press[j, 0] = _pressure(lost, committed, mpc, share, homeland, tolerance, breakpoint, r, att)
        press[j, 1] = _pressure(lost, committed, mpc, share, homeland, tolerance, breakpoint, r, dfd)
        objective[j] = -1
        collapse[j] = False
        for f in range(F):
            pos = position[r, f]
            if objective[j] < 0 and decisive[f] and pos >= depth[r, f] - 1e-9:
                objective[j] = f
            if counter_depth[r, f] > 0.0 and pos <= -counter_depth[r, f] + 1e-9:
                collapse[j] = True
            ga = 0.0
            gd = 0.0
            fa = 0.0
            for s in range(S):
                on_a = 1.0 if side[r, s] == 1 else 0.0
                ga += front[r, f, s, 0] * on_a
                gd += front[r, f, s, 0] * (1.0 if side[r, s] == -1 else 0.0)
                fa += afloat[r, f, s] * on_a
            ground[j, 0, f] = ga + fa
            ground[j, 1, f] = gd


@njit(**PJIT)
def _thresholds(rows, lost, committed, mpc, share, homeland, tolerance, breakpoint, att, dfd, position, depth,
                counter_depth, decisive, front, afloat, side, press, objective, collapse, ground):
    n = rows.shape[0]
    for c in prange((n + _CHUNK - 1) // _CHUNK):
        _rows(c * _CHUNK, min((c + 1) * _CHUNK, n), rows, lost, committed, mpc, share, homeland, tolerance,
              breakpoint, att, dfd, position, depth, counter_depth, decisive, front, afloat, side, press, objective,
              collapse, ground)


# The World's arrays thresholds reads (for bench/peers/limit.py's snapshots, as in step.py).
PER_REPLICATION = ("lost", "committed", "mpc", "homeland_pressure", "tolerance", "breakpoint", "position", "depth",
                   "counter_depth", "front", "afloat", "side")
PER_FRONT = ("decisive",)
SCALARS = ("F", "att", "dfd")


def thresholds(w, rows: np.ndarray, casualty_share: np.ndarray):
    """The termination check's inputs for replications ``rows`` of World ``w``.

    Returns ``press`` (n, 2): the attacker's and the defender's loss fraction over their
    breakpoints; ``objective`` (n,) int64: the first decisive front whose objective the
    attacker holds, -1 where none; ``collapse`` (n,) bool: the attacker's line is pushed
    back past a front's counter-depth; ``ground`` (n, 2, F): the attacker's side's ground
    cp on each front (afloat included) and the defender's side's.
    """
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    n, F = rows.size, w.F
    press, objective = np.empty((n, 2)), np.empty(n, dtype=np.int64)
    collapse, ground = np.empty(n, dtype=np.bool_), np.empty((n, 2, F))
    if n:
        with threads_for(n * F):
            _thresholds(rows, w.lost, w.committed, w.mpc, np.ascontiguousarray(casualty_share, dtype=np.float64),
                        w.homeland_pressure, w.tolerance, w.breakpoint, int(w.att), int(w.dfd), w.position, w.depth,
                        w.counter_depth, w.decisive, w.front, w.afloat, w.side, press, objective, collapse, ground)
    return press, objective, collapse, ground


thresholds.world_fields = (PER_REPLICATION, PER_FRONT, SCALARS)
