"""The attacker's decision to invade: expected utility with the third parties it expects
(docs/model.md §2.3.1, ``invasion.decision = "expected_utility"``).

In the tradition of Bueno de Mesquita's *The War Trap* (as EUGene computes it), the
attacker adds each third party's expected contribution to the war: the probability
that it joins, on which side, and what it would bring in the war's first weeks. It
estimates those from each party's doctrine, treaties (times the credibility it gives
them), declarations after the warning (crisis/prewar.py), stakes and calculus, and from
forces already in place, which fight whatever their state decides (crisis/presence.py).
It projects the fronts with the third parties' expected forces and without them (the
projection third parties use, crisis/doctrines.py ``project``, blurred by the attacker's
own perception error), and weighs its chance of winning against its costs:

    EU = value * P(win) - defeat_cost * (1 - P(win)) - loss_weight * E[loss share] / tolerance
         - retaliation_weight * max_j p_j * severity_j - trade_weight * sum_j p_j * trade_j

It invades when EU > 0; otherwise it waits (while its planned window lasts) or stands
down. A stand-down is ``deterred`` when, at this or an earlier evaluation, the same sum
without third parties was > 0: their expected response is what held it back. Every evaluation is logged with its numbers.
No Monte Carlo inside the decision: one deterministic projection per case, per batch.
"""

from __future__ import annotations

import numpy as np

from wargame import kernels
from wargame.kernels import streams

from wargame.crisis import doctrines
from wargame.crisis.combat import GROUND, KernelClock
from wargame.crisis.doctrines import (AID_ONLY, bandwagon_sides, deployable, policies, project, project_cases,
                                      severity_from)
from wargame.model.log import ACTIONS, DECISION_DTYPE, Log
from wargame.crisis.world import (BANDWAGON, BUCK_PASSING, COLLECTIVE, DETERRED, NEVER, NO_WAR, SELF_HELP, World)

INVADE, WAIT, STAND_DOWN = (ACTIONS.index(a) for a in ("invade", "wait", "stand_down"))


def primaries(w: World, rows) -> tuple[np.ndarray, np.ndarray]:
    """(n, F, S, 3) cp and (n, F, S) afloat: what the two primaries would commit if the war started now."""
    n = rows.size
    cp, afl = np.zeros((n, w.F, w.S, 3)), np.zeros((n, w.F, w.S))
    for s, j in ((w.att, 0), (w.dfd, 1)):
        sent = w.commit[rows, s, :] * w.home[rows, s, :]
        per = sent[:, None, :] * w.share[rows, :, j][:, :, None]
        if s == w.att and w.amphibious.any():
            afl[:, :, s] = np.where(w.amphibious[None, :], per[:, :, GROUND], 0.0)
            per[:, :, GROUND] = np.where(w.amphibious[None, :], 0.0, per[:, :, GROUND])
        cp[:, :, s, :] = per
    return cp, afl


def expected_parties(w: World, rows, cp0, afl, side0, eps, clock: KernelClock):
    """Each third party's probability of joining (n, S), its side (n, S) and arrival weight (n, S), as the
    attacker sees them before the war; and the projection without third parties (p_def, p_att, loss_def,
    loss_att)."""
    n, S = rows.size, w.S
    p, sig, arrive = np.zeros((n, S)), np.zeros((n, S), dtype=np.int8), np.zeros((n, S))
    H = w.doc["projection_days"][rows]
    base, ahead = _projections(w, rows, cp0, afl, side0, eps, clock)
    pd0 = base[0]
    policy = policies(w)
    for j in range(S):
        if j in (w.att, w.dfd):
            continue
        engaged = w.in_place[rows, :, j, :].sum(axis=(1, 2)) > 0
        sig[:, j] = _sides(w, rows, j)
        delay = w.delay(rows, j)  # an alert after the warning is visible to the attacker
        doc = w.doctrine[j]
        if doc == COLLECTIVE:
            pj = commitment(w, rows, j)
            sig[:, j] = -1
        elif doc == SELF_HELP:  # its calculus (with the reputation a declaration stakes), and the declaration itself
            pj = (self_help_utility(w, rows, j, sig[:, j], cp0, afl, side0, eps, clock,
                                    (ahead[j], base) if j in ahead else None) > 0).astype(float)
            pj = np.where(w.declared[rows, j], np.maximum(pj, commitment(w, rows, j)), pj)
            sig[:, j] = np.where(w.declared[rows, j], -1, sig[:, j])
        elif doc == BUCK_PASSING:  # it waits buck_pass_days for others to act first
            pj = (w.interest[rows, j, w.dfd] > 0).astype(float)
            sig[:, j] = -1
            delay = delay + w.doc["buck_pass_days"][rows]
        elif doc == BANDWAGON:  # joins the side it expects to win, never against its larger stake
            to_def, to_att = bandwagon_sides(w, rows, j, pd0)
            pj = (to_def | to_att).astype(float)
            sig[:, j] = np.where(to_def, -1, 1)
        else:  # never
            pj = np.zeros(n)
        if policy[j] == AID_ONLY:  # it will aid, not fight (docs/model.md §10.3)
            pj = np.zeros(n)
        if doc != NEVER:  # the tripwire: its forces in place will be hit, and it fights back
            pj = np.where(engaged, 1.0, pj)
            sig[:, j] = np.where(engaged, -1, sig[:, j])
        p[:, j] = pj
        arrive[:, j] = np.clip(1.0 - delay / H, 0.0, 1.0)  # share of the projection window it is there
    return p, sig, arrive, base


