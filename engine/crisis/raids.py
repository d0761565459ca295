"""Missile and drone raids against layered air defence: the batch's raid arrays and the raid process.

A scenario's ``raids`` are scheduled salvos (day, attacker, target, projectiles per
weapon type, optionally repeated every ``interval_days``). Before each raid every
third party with air defence decides whether to join the defence (the doctrine
formulas of docs/model.md, "Raids and layered air defence"); then one
``kernels.raid_step`` call flies the raid through the joined third parties' layers
(forward, en route) and the target's own layers, outer to inner, for every
replication of the batch. Interceptor stocks run down from raid to raid (topped up by
resupply, never above the starting stock); the attacker's arsenal runs down too.

Everything here is one array operation per raid over the batch, never per replication.
``attach`` puts the raid arrays on a World as ``w.raid`` (None for a scenario
without raids); ``events.start`` attaches it with the world's other mechanisms.
"""

from __future__ import annotations

import numpy as np

from wargame import kernels
from wargame.kernels import streams

from wargame.crisis.doctrines import retaliation_expectation
from wargame.crisis.world import COLLECTIVE, NEVER, World, carry


def attach(w: World, paused: World | None = None) -> None:
    """The raid world of ``w`` as ``w.raid`` (None without raids); attach with ``w.attach(raids.attach)``.

    ``paused``: w is a look-ahead copy of that world (a classroom game). The copy draws
    its parameters afresh and carries over what the raids so far did: interceptors
    and weapons spent, and the record of each raid flown.
    """
    w.raid = RaidWorld(w) if w.sc.raids else None
    if paused is not None and w.raid is not None:
        carry(paused.raid, w.raid, RaidWorld.STATE, w.R)


class RaidWorld:
    """Raid parameters and state of one batch (R replications). Shapes noted where created."""

    # What happens during a run (carried into look-ahead copies); the other arrays are parameters.
    STATE = ("stock", "arsenal_left", "last_day", "launched", "failed", "intercepted", "leaked", "by_layer",
             "damage_done", "stock_after", "joined", "utility", "fired")

    def __init__(self, w: World):
        sc, R, S = w.sc, w.R, w.S
        idx = {k: i for i, k in enumerate(w.state_ids)}
        self.types = list(sc.weapons)
        K = self.K = len(self.types)
        self.reliability = np.zeros((R, K))
        self.damage = np.zeros((R, K))
        for k, (kid, wp) in enumerate(sc.weapons.items()):
            self.reliability[:, k] = w.sample(wp.reliability, f"weapons.{kid}.reliability")
            self.damage[:, k] = w.sample(wp.damage_per_leaker, f"weapons.{kid}.damage_per_leaker")
        # ---- layers of every state, flattened: l = 0..L-1 in file order
        self.owner, self.layer_names, self.layers_of = [], [], {s: [] for s in range(S)}
        cols = {k: [] for k in ("stock0", "per_raid", "shots", "resupply", "cost")}
        pk = []
        self.stock_weight = np.zeros((R, S))
        for sid, ad in sc.air_defence.items():
            s = idx[sid]
            self.stock_weight[:, s] = w.sample(ad.stock_weight, f"air_defence.{sid}.stock_weight")
            for j, ly in enumerate(ad.layers):
                p = f"air_defence.{sid}.layers[{j}]"
                self.layers_of[s].append(len(self.owner))
                self.owner.append(s)
                self.layer_names.append(f"{sid} {ly.name}")
                cols["stock0"].append(w.sample(ly.stock, f"{p}.stock"))
                no_limit = ly.per_raid is None
                cols["per_raid"].append(np.full(R, np.inf) if no_limit else w.sample(ly.per_raid, f"{p}.per_raid"))
                cols["shots"].append(w.sample(ly.shots_per_target, f"{p}.shots_per_target"))
                cols["resupply"].append(w.sample(ly.resupply_per_day, f"{p}.resupply_per_day"))
                cols["cost"].append(w.sample(ly.cost_per_interceptor, f"{p}.cost_per_interceptor"))
                pk.append(np.stack([w.sample(ly.kill_probability[k], f"{p}.kill_probability.{k}")
                                    if k in ly.kill_probability else np.zeros(R) for k in self.types], axis=1))
        L = self.L = len(self.owner)
        self.owner = np.array(self.owner, dtype=np.int64)
        for k, v in cols.items():
            setattr(self, k, np.stack(v, axis=1) if v else np.zeros((R, 0)))  # (R, L)
        self.pk = np.stack(pk, axis=1) if pk else np.zeros((R, 0, K))  # (R, L, K)
        self.arsenal = np.full((R, S, K), np.inf)
        for sid, ars in sc.arsenal.items():
            for k, v in ars.items():
                self.arsenal[:, idx[sid], self.types.index(k)] = w.sample(v, f"arsenal.{sid}.{k}")
        # ---- the raid series, expanded: one entry per raid actually flown
        self.instances = []
        for i, r in enumerate(sc.raids):
            vec = np.array([float(r.weapons.get(k, 0.0)) for k in self.types])
            for n in range(r.repeat):
                self.instances.append(dict(raid=i, day=r.day + n * r.interval_days, attacker=idx[r.attacker],
                                           target=idx[r.target], weapons=vec,
                                           overflies=[idx[o] for o in r.overflies]))
        self.instances.sort(key=lambda x: x["day"])
        N = self.N = len(self.instances)
        # ---- what happens (dynamic)
        self.stock = self.stock0.copy()
        self.arsenal_left = self.arsenal.copy()
        self.last_day = np.zeros(R)
        self.launched = np.zeros((R, N, K))
        self.failed = np.zeros((R, N, K))
        self.intercepted = np.zeros((R, N, K))
        self.leaked = np.zeros((R, N, K))
        self.by_layer = np.zeros((R, N, L))  # projectiles each layer destroyed
        self.damage_done = np.zeros((R, N))
        self.stock_after = np.zeros((R, N, L))
        self.joined = np.zeros((R, N, S), dtype=bool)
        self.utility = np.full((R, N, S), np.nan, dtype=np.float32)
        self.fired = np.zeros((R, L))

    def third_parties(self, inst) -> list[int]:
        """States with air defence that may join this raid's defence: neither its attacker nor its target."""
        return [s for s in range(len(self.layers_of)) if self.layers_of[s]
                and s not in (inst["attacker"], inst["target"])]


