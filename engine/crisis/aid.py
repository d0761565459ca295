"""Aid short of war: the deliveries of each ``[[aid]]`` entry, step by step (docs/model.md §10).

Schema: engine/model/aid.py. A ``given = "scheduled"`` entry (the historical record) flows on
its schedule; a ``given = "decided"`` entry flows while its supplier's doctrine decides to aid
(crisis/aid_decision.py, at the decision points with the intervention decisions). Each step t
(covering (t - dt, t]), for every entry that flows in that replication:

1. the supplier's stock grows by ``production_per_day x dt``;
2. it ships ``per_day x overlap([start_day, start_day + duration_days], step)``, at most
   its stock, which runs down by as much (never below 0);
3. ``interdicted_share`` of the shipment is lost on the way to causes other than missile
   strikes (those are the striker's rung 1 against the supplier: crisis/deliveries.py);
4. what it shipped ``delay_days`` ago (rounded up to whole steps) arrives: arms to the
   front, or to the recipient's forces, which send their commit share on to the fronts
   split as their call-ups are; munitions into its strike inventory; interceptors into an
   air-defence layer; money raises its mobilisation rate this step by
   ``per_day x personnel_per_musd`` reservists a day (times its reservists' quality);
5. intelligence multiplies the recipient's lethality on every front by (1 + gain) while the
   supplier aids and the entry's window (shifted by the delay) is open.

The pipeline is a ring of ``ceil(max delay / dt) + 1`` step slots per entry and replication.
No randomness: the sampled amounts, delays and stocks are parameters (key paths ``aid[k].*``).
"""

from __future__ import annotations

import numpy as np

from wargame.crisis import clock
from wargame.crisis.world import World, carry
from wargame.model.aid import AID_KINDS, AID_POLICIES

DOMAIN = {"ground": 0, "air": 1, "naval": 2}
ARMS, MUNITIONS, INTERCEPTORS, MONEY, INTELLIGENCE = range(5)
STATE = ("aiding", "aid_active", "aid_since", "aid_stock", "aid_pipe", "aid_delivered", "aid_shipped", "aid_lost", "intel_on",
         "aid_rate")


def attach(w: World, paused: World | None = None) -> None:
    """The aid entries' parameters and state on ``w`` (empty arrays for a scenario without aid)."""
    items = list(getattr(w.sc, "aid", []))
    n, R = len(items), w.R
    pairs = sorted({(w.state_ids.index(a.supplier), w.state_ids.index(a.recipient)) for a in items})
    w.aid_pairs = np.array(pairs, dtype=np.int64).reshape(-1, 2)  # (P, 2): supplier, recipient
    w.aid_pair = np.array([pairs.index((w.state_ids.index(a.supplier), w.state_ids.index(a.recipient)))
                           for a in items], dtype=np.int64)
    w.aid_kind = np.array([AID_KINDS.index(a.kind) for a in items], dtype=np.int64)
    w.aid_domain = np.array([DOMAIN[a.domain] for a in items], dtype=np.int64)
    w.aid_front = np.array([-1 if a.front is None else w.front_ids.index(a.front) for a in items], dtype=np.int64)
    w.aid_layer = np.array([_layer(w, a) for a in items], dtype=np.int64)
    w.aid_sched = np.array([a.given == "scheduled" for a in items], dtype=bool)
    w.aid_policy = np.array([AID_POLICIES.index(st.aid_policy) for st in w.sc.states.values()], dtype=np.int64)
    z = lambda: np.zeros((R, n))  # noqa: E731
    w.aid_per_day, w.aid_gain, w.aid_start, w.aid_dur, w.aid_delay = z(), z(), z(), z(), z()
    w.aid_stock0, w.aid_prod, w.aid_ppm, w.aid_interdict = np.full((R, n), np.inf), z(), z(), z()
    for k, a in enumerate(items):
        p = f"aid[{k}]"
        if a.per_day is not None:
            w.aid_per_day[:, k] = w.sample(a.per_day, f"{p}.per_day")
        if a.lethality_gain is not None:
            w.aid_gain[:, k] = w.sample(a.lethality_gain, f"{p}.lethality_gain")
        w.aid_start[:, k] = w.sample(a.start_day, f"{p}.start_day")
        w.aid_dur[:, k] = w.sample(a.duration_days, f"{p}.duration_days")
        w.aid_delay[:, k] = w.sample(a.delay_days, f"{p}.delay_days")
        if a.stock is not None:
            w.aid_stock0[:, k] = w.sample(a.stock, f"{p}.stock")
        w.aid_prod[:, k] = w.sample(a.production_per_day, f"{p}.production_per_day")
        w.aid_interdict[:, k] = w.sample(a.interdicted_share, f"{p}.interdicted_share")
        if a.kind == "money":  # reservists per USD million, as ground cp (the quality the World applies)
            w.aid_ppm[:, k] = w.sample(a.personnel_per_musd, f"{p}.personnel_per_musd") * _quality(w, a.recipient)
    w.aid_steps = np.ceil(w.aid_delay / w.dt - 1e-9).astype(np.int64)  # delay in whole steps
    ring = int(w.aid_steps.max()) + 1 if n else 1
    w.aiding = np.zeros((R, len(pairs)), dtype=bool)  # [rep, pair]: the supplier aids the recipient now
    w.aid_active = np.zeros((R, len(pairs)), dtype=bool)  # its aid flows or is on the way (a target: §10.6)
    w.aid_since = np.full((R, len(pairs)), np.nan)  # first day it decided to aid
    w.aid_stock = w.aid_stock0.copy()
    w.aid_pipe = np.zeros((R, n, ring))  # shipped, not yet arrived, by the step it arrives (mod ring)
    w.aid_shipped = z()
    w.aid_delivered = z()  # arrived (intelligence: days of support)
    w.aid_lost = z()  # destroyed on the way (strikes on deliveries)
    w.intel_on = np.zeros((R, n), dtype=bool)
    w.aid_rate = np.zeros((R, w.S))  # extra mobilisation rate (cp/day) this step from money
    if paused is not None:
        _resume(w, paused)


