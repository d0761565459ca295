"""Aid decisions of suppliers, with the calculus of intervention (docs/model.md §10.3), and the
aid policy's gate on intervention.

At each decision point, for every (supplier s, recipient r) pair with ``given = "decided"``
entries in the scenario's ``[[aid]]`` (scheduled entries flow whatever it decides), s weighs
its aid as it weighs intervention (crisis/doctrines.py): the same projection over
``projection_days``, blurred by the same perception draw, of the side r fights on with and
without what s's decided entries would deliver within the window (arms and money as combat
power on the fronts, intelligence as the recipient's lethality gain):

    benefit   = survival_value x stake_s(r) x (P_with_aid - P_without)
    cost_aid  = aid_weight x sum_i expected_i / capacity_i      (stock, or a year's flow)
    cost_ret  = pf x retaliation_weight x R_sup
    utility   = benefit - cost_aid - cost_ret

with R_sup what the ladder can do to a supplier (§10.6, crisis/deliveries.py): the largest,
over the states that fight r and have missiles, of aid_retaliation_share x the expected
severity of rungs 1-3 within their reach (doctrines.severity_from), at least the severity of a
rung s has already suffered. Its doctrine turns that into a yes or
no: self_help aids when utility > 0; collective_security aids the defender and its treaty
partners; buck_passing aids whenever it has a stake (it arms the buck-catcher); bandwagon
aids the side it would join; never does not aid. No state aids the side it fights against.
``aid_policy = intervene_only`` never aids. Each evaluation is logged (actions ``aid``,
``no_aid``; ``cost_losses`` holds cost_aid).
"""

from __future__ import annotations

import numpy as np

from wargame import kernels
from wargame.kernels import streams

from wargame.crisis import aid, doctrines
from wargame.crisis.combat import GROUND, KernelClock
from wargame.crisis.doctrines import (INTERVENE_ONLY, bandwagon_sides, policies, project, project_cases,
                                      severity_from)
from wargame.model.log import ACTIONS, DECISION_DTYPE, Log
from wargame.crisis.world import BANDWAGON, BUCK_PASSING, COLLECTIVE, NEVER, SELF_HELP, World

AID, NO_AID = ACTIONS.index("aid"), ACTIONS.index("no_aid")


def decide(w: World, log: Log, rows: np.ndarray, t: float, clock: KernelClock) -> None:
    """Every supplier's aid decision at t for ``rows``, with the perception draws of the decision point
    (the ones its intervention decision used: same stream, same step)."""
    if w.aid_pairs.shape[0] == 0 or rows.size == 0:
        return
    eps = clock(kernels.normals, w.seed, w.reps[rows], purpose=streams.PERCEPTION, step=int(round(t / w.dt)), k=w.S)
    pol = policies(w)
    for p, (s, r) in enumerate(w.aid_pairs):
        if w.doctrine[s] == NEVER or w.human[s] or pol[s] == INTERVENE_ONLY:
            continue
        if w.aid_sched[w.aid_pair == p].all():  # nothing to decide: its entries are the record
            continue
        v = weigh(w, rows, t, p, eps[:, s] * w.perception[rows, s], clock)
        give = _rule(w, rows, s, r, v) & (w.side[rows, s] != -w.side[rows, r])
        _act(w, log, rows, t, p, v, give)


def _rule(w: World, rows, s, r, v) -> np.ndarray:
    doc = w.doctrine[s]
    if doc == SELF_HELP:
        return v["utility"] > 0
    if doc == COLLECTIVE:
        return np.full(rows.size, bool(r == w.dfd or w.treaty[s, r]))
    if doc == BUCK_PASSING:
        return v["stake"] > 0
    if doc == BANDWAGON:
        to_def, to_att = bandwagon_sides(w, rows, s, v["p_def"])
        return to_def if r == w.dfd else to_att
    return np.zeros(rows.size, dtype=bool)


