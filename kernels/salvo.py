"""Naval combat: Hughes (1995) salvo model, batched, one salvo per step.

Concept owned: missile exchanges between two fleets A and B.  Fire is
simultaneous (both use the pre-salvo fleet sizes):

    leakers_on_B = max(0, alpha A - b3 B)     dB = leakers_on_B / b1, clipped to [0, B]
    leakers_on_A = max(0, beta B - a3 A)      dA = leakers_on_A / a1, clipped to [0, A]

alpha, beta: missiles fired per ship; a3, b3: missiles intercepted per ship;
a1, b1: hits needed to put one ship out of action (> 0).

Stochastic form (fleets as ship counts; A/B may be fractional):
  fired n = round(alpha A) (half up); each missile is intercepted with
  probability pi = min(1, b3 B / n), so leakers ~ Binomial(n, 1 - pi) (mean =
  the deterministic leakers); ships lost = leakers / b1 rounded
  *stochastically* (floor, plus 1 with probability equal to the fraction),
  then clipped to [0, B].  Stochastic rounding keeps E[loss] = E[leakers]/b1,
  where a plain floor would bias losses down by up to one ship.
  Random numbers, key (seed, reps[i]): block counter (step, slots[i], purpose, 0)
  -> uniforms 0, 1 for leakers on B, 2, 3 for leakers on A; block
  (step, slots[i], purpose, 1) -> uniform 0 rounds B's loss, 1 rounds A's.

Extension path (several weapon types, layered defences with interceptor
stocks): a salvo is a sequence of ``_leakers`` calls (one per weapon type or
defence layer, feeding each layer's leakers into the next and drawing from
block sub = layer index) followed by one ``_ships_lost`` per fleet.
"""
import math

import numpy as np
from numba import njit, prange

from . import _validate as V
from ._dispatch import threads_for
from .config import JIT, PJIT
from .philox import block_open
from .variates import binomial


@njit(**JIT)
def _leakers(fired, intercept_capacity, stochastic, u1, u2):
    """Missiles that get through one defence layer (float64, >= 0)."""
    if not stochastic:
        return max(fired - intercept_capacity, 0.0)
    n = math.floor(fired + 0.5)
    if n <= 0.0:
        return 0.0
    # P(leak) = 1 - min(1, capacity / n), written as a difference so small
    # leak probabilities keep their relative precision.
    p_leak = max(n - intercept_capacity, 0.0) / n
    return binomial(n, p_leak, u1, u2)


@njit(**JIT)
def _ships_lost(leakers, hits_per_kill, fleet, stochastic, u):
    """Ships out of action from leakers, clipped to [0, fleet]."""
    lost = leakers / hits_per_kill
    if stochastic:
        whole = math.floor(lost)
        lost = whole + (1.0 if u < lost - whole else 0.0)
    return min(max(lost, 0.0), fleet)


@njit(**PJIT)
def _salvo_step(A, B, alpha, beta, a1, b1, a3, b3, stochastic, seed, reps, slots,
                step, purpose, Ao, Bo, LA, LB):
    for i in prange(A.shape[0]):
        u0 = u1 = u2 = u3 = v0 = v1 = 0.5
        if stochastic:
            rep = np.uint64(reps[i])
            slot = np.uint64(slots[i])
            u0, u1, u2, u3 = block_open(seed, rep, step, slot, purpose, 0)
            v0, v1, _, _ = block_open(seed, rep, step, slot, purpose, 1)
        lb = _leakers(alpha[i] * A[i], b3[i] * B[i], stochastic, u0, u1)
        la = _leakers(beta[i] * B[i], a3[i] * A[i], stochastic, u2, u3)
        Bo[i] = B[i] - _ships_lost(lb, b1[i], B[i], stochastic, v0)
        Ao[i] = A[i] - _ships_lost(la, a1[i], A[i], stochastic, v1)
        LA[i] = la
        LB[i] = lb


def salvo_step(A, B, alpha, beta, a1, b1, a3, b3, stochastic=False, seed=0,
               reps=None, slots=None, step=0, purpose=0):
    """One simultaneous salvo for n engagements.

    Returns (A_new, B_new, leakers_on_A, leakers_on_B), all float64[n].
    A, B: float64[n] fleet sizes >= 0 (n from A); alpha, beta, a3, b3 >= 0 and
    a1, b1 > 0: scalars or length-n arrays.  reps/slots: int64[n] >= 0,
    needed only when stochastic.
    """
    n = V.n_rows("A", A)
    arrs = [V.f64("A", A, n, lo=0.0), V.f64("B", B, n, lo=0.0),
            V.f64("alpha", alpha, n, lo=0.0), V.f64("beta", beta, n, lo=0.0),
            V.f64("a1", a1, n, lo=0.0, lo_open=True), V.f64("b1", b1, n, lo=0.0, lo_open=True),
            V.f64("a3", a3, n, lo=0.0), V.f64("b3", b3, n, lo=0.0)]
    st = bool(stochastic)
    if st and (reps is None or slots is None):
        raise ValueError("stochastic=True needs reps and slots (int64 arrays of length n)")
    r = V.i64("reps", reps, n)
    sl = V.i64("slots", slots, n)
    out = [np.empty(n) for _ in range(4)]
    if n:
        with threads_for(n):
            _salvo_step(*arrs, st, V.u64("seed", seed), r, sl, V.u64("step", step),
                        V.u64("purpose", purpose), *out)
    return tuple(out)
