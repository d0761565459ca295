"""Air forces by aircraft type: who flies in the air battle, which types are lost in the air and
on the ground, and the aircrew lost (docs/model.md §3.1.1).

Concept owned: the type mix of each state's aircraft. A state with a table
(``states.<s>.air_force``) has its aircraft counted per (replication, state, type) in
``aircraft``; its air combat power on any front is assumed to have its current mix. The
mechanism refines the aggregate air rule (crisis/combat.py) without replacing it:

- the air battle is the same square law, but a typed state brings to it only its engaged
  air-to-air strength per unit of cp, ``alpha = sum_c n_c cp_c a2a_c g_c / sum_c n_c cp_c``
  with ``g_c = min(1, sorties_per_day_c x air.engaged_share)``, and loses, of its engaged
  cp ``sum_c n_c cp_c g_c``, the share of its side's fighting strength the day destroyed;
- air control is the square of the whole committed air-to-air strength after the day's
  losses (``beta = sum_c n_c cp_c a2a_c / sum_c n_c cp_c`` per cp): the aircraft not engaged
  today still hold the sky tomorrow;
- losses go to types in proportion to ``n_c g_c exposure_c`` (air) or
  ``n_c (1 - sheltered_share_c x air.shelter_protection)`` (on the ground, crisis/strikes.py),
  never more than are there, the excess to the other types, so that
  sum_c dn_c cp_c is the cp lost exactly (``allocate``);
- aircrew: crew_c per aircraft shot down; aircraft destroyed on the ground cost no aircrew.

A scenario in which no state has a table runs the aggregate rule bit for bit (``typed`` is
False and nothing here is called). Deterministic: no random numbers are drawn.
"""

from __future__ import annotations

import numpy as np

from wargame import kernels
from wargame.kernels import streams

from wargame.crisis import breakoff
from wargame.crisis.world import side_sum

AIR = 1
WHERE = ("air", "ground")  # last axis of aircraft_lost and of the results column
IN_AIR, ON_GROUND = 0, 1
FIELDS = ("count", "combat_power", "air_to_air", "sorties_per_day", "exposure", "sheltered_share", "crew")
STATE = ("aircraft", "aircraft_lost", "aircrew_lost", "aircraft_marks")  # what a look-ahead copy carries over


def types_of(sc) -> list[str]:
    """The union of the aircraft types of the scenario's states, in order of first appearance."""
    out: list[str] = []
    for st in sc.states.values():
        out += [c for c in st.air_force if c not in out]
    return out


def table_cp(w, sid: str, st) -> np.ndarray:
    """(R,) a typed state's air combat power: sum of count x combat_power (sampled per replication)."""
    p = f"states.{sid}.air_force"
    return sum(w.sample(a.count, f"{p}.{c}.count") * w.sample(a.combat_power, f"{p}.{c}.combat_power")
               for c, a in st.air_force.items())


def attach(w, paused=None) -> None:
    """Per-type parameters (R, S, C) and the type mix's state on ``w``."""
    R, S = w.R, w.S
    w.aircraft_types = types_of(w.sc)
    C = len(w.aircraft_types)
    w.ac = {k: np.zeros((R, S, C)) for k in FIELDS}
    for s, (sid, st) in enumerate(w.sc.states.items()):
        for c, (cid, a) in enumerate((k, st.air_force[k]) for k in w.aircraft_types if k in st.air_force):
            j = w.aircraft_types.index(cid)
            for k in FIELDS:
                w.ac[k][:, s, j] = w.sample(getattr(a, k), f"states.{sid}.air_force.{cid}.{k}")
    a = w.sc.air
    w.air_engaged = w.sample(a.engaged_share, "air.engaged_share")
    w.shelter_protection = w.sample(a.shelter_protection, "air.shelter_protection")
    if paused is None:
        w.aircraft = w.ac["count"].copy()  # (R, S, C) aircraft present
        w.aircraft_lost = np.zeros((R, S, C, 2))  # aircraft lost, in the air / on the ground
        w.aircrew_lost = np.zeros((R, S))  # aircrew lost with aircraft shot down
        from wargame.crisis.fleet import marks  # the mark days of the war (casualties.MARK_DAYS)
        w.aircraft_marks = np.zeros((R, S, C, len(marks())))  # lost (air and ground) by each mark day
    else:
        first = np.zeros(R, dtype=np.int64)
        for k in STATE:
            setattr(w, k, getattr(paused, k)[first].copy())