def weigh(w: World, rows, t: float, p: int, eps, clock: KernelClock) -> dict:
    """Supplier s's numbers for aiding recipient r (pair p) at t: survival with and without its aid, costs."""
    s, r = w.aid_pairs[p]
    H = w.doc["projection_days"][rows]
    sigma = w.side[rows, r]
    cp, afl, side = w.front[rows], w.afloat[rows], w.side[rows]
    with_cp, cost, gain = cp.copy(), np.zeros(rows.size), np.zeros(rows.size)
    j = 0 if r == w.att else 1
    for i in np.flatnonzero((w.aid_pair == p) & ~w.aid_sched):
        e = aid.expected(w, rows, i, t, H)
        kind = w.aid_kind[i]
        cap = np.where(np.isfinite(w.aid_stock0[rows, i]), w.aid_stock0[rows, i], w.aid_per_day[rows, i] * 365.0)
        cost += np.where(cap > 0, e / np.maximum(cap, 1e-300), 0.0) if kind != aid.INTELLIGENCE else e / 365.0
        if kind == aid.INTELLIGENCE:
            gain = np.maximum(gain, np.where(e > 0, w.aid_gain[rows, i], 0.0))
        elif kind in (aid.ARMS, aid.MONEY):
            d = w.aid_domain[i] if kind == aid.ARMS else GROUND
            got = e if kind == aid.ARMS else e * w.aid_ppm[rows, i]
            if kind == aid.ARMS and w.aid_front[i] >= 0:
                with_cp[:, w.aid_front[i], r, d] += got
            else:
                with_cp[:, :, r, d] += (got * w.commit[rows, r, d])[:, None] * w.share[rows, :, j]
    leth = w.att_leth if r == w.att else w.def_leth
    kept = leth[rows].copy()
    if doctrines.FUSED:  # both cases in one stacked call, the with-case on its own lethalities
        mine = kept * (1.0 + gain)[:, None]
        own = (mine, w.def_leth[rows]) if r == w.att else (w.att_leth[rows], mine)
        (pd_o, pa_o, _, _), (pd_w, pa_w, _, _) = project_cases(
            w, rows, [(cp, afl, side, eps), (with_cp, afl, side, eps) + own], clock)
    else:
        pd_o, pa_o, _, _ = project(w, rows, cp, afl, side, eps, clock)
        try:  # intelligence: the recipient's lethality as it would be, for this projection only
            leth[rows] = kept * (1.0 + gain)[:, None]
            pd_w, pa_w, _, _ = project(w, rows, with_cp, afl, side, eps, clock)
        finally:
            leth[rows] = kept
    p_with = np.where(sigma == -1, pd_w, pa_w)
    p_without = np.where(sigma == -1, pd_o, pa_o)
    stake = w.interest[rows, s, r]
    opp = w.att if r == w.dfd else w.dfd
    pf = (w.power[rows, opp] / np.maximum(w.power[rows, s], 1.0)) ** w.doc["power_weight"][rows]
    benefit = w.doc["survival_value"][rows] * stake * (p_with - p_without)
    c_aid = w.doc["aid_weight"][rows] * cost
    c_ret = pf * w.doc["retaliation_weight"][rows] * supplier_retaliation(w, rows, s, sigma)
    return dict(stake=stake, p_def=pd_o, p_with=p_with, p_without=p_without, benefit=benefit, cost_losses=c_aid,
                cost_retaliation=c_ret, cost_trade=np.zeros(rows.size), utility=benefit - c_aid - c_ret)


def supplier_retaliation(w: World, rows, s, sigma) -> np.ndarray:
    """R_sup: the severity supplier s expects for aiding side sigma, from the rungs the ladder can climb
    against a supplier (1-3, at aid_retaliation_share of the striker's propensity: crisis/deliveries.py)."""
    best = np.zeros(rows.size)
    for a in range(w.S):
        striker = (a != s) & (w.side[rows, a] == -sigma) & (w.inventory_left[rows, a] > 0)
        if striker.any():
            sev = w.doc["aid_retaliation_share"][rows] * severity_from(w, rows, a, s, top=3)
            best = np.maximum(best, np.where(striker, sev, 0.0))
    return np.maximum(best, w.severity[w.rung[rows, :, s].max(axis=1)])


def _act(w: World, log: Log, rows, t, p, v: dict, give) -> None:
    s, r = w.aid_pairs[p]
    was = w.aiding[rows, p]
    log.record(rows[give & ~was], t, "aid", s, r, 1.0)
    log.record(rows[~give & was], t, "aid", s, r, -1.0)
    w.aiding[rows, p] = give
    first = rows[give & np.isnan(w.aid_since[rows, p])]
    w.aid_since[first, p] = t
    rec = np.zeros(rows.size, dtype=DECISION_DTYPE)
    rec["rep"], rec["day"], rec["state"], rec["doctrine"] = w.reps[rows], t, s, w.doctrine[s]
    rec["action"] = np.where(give, AID, NO_AID)
    for name in ("p_without", "p_with", "benefit", "cost_losses", "cost_retaliation", "cost_trade", "utility"):
        rec[name] = v[name]
    log.decide(rec)
