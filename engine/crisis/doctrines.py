"""Intervention decisions of third parties, one formula per doctrine (docs/model.md).

A state decides from what it believes: a deterministic Lanchester projection of
each front over ``projection_days`` with and without its own forces, blurred by its
perception error, turned into a probability that the side it cares about survives.
No Monte Carlo inside a decision. Every evaluation is logged
with the numbers it weighed.
"""

from __future__ import annotations

import numpy as np

from wargame import kernels
from wargame.kernels import streams

from wargame.crisis.combat import AIR, GROUND, NAVAL, KernelClock, control
from wargame.crisis.escalation import reachable
from wargame.model.aid import AID_POLICIES
from wargame.model.log import DECISION_DTYPE, Log
from wargame.crisis.world import BANDWAGON, BUCK_PASSING, COLLECTIVE, NEVER, SELF_HELP, World, side_sum

AID_AND_INTERVENE, AID_ONLY, AID_THEN_INTERVENE, INTERVENE_ONLY = range(len(AID_POLICIES))


def policies(w: World) -> np.ndarray:
    """(S,) each state's aid policy code (docs/model.md §10.3; set once by crisis/aid.py ``attach``)."""
    return w.aid_policy


def gate(w: World, rows, s: int, p_without: np.ndarray, join: np.ndarray) -> np.ndarray:
    """The joins state s's aid policy allows: none under aid_only (not even in self-defence); under
    aid_then_intervene only where the side it backs is losing (its perceived survival without s's
    forces below losing_threshold); every join otherwise."""
    pol = policies(w)[s]
    if pol == AID_ONLY:
        return np.zeros_like(join)
    if pol == AID_THEN_INTERVENE:
        return join & (p_without < w.doc["losing_threshold"][rows])
    return join


def project(w: World, rows, cp, afloat, side, eps_sigma, clock: KernelClock):
    """Perceived survival of each side's primary and projected loss shares.

    cp: (n, F, S, 3) hypothetical front allocation; afloat: (n, F, S); side: (n, S);
    eps_sigma: (n,) log perception error of the perceiver (already multiplied by its sd).
    Returns (p_def, p_att, loss_def, loss_att), each (n,).
    """
    x0, y0, xh, yh = projected_fronts(w, rows, cp, afloat, side, clock)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.where(yh > 0, xh / np.maximum(yh, 1e-300), np.where(xh > 0, 1e12, 1.0)) * np.exp(eps_sigma)[:, None]
        m = np.clip(m, 1e-12, 1e12)
        kappa = w.doc["sharpness"][rows][:, None]
        theta = w.breakthrough[rows]
        hold = 1.0 / (1.0 + (m / theta) ** kappa)  # defender holds this front
        collapse = 1.0 / (1.0 + (theta * m) ** kappa)  # defender breaks through the other way
    p_def = np.prod(np.where(w.decisive[None, :], hold, 1.0), axis=1)
    p_att = np.prod(np.where(w.counter_depth[rows] > 0, 1.0 - collapse, 1.0), axis=1)
    loss_def = 1.0 - yh.sum(1) / np.maximum(y0.sum(1), 1e-300)
    loss_att = 1.0 - xh.sum(1) / np.maximum(x0.sum(1), 1e-300)
    return p_def, p_att, np.clip(loss_def, 0, 1), np.clip(loss_att, 0, 1)


