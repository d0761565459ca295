"""Several simulated days of a ground-only war for a whole batch, in one call, in place.

Concept owned: a *window* of consecutive days on which nothing but the ground battle
happens (crisis/window.py decides when: no air, naval, strikes, arrivals, deployments,
mobilisation or SimPy event in it). Each day of the window does, for every row, what
the day loop (crisis/events.py ``daily``) would:

* the ground fighting and movement: ``step._ground_rows``, the body of ``ground_day``,
  with the day's own stream step k (Philox key (seed, replication, k, front, GROUND)), so
  the draws are those of the day-by-day path;
* the losses-by-day marks (crisis/casualties.py ``mark``): the split into killed, wounded
  and captured, element by element in numpy's order (``_mark_row``). The day loop writes
  each mark every day up to its mark day, each write replacing the last; the window writes
  only the ones that stay: on the last day a mark day holds, and on its own last day;
* a conservative test of whether ``events.terminate`` or the breakthrough log would act on
  this row today (``_may_act``: the thresholds' pressures with ``thresholds._pressure``, the
  objective, collapse and side ground sums as ``thresholds._rows`` forms them, the stalemate
  day, a line leaving 0), computed on the fly without per-day arrays.

The window stops after the first day on which some row might end, reach its stalemate
check or break through: that day's termination and log are left to the day loop, which
gets the positions before that day (``before``) as it keeps them itself. A false alarm
only ends a window early; the test never misses a day on which something happens,
because its margins (1e-6) are far wider than the rounding of the sums it repeats.
"""
import math

import numpy as np
from numba import njit, prange

from ._dispatch import threads_for
from .config import INLINE, JIT, PJIT
from .step import PER_FRONT, PER_REPLICATION, _ground_rows
from .thresholds import _pressure

_CHUNK = 1024  # replications per parallel work item (as ground_day)
# A window's row-day costs about 3 times a ground_day row (~140 against ~50 ns on one thread: the
# marks and the stop test come with it), so its threads pay for themselves at a third of the rows
# (kernels/_dispatch.py). The duel's batch of 18,000 rows went from 90 to 47 ms a run on 2 cores.
_WEIGHT = 3
_MARGIN = 1e-6  # how close to a threshold counts as reaching it (module docstring)


@njit(**JIT)
def _mark_row(r, t, war_day, marks, lost, mpc, share, surrendered, captured_share, wounded_per_killed,
              loss_marks):
    # casualties.mark for one row: personnel = lost * mpc * share, then _split's arithmetic in
    # its order (the surrendered are captured, the rest divide by captured_share and 1 : wpk).
    day = t - war_day[r]
    if not day <= marks[marks.shape[0] - 1] + 1e-9:  # past the last mark day (or no war: NaN)
        return
    for s in range(lost.shape[1]):
        for d in range(3):
            total = lost[r, s, d] * mpc[r, s, d] * share[d]
            gave = 0.0
            if d == 0:
                a = surrendered[r, s] * mpc[r, s, 0] * share[0]
                gave = a + total if math.isnan(a) or math.isnan(total) else (a if a <= total else total)
            fought = total - gave
            captured = fought * captured_share[r, s, d]
            killed = (fought - captured) / (1.0 + wounded_per_killed[r, s, d])
            cap = captured + gave
            wounded = total - killed - cap
            for m in range(marks.shape[0]):
                if day <= marks[m] + 1e-9:
                    loss_marks[r, s, d, 0, m] = killed
                    loss_marks[r, s, d, 1, m] = wounded
                    loss_marks[r, s, d, 2, m] = cap


@njit(**JIT)
def _passes_mark(r, t, t_next, war_day, marks):
    # Whether some mark day holds today (the day ending at t) but not tomorrow for row r.
    day, nxt = t - war_day[r], t_next - war_day[r]
    for m in range(marks.shape[0]):
        if day <= marks[m] + 1e-9 and not nxt <= marks[m] + 1e-9:
            return True
    return False


@njit(**INLINE)
def _may_act(j, r, t, lost, committed, mpc, share, homeland, tolerance, breakpoint, att, dfd, position, depth,
             counter_depth, decisive, front, afloat, side, ref_day, stalemate_days, before):
    # Whether events.terminate or the breakthrough log might do something for row r (j: its
    # place in rows) today: thresholds._rows' quantities, computed on the fly and compared
    # with _MARGIN to spare.
    if not (_pressure(lost, committed, mpc, share, homeland, tolerance, breakpoint, r, att) < 1.0 - _MARGIN
            and _pressure(lost, committed, mpc, share, homeland, tolerance, breakpoint, r, dfd) < 1.0 - _MARGIN):
        return True
    if not (t - ref_day[r] < stalemate_days[r] - 1e-9 - _MARGIN):
        return True
    ga = 0.0
    gd = 0.0
    for f in range(position.shape[1]):
        pos = position[r, f]
        if decisive[f] and not (pos < depth[r, f] - 1e-9 - _MARGIN):
            return True
        if counter_depth[r, f] > 0.0 and not (pos > -counter_depth[r, f] + 1e-9 + _MARGIN):
            return True
        if before[j, f] == 0.0 and not (pos == 0.0):
            return True
        for s in range(front.shape[2]):
            if side[r, s] == 1:
                ga += front[r, f, s, 0] + afloat[r, f, s]
            elif side[r, s] == -1:
                gd += front[r, f, s, 0]
    return not (ga >= 1.0 + _MARGIN and gd >= 1.0 + _MARGIN)


