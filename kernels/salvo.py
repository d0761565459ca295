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

Raids on layered air defence (``raid_step``): the same idea -- a salvo
against interceptors -- with several weapon types k and defence layers j in
order, each with its own interceptor stock.  Per (replication, raid):

    flying_k   = launched_k that do not fail in flight (reliability r_k)
    for each layer j, for each type k in order (the order the caller lists):
        P_jk     = 1 - (1 - p_jk)^s_j      kill probability of an engagement
                                           (s_j shots per target, each p_jk)
        engaged  = min(incoming_k, avail_j / s_j)   (0 when p_jk = 0)
        killed   = engaged P_jk            (stochastic: Binomial(engaged, P_jk))
        avail_j -= engaged s_j; stock_j -= engaged s_j
        incoming_k -= killed
    leaked_k = incoming_k after the last layer;  damage = sum_k leaked_k d_k

avail_j = min(stock_j, limit_j): ``limit`` caps the interceptors a layer can
fire in one raid (ready launchers), ``stock`` is what it has left.  With
unlimited stock E[leaked_k] = launched_k r_k prod_j (1 - P_jk).  Stochastic
form: counts are rounded half up; flying ~ Binomial(n, r); a layer engages
floor(avail / s) targets at most; random numbers, key (seed, reps[i]): block
(step, slots[i], purpose, k) -> uniform 0 for type k's failures; block
(step, slots[i], purpose, K + j K + k) -> uniform 0 for layer j on type k.
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


# --------------------------------------------------------------------------- raids


@njit(**PJIT)
def _raid(launched, reliability, pk, shots, stock, limit, damage, stochastic, seed, reps, slots,
          step, purpose, failed, killed, leaked, stock_out, dmg):
    n, J, K = pk.shape
    for i in prange(n):
        rep = np.uint64(reps[i])
        slot = np.uint64(slots[i])
        for j in range(J):
            stock_out[i, j] = stock[i, j]
        d = 0.0
        for k in range(K):
            fired = launched[i, k]
            if stochastic:
                fired = math.floor(fired + 0.5)
                u0, u1, _, _ = block_open(seed, rep, step, slot, purpose, np.uint64(k))
                flying = binomial(fired, reliability[i, k], u0, u1)
            else:
                flying = fired * reliability[i, k]
            failed[i, k] = fired - flying
            incoming = flying
            for j in range(J):
                p = pk[i, j, k]
                killed[i, j, k] = 0.0
                if p <= 0.0 or incoming <= 0.0:
                    continue
                # Interceptors left for this raid: what the layer may still fire in it
                # (limit minus what it fired at earlier types) and what is in stock.
                avail = min(stock_out[i, j], limit[i, j] - (stock[i, j] - stock_out[i, j]))
                if avail <= 0.0:
                    continue
                # 1 - (1-p)^s via expm1/log1p: exact for p near 0 and for p = 1.
                P = 1.0 if p >= 1.0 else -math.expm1(shots[i, j] * math.log1p(-p))
                if stochastic:
                    engaged = min(incoming, math.floor(avail / shots[i, j] + 1e-9))
                    v0, v1, _, _ = block_open(seed, rep, step, slot, purpose, np.uint64(K + j * K + k))
                    hit = binomial(engaged, P, v0, v1)
                else:
                    engaged = min(incoming, avail / shots[i, j])
                    hit = engaged * P
                stock_out[i, j] = max(stock_out[i, j] - engaged * shots[i, j], 0.0)
                killed[i, j, k] = hit
                incoming -= hit
            leaked[i, k] = incoming
            d += incoming * damage[i, k]
        dmg[i] = d


def _grid(name, v, shape, lo=None, hi=None, lo_open=False, allow_inf=False):
    """Scalar or array broadcastable to ``shape`` -> C-contiguous float64 of that shape, range-checked."""
    arr = np.asarray(v)
    if arr.dtype.kind not in "iuf":
        raise ValueError(f"{name} must be real numbers (int or float), got dtype {arr.dtype}")
    try:
        arr = np.broadcast_to(arr, shape)
    except ValueError:
        raise ValueError(f"{name} has shape {arr.shape}; expected a scalar or an array broadcastable to "
                         f"{shape}") from None
    flat = V.f64(name, np.ascontiguousarray(arr, dtype=np.float64).ravel(), int(np.prod(shape)),
                 lo=lo, hi=hi, lo_open=lo_open, allow_inf=allow_inf)
    return flat.reshape(shape)


def raid_step(launched, reliability, pk, shots, stock, limit=np.inf, damage=1.0, stochastic=False, seed=0,
              reps=None, slots=None, step=0, purpose=0):
    """One raid of K weapon types through J defence layers, for n (replication, raid) rows.

    launched: float64[n, K] >= 0; reliability: [n, K] in [0, 1] (share that does not
    fail in flight); pk: [n, J, K] single-shot kill probability of layer j against
    type k (0: the layer does not engage that type); shots: [n, J] >= 1 interceptors
    per engaged target; stock: [n, J] >= 0 interceptors left; limit: [n, J] > 0 (inf
    allowed) most interceptors a layer can fire in this raid; damage: [n, K] >= 0 per
    leaker.  Scalars broadcast.  Returns (failed [n, K], intercepted [n, J, K],
    leaked [n, K], stock_left [n, J], damage [n]), all float64.
    """
    la = np.asarray(launched)
    pa = np.asarray(pk)
    if la.ndim != 2 or pa.ndim != 3 or pa.shape[0] != la.shape[0] or pa.shape[2] != la.shape[1]:
        raise ValueError(f"launched must be 2-D (n, K) and pk 3-D (n, J, K), got shapes {la.shape} and {pa.shape}")
    n, J, K = pa.shape
    args = [_grid("launched", la, (n, K), lo=0.0), _grid("reliability", reliability, (n, K), 0.0, 1.0),
            _grid("pk", pa, (n, J, K), 0.0, 1.0), _grid("shots", shots, (n, J), lo=1.0),
            _grid("stock", stock, (n, J), lo=0.0), _grid("limit", limit, (n, J), lo=0.0, allow_inf=True),
            _grid("damage", damage, (n, K), lo=0.0)]
    st = bool(stochastic)
    if st and (reps is None or slots is None):
        raise ValueError("stochastic=True needs reps and slots (int64 arrays of length n)")
    r, sl = V.i64("reps", reps, n), V.i64("slots", slots, n)
    out = (np.zeros((n, K)), np.zeros((n, J, K)), np.zeros((n, K)), np.zeros((n, J)), np.zeros(n))
    if n:
        with threads_for(n):
            _raid(*args, st, V.u64("seed", seed), r, sl, V.u64("step", step), V.u64("purpose", purpose), *out)
    return out
