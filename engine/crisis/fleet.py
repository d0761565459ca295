"""Fleets by ship class: the salvo parameters a state's class mix gives, and which ships its
naval losses sink (docs/model.md §3.2.2; schema: model/fleet.py).

A state with a ``fleet`` table keeps its naval combat power (cp) in ``World.front`` and
``World.home`` as before; this module tracks the classes behind it per (replication,
state, class), not per front: the state's cp anywhere is assumed to have its current
class mix.

- Salvo parameters (``salvo``): per state, missiles and interceptions per cp are
  sum n_c m_c / sum n_c cp_c and sum n_c i_c / sum n_c cp_c; hits per cp lost is
  1 / sum_c pi_c cp_c / htk_c with targeting shares pi_c = n_c sig_c / sum_k n_k sig_k.
  A side's parameters on a front are the cp-weighted means over its states there
  (a state without a table brings the scenario's [naval] attacker_/defender_ values).
- Allocation (``book``): the naval cp a state lost since the last booking (salvo,
  strikes on ships at sea and in port, injects: whatever added to ``World.lost``) is
  H = dcp / sum pi_c cp_c / htk_c hits, landing on the classes by pi_c, so
  dn_c = H pi_c / htk_c and sum dn_c cp_c = dcp. A class cannot lose more ships than
  it has: the excess cp goes round again over the classes left, with their shares.
- Commitment by class (``states.<s>.fleet.<class>.commit``): a state whose table gives some
  class its own commit share keeps two pools per class, the ships committed to the theatre
  (``ships_sea``, at first commit_c n_c) and the rest in port or elsewhere. The salvo and
  strikes at sea use the committed pool's mix; strikes on ports use the other's; losses in
  port (``in_port``) are booked on the port pool, all others on the committed pool (what it
  cannot absorb goes to the port pool). A state without a class commit keeps one pool, as before.
- Crew (``crew_lost``): a fleet state's naval personnel lost is sum dn_c crew_c
  crew_loss_share_c, in place of cp x manpower per cp x the naval casualty share.

No random numbers are drawn here: the allocation is a deterministic function of the
losses the kernels already drew, so the Philox streams are untouched.
"""

from __future__ import annotations

import numpy as np

from wargame.crisis.world import World
from wargame.model.fleet import by_class

NAVAL = 2
FIELDS = ("count", "combat_power", "missiles", "interceptions", "hits_to_kill", "signature", "crew",
          "crew_loss_share")
# what a look-ahead copy carries over
STATE = ("ships", "ships_lost", "fleet_booked", "ships_sea", "port_lost", "port_booked", "ship_marks")
TINY = 1e-12


def classes(sc) -> list[str]:
    """The union of the ship classes of all states, in file order (the ``ship_class`` coordinate)."""
    out: list[str] = []
    for st in sc.states.values():
        out += [c for c in st.fleet if c not in out]
    return out


def attach(w: World, paused: World | None = None) -> None:
    """The class parameters (R, S, C) of ``w``'s states and the ships present and lost."""
    w.ship_classes = classes(w.sc)
    C = len(w.ship_classes)
    w.has_fleet = np.array([bool(st.fleet) for st in w.sc.states.values()])
    w.cls = {k: np.zeros((w.R, w.S, C)) for k in FIELDS}
    w.split = np.array([bool(st.fleet) and by_class(st.fleet) for st in w.sc.states.values()])
    sea_share = np.zeros((w.R, w.S, C))  # the share of each class committed to the theatre
    for s, (sid, st) in enumerate(w.sc.states.items()):
        naval = w.sample(st.commit.naval, f"states.{sid}.commit.naval") if w.split[s] else 0.0
        for cid, c in st.fleet.items():
            j = w.ship_classes.index(cid)
            for k in FIELDS:
                w.cls[k][:, s, j] = w.sample(getattr(c, k), f"states.{sid}.fleet.{cid}.{k}")
            if w.split[s]:
                own = None if c.commit is None else w.sample(c.commit, f"states.{sid}.fleet.{cid}.commit")
                sea_share[:, s, j] = naval if own is None else own
    if paused is None:
        w.ships = w.cls["count"].copy()  # (R, S, C) platforms still afloat (expected values)
        w.ships_lost = np.zeros((w.R, w.S, C))  # platforms put out of action
        w.fleet_booked = np.zeros((w.R, w.S))  # naval cp lost already allocated to classes
        w.ships_sea = w.ships * sea_share  # afloat in the committed pool (states with a class commit only)
        w.port_lost = np.zeros((w.R, w.S))  # naval cp lost in port (strikes on bases), and booked of it
        w.port_booked = np.zeros((w.R, w.S))
        w.ship_marks = np.zeros((w.R, w.S, C, len(marks())))  # ships lost by each mark day (crisis/timeseries.py)
    else:
        first = np.zeros(w.R, dtype=np.int64)
        for k in STATE:
            setattr(w, k, getattr(paused, k)[first].copy())


