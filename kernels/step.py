"""The ground part of one simulated day for a whole batch, in one call, in place.

Concept owned: the day's ground fighting on every (replication, front) of a batch --
the force-ratio modifiers, the Lanchester step with scheduled reinforcement, sharing
the survivors among each side's states, and the line's movement -- as one loop over
the World's arrays instead of a dozen numpy passes and three kernel calls.

It is the same arithmetic, in the same order, as the step-by-step path in
``crisis/combat.py`` (``front_modifiers``, ``lanchester_step``, ``_apply``,
``advance`` and the clip), so it gives the same bits (tests/test_fused_step.py):

* side totals are summed over states in state order from +0.0 (``world.last_sum``);
* the attacker's lethality is ``att_leth * attack_factor(...)`` (modifiers.py);
* the Lanchester row is ``_rows``' row: the exact square law when it applies, else
  ``_advance``, then the binomial draws from the stream (seed, replication, step,
  slot = front, purpose = GROUND); reinforcement ``rx = inflow_on_side / dt``;
* each state's cp is scaled by its side's surviving fraction x1 / x0 (x0 including the
  arrivals), and the loss, summed over fronts in front order, is booked in ``lost``;
* the line moves by ``advance_km(x1 / y1)`` and is clipped to [-counter_depth, depth].

Irregular fronts (morale, Deitchman) are not here: crisis/combat.py keeps them on the
step-by-step path.
"""
import math

import numpy as np
from numba import njit, prange

from ._dispatch import threads_for
from .config import INLINE, JIT, PJIT
from .lanchester import _advance, _draws, _is_square, _square_coef, _square_with
from .modifiers import advance_km, attack_factor

GROUND = 0  # the World's domain index of ground cp (crisis/combat.py)
_CHUNK = 1024  # replications per parallel work item


@njit(**INLINE)
def _clip(v, lo, hi):
    # np.clip's own rule (its _NPY_MAX then _NPY_MIN): ties go to the bound, so a line held
    # at a counter-depth of 0 reads -0.0 as it does on the step-by-step path.
    v = v if v > lo or math.isnan(v) else lo
    return v if v < hi or math.isnan(v) else hi


@njit(**JIT)
def _ground_rows(lo, hi, rows, front, lost, position, inflow, side, reps, posture, amphibious, terrain, penalty,
                 air_control, air_weight, sea_control, sea_weight, landing_day, assault_days, att_leth, def_leth,
                 law_p, law_q, breakthrough, vmax, counter_depth, depth, t, dt, stochastic, seed, step, purpose,
                 bad):
    # Rows rows[lo:hi]. Like lanchester._rows, it keeps the square law's coefficients of the last
    # (a, b) and computes them again only when they change (a batch mostly shares them).
    F, S = front.shape[1], front.shape[2]
    booked = np.empty(S)  # a row's losses per state, summed over fronts in order
    ka = kb = math.nan
    g = sq = ch = sh = 0.0
    for j in range(lo, hi):
        r = rows[j]
        booked[:] = 0.0
        for f in range(F):
            x0 = 0.0
            y0 = 0.0
            rx = 0.0
            ry = 0.0
            for s in range(S):
                c = front[r, f, s, GROUND]
                x0 += c * (1.0 if side[r, s] == 1 else 0.0)
                y0 += c * (1.0 if side[r, s] == -1 else 0.0)
                rx += inflow[r, f, s] * (1.0 if side[r, s] == 1 else 0.0)
                ry += inflow[r, f, s] * (1.0 if side[r, s] == -1 else 0.0)
            rx /= dt
            ry /= dt
            assault = amphibious[f] and (t - dt < landing_day[r, f] + assault_days[r, f])
            a = att_leth[r, f] * attack_factor(posture[f], terrain[r, f], assault, penalty[r, f],
                                               air_control[r, f], air_weight[r, f], sea_control[r, f],
                                               sea_weight[r, f])
            b = def_leth[r, f]
            p, q = law_p[r, f], law_q[r, f]
            fin = (((x0 * 0.0 + y0 * 0.0) + (a * 0.0 + b * 0.0))
                   + ((p * 0.0 + q * 0.0) + (rx * 0.0 + ry * 0.0)) + dt * 0.0)
            low = min(min(min(x0, y0), min(a, b)), min(min(p, q), min(min(rx, ry), dt)))
            if not (fin == 0.0 and low >= 0.0):
                bad[j] = f + 1  # the first front with a bad input; the row is left as it was
                break
            if _is_square(x0, y0, a, b, p, q, rx, ry, dt):
                if a != ka or b != kb:
                    ka, kb = a, b
                    g, sq, ch, sh = _square_coef(a, b, dt)
                x1, y1 = _square_with(x0, y0, dt, g, sq, ch, sh)
            else:
                x1, y1 = _advance(x0, y0, a, b, p, q, rx, ry, dt)
            if stochastic:
                x1, y1 = _draws(x0, y0, x1, y1, x0 + rx * dt, y0 + ry * dt, seed, reps[r], f, step,
                                purpose)
            # The arrivals join their side before its survivors are shared out.
            x0 = x0 + rx * dt
            y0 = y0 + ry * dt
            fx = x1 / x0 if x0 > 0.0 else 1.0
            fy = y1 / y0 if y0 > 0.0 else 1.0
            for s in range(S):
                before = front[r, f, s, GROUND]
                if inflow[r, f, s] != 0.0:
                    before += inflow[r, f, s]
                    inflow[r, f, s] = 0.0
                after = before * fx if side[r, s] == 1 else (before * fy if side[r, s] == -1 else before)
                front[r, f, s, GROUND] = after
                booked[s] += before - after
            # The line moves when the ratio passes the breakthrough threshold.
            ratio = x1 / y1 if y1 > 0.0 else (math.inf if x1 > 0.0 else 1.0)
            pos = position[r, f] + advance_km(ratio, breakthrough[r, f], vmax[r, f], dt)
            position[r, f] = _clip(pos, -counter_depth[r, f], depth[r, f])
        for s in range(S):
            lost[r, s, GROUND] += booked[s]