def _leak_damage(w: World, rw: RaidWorld, rows, launched, layers) -> tuple[np.ndarray, np.ndarray]:
    """Expected damage and interceptors fired per layer (deterministic kernel) through ``layers``."""
    lay = np.asarray(layers, dtype=np.int64)
    f, kill, leak, left, dmg = kernels.raid_step(launched, reliability=rw.reliability[rows], pk=rw.pk[rows][:, lay, :],
                                                 shots=rw.shots[rows][:, lay], stock=rw.stock[rows][:, lay],
                                                 limit=rw.per_raid[rows][:, lay], damage=rw.damage[rows],
                                                 stochastic=False)
    return dmg, rw.stock[rows][:, lay] - left


def decide(w: World, rw: RaidWorld, rows, n: int, launched) -> np.ndarray:
    """(rows, S) bool: who defends in raid n. The target always; third parties by doctrine.

    A third party (doctrine not ``never``, not on the attacker's side) joins when its
    airspace is overflown (self-defence, as in doctrines.py), when it follows collective
    security and has a treaty with the target or with a state already defending, or when
    its utility is positive (the self-help calculus, for every doctrine):
    survival_value x stake x (damage it averts / damage undefended), blurred by its
    perception error, minus stock_weight x the share of its stock it expects to fire,
    minus the expected retaliation cost of doctrines.py (docs/model.md 9.3).
    """
    inst = rw.instances[n]
    tgt, att = inst["target"], inst["attacker"]
    joined = np.zeros((rows.size, w.S), dtype=bool)
    joined[:, tgt] = True
    cands = rw.third_parties(inst)
    if not cands:
        return joined
    eps = kernels.normals(w.seed, w.reps[rows], purpose=streams.RAID_DECISION, step=n, k=w.S)
    own = rw.layers_of[tgt]
    d_without, _ = _leak_damage(w, rw, rows, launched, own)
    d_open = (launched * rw.reliability[rows] * rw.damage[rows]).sum(axis=1)
    for s in cands:
        d_with, fired = _leak_damage(w, rw, rows, launched, rw.layers_of[s] + own)
        mine = len(rw.layers_of[s])
        own_stock0 = rw.stock0[rows][:, rw.layers_of[s]].sum(axis=1)
        share_fired = fired[:, :mine].sum(axis=1) / np.maximum(own_stock0, 1e-9)
        averted = np.where(d_open > 0, (d_without - d_with) / np.maximum(d_open, 1e-300), 0.0)
        stake = w.interest[rows, s, tgt]
        benefit = w.doc["survival_value"][rows] * stake * averted * np.exp(eps[:, s] * w.perception[rows, s])
        pf = (w.power[rows, att] / np.maximum(w.power[rows, s], 1.0)) ** w.doc["power_weight"][rows]
        c_ret = pf * w.doc["retaliation_weight"][rows] * retaliation_expectation(w, rows, s, -1)
        utility = benefit - rw.stock_weight[rows, s] * share_fired - c_ret
        rw.utility[rows, n, s] = utility
        # Collective security: bound to the target, or to a partner already defending (as doctrines.py
        # reads "a partner fighting on the defender's side"); partners decide in state order.
        bound = np.zeros(rows.size, dtype=bool)
        if w.doctrine[s] == COLLECTIVE:
            for p in np.flatnonzero(w.treaty[s]):
                bound |= joined[:, p] if p != tgt else True
        go = (utility > 0) | (s in inst["overflies"]) | bound
        joined[:, s] = go & (w.doctrine[s] != NEVER) & (w.side[rows, s] != 1)  # never with the attacker's side
    return joined


