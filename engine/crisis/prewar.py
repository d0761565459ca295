"""Before the war: third parties may alert and deploy forward after the warning
(docs/model.md §2.6.2, ``states.<s>.alert``).

An alert cuts ``alert.days_saved`` from the state's deploy delay, should it later
intervene, and the attacker sees it: its decision to invade (crisis/deterrence.py)
counts the shorter delay. Who alerts, at the warning:

- collective_security with a treaty with the defender: always (it is bound to come);
- self_help: when its utility of fighting for the side it cares about, projected from
  the primaries' forces before the war with its own perception error (the calculus of
  §4.2), exceeds the alert's ``cost``;
- buck_passing, bandwagon and never: not (they wait for others, or for a favourite).

Every alert is logged (event ``alert``, value the days saved).
"""

from __future__ import annotations

import numpy as np

from wargame import kernels
from wargame.kernels import streams

from wargame.crisis.combat import KernelClock
from wargame.crisis.deterrence import primaries, self_help_utility
from wargame.crisis.world import COLLECTIVE, SELF_HELP, World
from wargame.model.log import Log


def alert(w: World, log: Log, rows: np.ndarray, t: float, clock: KernelClock) -> None:
    """Third parties decide at the warning (time t) whether to alert, in ``rows``."""
    can = [s for s in range(w.S) if s not in (w.att, w.dfd) and not w.human[s]
           and w.doctrine[s] in (COLLECTIVE, SELF_HELP) and (w.alert_saved[rows, s] > 0).any()]
    if not can or rows.size == 0:
        return
    eps = kernels.normals(w.seed, w.reps[rows], purpose=streams.DECISION, step=int(round(t / w.dt)), k=w.S)
    cp0, afl = primaries(w, rows)
    side0 = np.zeros((rows.size, w.S), dtype=np.int8)
    side0[:, w.att], side0[:, w.dfd] = 1, -1
    for s in can:
        if w.doctrine[s] == COLLECTIVE:
            go = np.full(rows.size, bool(w.treaty[s, w.dfd]))
        else:
            sigma = np.where(w.interest[rows, s, w.dfd] >= w.interest[rows, s, w.att], -1, 1).astype(np.int8)
            u = self_help_utility(w, rows, s, sigma, cp0, afl, side0, eps[:, s] * w.perception[rows, s], clock)
            go = (sigma == -1) & (u > w.alert_cost[rows, s])
        go &= (w.alert_saved[rows, s] > 0) & ~w.alerted[rows, s]
        if go.any():
            w.alerted[rows[go], s] = True
            log.record(rows[go], t, "alert", s, w.dfd, w.alert_saved[rows[go], s])