def projected_fronts(w: World, rows, cp, afloat, side, clock: KernelClock):
    """Ground strengths now and after ``projection_days``, each (n, F): (x0, y0, xh, yh), true, unblurred.

    One deterministic step of each front's own law (docs/model.md §4.1): the (p, q)
    Lanchester law, or Deitchman's guerrilla law on ``law = "deitchman"`` fronts
    (``guerrilla_projection``).
    """
    n, F = rows.size, w.F

    def tot(d, sgn):
        return side_sum(cp[:, :, :, d], side, sgn)

    air = control(tot(AIR, 1), tot(AIR, -1), 2.0)
    sea = control(tot(NAVAL, 1), tot(NAVAL, -1), w.nav["sea_control_exponent"][rows][:, None])
    sea = np.where(w.naval[None, :], sea, 0.5)
    afl = side_sum(afloat, side, 1)
    delivered = afl * np.minimum(1.0, 2.0 * sea) * (1.0 - w.transit_loss[rows] * (1.0 - sea))
    x0 = tot(GROUND, 1) + delivered
    y0 = tot(GROUND, -1)
    in_assault = w.amphibious[None, :] & (np.isinf(w.landing_day[rows]) | (x0 < 2 * y0))
    factor = clock(kernels.front_modifiers, posture=np.tile(w.posture, n), terrain=w.terrain[rows].ravel(),
                   amphibious=in_assault.ravel(), amphib_penalty=w.penalty[rows].ravel(), air_control=air.ravel(),
                   air_weight=w.air_weight[rows].ravel(), sea_control=sea.ravel(),
                   sea_weight=w.sea_weight[rows].ravel())
    H = w.doc["projection_days"][rows].repeat(F)
    a, b = w.att_leth[rows].ravel() * factor, w.def_leth[rows].ravel()
    xh, yh = clock(kernels.lanchester_step, x0.ravel(), y0.ravel(), a=a, b=b, p=w.law_p[rows].ravel(),
                   q=w.law_q[rows].ravel(), rx=0.0, ry=0.0, dt=H, stochastic=False)
    if w.guerrilla.any():
        xh, yh = guerrilla_projection(w, n, x0.ravel(), y0.ravel(), a, b, H, xh, yh, clock)
    return x0, y0, xh.reshape(n, F), yh.reshape(n, F)


def guerrilla_projection(w: World, n: int, x0, y0, a, b, H, xh, yh, clock: KernelClock):
    """Deitchman fronts projected with their own law (flattened (n*F,) arrays) -> (xh, yh).

    The same exact solution the combat step uses (irregular.guerrilla, kernels/guerrilla.py),
    deterministic, over H days: the guerrilla loses to area fire in proportion to its own
    numbers, the conventional side to aimed fire. The (p, q) step's placeholder result
    for these fronts (square law, LAW_PQ) is discarded.
    """
    side = np.tile(w.guerrilla, n)
    on = side > 0
    gx, gy = clock(kernels.deitchman_step, x0[on], y0[on], a=a[on], b=b[on], side=side[on], dt=H[on],
                   stochastic=False)
    xh, yh = xh.copy(), yh.copy()
    xh[on], yh[on] = gx, gy
    return xh, yh


def deployable(w: World, rows, s) -> np.ndarray:
    """(n, F, 3) combat power state s would send: its commit share of what is at home, split by front."""
    return (w.commit[rows, s, :] * w.sends[rows, s, :] * w.home[rows, s, :])[:, None, :] * w.share[rows, :, 2][:, :, None]


def severity_from(w: World, rows, a, s, top: int = 4) -> np.ndarray:
    """Expected severity of a's strikes on s: each rung up to ``top`` within a's reach is climbed with a's
    propensity. The rungs are the ladder's own (escalation.reachable): a state that cannot be struck fears
    nothing; against a supplier that is not fighting the ladder stops at rung 3 (top = 3)."""
    n = rows.size
    p = w.propensity[rows, a]
    exp_sev = np.zeros(n)
    climbed = np.ones(n)
    for k in range(1, top + 1):
        reach = reachable(w, rows, a, s, k)
        climbed = np.where(reach, climbed * p, climbed)
        exp_sev += np.where(reach, climbed * w.severity[k], 0.0)
    return exp_sev


def retaliation_expectation(w: World, rows, s, sigma) -> np.ndarray:
    """Expected severity of retaliation on s if it fights on side sigma: max over possible strikers."""
    n = rows.size
    best = np.zeros(n)
    for a in range(w.S):
        if a == s:
            continue
        striker = (w.side[rows, a] == -sigma) & ((w.inventory_left[rows, a] > 0) | w.nuclear[a])
        if not striker.any():
            continue
        best = np.maximum(best, np.where(striker, severity_from(w, rows, a, s), 0.0))
    suffered = w.rung[rows, :, s].max(axis=1)
    return np.maximum(best, w.severity[suffered])


def decide(w: World, log: Log, rows: np.ndarray, t: float, clock: KernelClock) -> None:
    """Every third party's decision at time t for the replications ``rows``."""
    deciders = [s for s in range(w.S) if not (s in (w.att, w.dfd) or w.doctrine[s] == NEVER or w.human[s])]
    if not deciders:  # the draws and pressures below only feed the deciders' weighing
        return
    eps = kernels.normals(w.seed, w.reps[rows], purpose=streams.PERCEPTION, step=int(round(t / w.dt)), k=w.S)
    pressure = w.pressure(rows)  # once per decision point; states only change at its end
    for s in deciders:
        v = _weigh(w, rows, s, eps[:, s] * w.perception[rows, s], clock)
        join, leave, side_to = _choose(w, rows, t, s, v, pressure[:, s])
        join = gate(w, rows, s, v["p_without"], join)
        _act(w, log, rows, t, s, v, join, leave, side_to)


