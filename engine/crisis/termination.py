"""Ceasefire by consent (docs/model.md §2.7.1): a stalled war ends only when both primaries accept.

When a front has barely moved for ``stalemate_days``, each primary weighs fighting on
against accepting the current line, from its own projection of the fronts over
``projection_days`` (crisis/doctrines.py ``project_cases``, blurred by its own perception
error) and its costs. What accepting is worth is measured against each side's war aims
(crisis/aims.py, §2.7.2): the attacker's attainment h of its aims, the defender's
shortfall s from its own.

    attacker: fight on = value * P(win) - defeat_cost * (1 - P(win)) - loss_weight * L_att / tolerance_att
              accept   = value * h - shortfall_cost_att * (1 - h)
    defender: fight on = -(1 - P(hold)) - loss_weight * L_def / tolerance_def
              accept   = -shortfall_cost_def * s

Without ``[war_aims]``, h = s = the share of the way to its decisive objectives the
attacker holds, shortfall_cost_att = 0 and shortfall_cost_def = 1: the rule as it was.
The attacker's terms are those of its decision to invade (crisis/deterrence.py): a war it
does not win counts as a defeat. A side accepts when accepting is worth at least as much as
fighting on. Both must accept;
otherwise the war goes on and a new stalemate window starts. Every evaluation is in the
decision log (actions accept_ceasefire, fight_on). A ceasefire with the attacker holding
ground (a front's line beyond the start) is the outcome ``ceasefire_held``; one on the
start line is ``ceasefire``.
"""

from __future__ import annotations

import numpy as np

from wargame import kernels
from wargame.kernels import streams

from wargame.crisis import aims
from wargame.crisis.combat import KernelClock
from wargame.crisis.doctrines import project_cases
from wargame.model.log import ACTIONS, DECISION_DTYPE, Log
from wargame.crisis.world import CEASEFIRE, CEASEFIRE_HELD, World

ACCEPT, FIGHT_ON = ACTIONS.index("accept_ceasefire"), ACTIONS.index("fight_on")


def outcome(w: World, rows) -> np.ndarray:
    """The ceasefire's outcome code per row: ceasefire_held when the attacker holds ground."""
    return np.where((w.position[rows] > 0).any(axis=1), CEASEFIRE_HELD, CEASEFIRE).astype(np.int8)


def consent(w: World, log: Log, rows: np.ndarray, t: float, clock: KernelClock) -> np.ndarray:
    """Whether both primaries accept a ceasefire on the current line, per row of ``rows``."""
    if rows.size == 0:
        return np.zeros(0, dtype=bool)
    a, d = w.att, w.dfd
    eps = clock(kernels.normals, w.seed, w.reps[rows], purpose=streams.PERCEPTION, step=int(round(t / w.dt)), k=w.S)
    cp, afl, side = w.front[rows], w.afloat[rows], w.side[rows]
    (pd_a, _, _, la), (pd_d, _, ld, _) = project_cases(w, rows, [
        (cp, afl, side, eps[:, a] * w.perception[rows, a]), (cp, afl, side, eps[:, d] * w.perception[rows, d])], clock)
    acc_a, acc_d, _, _ = aims.accept_values(w, rows)
    lw = w.doc["loss_weight"][rows]
    att_on = w.value[rows] * (1.0 - pd_a) - w.defeat_cost[rows] * pd_a
    att_cost = lw * la / w.tolerance[rows, a]
    def_on = -(1.0 - pd_d)
    def_cost = lw * ld / w.tolerance[rows, d]
    att_accepts = acc_a >= att_on - att_cost
    def_accepts = acc_d >= def_on - def_cost
    for s, p, on, cost, acc in ((a, 1.0 - pd_a, att_on, att_cost, att_accepts),
                                (d, pd_d, def_on, def_cost, def_accepts)):
        rec = np.zeros(rows.size, dtype=DECISION_DTYPE)
        rec["rep"], rec["day"], rec["state"], rec["doctrine"] = w.reps[rows], t, s, w.doctrine[s]
        rec["action"] = np.where(acc, ACCEPT, FIGHT_ON)
        rec["p_with"], rec["benefit"], rec["cost_losses"] = p, on, cost
        rec["utility"] = (on - cost) - (acc_a if s == a else acc_d)  # > 0: fighting on is worth more
        log.decide(rec)
    return att_accepts & def_accepts