def fly(w: World, rw: RaidWorld, n: int, t: float, clock) -> None:
    """Raid n at time t for every replication still running."""
    inst = rw.instances[n]
    rows = np.flatnonzero(~w.ended)
    if rows.size == 0:
        return
    a, tgt = inst["attacker"], inst["target"]
    # Resupply since the last raid, never above the starting stock (magazine / launcher capacity).
    rw.stock[rows] = np.minimum(rw.stock0[rows], rw.stock[rows] + rw.resupply[rows] * (t - rw.last_day[rows])[:, None])
    rw.last_day[rows] = t
    launched = np.minimum(inst["weapons"][None, :], rw.arsenal_left[rows, a, :])
    rw.arsenal_left[rows, a, :] -= launched
    joined = decide(w, rw, rows, n, launched)
    # Forward defences first (third parties, en route, in state order), then the target's layers.
    lay = np.array([l for s in rw.third_parties(inst) for l in rw.layers_of[s]] + rw.layers_of[tgt], dtype=np.int64)
    on = joined[:, rw.owner[lay]]  # (rows, J): this layer's owner defends in this raid
    before = rw.stock[rows][:, lay]
    failed, kill, leak, left, dmg = clock(
        kernels.raid_step, launched, reliability=rw.reliability[rows], pk=rw.pk[rows][:, lay, :] * on[:, :, None],
        shots=rw.shots[rows][:, lay], stock=before, limit=rw.per_raid[rows][:, lay], damage=rw.damage[rows],
        stochastic=w.stochastic, seed=w.seed, reps=w.reps[rows], slots=np.full(rows.size, n, dtype=np.int64),
        step=int(round(t / w.dt)), purpose=streams.RAID)
    rw.stock[np.ix_(rows, lay)] = left
    rw.fired[np.ix_(rows, lay)] += before - left
    rw.launched[rows, n], rw.failed[rows, n], rw.leaked[rows, n] = launched, failed, leak
    rw.intercepted[rows, n] = kill.sum(axis=1)
    rw.by_layer[np.ix_(rows, [n], lay)] = kill.sum(axis=2)[:, None, :]
    rw.damage_done[rows, n] = dmg
    rw.stock_after[rows, n] = rw.stock[rows]
    rw.joined[rows, n] = joined