def _sides(w: World, rows, j) -> np.ndarray:
    """(n,) the side the attacker expects j on by its stakes: the defender's (-1) on a tie."""
    return np.where(w.interest[rows, j, w.dfd] >= w.interest[rows, j, w.att], -1, 1).astype(np.int8)


def _projections(w: World, rows, cp0, afl, side0, eps, clock) -> tuple:
    """The projection without third parties, and under ``doctrines.FUSED`` each self-help party's with its
    forces on the side its stakes pick ({j: projection}), all in one stacked call; {} otherwise (each is
    projected when it is weighed)."""
    if not doctrines.FUSED:
        return project(w, rows, cp0, afl, side0, eps, clock), {}
    helpers = [j for j in range(w.S) if j not in (w.att, w.dfd) and w.doctrine[j] == SELF_HELP]
    cases = [(cp0, afl, side0, eps)] + [_with_case(w, rows, j, _sides(w, rows, j), cp0, afl, side0, eps)
                                        for j in helpers]
    proj = project_cases(w, rows, cases, clock)
    return proj[0], dict(zip(helpers, proj[1:]))


def _with_case(w: World, rows, j, sigma, cp0, afl, side0, eps) -> tuple:
    """The world with j's deployable forces and its forces in place on side sigma."""
    with_cp, side = cp0.copy(), side0.copy()
    with_cp[:, :, j, :] = deployable(w, rows, j) + w.in_place[rows, :, j, :]
    side[:, j] = sigma
    return with_cp, afl, side, eps


def commitment(w: World, rows, j) -> np.ndarray:
    """How far the attacker believes j's commitment to the defender (n,): its treaty's credibility (0 without a
    treaty), plus ``declare.credibility_gain`` where j declared it after the warning (crisis/prewar.py), at most 1."""
    c = w.credibility[rows, j, w.dfd] * w.treaty[j, w.dfd]
    return np.where(w.declared[rows, j], np.minimum(c + w.declare_gain[rows, j], 1.0), c)


def self_help_utility(w: World, rows, j, sigma, cp0, afl, side0, eps, clock, proj=None) -> np.ndarray:
    """Third party j's self-help utility of fighting on side sigma, as the attacker (or j itself, crisis/prewar.py)
    estimates it; a declared commitment to the defender adds the reputation j would lose by staying out.
    ``proj``: its two projections (with j on side sigma, without it) where already made."""
    if proj is None:
        proj = project_cases(w, rows, [_with_case(w, rows, j, sigma, cp0, afl, side0, eps),
                                       (cp0, afl, side0, eps)], clock)
    (pd_w, pa_w, ld_w, la_w), (pd_o, pa_o, _, _) = proj
    gain = np.where(sigma == -1, pd_w - pd_o, pa_w - pa_o)
    stake = np.where(sigma == -1, w.interest[rows, j, w.dfd], w.interest[rows, j, w.att])
    opp = np.where(sigma == -1, w.att, w.dfd)
    pf = (w.power[rows, opp] / np.maximum(w.power[rows, j], 1.0)) ** w.doc["power_weight"][rows]
    loss = np.where(sigma == -1, ld_w, la_w)
    sev = np.zeros(rows.size)
    for o, sg in ((w.att, -1), (w.dfd, 1)):  # the primary it would fight, if that one can strike
        if (w.inventory[rows, o] > 0).any() or w.nuclear[o]:
            sev = np.where(sigma == sg, severity_from(w, rows, o, j), sev)
    return (w.doc["survival_value"][rows] * stake * gain
            - pf * w.doc["loss_weight"][rows] * loss / w.tolerance[rows, j]
            - pf * w.doc["retaliation_weight"][rows] * sev
            - w.doc["trade_weight"][rows] * w.trade[rows, j, opp]
            + np.where(w.declared[rows, j] & (sigma == -1), w.declare_cost[rows, j], 0.0))


