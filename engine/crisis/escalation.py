"""The escalation ladder: who may climb against whom, and how far (the strikes themselves: strikes.py).

Rungs: 1 strikes on the target's forces in theatre, 2 on its bases (which also attacks
the states hosting them), 3 on its homeland, 4 nuclear use (ends the replication).
Every belligerent with reach may climb against every enemy that is fighting: the
primaries against each other from the invasion, anyone against an intervener once it
has arrived, and against a supplier aiding a primary it fights (crisis/deliveries.py:
rung 1 is then its deliveries, the ladder stops at rung 3, the climb is less likely).
One rung per decision point, only to rungs its strike reach covers. See docs/model.md §5
and §10.6 for the probabilities.
"""

from __future__ import annotations

import numpy as np

from wargame import kernels
from wargame.kernels import streams

from wargame.model.log import Log
from wargame.crisis.deliveries import supplying
from wargame.crisis.world import NUCLEAR, World


def strikers(w: World, engine_only: bool = False) -> list[int]:
    """States with a strike table or nuclear weapons (the only ones that ever climb)."""
    return [a for a in range(w.S) if (w.reach[:, a].max() > 0 or w.nuclear[a]) and not (engine_only and w.human[a])]


def pairs(w: World, engine_only: bool = False):
    """Every (striker, target) pair that may ever climb: the target must be exposed (world.py)."""
    for a in strikers(w, engine_only):  # people choose their own climbs (engine/play/game.py)
        for i in range(w.S):
            if i != a and w.exposed[i]:
                yield a, i


def fighting(w: World, rows: np.ndarray, i: int) -> np.ndarray:
    """Whether i is in the war in ``rows``: a primary from the invasion, an intervener once arrived."""
    if i in (w.att, w.dfd):
        return w.at_war[rows] & (w.side[rows, i] != 0)
    return w.arrived[rows, i] & (w.side[rows, i] != 0)


def targets(w: World, rows: np.ndarray, a: int, i: int) -> np.ndarray:
    """Whether a may climb against i in each of ``rows``: i is exposed and either fighting on the other
    side or aiding a primary that a fights (a supplier, crisis/deliveries.py)."""
    if not w.exposed[i]:
        return np.zeros(rows.size, dtype=bool)
    return ~w.ended[rows] & (fighting(w, rows, i) & (w.side[rows, a] == -w.side[rows, i]) | supplying(w, rows, a, i))


def reachable(w: World, rows: np.ndarray, a: int, i: int, k: int) -> np.ndarray:
    """Whether rung k (1-4) is open to a against i by reach alone (rung 4: a is nuclear). The
    nuclear-threshold conditions come on top in ``next_rung``; decisions (doctrines.py) ignore them."""
    if not w.exposed[i]:
        return np.zeros(rows.size, dtype=bool)
    if k == 4:
        return np.full(rows.size, bool(w.nuclear[a]))
    # Reach is sampled per replication: a replication whose draw is 0 has no strike table there,
    # whatever its batch mates drew, so results do not depend on how replications are batched.
    reach = w.reach[rows, a]
    return (reach > 0) & (reach >= w.dist[rows, i, k - 1])


def next_rung(w: World, rows: np.ndarray, a: int, i: int, pressure: np.ndarray) -> np.ndarray:
    """The next rung a can reach against i (5: none). Homeland strikes on a nuclear power and
    nuclear use need a's pressure above its nuclear threshold; nuclear use also needs i in the war
    (not against a supplier that is not fighting)."""
    cur = w.rung[rows, a, i].astype(np.int64)
    nxt = np.full(rows.size, 5)
    desperate = pressure >= w.nuc_threshold[rows, a]
    for k in (4, 3, 2, 1):
        ok = reachable(w, rows, a, i, k)
        if k >= 3 and (k == 4 or w.nuclear[i]):
            ok &= desperate
        if k == 4:
            ok &= fighting(w, rows, i)
        nxt = np.where(ok & (k > cur), k, nxt)
    return nxt


def climb(w: World, log: Log, rows: np.ndarray, t: float, clock=None) -> None:
    """Decision-point escalation for the replications ``rows``. ``clock``: the batch's KernelClock
    (crisis/combat.py), so that the draws count as kernel time."""
    todo = list(pairs(w, engine_only=True))
    if not todo:  # the draws and pressures below only feed the pairs' climbs
        return
    call = clock if clock is not None else (lambda fn, *a, **k: fn(*a, **k))
    u = call(kernels.uniforms, w.seed, w.reps[rows], purpose=streams.EVENT, step=int(round(t / w.dt)), k=w.S * w.S)
    pressure = w.pressure(rows)
    for a, i in todo:
        live = targets(w, rows, a, i)
        if not live.any():
            continue
        cur = w.rung[rows, a, i].astype(np.int64)
        nxt = next_rung(w, rows, a, i, pressure[:, a])
        p = w.propensity[rows, a] * np.where(cur == 0, 1.0, np.minimum(1.0, pressure[:, a]))
        # Against a supplier not in the war, the share of the propensity it expects (§10.6).
        p = np.where(fighting(w, rows, i), p, p * w.doc["aid_retaliation_share"][rows])
        go = live & (nxt <= 4) & (u[:, a * w.S + i] < p)
        if go.any():
            raise_rung(w, log, rows[go], a, i, nxt[go], t)


def raise_rung(w: World, log: Log, idx: np.ndarray, a: int, i: int, new: np.ndarray, t: float) -> None:
    """a climbs to rung ``new`` against i: host states of struck bases and struck homelands are attacked."""
    w.rung[idx, a, i] = new
    log.record(idx, t, "escalate", a, i, new.astype(float))
    bases = new >= 2
    for h in np.flatnonzero(w.base_host[i]):
        hit = idx[bases & ~w.attacked[idx, h]]
        w.attacked[hit, h] = True
        log.record(hit, t, "attacked", a, h, 2.0)
    home = idx[(new >= 3) & ~w.attacked[idx, i]]
    w.attacked[home, i] = True
    log.record(home, t, "attacked", a, i, 3.0)
    own = idx[(new == 2) & ~fighting(w, idx, i) & ~w.attacked[idx, i]]  # a supplier's bases are its own
    w.attacked[own, i] = True
    log.record(own, t, "attacked", a, i, 2.0)
    nuke = idx[new == 4]
    if nuke.size:
        w.ended[nuke], w.outcome[nuke], w.end_day[nuke] = True, NUCLEAR, t
        log.record(nuke, t, "nuclear_use", a, i, 4.0)