def _resume(w: World, paused: World) -> None:
    """A look-ahead copy carries the paused world's aid state: decisions, stocks, what is on the way
    (re-slotted into the copy's ring, whose delays are drawn afresh), and intelligence switched on
    (applied to the copy's freshly drawn lethalities)."""
    ring = w.aid_pipe.shape[2]
    carry(paused, w, [k for k in STATE if k != "aid_pipe"], w.R)
    old = paused.aid_pipe[:1]
    if old.shape[2] > ring:
        ring = old.shape[2]
    w.aid_pipe = np.zeros((w.R, w.aid_kind.size, ring))
    k0 = clock.step_index(paused.last_daily, w.dt)
    for m in range(1, old.shape[2] + 1):  # the arrival step k0 + m sits in slot (k0 + m) mod ring
        w.aid_pipe[:, :, (k0 + m) % ring] = old[0, :, (k0 + m) % old.shape[2]]
    for i in np.flatnonzero(w.aid_kind == INTELLIGENCE):
        r = w.aid_pairs[w.aid_pair[i], 1]
        leth = w.att_leth if r == w.att else w.def_leth
        on = w.intel_on[:, i]
        leth[on] *= (1.0 + w.aid_gain[on, i])[:, None]


def _layer(w: World, a) -> int:
    """The raid world's index of an interceptor entry's layer (-1 for other kinds)."""
    if a.kind != "interceptors":
        return -1
    names = [ly.name for ly in w.sc.air_defence[a.recipient].layers]
    j = 0 if a.layer is None else names.index(a.layer)
    before = [sid for sid in w.sc.air_defence][:list(w.sc.air_defence).index(a.recipient)]
    return sum(len(w.sc.air_defence[sid].layers) for sid in before) + j


def _quality(w: World, sid: str) -> np.ndarray:
    """Ground cp per reservist of state sid (its mobilisation quality over its personnel per cp)."""
    m = w.sc.states[sid].mobilisation
    s = w.state_ids.index(sid)
    ground_q = np.where(w.mpc[:, s, 0] > 0, 1.0 / np.maximum(w.mpc[:, s, 0], 1e-300), 1.0)
    q = 1.0 if m is None else w.sample(m.quality, f"states.{sid}.mobilisation.quality")
    return q * ground_q


