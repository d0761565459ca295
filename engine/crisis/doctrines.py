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

from wargame.crisis import projecting
from wargame.crisis.combat import KernelClock
from wargame.crisis.escalation import reachable
from wargame.model.aid import AID_POLICIES
from wargame.model.log import DECISION_DTYPE, Log
from wargame.crisis.world import BANDWAGON, BUCK_PASSING, COLLECTIVE, NEVER, SELF_HELP, World

AID_AND_INTERVENE, AID_ONLY, AID_THEN_INTERVENE, INTERVENE_ONLY = range(len(AID_POLICIES))

# Whether projections run stacked through kernels/projection.py (every third party's cases of a
# decision point in one call) or one case at a time in numpy (crisis/projecting.py): the same
# bits (tests/test_fused_projection.py); the numpy path stays as the reference.
FUSED = True
projected_fronts, guerrilla_projection = projecting.projected_fronts, projecting.guerrilla_projection


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
    return project_cases(w, rows, [(cp, afloat, side, eps_sigma)], clock)[0]


def project_cases(w: World, rows, cases: list, clock: KernelClock) -> list:
    """``project`` for several cases of the same ``rows`` -> one (p_def, p_att, loss_def, loss_att) per case.

    A case: (cp, afloat, side, eps_sigma), or with (att_leth, def_leth) (n, F) after them, the
    lethalities it assumes (crisis/projecting.py). Under ``FUSED`` they are stacked and projected
    at once (kernels/projection.py); otherwise one by one in numpy. The same bits either way.
    """
    if not cases:
        return []
    if FUSED:
        return projecting.project_stack(w, rows, cases, clock)
    return [projecting.project_numpy(w, rows, c, clock) for c in cases]


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


def deciders(w: World) -> list[int]:
    """The third parties the engine decides for: neither primary, doctrine not ``never``, not human-played."""
    return [s for s in range(w.S) if s not in (w.att, w.dfd) and w.doctrine[s] != NEVER and not w.human[s]]


def decide(w: World, log: Log, rows: np.ndarray, t: float, clock: KernelClock) -> None:
    """Every third party's decision at time t for the replications ``rows``.

    Under ``FUSED`` the projections of every party are made at once (``project_cases``, one
    stacked call); a party that joins or leaves in some rows changes what the later ones see
    there, so their situations and projections are made again for those rows alone (each row
    of a projection depends on its own replication only). Otherwise one party at a time.
    """
    parties = deciders(w)
    if not parties:  # the draws and pressures below only feed the parties' weighing
        return
    eps = clock(kernels.normals, w.seed, w.reps[rows], purpose=streams.PERCEPTION, step=int(round(t / w.dt)), k=w.S)
    pressure = w.pressure(rows)  # once per decision point; states only change at its end
    ahead = _ahead(w, rows, parties, eps, clock) if FUSED else {}
    for i, s in enumerate(parties):
        if FUSED:
            v = _weighed(w, rows, s, *ahead.pop(s))
        else:
            v = _weigh(w, rows, s, eps[:, s] * w.perception[rows, s], clock)
        join, leave, side_to = _choose(w, rows, t, s, v, pressure[:, s])
        join = gate(w, rows, s, v["p_without"], join)
        _act(w, log, rows, t, s, v, join, leave, side_to)
        changed = join | leave
        if FUSED and ahead and changed.any():  # the World changed in these rows: what later parties see there
            _redo(ahead, changed, _ahead(w, rows[changed], parties[i + 1:], eps[changed], clock))


def _ahead(w: World, rows, parties: list, eps, clock) -> dict:
    """{party: (its situation, its projection with it, without it)} for ``rows``, in one stacked call."""
    sits = [_situation(w, rows, p) for p in parties]
    cases = [c for p, sit in zip(parties, sits) for c in _cases(w, rows, sit, eps[:, p] * w.perception[rows, p])]
    proj = project_cases(w, rows, cases, clock)
    return {p: (sit, proj[2 * k], proj[2 * k + 1]) for k, (p, sit) in enumerate(zip(parties, sits))}


def _redo(ahead: dict, changed: np.ndarray, again: dict) -> None:
    """Write ``again`` (made for the rows where ``changed``) over those rows of ``ahead``, in place."""
    for p, (sit, with_, without) in again.items():
        old_sit, old_with, old_without = ahead[p]
        for k, v in sit.items():
            if isinstance(v, np.ndarray):
                old_sit[k][changed] = v
        for old, new in ((old_with, with_), (old_without, without)):
            for o, n in zip(old, new):
                o[changed] = n


def _situation(w: World, rows, s) -> dict:
    """Where third party s stands: inside or out, arrived, the side it cares about and its stake."""
    inside = w.intervened[rows, s] & np.isnan(w.withdrew_day[rows, s])
    arrived = w.arrived[rows, s]
    # The side it cares about: the primary it has the larger stake in (ties: the defender).
    sigma = np.where(w.interest[rows, s, w.att] > w.interest[rows, s, w.dfd], 1, -1).astype(np.int8)
    sigma = np.where(inside, w.side[rows, s], sigma)
    stake = np.where(sigma == 1, w.interest[rows, s, w.att], w.interest[rows, s, w.dfd])
    return dict(s=s, inside=inside, arrived=arrived, sigma=sigma, stake=stake)


def _cases(w: World, rows, sit: dict, eps) -> list:
    """The two worlds third party ``sit["s"]`` projects: with its forces on its side, and without them."""
    s, inside, arrived, sigma = sit["s"], sit["inside"], sit["arrived"], sit["sigma"]
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
    return [(with_cp, afl, side_with, eps), (without_cp, afl, side_wo, eps)]


def _weigh(w: World, rows, s, eps, clock) -> dict:
    """The numbers a third party weighs: survival with and without it, and its costs."""
    sit = _situation(w, rows, s)
    return _weighed(w, rows, s, sit, *project_cases(w, rows, _cases(w, rows, sit, eps), clock))


def _weighed(w: World, rows, s, sit: dict, with_: tuple, without: tuple) -> dict:
    """``_weigh``'s numbers from its situation and its two projections (with s, without s)."""
    inside, arrived, sigma, stake = sit["inside"], sit["arrived"], sit["sigma"], sit["stake"]
    pd_w, pa_w, ld_w, la_w = with_
    pd_o, pa_o, _, _ = without
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
