"""What strikes destroy, one step at a time, and the record of who struck whom.

escalation.py decides how far each striker has climbed against each target; here
every pair at rung >= 1 fires its daily salvo. The missiles are split evenly over
the rung's target sets (docs/model.md §5.2):

- rung 1, forces: all at the target's ships in theatre (a one-sided Hughes salvo);
- rung 2, bases: half at those ships, half at its bases, shared evenly among the
  airfields (aircraft on the ground), its ports if it is a primary (ships not
  committed: a primary's ports are in the theatre, an intervener's are not) and, if
  it is the attacker, the ports its amphibious lift sails from;
- rung 3, homeland: a third each at ships, bases and homeland (production: the
  mobilisation rate), plus the homeland pressure that pushes it towards withdrawal.

Only the ships in theatre defend themselves (salvo interceptions); nothing defends
bases or the homeland, so every missile sent there is a leaker; hardened shelters save part of a
state's aircraft when it lists them by type (crisis/air_force.py, docs/model.md §3.1.1).

Against a supplier that is not fighting (crisis/deliveries.py, §10.6) the forces' share goes
at its deliveries in transit instead, and its bases' share at its aircraft at home; at
rung 1 it is struck only while something is on the way.
"""

from __future__ import annotations

import numpy as np

from wargame import kernels
from wargame.kernels import streams

from wargame.crisis import air_force, breakoff, deliveries, fleet
from wargame.crisis.combat import AIR, NAVAL, KernelClock
from wargame.crisis.escalation import pairs
from wargame.crisis.world import World

# The last axis of World.strike_record and of the results column states/strikes.
MEASURES = ("days_struck", "missiles_fired", "ships_destroyed", "aircraft_destroyed", "lift_destroyed",
            "production_lost", "highest_rung", "aid_destroyed")
DAYS, FIRED, SHIPS, AIRCRAFT, LIFT, PRODUCTION, RUNG, AID = range(len(MEASURES))


def record(w: World) -> np.ndarray:
    """(R, S, S, measure) float32: the strikes column (the highest rung is the rung reached, never lowered)."""
    out = w.strike_record.astype("<f4")
    out[..., RUNG] = w.rung
    return out


def strike(w: World, rows: np.ndarray, t: float, clock: KernelClock) -> None:
    """One step of conventional strikes for every (striker, target) pair at rung >= 1."""
    k = int(round(t / w.dt))
    for a, i in pairs(w):
        opposed = (w.side[rows, i] != 0) & (w.side[rows, a] == -w.side[rows, i])
        sup = deliveries.supplying(w, rows, a, i) & ~opposed
        if sup.any():  # rung 1 against a supplier: only while something is on the way
            sup &= (w.rung[rows, a, i] >= 2) | (deliveries.in_transit(w, rows, a, i).sum(axis=1) > 0)
        keep = (w.rung[rows, a, i] >= 1) & (opposed | sup) & (w.inventory_left[rows, a] > 0)
        r, sup = rows[keep], sup[keep]
        if r.size == 0:
            continue
        fired = np.minimum(w.missiles[r, a] * w.dt, w.inventory_left[r, a])
        w.inventory_left[r, a] -= fired
        rung = np.minimum(w.rung[r, a, i], 3)
        share = 1.0 / rung  # each target set of the rung gets an even share: 1, 1/2 or 1/3
        rec = w.strike_record[r, a, i]
        rec[:, DAYS] += w.dt
        rec[:, FIRED] += fired
        rec[:, SHIPS] += _ships_in_theatre(w, r, a, i, np.where(sup, 0.0, fired * share), k, clock)
        if sup.any():
            rec[sup, AID] += deliveries.strike(w, r[sup], a, i, fired[sup] * share[sup])
        at_bases = np.where(rung >= 2, fired * share, 0.0)
        planes, ports, lift = _bases(w, r, i, np.where(sup, 0.0, at_bases))
        if sup.any():
            planes[sup] += _aircraft_at_home(w, r[sup], i, at_bases[sup])
        rec[:, AIRCRAFT] += planes
        rec[:, SHIPS] += ports
        rec[:, LIFT] += lift
        rec[:, PRODUCTION] += _homeland(w, r, i, np.where(rung >= 3, fired * share, 0.0))
        w.strike_record[r, a, i] = rec
        w.homeland_pressure[r, i] += np.where(w.rung[r, a, i] >= 3, w.doc["homeland_cost_per_day"][r] * w.dt, 0.0)