def engaged(w, rows) -> np.ndarray:
    """(n, S, C) each type's engaged share of its aircraft in a day, min(1, sorties x engaged share)."""
    return np.minimum(1.0, w.ac["sorties_per_day"][rows] * w.air_engaged[rows][:, None, None])


def weights(w, rows):
    """Per unit of each state's air cp (n, S): fighting strength alpha, engaged share gbar and
    air-to-air weight beta of its current mix; 1 for a state without a table or with no aircraft left."""
    ncp = w.aircraft[rows] * w.ac["combat_power"][rows]
    tot = ncp.sum(axis=2)
    g = engaged(w, rows)
    a2a = w.ac["air_to_air"][rows]
    on = w.air_typed[None, :] & (tot > 0)
    den = np.where(on, tot, 1.0)
    per = lambda x: np.where(on, (ncp * x).sum(axis=2) / den, 1.0)  # noqa: E731
    return per(a2a * g), per(g), per(a2a)


def battle(w, cp, rows, t, k, clock, rr, slots):
    """The day's air battle when some state has a table: cp (n, F, S, 3) updated in place, losses
    booked by type; returns each side's air-to-air strength after it (row, front) for air control."""
    n, F = rows.size, w.F
    sd = w.side[rows]
    alpha, gbar, _ = weights(w, rows)
    c = cp[:, :, :, AIR].copy()  # cp is written below: keep the day's start
    xa, ya = side_sum(c * alpha[:, None, :], sd, 1), side_sum(c * alpha[:, None, :], sd, -1)
    xf, yf = breakoff.fighting(w, rows, breakoff.AIR_I, t, xa, ya)
    al = w.air_leth[rows].ravel()
    x1, y1 = clock(kernels.lanchester_step, xf.ravel(), yf.ravel(), a=al, b=al, p=0.0, q=1.0, rx=0.0, ry=0.0,
                   dt=w.dt, stochastic=w.stochastic, seed=w.seed, reps=rr, slots=slots, step=k, purpose=streams.AIR)
    x1, y1 = x1.reshape(n, F), y1.reshape(n, F)
    breakoff.settle(w, rows, breakoff.AIR_I, t, xf, yf, x1, y1, "air_loss")
    fx = np.clip(np.where(xf > 0, x1 / np.where(xf > 0, xf, 1.0), 1.0), 0.0, 1.0)
    fy = np.clip(np.where(yf > 0, y1 / np.where(yf > 0, yf, 1.0), 1.0), 0.0, 1.0)
    f = np.where(sd[:, None, :] == 1, fx[:, :, None], np.where(sd[:, None, :] == -1, fy[:, :, None], 1.0))
    loss = c * gbar[:, None, :] * (1.0 - f)  # of each state's engaged cp, its side's lost share
    cp[:, :, :, AIR] = c - loss
    lost = loss.sum(axis=1)
    w.lost[rows, :, AIR] += lost
    shot_down(w, rows, lost)
    _, _, beta = weights(w, rows)  # the mix after the day's losses
    left = (c - loss) * beta[:, None, :]
    xc = np.where(xf > 0, side_sum(left, sd, 1), 0.0)  # a side out of the fight cedes control
    yc = np.where(yf > 0, side_sum(left, sd, -1), 0.0)
    return xc, yc