def marks() -> tuple:
    """The mark days of the war (casualties.MARK_DAYS; imported here, as casualties imports this module)."""
    from wargame.crisis.casualties import MARK_DAYS
    return MARK_DAYS


def _on(w: World) -> bool:
    """Some state has a fleet (False for a World built by hand without ``attach``: no fleets)."""
    return getattr(w, "has_fleet", None) is not None and bool(w.has_fleet.any())


def _mix(w: World, rows, pool: str | None = None, states=slice(None)) -> np.ndarray:
    """(n, S, C) the ships that set each state's parameters: those afloat, or the first fleet once all are lost.

    ``pool`` "sea" or "port": for a state with commitment by class, the committed pool or the rest.
    ``states``: a slice of the state axis (one state's ``slice(s, s + 1)``: (n, 1, C)).
    """
    n = w.ships[rows, states]
    if pool is not None and w.split.any():
        sea = w.ships_sea[rows, states]
        n = np.where(w.split[None, states, None], sea if pool == "sea" else np.maximum(n - sea, 0.0), n)
    gone = (n * w.cls["combat_power"][rows, states]).sum(axis=2, keepdims=True) <= TINY
    return np.where(gone, w.cls["count"][rows, states], n)


PER_CP = ("missiles", "interceptions", "hits_to_kill")


def per_cp(w: World, rows, pool: str | None = None, states=slice(None), keys=PER_CP) -> dict[str, np.ndarray]:
    """(n, S) each state's missiles, interceptions and hits to kill per cp from its class mix (NaN without a fleet);
    ``pool``, ``states``: as in ``_mix``; ``keys``: the ones wanted."""
    n = _mix(w, rows, pool, states)
    c = {k: w.cls[k][rows, states] for k in ("combat_power", *(k for k in keys if k != "hits_to_kill"))}
    cp = (n * c["combat_power"]).sum(axis=2)
    ok = w.has_fleet[None, states] & (cp > TINY)
    safe = np.where(ok, cp, 1.0)
    out = {k: np.where(ok, (n * c[k]).sum(axis=2) / safe, np.nan) for k in keys if k != "hits_to_kill"}
    if "hits_to_kill" in keys:
        sig = n * w.cls["signature"][rows, states]
        pi = sig / np.maximum(sig.sum(axis=2, keepdims=True), TINY)
        per_hit = (pi * c["combat_power"] / w.cls["hits_to_kill"][rows, states].clip(min=0.1)).sum(axis=2)
        out["hits_to_kill"] = np.where(ok & (per_hit > TINY), 1.0 / np.maximum(per_hit, TINY), np.nan)
    return out


def state_value(w: World, rows, s: int, key: str, default: np.ndarray, pool: str = "sea") -> np.ndarray:
    """State s's per-cp ``key`` (missiles, interceptions, hits_to_kill) where it has a fleet, else ``default``;
    ``pool``: its ships at sea (committed) or in port, where it commits by class."""
    if not _on(w) or not w.has_fleet[s]:
        return default
    # Only state s's classes and the one key: strikes ask this for a state at a time, every day.
    v = per_cp(w, rows, pool, slice(s, s + 1), (key,))[key][:, 0]
    return np.where(np.isnan(v), default, v)


def salvo(w: World, rows, cp: np.ndarray) -> dict[str, np.ndarray] | None:
    """The salvo kernel's per-engagement parameters (flattened (n*F,)) on the fronts, from the class
    mixes of the states there (cp: (n, F, S) naval cp); None when no state has a fleet."""
    if not _on(w):
        return None
    own = per_cp(w, rows, "sea")
    side = w.side[rows]  # (n, S)
    out = {}
    for key, nav in (("missiles", "missiles_per_ship"), ("interceptions", "interceptions_per_ship"),
                     ("hits_to_kill", "hits_to_kill")):
        for sgn, who in ((1, "attacker"), (-1, "defender")):
            base = w.nav[f"{who}_{nav}"][rows]  # (n,)
            val = np.where(np.isnan(own[key]), base[:, None], own[key])  # (n, S)
            wt = cp * (side == sgn)[:, None, :]  # (n, F, S)
            tot = wt.sum(axis=2)
            mean = (wt * val[:, None, :]).sum(axis=2) / np.where(tot > 0, tot, 1.0)
            out[f"{who}_{nav}"] = np.where(tot > 0, mean, base[:, None]).ravel()
    return out