def _weigh(w: World, rows, s, eps, clock) -> dict:
    """The numbers a third party weighs: survival with and without it, and its costs."""
    inside = w.intervened[rows, s] & np.isnan(w.withdrew_day[rows, s])
    arrived = w.arrived[rows, s]
    # The side it cares about: the primary it has the larger stake in (ties: the defender).
    sigma = np.where(w.interest[rows, s, w.att] > w.interest[rows, s, w.dfd], 1, -1).astype(np.int8)
    sigma = np.where(inside, w.side[rows, s], sigma)
    stake = np.where(sigma == 1, w.interest[rows, s, w.att], w.interest[rows, s, w.dfd])

    cp_now, afl = w.front[rows], w.afloat[rows]
    with_cp, without_cp = cp_now.copy(), cp_now.copy()
    # Forces in place (crisis/presence.py) stay where they are whatever it decides; they are
    # on the front already, so they count with its deployable forces and without them.
    stays = (w.engaged[rows, s] & ~inside)
    with_cp[:, :, s, :] = np.where((inside & arrived)[:, None, None], cp_now[:, :, s, :],
                                   cp_now[:, :, s, :] + deployable(w, rows, s))
    without_cp[:, :, s, :] = np.where(stays[:, None, None], cp_now[:, :, s, :], 0.0)
    side_with, side_wo = w.side[rows].copy(), w.side[rows].copy()
    side_with[:, s], side_wo[:, s] = sigma, np.where(stays, -1, 0)
    pd_w, pa_w, ld_w, la_w = project(w, rows, with_cp, afl, side_with, eps, clock)
    pd_o, pa_o, _, _ = project(w, rows, without_cp, afl, side_wo, eps, clock)
    p_with = np.where(sigma == -1, pd_w, pa_w)
    p_without = np.where(sigma == -1, pd_o, pa_o)
    exp_loss = np.where(sigma == -1, ld_w, la_w)

    opp_primary = np.where(sigma == -1, w.att, w.dfd)
    pf = (w.power[rows, opp_primary] / np.maximum(w.power[rows, s], 1.0)) ** w.doc["power_weight"][rows]
    benefit = w.doc["survival_value"][rows] * stake * (p_with - p_without)
    c_loss = pf * w.doc["loss_weight"][rows] * exp_loss / w.tolerance[rows, s]
    c_ret = pf * w.doc["retaliation_weight"][rows] * retaliation_expectation(w, rows, s, sigma)
    opposite = w.side[rows] == -sigma[:, None]
    opposite[:, s] = False
    c_trade = w.doc["trade_weight"][rows] * (w.trade[rows, s, :] * opposite).sum(axis=1)
    # A commitment declared after the warning (crisis/prewar.py) costs reputation if s stays out or
    # withdraws: fighting for the defender is worth that much more than staying out.
    kept = np.where(w.declared[rows, s] & (sigma == -1), w.declare_cost[rows, s], 0.0)
    return dict(inside=inside, arrived=arrived, sigma=sigma, stake=stake, p_def=pd_o,
                p_with=p_with, p_without=p_without, benefit=benefit, cost_losses=c_loss,
                cost_retaliation=c_ret, cost_trade=c_trade, utility=benefit - c_loss - c_ret - c_trade + kept)