def step(w: World, t: float) -> None:
    """Ship, deliver and apply every entry's aid in the step ending at t (module docstring)."""
    n = w.aid_kind.size
    if n == 0:
        return
    k = clock.step_index(t, w.dt)
    t0 = clock.step_time(k - 1, w.dt)
    ring = w.aid_pipe.shape[2]
    rows = np.arange(w.R)
    live = ~w.ended
    w.aid_rate[:] = 0.0
    w.aid_active[:] = False
    for i in range(n):
        on = (w.aiding[:, w.aid_pair[i]] | w.aid_sched[i]) & live
        end = w.aid_start[:, i] + w.aid_dur[:, i]
        d = w.aid_delay[:, i]
        if w.aid_kind[i] == INTELLIGENCE:
            _intelligence(w, i, on & (t > w.aid_start[:, i] + d) & (t0 < end + d))
            w.aid_active[:, w.aid_pair[i]] |= w.intel_on[:, i]
            continue
        w.aid_stock[:, i] = np.where(on, w.aid_stock[:, i] + w.aid_prod[:, i] * w.dt, w.aid_stock[:, i])
        overlap = np.clip(np.minimum(end, t) - np.maximum(w.aid_start[:, i], t0), 0.0, None)
        ship = np.where(on, np.minimum(w.aid_per_day[:, i] * overlap, w.aid_stock[:, i]), 0.0)
        w.aid_stock[:, i] -= ship
        w.aid_shipped[:, i] += ship
        lost = ship * w.aid_interdict[:, i]
        w.aid_lost[:, i] += lost
        w.aid_pipe[rows, i, (k + w.aid_steps[:, i]) % ring] += ship - lost
        got = np.where(live, w.aid_pipe[:, i, k % ring], 0.0)
        w.aid_pipe[:, i, k % ring] = 0.0
        w.aid_delivered[:, i] += got
        if got.any():
            _receive(w, i, got)
        w.aid_active[:, w.aid_pair[i]] |= (ship > 0) | (w.aid_pipe[:, i, :].sum(axis=1) > 0)


def _receive(w: World, i: int, got: np.ndarray) -> None:
    """Book what entry i delivered this step (got: (R,)) where its kind goes."""
    r = w.aid_pairs[w.aid_pair[i], 1]
    kind = w.aid_kind[i]
    if kind == MUNITIONS:
        w.inventory_left[:, r] += got
    elif kind == INTERCEPTORS:
        w.raid.stock[:, w.aid_layer[i]] += got
    elif kind == MONEY:
        w.aid_rate[:, r] += got * w.aid_ppm[:, i] / w.dt
    elif w.aid_front[i] >= 0:
        f, d = w.aid_front[i], w.aid_domain[i]
        w.front[:, f, r, d] += got
        w.committed[:, r, d] += got
    else:
        _to_forces(w, r, w.aid_domain[i], got)


def _to_forces(w: World, r: int, d: int, got: np.ndarray) -> None:
    """Arms for the recipient's forces: its commit share goes to the fronts while it fights, split by its
    front shares (amphibious ground afloat first, as a call-up is); the rest stays at home."""
    fighting = w.at_war & ~w.ended
    to_front = np.where(fighting, got * w.commit[:, r, d], 0.0)
    w.home[:, r, d] += got - to_front
    per_front = to_front[:, None] * w.share[:, :, 0 if r == w.att else 1]  # (R, F)
    if r == w.att and d == DOMAIN["ground"] and w.amphibious.any():
        w.afloat[:, :, r] += np.where(w.amphibious[None, :], per_front, 0.0)
        per_front = np.where(w.amphibious[None, :], 0.0, per_front)
    w.front[:, :, r, d] += per_front
    w.committed[:, r, d] += to_front


def _intelligence(w: World, i: int, want: np.ndarray) -> None:
    """Switch entry i's lethality gain on or off where ``want`` changed; count its days of support."""
    r = w.aid_pairs[w.aid_pair[i], 1]
    leth = w.att_leth if r == w.att else w.def_leth
    gain = (1.0 + w.aid_gain[:, i])[:, None]
    up, down = want & ~w.intel_on[:, i], ~want & w.intel_on[:, i]
    leth[up] *= gain[up]
    leth[down] /= gain[down]
    w.intel_on[:, i] = want
    w.aid_delivered[:, i] += np.where(want, w.dt, 0.0)


def expected(w: World, rows, i: int, t: float, horizon) -> np.ndarray:
    """(n,) what entry i would deliver within ``horizon`` days of t if its supplier aided from t:
    its flow over the open part of its window after the delay, at most its stock plus production,
    less its share lost on the way."""
    start, end = w.aid_start[rows, i], w.aid_start[rows, i] + w.aid_dur[rows, i]
    d = w.aid_delay[rows, i]
    span = np.clip(np.minimum(end + d, t + horizon) - np.maximum(start + d, t), 0.0, None)
    if w.aid_kind[i] == INTELLIGENCE:
        return span
    given = np.minimum(w.aid_per_day[rows, i] * span, w.aid_stock[rows, i] + w.aid_prod[rows, i] * horizon)
    return given * (1.0 - w.aid_interdict[rows, i])
