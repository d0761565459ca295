"""Forces in place: garrisons, forward presence and tripwires (docs/model.md §2.6.1).

A state may keep combat power on a front before any war (``states.<id>.forces_in_place``).
They are not at home (World subtracts them), they fight from the war's first step on
the host's side, the defender's, whatever their state's doctrine, and their losses are
an attack on their state: the tripwire. Their state then decides at once, with those
losses in view, and every doctrine but ``never`` fights back in self-defence
(crisis/doctrines.py). A ``never`` state's forces still fight where they stand; it
sends nothing anywhere else.
"""

from __future__ import annotations

import numpy as np

from wargame.model.log import Log
from wargame.crisis.world import World


def engage(w: World, log: Log, rows: np.ndarray, t: float) -> None:
    """The war starts in ``rows``: forces in place join their fronts on the defender's side."""
    if not w.in_place.any() or rows.size == 0:
        return
    for s in range(w.S):
        if s in (w.att, w.dfd):
            continue
        cp = w.in_place[rows, :, s, :]  # (n, F, 3)
        there = rows[cp.sum(axis=(1, 2)) > 0]
        if there.size == 0:
            continue
        w.front[there, :, s, :] += w.in_place[there, :, s, :]
        w.committed[there, s, :] += w.in_place[there, :, s, :].sum(axis=1)
        free = there[w.side[there, s] == 0]  # not already committed to a side
        w.side[free, s] = -1
        w.engaged[there, s] = True
        log.record(there, t, "in_place", s, w.dfd)


def tripwire(w: World, log: Log, rows: np.ndarray, t: float) -> np.ndarray:
    """States whose forces in place took losses are attacked: returns the rows where one was, newly.

    Only states that have not intervened count: their losses are the attack that brings
    them in; an intervener is at war already.
    """
    if not w.engaged.any() or rows.size == 0:
        return rows[:0]
    newly = np.zeros(rows.size, dtype=bool)
    for s in np.flatnonzero(w.engaged[rows].any(axis=0)):
        hit = w.engaged[rows, s] & ~w.intervened[rows, s] & ~w.attacked[rows, s] & (w.lost[rows, s, :].sum(axis=1) > 0)
        if hit.any():
            w.attacked[rows[hit], s] = True
            log.record(rows[hit], t, "attacked", w.att, s, 1.0)
            newly |= hit
    return rows[newly]