@njit(**PJIT)
def _window(k0, k1, rows, front, lost, position, inflow, side, reps, posture, amphibious, terrain, penalty,
            air_control, air_weight, sea_control, sea_weight, landing_day, assault_days, att_leth, def_leth, law_p,
            law_q, breakthrough, vmax, counter_depth, depth, dt, stochastic, seed, purpose, war_day, marks, mpc,
            share, surrendered, captured_share, wounded_per_killed, loss_marks, committed, homeland, tolerance,
            breakpoint, att, dfd, decisive, afloat, ref_day, stalemate_days, bad, before, act):
    # Days k0..k1, each over every row (chunks in parallel); stops after the first day on which
    # some row may act or has a bad input. Returns the last day done.
    n = rows.shape[0]
    F = position.shape[1]
    done = k0 - 1
    for k in range(k0, k1 + 1):
        t = k * dt
        for c in prange((n + _CHUNK - 1) // _CHUNK):
            lo, hi = c * _CHUNK, min((c + 1) * _CHUNK, n)
            for j in range(lo, hi):
                for f in range(F):
                    before[j, f] = position[rows[j], f]
            _ground_rows(lo, hi, rows, front, lost, position, inflow, side, reps, posture, amphibious, terrain,
                         penalty, air_control, air_weight, sea_control, sea_weight, landing_day, assault_days,
                         att_leth, def_leth, law_p, law_q, breakthrough, vmax, counter_depth, depth, t, dt,
                         stochastic, seed, np.uint64(k), purpose, bad)
            for j in range(lo, hi):
                # A mark is overwritten each day up to its mark day: write the last value only (the
                # day before the next passes a mark day, or the window's last day, below).
                if _passes_mark(rows[j], t, (k + 1) * dt, war_day, marks):
                    _mark_row(rows[j], t, war_day, marks, lost, mpc, share, surrendered, captured_share,
                              wounded_per_killed, loss_marks)
                act[j] = bad[j] != 0 or _may_act(j, rows[j], t, lost, committed, mpc, share, homeland, tolerance,
                                                  breakpoint, att, dfd, position, depth, counter_depth, decisive,
                                                  front, afloat, side, ref_day, stalemate_days, before)
        done = k
        stop = False
        for j in range(n):
            if act[j]:
                stop = True
                break
        if stop:
            break
    t = done * dt
    for c in prange((n + _CHUNK - 1) // _CHUNK):
        for j in range(c * _CHUNK, min((c + 1) * _CHUNK, n)):
            _mark_row(rows[j], t, war_day, marks, lost, mpc, share, surrendered, captured_share,
                      wounded_per_killed, loss_marks)
    return done


# The World's arrays window reads or writes, besides ground_day's (bench/peers/limit.py style).
PER_REPLICATION_MORE = ("war_day", "mpc", "surrendered", "captured_share", "wounded_per_killed", "loss_marks",
                        "committed", "homeland_pressure", "tolerance", "breakpoint", "afloat", "ref_day",
                        "stalemate_days")


def window(w, rows: np.ndarray, k0: int, k1: int, purpose: int, marks: np.ndarray, casualty_share: np.ndarray):
    """Days k0..k1 (stream steps; day k ends at k * dt) of World ``w``'s ground war for ``rows``.

    In place on what ``ground_day`` changes and on ``w.loss_marks`` (``marks``: the mark
    days). Stops after the first day on which some row may end, reach its stalemate check or
    break through. Returns ``(k, before)``: the last day done and the rows' (n, F) positions
    before it. Raises ValueError as ``ground_day`` does for a bad input.
    """
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    n, F = rows.size, w.F
    bad = np.zeros(n, dtype=np.int64)
    before = np.empty((n, F))
    act = np.zeros(n, dtype=np.bool_)
    with threads_for(n * F * _WEIGHT):
        k = _window(int(k0), int(k1), rows, w.front, w.lost, w.position, w.inflow, w.side, w.reps, w.posture,
                    w.amphibious, w.terrain, w.penalty, w.air_control, w.air_weight, w.sea_control, w.sea_weight,
                    w.landing_day, w.assault_days, w.att_leth, w.def_leth, w.law_p, w.law_q, w.breakthrough, w.vmax,
                    w.counter_depth, w.depth, float(w.dt), bool(w.stochastic), np.uint64(w.seed), np.uint64(purpose),
                    w.war_day, np.ascontiguousarray(marks, dtype=np.float64), w.mpc,
                    np.ascontiguousarray(casualty_share, dtype=np.float64), w.surrendered, w.captured_share,
                    w.wounded_per_killed, w.loss_marks, w.committed, w.homeland_pressure, w.tolerance, w.breakpoint,
                    int(w.att), int(w.dfd), w.decisive, w.afloat, w.ref_day, w.stalemate_days, bad, before, act)
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        raise ValueError(f"window: replication {int(w.reps[rows[j]])}, front {int(bad[j]) - 1}: strengths, "
                         "lethalities, law exponents and reinforcement must be finite and >= 0")
    return int(k), before


window.world_fields = (PER_REPLICATION + PER_REPLICATION_MORE, PER_FRONT + ("decisive",),
                       ("F", "dt", "stochastic", "seed", "att", "dfd"))
window.multi_day = True  # args[2], args[3]: its first and last day (bench/peers/limit.py counts them)