def weigh(w: World, rows, t: float, clock: KernelClock) -> dict:
    """The attacker's numbers at time t for ``rows``: P(win) and expected utility with and without third parties."""
    a, n = w.att, rows.size
    eps = clock(kernels.normals, w.seed, w.reps[rows], purpose=streams.PERCEPTION, step=int(round(t / w.dt)), k=w.S)
    eps = eps[:, a] * w.perception[rows, a]
    cp0, afl = primaries(w, rows)
    side0 = np.zeros((n, w.S), dtype=np.int8)
    side0[:, a], side0[:, w.dfd] = 1, -1
    p, sig, arrive, base = expected_parties(w, rows, cp0, afl, side0, eps, clock)
    cp, side = cp0.copy(), side0.copy()
    placed = w.in_place[rows].sum(axis=(1, 3)) > 0  # (n, S): forces in place fight whatever their state decides
    for j in np.flatnonzero(((p > 0) | placed).any(axis=0)):
        cp[:, :, j, :] = w.in_place[rows, :, j, :] + (p[:, j] * arrive[:, j])[:, None, None] * deployable(w, rows, j)
        side[:, j] = np.where(placed[:, j], -1, sig[:, j])
    pd_w, _, _, la_w = project(w, rows, cp, afl, side, eps, clock)
    pd_o, _, _, la_o = base if doctrines.FUSED else project(w, rows, cp0, afl, side0, eps, clock)
    value, defeat, tol = w.value[rows], w.defeat_cost[rows], w.tolerance[rows, a]
    c_loss = w.doc["loss_weight"][rows] * la_w / tol
    against = (sig == -1) & (p > 0)
    c_ret = np.zeros(n)
    for j in np.flatnonzero(against.any(axis=0)):
        if (w.inventory[rows, j] > 0).any() or w.nuclear[j]:
            c_ret = np.maximum(c_ret, np.where(against[:, j], p[:, j], 0.0) * severity_from(w, rows, j, a))
    c_ret = w.doc["retaliation_weight"][rows] * c_ret
    c_trade = w.doc["trade_weight"][rows] * (np.where(against, p, 0.0) * w.trade[rows, a, :]).sum(axis=1)
    win_w, win_o = 1.0 - pd_w, 1.0 - pd_o
    # benefit: the expected value of the war's result, winning (value) or being defeated (-defeat_cost)
    benefit = value * win_w - defeat * (1.0 - win_w)
    eu = benefit - c_loss - c_ret - c_trade
    eu_alone = value * win_o - defeat * (1.0 - win_o) - w.doc["loss_weight"][rows] * la_o / tol
    return dict(p_with=win_w, p_without=win_o, benefit=benefit, cost_losses=c_loss, cost_retaliation=c_ret,
                cost_trade=c_trade, utility=eu, alone=eu_alone, expected=p * arrive * (sig == -1))


def decide(w: World, log: Log, rows: np.ndarray, t: float, last: np.ndarray, clock: KernelClock) -> np.ndarray:
    """Evaluate the invasion for ``rows`` at t; returns the rows that invade. Rows at their ``last``
    chance (bool, per row) that do not invade stand down (outcome deterred or no_war); the rest wait."""
    v = weigh(w, rows, t, clock)
    go = v["utility"] > 0
    stand = ~go & last
    rec = np.zeros(rows.size, dtype=DECISION_DTYPE)
    rec["rep"], rec["day"], rec["state"], rec["doctrine"] = w.reps[rows], t, w.att, w.doctrine[w.att]
    rec["action"] = np.where(go, INVADE, np.where(stand, STAND_DOWN, WAIT))
    for name in ("p_without", "p_with", "benefit", "cost_losses", "cost_retaliation", "cost_trade", "utility"):
        rec[name] = v[name]
    log.decide(rec)
    waiting = ~go & ~last
    log.record(rows[waiting], t, "wait", w.att, w.dfd, v["utility"][waiting])
    # Held back now, though alone it would attack: the third parties' expected response is what
    # stops it, at this evaluation or an earlier one it waited through.
    w.tempted[rows] |= ~go & (v["alone"] > 0)
    tipped = stand & w.tempted[rows]
    for idx, outcome in ((rows[tipped], DETERRED), (rows[stand & ~tipped], NO_WAR)):
        if idx.size:
            w.ended[idx], w.outcome[idx], w.end_day[idx], w.winner[idx] = True, outcome, t, -1
    log.record(rows[stand], t, "stand_down", w.att, w.dfd, v["alone"][stand])
    return rows[go]