def allocate(avail: np.ndarray, cpa: np.ndarray, pi: np.ndarray, loss: np.ndarray) -> np.ndarray:
    """Aircraft lost per type (..., C) for cp ``loss`` (...): in proportion to ``pi``, never more than
    ``avail``, a capped type's excess to the others (by count where no weight is left);
    sum_c out_c cpa_c == loss exactly up to rounding while loss <= sum_c avail_c cpa_c."""
    out = np.zeros_like(avail)
    left = np.maximum(loss, 0.0)
    room = avail.copy()
    for _ in range(avail.shape[-1] + 1):
        if not (left > 1e-12 * np.maximum(loss, 1.0)).any():
            break
        open_ = room > 0
        p = np.where(open_, pi, 0.0)
        top = p.max(axis=-1, keepdims=True)  # weights scaled to a max of 1: subnormal exposures would
        p = np.where(top > 0, p / np.where(top > 0, top, 1.0), p)  # underflow in the shares (Hypothesis)
        p = np.where((p * cpa).sum(axis=-1, keepdims=True) > 0, p, np.where(open_, room, 0.0))
        den = (p * cpa).sum(axis=-1, keepdims=True)
        take = np.where(den > 0, left[..., None] * p / np.where(den > 0, den, 1.0), 0.0)
        take = np.minimum(take, room)
        out += take
        room -= take
        left = np.maximum(left - (take * cpa).sum(axis=-1), 0.0)
        room = np.where(room <= 1e-12 * np.maximum(avail, 1.0), 0.0, room)
    return out


def shot_down(w, rows, lost) -> None:
    """Book typed states' air-combat losses (cp per (row, state)) as aircraft in the air and aircrew."""
    if not w.air_typed.any():
        return
    pi = w.aircraft[rows] * engaged(w, rows) * w.ac["exposure"][rows]
    dn = allocate(w.aircraft[rows], w.ac["combat_power"][rows], pi, np.where(w.air_typed[None, :], lost, 0.0))
    w.aircraft[rows] -= dn
    w.aircraft_lost[rows, :, :, IN_AIR] += dn
    w.aircrew_lost[rows] += (dn * w.ac["crew"][rows]).sum(axis=2)


def unsheltered(w, r, i: int) -> np.ndarray:
    """(n,) share of typed state i's air cp that a missile reaching its bases can destroy; 1 untyped."""
    if not w.air_typed[i]:
        return np.ones(r.size)
    ncp = w.aircraft[r, i] * w.ac["combat_power"][r, i]
    tot = ncp.sum(axis=1)
    open_ = 1.0 - w.ac["sheltered_share"][r, i] * w.shelter_protection[r][:, None]
    return np.where(tot > 0, (ncp * open_).sum(axis=1) / np.where(tot > 0, tot, 1.0), 1.0)


def on_ground(w, r, i: int, planes) -> None:
    """Book state i's aircraft destroyed at its bases (cp per row in r) by type, as on the ground."""
    if not w.air_typed[i]:
        return
    n = w.aircraft[r, i]
    pi = n * (1.0 - w.ac["sheltered_share"][r, i] * w.shelter_protection[r][:, None])
    dn = allocate(n, w.ac["combat_power"][r, i], pi, planes)
    w.aircraft[r, i] = n - dn
    w.aircraft_lost[r, i, :, ON_GROUND] += dn


def personnel(w, total: np.ndarray, rows=slice(None)) -> np.ndarray:
    """``total`` (R, S, 3) personnel with a typed state's air losses replaced by its aircrew lost
    (``rows``: ``total`` holds only these replications)."""
    if not w.typed:
        return total
    total[:, :, AIR] = np.where(w.air_typed[None, :], w.aircrew_lost[rows], total[:, :, AIR])
    return total


def columns(w) -> dict:
    """``states/aircraft_lost`` (R, S, aircraft_type, where) and ``states/aircraft_lost_by_day``
    (R, S, aircraft_type, mark), in the air and on the ground by days 7, 21 and 30 of the war, when
    some state has a table."""
    if not w.typed:
        return {}
    return {"aircraft_lost": w.aircraft_lost.astype("<f4"), "aircraft_lost_by_day": w.aircraft_marks.astype("<f4")}
