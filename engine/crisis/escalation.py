"""Retaliation against interveners: the escalation ladder and the strikes it brings.

Rungs: 1 strikes on the intervener's forces in theatre, 2 on its regional bases
(which also attacks the states hosting them), 3 on its homeland, 4 nuclear use
(ends the replication). A state that fights on one side may climb against any
third party that intervened on the other side, one rung per decision point, only
to rungs its strike reach covers. See docs/model.md for the probabilities.
"""

from __future__ import annotations

import numpy as np

from wargame import kernels
from wargame.kernels import streams

from wargame.crisis.combat import AIR, NAVAL, KernelClock
from wargame.model.log import Log
from wargame.crisis.world import NUCLEAR, World


def _pairs(w: World, engine_only: bool = False):
    for a in range(w.S):
        if (w.reach[:, a].max() <= 0 and not w.nuclear[a]) or (engine_only and w.human[a]):
            continue  # people choose their own climbs (engine/play/game.py); their strikes follow here
        for i in range(w.S):
            if i not in (a, w.att, w.dfd):
                yield a, i


def targets(w: World, rows: np.ndarray, a: int, i: int) -> np.ndarray:
    """Whether a may climb against i in each of ``rows``: i is in the war on the other side."""
    return ~w.ended[rows] & w.arrived[rows, i] & (w.side[rows, i] != 0) & (w.side[rows, a] == -w.side[rows, i])


def next_rung(w: World, rows: np.ndarray, a: int, i: int, pressure: np.ndarray) -> np.ndarray:
    """The next rung a can reach against i (5: none). Homeland strikes on a nuclear power and
    nuclear use need a's pressure above its nuclear threshold."""
    cur = w.rung[rows, a, i].astype(np.int64)
    nxt = np.full(rows.size, 5)
    desperate = pressure >= w.nuc_threshold[rows, a]
    for k in (4, 3, 2, 1):
        if k < 4:
            ok = w.reach[rows, a] >= w.dist[rows, i, k - 1]
            if k == 3 and w.nuclear[i]:
                ok &= desperate
        else:
            ok = np.full(rows.size, bool(w.nuclear[a])) & desperate
        nxt = np.where(ok & (k > cur), k, nxt)
    return nxt


def climb(w: World, log: Log, rows: np.ndarray, t: float) -> None:
    """Decision-point escalation for the replications ``rows``."""
    u = kernels.uniforms(w.seed, w.reps[rows], purpose=streams.EVENT, step=int(round(t / w.dt)), k=w.S * w.S)
    pressure = w.pressure(rows)
    for a, i in _pairs(w, engine_only=True):
        live = targets(w, rows, a, i)
        if not live.any():
            continue
        cur = w.rung[rows, a, i].astype(np.int64)
        nxt = next_rung(w, rows, a, i, pressure[:, a])
        p = w.propensity[rows, a] * np.where(cur == 0, 1.0, np.minimum(1.0, pressure[:, a]))
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
    nuke = idx[new == 4]
    if nuke.size:
        w.ended[nuke], w.outcome[nuke], w.end_day[nuke] = True, NUCLEAR, t
        log.record(nuke, t, "nuclear_use", a, i, 4.0)


def strike(w: World, rows: np.ndarray, t: float, clock: KernelClock) -> None:
    """One day of conventional strikes for every (striker, target) pair at rung >= 1."""
    k = int(round(t / w.dt))
    for a, i in _pairs(w):
        r = rows[(w.rung[rows, a, i] >= 1) & (w.side[rows, i] != 0) & (w.side[rows, a] == -w.side[rows, i])
                 & (w.inventory_left[rows, a] > 0)]
        if r.size == 0:
            continue
        fired = np.minimum(w.missiles[r, a] * w.dt, w.inventory_left[r, a])
        w.inventory_left[r, a] -= fired
        at_bases = np.where(w.rung[r, a, i] >= 2, 0.5, 0.0)
        # Ships in theatre: a one-sided Hughes salvo (missiles as shooters with one round each).
        ships = w.front[r, :, i, NAVAL]
        total = ships.sum(axis=1)
        defence = np.where(w.side[r, i] == -1, w.nav["defender_interceptions_per_ship"][r],
                           w.nav["attacker_interceptions_per_ship"][r])
        kill = np.where(w.side[r, i] == -1, w.nav["defender_hits_to_kill"][r], w.nav["attacker_hits_to_kill"][r])
        # Arrays, not scalars, for alpha, beta, a1 and a3: scalars reach the kernel as read-only
        # constants, a second compiled signature of salvo_step that the two-replication warm-up
        # (execution/runner.py) meets only if it happens to strike; as arrays, strikes share the
        # naval battle's signature. Same values, same bits.
        one, zero = np.ones(r.size), np.zeros(r.size)
        _, left, _, _ = clock(kernels.salvo_step, fired * (1 - at_bases), total, alpha=one, beta=zero, a1=one,
                              b1=kill, a3=zero, b3=defence, stochastic=w.stochastic, seed=w.seed, reps=w.reps[r],
                              slots=np.full(r.size, a * w.S + i, dtype=np.int64), step=k, purpose=streams.EXTRA)
        f = np.where(total > 0, left / np.where(total > 0, total, 1.0), 1.0)[:, None]
        w.lost[r, i, NAVAL] += (ships * (1 - f)).sum(axis=1)
        w.front[r, :, i, NAVAL] = ships * f
        # Bases: the other half of the salvo destroys aircraft on the ground (no base defence modelled).
        air = w.front[r, :, i, AIR]
        atot = air.sum(axis=1)
        dead = np.minimum(atot, fired * at_bases * w.doc["aircraft_per_leaker"][r])
        g = np.where(atot > 0, 1 - dead / np.where(atot > 0, atot, 1.0), 1.0)[:, None]
        w.lost[r, i, AIR] += dead
        w.front[r, :, i, AIR] = air * g
        w.homeland_pressure[r, i] += np.where(w.rung[r, a, i] >= 3, w.doc["homeland_cost_per_day"][r] * w.dt, 0.0)
