"""Doctrines of the system kind: who joins a war, which alliances stand, whom a state attacks.

- realpolitik: once the strongest state holds ``balance_share`` of the system's power,
  every other realpolitik state joins one bloc against it. Bloc members defend each
  other and fight the threat whenever it goes to war; they do not attack each other.
- collective_security: every collective-security state at peace joins the victim of
  any aggression.
- laissez_faire: nobody joins anybody.
- central_authority: members pool ``pool_share`` of their power under the strongest
  member (the controller). The pool defends any member that is attacked, and fights
  beside the controller when it attacks an outsider; members do not attack each
  other, but contest control (a war between challenger and controller).

Every function works on whole (R, S) arrays; formulas are in docs/system.md.
"""

from __future__ import annotations

import numpy as np

from wargame.system.world import CENTRAL, COLLECTIVE, REALPOLITIK, SystemWorld


def realign(w: SystemWorld) -> tuple[np.ndarray, np.ndarray]:
    """Form or break the realpolitik bloc and seat the central authority's controller.

    Returns the rows where a bloc formed and where one broke up.
    """
    live = ~w.ended
    P = np.where(w.alive, w.P, -1.0)
    strongest = P.argmax(axis=1)
    share = w.shares()[np.arange(w.R), strongest]
    had = w.bloc.any(axis=1)
    rp = w.is_(REALPOLITIK)[None, :] & w.alive
    want = live & (share >= w.r["balance_share"])
    bloc = want[:, None] & rp & (np.arange(w.S)[None, :] != strongest[:, None])
    bloc &= bloc.sum(axis=1, keepdims=True) >= 2  # an alliance needs two members
    has = bloc.any(axis=1)
    formed = live & has & (~had | (w.threat != strongest))
    broke = live & had & ~has
    w.bloc = np.where(live[:, None], bloc, w.bloc)
    w.threat = np.where(live, np.where(has, strongest, -1), w.threat).astype(np.int16)
    # The controller: the strongest member when the seat is empty or its holder is gone.
    members = w.is_(CENTRAL)[None, :] & w.alive
    ctrl = w.controller.astype(np.int64)
    gone = (ctrl < 0) | ~w.alive[np.arange(w.R), np.maximum(ctrl, 0)]
    best = np.where(members, w.P, -1.0).argmax(axis=1)
    seat = live & gone & members.any(axis=1)
    w.controller = np.where(seat, best, np.where(members.any(axis=1), ctrl, -1)).astype(np.int16)
    return np.flatnonzero(formed), np.flatnonzero(broke)


def _onehot(w: SystemWorld, idx: np.ndarray) -> np.ndarray:
    """(R, S) mask with True at column idx[r] (idx < 0: none)."""
    return (np.arange(w.S)[None, :] == idx[:, None]) & (idx[:, None] >= 0)


def joiners(w: SystemWorld, rows: np.ndarray, i: int, j: np.ndarray, idle: np.ndarray):
    """Who joins a war of initiator i against targets j[rows]: (defender mask, attacker mask, share) (n, S)."""
    n = rows.size
    col = np.arange(w.S)[None, :]
    free = idle[rows] & (col != i) & (col != j[:, None])
    cs = w.is_(COLLECTIVE)[None, :] & np.ones((n, 1), dtype=bool)
    bloc = w.bloc[rows]
    j_in_bloc = bloc[np.arange(n), j]
    i_threat = w.threat[rows] == i
    rp = bloc & (j_in_bloc | i_threat)[:, None]
    members = w.is_(CENTRAL)[None, :] & np.ones((n, 1), dtype=bool)
    j_member = members[np.arange(n), j]
    i_ctrl = (w.controller[rows] == i) & ~j_member
    ca_def = members & j_member[:, None]
    ca_att = members & i_ctrl[:, None]
    d = free & (cs | rp | ca_def)
    a = free & ca_att & ~d
    share = np.where(members & (ca_def | ca_att), w.r["pool_share"][rows, None], w.r["joiner_commit"][rows, None])
    return d, a, share


def opportunities(w: SystemWorld, z: np.ndarray):
    """Each state's best target and the force ratio it perceives against it.

    ``z`` (R, S) are standard normals: the log error of each would-be initiator's
    estimate. Returns (target (R, S) int, perceived ratio (R, S), true ratio (R, S));
    the ratio is 0 where a state has no possible target. The expected opposing side
    is the target's own committed power plus everyone the joining rules would bring
    in: an exact forecast of the rules, blurred only by perception.
    """
    S = w.S
    live = np.flatnonzero(~w.ended)  # the work is (R, S, S): skip the systems already over
    target = np.zeros((w.R, S), dtype=np.int64)
    perceived, true = np.zeros((w.R, S)), np.zeros((w.R, S))
    if live.size == 0:
        return target, perceived, true
    R = live.size
    idle = w.idle()[live]
    P = w.P[live]
    r = {k: w.r[k][live] for k in ("commit", "joiner_commit", "pool_share", "perception_sd")}
    bloc_all, threat, controller = w.bloc[live], w.threat[live], w.controller[live]
    c, jc, pool = r["commit"][:, None], r["joiner_commit"][:, None], r["pool_share"][:, None]
    cs = w.is_(COLLECTIVE)[None, :] & idle
    members = w.is_(CENTRAL)[None, :] & idle
    bloc = bloc_all & idle
    cs_sum = (jc * P * cs).sum(axis=1)
    bloc_sum = (jc * P * bloc).sum(axis=1)
    ca_sum = (pool * P * members).sum(axis=1)
    # Opposition when i attacks j: [r, i, j].
    opp = (c * P)[:, None, :] + np.zeros((R, S, S))
    opp += (cs_sum[:, None, None] - (jc * P * cs)[:, :, None] - (jc * P * cs)[:, None, :])
    i_threat = np.arange(S)[None, :] == threat[:, None]
    bl = (bloc_all[:, None, :] | i_threat[:, :, None]) * (bloc_sum[:, None, None] - (jc * P * bloc)[:, None, :])
    opp += bl
    mem = w.is_(CENTRAL)
    opp += mem[None, None, :] * (ca_sum[:, None, None] - (pool * P * members)[:, None, :])
    own = (c * P)[:, :, None] + np.zeros((R, S, S))
    i_ctrl = np.arange(S)[None, :] == controller[:, None]
    own += (i_ctrl[:, :, None] & ~mem[None, None, :]) * (ca_sum[:, None, None] - (pool * P * members)[:, :, None])
    ok = idle[:, :, None] & idle[:, None, :] & ~np.eye(S, dtype=bool)[None]
    ok &= ~(bloc_all[:, :, None] & bloc_all[:, None, :])  # allies do not attack each other
    ok &= ~(mem[:, None] & mem[None, :])[None]  # nor do members of the central authority
    ratio = np.where(ok, own / np.maximum(opp, 1e-12), 0.0)
    tg = ratio.argmax(axis=2)
    best = np.take_along_axis(ratio, tg[:, :, None], axis=2)[:, :, 0]
    target[live], true[live] = tg, best
    perceived[live] = best * np.exp(r["perception_sd"][:, None] * z[live])
    return target, perceived, true