def allocate(n, cpc, htk, sig, dcp):
    """Ships lost per class (..., C) when a fleet of n ships per class loses dcp (...) of cp.

    Hits land on the classes by targeting share pi_c = n_c sig_c / sum n_k sig_k; a class
    loses H pi_c / htk_c ships with H = dcp / sum pi_c cp_c / htk_c, never more than it has:
    what a spent class cannot absorb goes round again over the classes left. Each round
    empties at least one class or books the rest, so C rounds suffice. Returns (lost, not
    booked): cp left over once every class is gone (0 unless dcp exceeds the fleet's cp).
    """
    htk = np.where(htk > 0, htk, 1.0)  # classes a state does not have (count 0) are zero-filled
    dcp = np.asarray(dcp, float)
    done = TINY * np.maximum(dcp, 1.0)  # a row is done once what is left is rounding: every row decides alone,
    lost = np.zeros_like(n)              # so the rounds a batch runs never change a row (same bits, any batch)
    left = dcp.copy()
    for _ in range(n.shape[-1]):
        afloat = np.maximum(n - lost, 0.0)
        w = afloat * sig
        pi = w / np.maximum(w.sum(axis=-1, keepdims=True), TINY)
        per_hit = (pi * cpc / htk).sum(axis=-1)
        go = (per_hit > TINY) & (left > done)
        hits = np.where(go, left / np.maximum(per_hit, TINY), 0.0)
        dn = np.minimum(hits[..., None] * pi / htk, afloat)
        lost = lost + dn
        left = np.where(go, np.maximum(left - (dn * cpc).sum(axis=-1), 0.0), left)
        if not (go & (left > done)).any():
            break
    return lost, left


def in_port(w: World, rows, s: int, cp: np.ndarray) -> None:
    """Record naval cp (n,) of state s lost in port (strikes on its bases); ``book`` takes it off the port pool."""
    if _on(w):
        w.port_lost[rows, s] += cp


def book(w: World) -> None:
    """Allocate to classes the naval cp each fleet state lost since the last booking (every step)."""
    if not _on(w):
        return
    if w.split.any():
        _book_pools(w, np.flatnonzero(w.split))
    s = np.flatnonzero(w.has_fleet & ~w.split)  # each (row, state) decides alone: the split changes no bits
    if s.size == 0:
        return
    dcp = w.lost[:, s, NAVAL] - w.fleet_booked[:, s]
    r = np.flatnonzero((dcp > 0).any(axis=1))  # only replications that lost ships (each row decides alone)
    if r.size == 0:
        return
    rs = np.ix_(r, s)
    c = {k: w.cls[k][rs] for k in ("combat_power", "hits_to_kill", "signature")}
    dn, _ = allocate(w.ships[rs], c["combat_power"], c["hits_to_kill"], c["signature"], dcp[r])
    w.ships[rs] -= dn
    w.ships_lost[rs] += dn
    w.fleet_booked[rs] = w.lost[rs + (NAVAL,)]


def _book_pools(w: World, s: np.ndarray) -> None:
    """``book`` for states that commit by class: losses in port on the port pool, the rest on the committed pool."""
    dcp = w.lost[:, s, NAVAL] - w.fleet_booked[:, s]
    r = np.flatnonzero((dcp > 0).any(axis=1))
    if r.size == 0:
        return
    rs = np.ix_(r, s)
    dcp = dcp[r]
    port_cp = np.clip(w.port_lost[rs] - w.port_booked[rs], 0.0, dcp)
    c = {k: w.cls[k][rs] for k in ("combat_power", "hits_to_kill", "signature")}
    sea = w.ships_sea[rs]
    dn_sea, spill = allocate(sea, c["combat_power"], c["hits_to_kill"], c["signature"], dcp - port_cp)
    port = np.maximum(w.ships[rs] - sea, 0.0)
    dn_port, _ = allocate(port, c["combat_power"], c["hits_to_kill"], c["signature"], port_cp + spill)
    w.ships_sea[rs] = sea - dn_sea
    w.ships[rs] -= dn_sea + dn_port
    w.ships_lost[rs] += dn_sea + dn_port
    w.fleet_booked[rs] = w.lost[rs + (NAVAL,)]
    w.port_booked[rs] = w.port_lost[rs]


def crew_lost(w: World, personnel: np.ndarray, rows=slice(None)) -> np.ndarray:
    """``personnel`` (R, S, 3) with the naval losses of fleet states replaced by the crews of the ships lost.

    ``rows``: ``personnel`` holds only these replications (casualties.mark).
    """
    if not _on(w):
        return personnel
    crews = (w.ships_lost[rows] * w.cls["crew"][rows] * w.cls["crew_loss_share"][rows]).sum(axis=2)
    out = personnel.copy()
    out[:, :, NAVAL] = np.where(w.has_fleet[None, :], crews, personnel[:, :, NAVAL])
    return out


def columns(w: World) -> dict:
    """``states/ships_lost`` (R, S, ship_class), platforms, and ``states/ships_lost_by_day`` (R, S, ship_class,
    mark), those lost by days 7, 21 and 30 of the war; only for a scenario with a fleet."""
    return {"ships_lost": w.ships_lost.copy(), "ships_lost_by_day": w.ship_marks.copy()} if _on(w) else {}