def _choose(w: World, rows, t, s, v: dict, pressure) -> tuple:
    """Apply state s's doctrine to the weighed numbers: who joins, who leaves, on which side."""
    doc, inside, sigma = w.doctrine[s], v["inside"], v["sigma"]
    out = ~w.intervened[rows, s]
    join = np.zeros(rows.size, dtype=bool)
    leave = np.zeros(rows.size, dtype=bool)
    side_to = sigma.copy()
    if doc == SELF_HELP:
        join = out & (v["utility"] > 0)
        # Hysteresis: a deployed force stays until the war has actually hurt (half its tolerance).
        leave = inside & v["arrived"] & (v["utility"] < 0) & (pressure >= 0.5)
    elif doc == COLLECTIVE:
        for p in np.flatnonzero(w.treaty[s]):
            if p == w.dfd:
                trig, side = np.ones(rows.size, dtype=bool), -1
            elif p == w.att:  # a partner that attacked is defended once its own territory is invaded
                trig, side = (w.position[rows] < 0).any(axis=1), 1
            else:  # a partner that was struck, or is fighting on the defender's side
                trig, side = w.attacked[rows, p] | (w.side[rows, p] == -1) & w.intervened[rows, p], -1
            side_to = np.where(trig & out & ~join, side, side_to).astype(np.int8)  # the first partner to call wins
            join |= out & trig
    elif doc == BUCK_PASSING:
        others = np.zeros(rows.size, dtype=bool)
        for o in range(w.S):
            if o not in (s, w.att, w.dfd):
                others |= w.intervened[rows, o] & (w.side[rows, o] == sigma)
        waited = t - w.war_day[rows] >= w.doc["buck_pass_days"][rows]
        join = out & waited & ~others & (v["stake"] > 0)
    elif doc == BANDWAGON:
        join_def, join_att = bandwagon_sides(w, rows, s, v["p_def"])
        join = out & (join_def | join_att)
        side_to = np.where(join_def, -1, 1).astype(np.int8)
    # A state whose forces in place fight on the defender's side joins that side, if it joins.
    side_to = np.where(w.engaged[rows, s] & out, -1, side_to).astype(np.int8)
    # Self-defence: a state whose own territory was struck, or whose forces in place were hit,
    # fights back (all doctrines but `never`).
    hit = out & w.attacked[rows, s] & ~join
    side_to = np.where(hit, -1, side_to).astype(np.int8)
    join |= hit
    # Casualty tolerance ends any non-treaty commitment.
    if doc != COLLECTIVE:
        leave |= inside & (pressure >= 1.0)
    return join, leave, side_to


def bandwagon_sides(w: World, rows, s, p_def) -> tuple[np.ndarray, np.ndarray]:
    """Whether bandwagoner s would join the defender's or the attacker's side (each (n,)).

    It joins the side it expects to win (P >= bandwagon_threshold), but never against the
    primary it has the larger stake in: a client state does not join the war on its patron
    (docs/model.md §4.5). With no stake either way it joins the favourite.
    """
    thr = w.doc["bandwagon_threshold"][rows]
    s_att, s_def = w.interest[rows, s, w.att], w.interest[rows, s, w.dfd]
    return (p_def >= thr) & ~(s_att > s_def), (1.0 - p_def >= thr) & ~(s_def > s_att)


def _act(w: World, log: Log, rows, t, s, v: dict, join, leave, side_to) -> None:
    if join.any():
        idx = rows[join]
        w.intervened[idx, s] = True
        w.side[idx, s] = side_to[join]
        w.joined[idx, s] = side_to[join]
        w.intervention_day[idx, s] = t
        w.arrival_day[idx, s] = w.grid(t + w.delay(idx, s))
        log.record(idx, t, "intervene", s, np.where(side_to[join] == 1, w.att, w.dfd), side_to[join].astype(float))
    if leave.any():
        withdraw(w, log, rows[leave], s, t)
    # Every evaluation is logged with the numbers it weighed, so a report can say why.
    rec = np.zeros(rows.size, dtype=DECISION_DTYPE)
    rec["rep"], rec["day"], rec["state"], rec["doctrine"] = w.reps[rows], t, s, w.doctrine[s]
    rec["action"] = np.where(leave, 3, np.where(join, np.where(side_to == 1, 2, 1), np.where(v["inside"], 4, 0)))
    for name in ("p_without", "p_with", "benefit", "cost_losses", "cost_retaliation", "cost_trade", "utility"):
        rec[name] = v[name]
    log.decide(rec)


def withdraw(w: World, log: Log, idx: np.ndarray, s: int, t: float) -> None:
    w.home[idx, s, :] += w.front[idx, :, s, :].sum(axis=1)
    w.front[idx, :, s, :] = 0.0
    w.side[idx, s] = 0
    w.withdrew_day[idx, s] = t
    w.arrival_day[idx, s] = np.inf
    log.record(idx, t, "withdraw", s)


def deploy(w: World, log: Log, idx: np.ndarray, s: int, t: float) -> None:
    """Forces of intervener s reach the theatre."""
    dep = deployable(w, idx, s)
    w.front[idx, :, s, :] += dep
    sent = dep.sum(axis=1)
    w.home[idx, s, :] -= sent
    w.committed[idx, s, :] += sent
    w.arrived[idx, s] = True
    log.record(idx, t, "arrive", s)
