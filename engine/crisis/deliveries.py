"""Strikes against suppliers: who may climb against a state that aids its enemy, and what a
strike on deliveries destroys (docs/model.md §10.6).

A supplier whose aid to a primary flows or is on the way (``World.aid_active``, crisis/aid.py)
is a target for every state fighting that primary that has a strike table, as a belligerent
is (crisis/escalation.py), with three differences while the supplier is not itself fighting:

- rung 1 strikes its deliveries in transit (not forces in theatre), reached where its forces
  in theatre would be (``exposure.theatre_km``); rung 2 its bases and rung 3 its homeland by
  its ``exposure`` table, as for anyone; the ladder stops at rung 3 (no nuclear use against a
  state not in the war);
- the striker climbs with ``aid_retaliation_share`` of its escalation propensity, the
  share the supplier itself expects when it weighs its aid (crisis/aid_decision.py);
- rung 2 or 3 marks the supplier attacked: it may then fight in self-defence
  (crisis/doctrines.py), which is the risk it weighs.

On deliveries every missile leaks (no supplier here has a documented defence of its
convoys and depots). The missiles are split evenly over the supplier's entries to the
striker's enemies with something in transit; each leaker destroys ``arms_per_leaker`` cp of
arms or ``rounds_per_leaker`` missiles or interceptors, never more than is in transit,
taken from every shipment on the way in proportion. Money and intelligence are not struck.
"""

from __future__ import annotations

import numpy as np

from wargame.crisis.world import World

ARMS, MUNITIONS, INTERCEPTORS = 0, 1, 2  # crisis/aid.py kinds that travel


def _fighting(w: World, rows: np.ndarray, i: int) -> np.ndarray:
    if i in (w.att, w.dfd):
        return w.at_war[rows] & (w.side[rows, i] != 0)
    return w.arrived[rows, i] & (w.side[rows, i] != 0)


def supplying(w: World, rows: np.ndarray, a: int, i: int) -> np.ndarray:
    """Whether i, not fighting, aids a primary that a fights, in each of ``rows`` (a's target as a supplier)."""
    out = np.zeros(rows.size, dtype=bool)
    if i in (w.att, w.dfd) or not getattr(w, "aid_pairs", np.zeros((0, 2))).size:
        return out
    busy = _fighting(w, rows, a) & ~_fighting(w, rows, i) & ~w.ended[rows]
    for p, (s, r) in enumerate(w.aid_pairs):
        if s == i and r != a:
            out |= busy & w.aid_active[rows, p] & (w.side[rows, a] == -w.side[rows, r]) & (w.side[rows, r] != 0)
    return out


def entries(w: World, a: int, i: int) -> np.ndarray:
    """Indices of i's entries that travel and go to a primary other than a."""
    recip = w.aid_pairs[w.aid_pair, 1] if w.aid_kind.size else np.zeros(0, dtype=np.int64)
    sup = w.aid_pairs[w.aid_pair, 0] if w.aid_kind.size else np.zeros(0, dtype=np.int64)
    return np.flatnonzero((sup == i) & (recip != a) & (w.aid_kind <= INTERCEPTORS))


def in_transit(w: World, r: np.ndarray, a: int, i: int) -> np.ndarray:
    """(n, E) what each of i's entries to a's enemies has on the way in rows r (0 where a does not fight it)."""
    ks = entries(w, a, i)
    got = w.aid_pipe[r][:, ks, :].sum(axis=2)
    recip = w.aid_pairs[w.aid_pair[ks], 1]
    foe = w.side[r][:, recip] == -w.side[r, a][:, None]
    return np.where(foe, got, 0.0)


def strike(w: World, r: np.ndarray, a: int, i: int, missiles: np.ndarray) -> np.ndarray:
    """Missiles (n,) at i's deliveries in rows r: destroys aid in transit (formula in the module
    docstring), books it in ``aid_lost``; returns what was destroyed, summed over entries in their units."""
    ks = entries(w, a, i)
    if ks.size == 0:
        return np.zeros(r.size)
    load = in_transit(w, r, a, i)  # (n, E)
    loaded = load > 0
    each = missiles / np.maximum(loaded.sum(axis=1), 1)  # even split over entries with something on the way
    per = np.where(w.aid_kind[ks] == ARMS, w.doc["arms_per_leaker"][r][:, None], w.doc["rounds_per_leaker"][r][:, None])
    gone = np.where(loaded, np.minimum(load, each[:, None] * per), 0.0)
    keep = np.where(loaded, 1.0 - gone / np.where(loaded, load, 1.0), 1.0)
    for e, k in enumerate(ks):
        w.aid_pipe[r, k, :] *= keep[:, e, None]
        w.aid_lost[r, k] += gone[:, e]
    return gone.sum(axis=1)