def _ships_in_theatre(w: World, r, a, i, missiles, k, clock) -> np.ndarray:
    """A one-sided Hughes salvo (missiles as shooters with one round each) at i's ships on all fronts
    that strikes can reach (a fleet that pulled back: ``breakoff.withdrawn_exposure`` of it); returns
    the ships destroyed, spread over fronts in proportion to the ships reachable on each."""
    ships = w.front[r, :, i, NAVAL]
    x = breakoff.exposed(w, r, i)  # (n, F); 1 everywhere under the default rule
    seen = ships * x
    total = seen.sum(axis=1)
    defence = np.where(w.side[r, i] == -1, w.nav["defender_interceptions_per_ship"][r],
                       w.nav["attacker_interceptions_per_ship"][r])
    defence = fleet.state_value(w, r, i, "interceptions", defence)  # a fleet by class: its mix's (crisis/fleet.py)
    kill = _hits_to_kill(w, r, i)
    # Arrays, not scalars, for alpha, beta, a1 and a3: scalars reach the kernel as read-only
    # constants, a second compiled signature of salvo_step that the two-replication warm-up
    # (execution/runner.py) meets only if it happens to strike; as arrays, strikes share the
    # naval battle's signature. Same values, same bits.
    one, zero = np.ones(r.size), np.zeros(r.size)
    _, left, _, _ = clock(kernels.salvo_step, missiles, total, alpha=one, beta=zero, a1=one,
                          b1=kill, a3=zero, b3=defence, stochastic=w.stochastic, seed=w.seed, reps=w.reps[r],
                          slots=np.full(r.size, a * w.S + i, dtype=np.int64), step=k, purpose=streams.EXTRA)
    f = np.where(total > 0, left / np.where(total > 0, total, 1.0), 1.0)[:, None]
    hit = seen * (1 - f)
    dead = hit.sum(axis=1)
    w.lost[r, i, NAVAL] += dead
    # ships * f where all are exposed: the former arithmetic, so the default rule keeps its bits
    w.front[r, :, i, NAVAL] = np.where(x == 1.0, ships * f, ships - hit)
    return dead


def _hits_to_kill(w: World, r, i, pool: str = "sea") -> np.ndarray:
    side = np.where(w.side[r, i] == -1, w.nav["defender_hits_to_kill"][r], w.nav["attacker_hits_to_kill"][r])
    return fleet.state_value(w, r, i, "hits_to_kill", side, pool)


def _bases(w: World, r, i, missiles) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Missiles at i's bases, shared evenly among airfields, a primary's ports and the attacker's
    lift: (aircraft, ships in port, lift in cp per day) destroyed. Never more than is there."""
    primary = i in (w.att, w.dfd)
    amph = w.amphibious[None, :] if i == w.att else np.zeros((1, w.F), dtype=bool)
    lift_left = np.where(amph, np.maximum(w.lift[r] - w.lift_lost[r], 0.0), 0.0)  # (n, F)
    has_lift = lift_left.sum(axis=1) > 0
    sets = 1.0 + primary + has_lift  # airfields always count, as they did before ports and lift
    each = missiles / sets
    air = w.front[r, :, i, AIR]
    atot = air.sum(axis=1)
    planes = np.minimum(atot, each * w.doc["aircraft_per_leaker"][r])
    if w.air_typed[i]:  # shelters save part of a typed air force (air_force.py); booked as on the ground
        planes = np.minimum(atot, each * w.doc["aircraft_per_leaker"][r] * air_force.unsheltered(w, r, i))
        air_force.on_ground(w, r, i, planes)
    g = np.where(atot > 0, 1 - planes / np.where(atot > 0, atot, 1.0), 1.0)[:, None]
    w.lost[r, i, AIR] += planes
    w.front[r, :, i, AIR] = air * g
    ships = np.zeros(r.size)
    if primary:  # a leaker in port is a hit: no interceptions, the side's hits to kill
        ships = np.minimum(w.home[r, i, NAVAL], each / _hits_to_kill(w, r, i, "port"))
        w.home[r, i, NAVAL] -= ships
        w.lost[r, i, NAVAL] += ships
        fleet.in_port(w, r, i, ships)  # off the ships not committed, where a fleet commits by class
    lift = np.zeros(r.size)
    if has_lift.any():
        ltot = lift_left.sum(axis=1)
        lift = np.where(has_lift, np.minimum(ltot, each * w.doc["lift_per_leaker"][r]), 0.0)
        frac = np.where(ltot > 0, lift / np.where(ltot > 0, ltot, 1.0), 0.0)[:, None]
        w.lift_lost[r] += lift_left * frac
    return planes, ships, lift


def _aircraft_at_home(w: World, r, i, missiles) -> np.ndarray:
    """A supplier's bases: its aircraft at home, aircraft_per_leaker each (never more than are there)."""
    planes = np.minimum(w.home[r, i, AIR], missiles * w.doc["aircraft_per_leaker"][r])
    if w.air_typed[i]:  # as at its bases in theatre (_bases)
        planes = np.minimum(w.home[r, i, AIR], missiles * w.doc["aircraft_per_leaker"][r]
                            * air_force.unsheltered(w, r, i))
        air_force.on_ground(w, r, i, planes)
    w.home[r, i, AIR] -= planes
    w.lost[r, i, AIR] += planes
    return planes


def _homeland(w: World, r, i, missiles) -> np.ndarray:
    """Missiles at i's homeland destroy production: a share of its mobilisation rate (never past all of it)."""
    before = w.production_lost[r, i]
    after = np.minimum(1.0, before + missiles * w.doc["production_per_leaker"][r])
    w.production_lost[r, i] = after
    return after - before
