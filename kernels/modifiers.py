"""Force-ratio modifiers on attacker lethality, control shares, and movement.

Concept owned: how posture, terrain, amphibious assault and air/sea control
scale the attacker's lethality ``a`` in the Lanchester kernels, and how the
force ratio turns into ground movement.

attack_factor = air * sea / (posture_mult * max(terrain, 0.1) * amphib)

* posture_mult -- defender posture: HASTY 1.0, PREPARED 1.5, FORTIFIED 2.0.
  These are the classic Dupuy-style (QJM) defensive-posture multipliers,
  used as *defaults*, not as data fitted for this model.
* terrain -- defender terrain multiplier (1 = open); divides the attacker's
  effect; floored at 0.1 so a bad input cannot make the attacker 10x+ stronger.
* amphib -- amphib_penalty (e.g. 3.0) when the attack is amphibious, else 1:
  assaults from the sea are far less effective per unit.
* air -- max(0.05, 1 + air_weight (2 air_control - 1)); air_control in [0, 1]
  is the attacker's share of air control, so 0.5 (contested) is neutral; the
  0.05 floor keeps a side under total enemy air superiority from dropping to
  zero effect (and keeps the factor positive for any weight).
* sea -- the same with sea_control / sea_weight, only when amphibious (sea
  control matters to the attacker only if it must cross the sea).

control_share(att, def, k) = att^k / (att^k + def^k) (0.5 when both are 0);
k sets how decisive superiority is (k -> inf: winner takes all).

advance_km(ratio, B, v_max, dt), B >= 1 the breakthrough ratio:
  ratio >= B:        +v_max dt tanh(ln(ratio / B))
  ratio <  1 / B:    -v_max dt tanh(ln(1 / (ratio B)))      (counter-advance)
  otherwise:         0                                       (stalemate band)
tanh of the log-excess is 0 at the threshold, monotone, saturates at v_max
(ratio 2B gives 0.6 v_max, 4B gives 0.88 v_max) and is antisymmetric:
advance_km(1/r) = -advance_km(r).
"""
import math

import numpy as np
from numba import njit, prange

from . import _validate as V
from ._dispatch import threads_for
from .config import JIT, PJIT

HASTY = 0
PREPARED = 1
FORTIFIED = 2
POSTURE_MULT_HASTY = 1.0
POSTURE_MULT_PREPARED = 1.5
POSTURE_MULT_FORTIFIED = 2.0
TERRAIN_FLOOR = 0.1
CONTROL_FLOOR = 0.05


@njit(**JIT)
def posture_multiplier(posture):
    """Defender posture multiplier (NaN for an unknown code)."""
    if posture == HASTY:
        return POSTURE_MULT_HASTY
    if posture == PREPARED:
        return POSTURE_MULT_PREPARED
    if posture == FORTIFIED:
        return POSTURE_MULT_FORTIFIED
    return math.nan


@njit(**JIT)
def attack_factor(posture, terrain, amphibious, amphib_penalty, air_control, air_weight,
                  sea_control, sea_weight):
    """Multiplier on the attacker's lethality a (see module docstring)."""
    f = 1.0 / (posture_multiplier(posture) * max(terrain, TERRAIN_FLOOR))
    f *= max(CONTROL_FLOOR, 1.0 + air_weight * (2.0 * air_control - 1.0))
    if amphibious:
        f /= amphib_penalty
        f *= max(CONTROL_FLOOR, 1.0 + sea_weight * (2.0 * sea_control - 1.0))
    return f


@njit(**JIT)
def control_share(att_power, def_power, k):
    """Attacker's share of control att^k / (att^k + def^k); 0.5 when both are 0."""
    if att_power <= 0.0 and def_power <= 0.0:
        return 0.5
    if def_power <= 0.0:
        return 1.0
    if att_power <= 0.0:
        return 0.0
    # 1 / (1 + (def/att)^k) in log space: no overflow of att^k for large k.
    return 1.0 / (1.0 + math.exp(k * (math.log(def_power) - math.log(att_power))))


@njit(**JIT)
def advance_km(ratio, breakthrough, v_max, dt):
    """Signed attacker movement (km) over dt (see module docstring)."""
    if ratio >= breakthrough:
        return v_max * dt * math.tanh(math.log(ratio) - math.log(breakthrough))
    if ratio * breakthrough < 1.0:
        if ratio <= 0.0:
            return -v_max * dt
        return -v_max * dt * math.tanh(-math.log(ratio) - math.log(breakthrough))
    return 0.0


@njit(**PJIT)
def _front_modifiers(posture, terrain, amphibious, amphib_penalty, air_control, air_weight,
                     sea_control, sea_weight, out):
    for i in prange(posture.shape[0]):
        out[i] = attack_factor(posture[i], terrain[i], amphibious[i], amphib_penalty[i],
                               air_control[i], air_weight[i], sea_control[i], sea_weight[i])


@njit(**PJIT)
def _advance(ratio, breakthrough, v_max, dt, out):
    for i in prange(ratio.shape[0]):
        out[i] = advance_km(ratio[i], breakthrough[i], v_max[i], dt[i])


def front_modifiers(posture, terrain, amphibious, amphib_penalty, air_control, air_weight,
                    sea_control, sea_weight):
    """attack_factor over n fronts -> float64[n].

    posture: int array[n] of HASTY/PREPARED/FORTIFIED (n from posture).  Others:
    scalars or length-n arrays; amphibious bool (or 0/1); terrain > 0;
    amphib_penalty > 0; air_control, sea_control in [0, 1]; weights >= 0.
    """
    n = V.n_rows("posture", posture)
    post = V.i64("posture", posture, n)
    if n and post.max() > FORTIFIED:
        i = int(np.argmax(post))
        raise ValueError(f"posture[{i}] = {post[i]} is not a posture code; expected "
                         "HASTY=0, PREPARED=1 or FORTIFIED=2")
    am = np.asarray(amphibious)
    if am.dtype.kind not in "biu" or (am.size and not np.isin(am, (0, 1)).all()):
        raise ValueError(f"amphibious must be bool or 0/1 (scalar or length {n}), got {V._describe(amphibious)}")
    am = V.f64("amphibious", am.astype(np.int64), n).astype(np.bool_)
    out = np.empty(n)
    if n:
        with threads_for(n):
            _front_modifiers(post, V.f64("terrain", terrain, n, lo=0.0, lo_open=True), am,
                             V.f64("amphib_penalty", amphib_penalty, n, lo=0.0, lo_open=True),
                             V.f64("air_control", air_control, n, lo=0.0, hi=1.0),
                             V.f64("air_weight", air_weight, n, lo=0.0),
                             V.f64("sea_control", sea_control, n, lo=0.0, hi=1.0),
                             V.f64("sea_weight", sea_weight, n, lo=0.0), out)
    return out


def advance(ratio, breakthrough, v_max, dt):
    """advance_km over n fronts -> float64[n] km (positive: attacker gains ground).

    ratio: float64[n] >= 0 (inf allowed; n from ratio); breakthrough >= 1,
    v_max >= 0, dt >= 0: scalars or length-n arrays.
    """
    n = V.n_rows("ratio", ratio)
    out = np.empty(n)
    if n:
        with threads_for(n):
            _advance(V.f64("ratio", ratio, n, lo=0.0, allow_inf=True),
                     V.f64("breakthrough", breakthrough, n, lo=1.0),
                     V.f64("v_max", v_max, n, lo=0.0), V.f64("dt", dt, n, lo=0.0), out)
    return out