def process(env, w: World, clock, since: float | None = None):
    """The raid clock: sleep until each raid's day, then fly it for the whole batch."""
    rw = w.raid
    for n, inst in enumerate(rw.instances):
        t = float(w.grid(inst["day"]))
        if t > w.horizon or (since is not None and t <= since):
            continue
        if t > env.now:
            yield env.timeout(t - env.now)
        fly(w, rw, n, t, clock)


# --------------------------------------------------------------------------- results

# Dimensions of the raid columns (crisis/columns.py merges these into the file's table):
# raid = each raid flown, in layout.raids.instances order; weapon and layer in
# layout.raids.weapons and layout.raids.layers order.
DIMS = {"raid": {"start": 0, "step": 1}, "weapon": {"labels": "raids.weapons"},
        "layer": {"labels": "raids.layers"}}
_RNK, _RNL, _RNS = (["replication", "raid", d] for d in ("weapon", "layer", "state"))
COLUMNS = {
    **{f"replications/raid_{k}": {"dims": _RNK} for k in ("launched", "failed", "intercepted", "leaked")},
    "replications/raid_damage": {"dims": ["replication", "raid"]},
    "replications/raid_by_layer": {"dims": _RNL},
    "replications/raid_stock_after": {"dims": _RNL},
    "replications/raid_joined": {"dims": _RNS},
    "replications/raid_utility": {"dims": _RNS},
    **{f"replications/{k}": {"dims": ["replication", "layer"]}
       for k in ("interceptor_stock_start", "interceptor_stock_left", "interceptors_fired")},
    **{f"states/{k}": {"dims": ["replication", "state"]}
       for k in ("defence_joined", "interceptors_fired", "interceptor_cost_musd")},
    "states/arsenal_left": {"dims": ["replication", "state", "weapon"]},
}


def columns(w: World) -> tuple[dict, dict]:
    """Per-replication and per-state result columns of the raids (docs/results-format.md)."""
    rw = w.raid
    reps = {
        "raid_launched": rw.launched.astype("<f4"),
        "raid_failed": rw.failed.astype("<f4"),
        "raid_intercepted": rw.intercepted.astype("<f4"),
        "raid_leaked": rw.leaked.astype("<f4"),
        "raid_damage": rw.damage_done.astype("<f4"),
        "raid_by_layer": rw.by_layer.astype("<f4"),
        "raid_stock_after": rw.stock_after.astype("<f4"),
        "raid_joined": rw.joined.copy(),
        "raid_utility": rw.utility.astype("<f4"),
        "interceptor_stock_start": rw.stock0.astype("<f4"),
        "interceptor_stock_left": rw.stock.astype("<f4"),
        "interceptors_fired": rw.fired.astype("<f4"),
    }
    S = w.S
    cost = np.zeros((w.R, S))
    fired = np.zeros((w.R, S))
    for l, s in enumerate(rw.owner):
        fired[:, s] += rw.fired[:, l]
        cost[:, s] += rw.fired[:, l] * rw.cost[:, l]
    states = {
        "defence_joined": rw.joined.any(axis=1),
        "interceptors_fired": fired.astype("<f4"),
        "interceptor_cost_musd": cost.astype("<f4"),
        "arsenal_left": rw.arsenal_left.astype("<f4"),
    }
    return reps, states


def describe(w: World) -> dict:
    """The raid layout, stored once as a results attribute."""
    rw, sc = w.raid, w.sc
    raids = []
    for inst in rw.instances:
        r = sc.raids[inst["raid"]]
        o = r.observed
        raids.append({"name": r.name or f"raid {inst['raid']}", "series": inst["raid"], "day": inst["day"],
                      "attacker": inst["attacker"], "target": inst["target"],
                      "observed": None if o is None else {"stopped_share": o.stopped_share, "low": o.low,
                                                          "high": o.high, "joined": o.joined, "source": o.source}})
    return {"weapons": rw.types, "weapon_names": [sc.weapons[k].name or k for k in rw.types],
            "layers": rw.layer_names, "layer_owner": [int(s) for s in rw.owner],
            "layer_stock": [float(x) for x in rw.stock0[0]] if rw.L else [], "instances": raids,
            "damage_unit": sc.raid_damage_unit}
