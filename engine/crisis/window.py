"""Multi-day windows: the days of a ground-only war stepped in one kernel call (kernels/window.py).

Concept owned: *when* the day loop (events.daily) may hand several days to one call. On a
day of a war in which only the ground battle runs, everything else the loop does is a
no-op: no air or naval force is engaged, nothing is struck, no forces arrive, deploy or
mobilise, nobody is cut off, no tripwire, no morale. If, further, no other SimPy process
wakes before a later day (``env.peek()``), the days up to it can be fought back to back:
the kernel fights each, marks its losses by day, and stops after the first on which some
replication may end, reach its stalemate check or break through, so the loop's own
termination and log run on that day as before. Days on which no war is being fought (before
the invasion, or after every replication's war ended) are skipped the same way, without a
call. The same bits (tests/test_fused_step.py):

* each day draws from the streams keyed (seed, replication, step k, front, GROUND), as
  the day-by-day path does, and its arithmetic is ``ground_day``'s;
* a day with no aircraft on any front and no side out has air control 0.5 and no air
  battle (breakoff.idle), which is what the day-by-day path computes;
* the days the window skips had nothing to decide: the stop test's margins are wide;
* a window fights through a decision point only when decisions are inert (no third party
  that may intervene, no aid to weigh, no escalation pair: ``_inert_decisions``): the
  decisions process still wakes there, after the window, and finds the replications it
  would have found (none ends inside a window) and nothing to change.

``ENABLED = False`` (tests, ``profile_day --per-day``) keeps one call per day.
"""

from __future__ import annotations

import math

import numpy as np

from wargame import kernels
from wargame.kernels import streams

from wargame.crisis import breakoff, casualties, clock as clock_, combat, fleet
from wargame.crisis.doctrines import deciders
from wargame.crisis.escalation import pairs
from wargame.crisis.world import CASUALTY_SHARE, World

ENABLED = True
MARKS = np.array(casualties.MARK_DAYS, dtype=np.float64)
_EPS = 1e-6  # a day this close (relative to dt) to a due time counts as due: windows end early, never late


def _steady(w: World) -> bool:
    # What cannot change during a run: no mechanism other than the ground war acts each day.
    inj = getattr(w, "injects", None)
    return (w.F > 0 and not w.typed and not w.naval.any() and not w.amphibious.any() and not w.has_morale.any()
            and not w.guerrilla.any() and not w.falls.any() and not fleet._on(w) and w.sanction_by.size == 0
            and w.aid_kind.size == 0 and not (inj is not None and inj.items))


def _before(time: float, dt: float) -> int:
    """The last step whose end lies before ``time`` (inf: no bound)."""
    return 2 ** 62 if not math.isfinite(time) else int(math.ceil(time / dt - _EPS)) - 1


def _inert_decisions(w: World) -> bool:
    # Whether a decision point can change nothing: no third party weighs intervening
    # (doctrines.decide), no supplier weighs aid (aid_decision.decide), no pair can climb the
    # escalation ladder (escalation.climb). Then it only reads the World and sets the next one.
    return not deciders(w) and w.aid_pairs.shape[0] == 0 and not list(pairs(w, engine_only=True))


class Windows:
    """The day loop's windows for one run of World ``w`` (``ts``, ``hook``, ``wake``: daily's).

    ``wake[1]``, where set, is the decisions process's timeout to its next decision point
    (events.decisions): a window may fight through it when decisions are inert.
    """

    def __init__(self, w: World, ts, hook, wake=None):
        self.on = ENABLED and combat.FUSED and ts is None and hook is None and _steady(w)
        if not self.on:
            return
        self.wake = wake if wake is not None and _inert_decisions(w) else None
        dt, h = w.dt, w.horizon
        last = int(math.floor((h + 1e-9) / dt))
        while clock_.step_time(last + 1, dt) <= h + 1e-9:
            last += 1
        while last > 0 and clock_.step_time(last, dt) > h + 1e-9:
            last -= 1
        self.horizon = last  # the day loop's last step
        self.pairs = list(pairs(w))
        self.mobilising = np.flatnonzero(w.reserve.max(axis=0) > 0)
        # Scheduled arrivals (crisis/arrivals.py): lumps on their step, flows over [from, to].
        lump = w.arr_lump[None, :] & np.ones((w.R, 1), dtype=bool)
        self.lump_steps = np.maximum(np.ceil(w.arr_from / dt - 1e-9), 1.0)[lump]
        self.flow_from, self.flow_to = w.arr_from[~lump], w.arr_to[~lump]

    def last_step(self, env, w: World, k: int, rows: np.ndarray) -> int:
        """The last day (>= k) that the window starting with day k (its start done) may reach."""
        if not self.on or k >= self.horizon:
            return k
        if (w.at_war & ~w.ended).sum() != rows.size:  # a war began this step: it fights from the next
            return k
        if w.engaged.any() or any((w.rung[:, a, i] >= 1).any() for a, i in self.pairs):
            return k
        dt = w.dt
        last = min(self.horizon, _before(self._next_event(env), dt))
        if last <= k:
            return k
        t = clock_.step_time(k, dt)
        due = w.arrival_day[~w.arrived]  # interveners deploying (doctrines.deploy)
        if due.size:
            last = min(last, _before(float(due.min()), dt))
        if self.mobilising.size:  # call-ups begin (logged) or flow
            start = w.mob_start[:, self.mobilising]
            flowing = (w.reserve_left[:, self.mobilising] > 0) & ~w.ended[:, None]
            nxt = min(np.min(start[start > t], initial=np.inf), np.min(start[flowing] + dt, initial=np.inf))
            last = min(last, _before(nxt, dt))
        nxt = np.min(self.lump_steps[self.lump_steps > k], initial=np.inf)
        later = self.flow_to > t
        if later.any():
            nxt = min(nxt, max(k + 1, math.floor(float(self.flow_from[later].min()) / dt)))
        if math.isfinite(nxt):
            last = min(last, int(nxt) - 1)
        if last <= k or not breakoff.idle(w, w.front[rows], rows, breakoff.AIR_I, combat.AIR):
            return k
        return last

    def _next_event(self, env) -> float:
        """When another process next wakes: ``env.peek()``, less an inert decision point."""
        if self.wake is None or len(self.wake) < 2:
            return env.peek()
        tick = self.wake[1]
        return min((t for t, _, _, ev in env._queue if ev is not tick), default=math.inf)

    def run(self, w: World, rows: np.ndarray, k: int, last: int, clock) -> tuple[int, np.ndarray]:
        """Days k..last for ``rows`` in one kernel call; returns (the last day done, positions before it)."""
        if rows.size == 0:  # no war being fought (not begun, or all ended): the days are empty
            return last, np.empty((0, w.F))
        w.air_control[rows] = 0.5  # what combat.step sets on a day with no air battle
        return clock(kernels.window, w, rows, k, last, purpose=streams.GROUND, marks=MARKS,
                     casualty_share=CASUALTY_SHARE)
