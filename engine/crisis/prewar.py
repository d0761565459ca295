"""Before the war: at the warning, third parties may alert and deploy forward, and declare
a commitment to the defender (docs/model.md §2.6.2, ``states.<s>.alert``, ``states.<s>.declare``).

An alert cuts ``alert.days_saved`` from the state's deploy delay, should it later
intervene, and the attacker sees it: its decision to invade (crisis/deterrence.py)
counts the shorter delay. A declaration raises the credibility the attacker gives the
state's commitment to the defender by ``declare.credibility_gain`` (capped at 1), and
stakes ``declare.reputation_cost``: a declared state that later stays out of the war, or
withdraws, loses it (crisis/doctrines.py), and the attacker knows that too. The rules, at
the warning, from one projection per state (the primaries' forces before the war, seen
with the state's own perception error: the calculus of §4.2):

- collective_security with a treaty with the defender: always alerts, and always declares
  (it is bound to come and never withdraws, so the stake costs it nothing, and the
  declaration lifts a treaty the attacker doubts);
- self_help: alerts when its utility u of fighting for the defender exceeds the alert's
  ``cost``; declares when u exceeds the ``reputation_cost`` it would stake (only a state
  that expects to fight anyway stakes its reputation on it: the screening logic of audience
  costs, Fearon 1994);
- buck_passing, bandwagon and never: neither (they wait for others, or for a favourite).

The alert is decided first, without the reputation a declaration would add, so a
scenario without ``declare`` alerts exactly as before. Every alert and declaration is
logged (events ``alert``, value the days saved, and ``declare``, value the credibility gain).
"""

from __future__ import annotations

import numpy as np

from wargame import kernels
from wargame.kernels import streams

from wargame.crisis.combat import KernelClock
from wargame.crisis.deterrence import primaries, self_help_utility
from wargame.crisis.world import COLLECTIVE, SELF_HELP, World
from wargame.model.log import Log


def at_warning(w: World, log: Log, rows: np.ndarray, t: float, clock: KernelClock) -> None:
    """Third parties decide at the warning (time t) whether to alert and whether to declare, in ``rows``."""
    can_alert = (w.alert_saved[rows] > 0) & ~w.alerted[rows]
    can_declare = ((w.declare_gain[rows] > 0) | (w.declare_cost[rows] > 0)) & ~w.declared[rows]
    can = [s for s in range(w.S) if s not in (w.att, w.dfd) and not w.human[s]
           and w.doctrine[s] in (COLLECTIVE, SELF_HELP) and (can_alert[:, s] | can_declare[:, s]).any()]
    if not can or rows.size == 0:
        return
    eps = clock(kernels.normals, w.seed, w.reps[rows], purpose=streams.DECISION, step=int(round(t / w.dt)), k=w.S)
    cp0, afl = primaries(w, rows)
    side0 = np.zeros((rows.size, w.S), dtype=np.int8)
    side0[:, w.att], side0[:, w.dfd] = 1, -1
    for s in can:
        if w.doctrine[s] == COLLECTIVE:
            alert = np.full(rows.size, bool(w.treaty[s, w.dfd]))
            declare = alert.copy()
        else:  # its utility of fighting for the defender, where that is the side it cares about
            sigma = np.where(w.interest[rows, s, w.dfd] >= w.interest[rows, s, w.att], -1, 1).astype(np.int8)
            u = self_help_utility(w, rows, s, sigma, cp0, afl, side0, eps[:, s] * w.perception[rows, s], clock)
            alert = (sigma == -1) & (u > w.alert_cost[rows, s])
            declare = (sigma == -1) & (u > w.declare_cost[rows, s])
        alert = alert & can_alert[:, s]
        if alert.any():
            w.alerted[rows[alert], s] = True
            log.record(rows[alert], t, "alert", s, w.dfd, w.alert_saved[rows[alert], s])
        declare = declare & can_declare[:, s]
        if declare.any():
            w.declared[rows[declare], s] = True
            log.record(rows[declare], t, "declare", s, w.dfd, w.declare_gain[rows[declare], s])