@njit(**PJIT)
def _ground_day(rows, front, lost, position, inflow, side, reps, posture, amphibious, terrain, penalty,
                air_control, air_weight, sea_control, sea_weight, landing_day, assault_days, att_leth, def_leth,
                law_p, law_q, breakthrough, vmax, counter_depth, depth, t, dt, stochastic, seed, step, purpose,
                bad):
    # Chunks of _CHUNK rows in parallel (each row touches only its own replication's arrays).
    n = rows.shape[0]
    for c in prange((n + _CHUNK - 1) // _CHUNK):
        _ground_rows(c * _CHUNK, min((c + 1) * _CHUNK, n), rows, front, lost, position, inflow, side, reps,
                     posture, amphibious, terrain, penalty, air_control, air_weight, sea_control, sea_weight,
                     landing_day, assault_days, att_leth, def_leth, law_p, law_q, breakthrough, vmax,
                     counter_depth, depth, t, dt, stochastic, seed, step, purpose, bad)


# The World's arrays ground_day reads or writes: indexed by replication first, then by front only.
# (The bench's limit peer, bench/peers/limit.py, snapshots them to replay a call.)
PER_REPLICATION = ("front", "lost", "position", "inflow", "side", "reps", "terrain", "penalty", "air_control",
                   "air_weight", "sea_control", "sea_weight", "landing_day", "assault_days", "att_leth", "def_leth",
                   "law_p", "law_q", "breakthrough", "vmax", "counter_depth", "depth")
PER_FRONT = ("posture", "amphibious")
SCALARS = ("F", "dt", "stochastic", "seed")


def ground_day(w, rows: np.ndarray, t: float, step: int, purpose: int) -> None:
    """The ground fighting and movement of the day ending at ``t`` for replications ``rows`` of World ``w``.

    In place on ``w.front``, ``w.lost``, ``w.position`` and ``w.inflow`` (reset to 0 where it
    joined). ``step``: the day's stream step; ``purpose``: ``streams.GROUND``. Raises
    ValueError naming the first (replication, front) whose strengths or coefficients are not
    finite and >= 0 (that row is left unresolved).
    """
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    if rows.size == 0:
        return
    bad = np.zeros(rows.size, dtype=np.int64)
    with threads_for(rows.size * w.F):
        _ground_day(rows, w.front, w.lost, w.position, w.inflow, w.side, w.reps, w.posture, w.amphibious,
                    w.terrain, w.penalty, w.air_control, w.air_weight, w.sea_control, w.sea_weight, w.landing_day,
                    w.assault_days, w.att_leth, w.def_leth, w.law_p, w.law_q, w.breakthrough, w.vmax,
                    w.counter_depth, w.depth, float(t), float(w.dt), bool(w.stochastic), np.uint64(w.seed),
                    np.uint64(step), np.uint64(purpose), bad)
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        raise ValueError(f"ground_day: replication {int(w.reps[rows[j]])}, front {int(bad[j]) - 1}: strengths, "
                         "lethalities, law exponents and reinforcement must be finite and >= 0")


ground_day.world_fields = (PER_REPLICATION, PER_FRONT, SCALARS)
