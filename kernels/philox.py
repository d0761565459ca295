"""Counter-based random numbers: Philox4x64-10, bit-identical to numpy's Philox.

Concept owned: every random number in the project.  ``philox4x64`` is the
10-round Philox bijection of Salmon et al. (2011) as used by
``numpy.random.Philox`` (counter 4 x uint64, key 2 x uint64).

Stream convention (see also docs/kernels.md)::

    key     = (seed, replication_index)
    counter = (step, slot, purpose, sub)        # sub = 0 for the first block

so a draw depends only on seed, replication, purpose (``kernels.streams``),
step, slot and sub -- never on how rows are batched or on the thread count.

Correspondence with numpy: ``Philox(key=[k0, k1], counter=C).random_raw(4)``
increments the 256-bit counter *before* its first block, so it returns
``philox4x64(C + 1, k0, k1)``.  To reproduce our block at counter
(step, slot, purpose, sub) pass ``counter = step + slot*2**64 + purpose*2**128
+ sub*2**192 - 1`` (a Python int, the carry of the -1 included).  A numpy
stream continues by incrementing word 0 (the step), so our slots are *not*
numpy's continuation; each slot is a fresh numpy generator.

Uniform conversions:
* ``u64_to_unit(x) = (x >> 11) * 2**-53`` -- numpy's double convention, [0, 1).
* ``u64_to_open(x) = ((x >> 11) | 1) * 2**-53`` -- the 52 top bits plus a
  midpoint bit: exactly representable, in [2**-53, 1 - 2**-53], never 0 or 1,
  so ``log(u)`` is always finite.  (``((x >> 11) + 0.5) * 2**-53`` would round
  to 1.0 for the top value, because 2**53 - 0.5 needs 54 bits.)
"""
import math

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.extending import intrinsic

from . import _validate as V
from ._dispatch import threads_for
from .config import JIT, PJIT

# Random123 / numpy value.  NB: ...C93, not ...C15 (a typo seen in some write-ups).
_M0 = np.uint64(0xD2E7470EE14C6C93)
_M1 = np.uint64(0xCA5A826395121157)
_W0 = np.uint64(0x9E3779B97F4A7C15)
_W1 = np.uint64(0xBB67AE8584CAA73B)
_S11 = np.uint64(11)
_ONE = np.uint64(1)
_TWO_M53 = 2.0**-53
_TWO_PI = 2.0 * math.pi


@intrinsic
def _mulhilo(typingctx, a, b):
    """(high, low) 64-bit words of the 128-bit product of two uint64.

    numba has no uint128 type, but LLVM has i128: widening, one multiply and a shift
    compile to a single 64 x 64 -> 128 multiply instruction. The earlier version built the
    high word from four 32-bit partial products; it gives the same bits (checked on 10^7
    pairs) and the Philox block went from 12.8 to 7.1 ns on one thread.
    """
    if a != types.uint64 or b != types.uint64:
        return None
    sig = types.UniTuple(types.uint64, 2)(types.uint64, types.uint64)

    def codegen(context, builder, signature, args):
        wide = ir.IntType(128)
        p = builder.mul(builder.zext(args[0], wide), builder.zext(args[1], wide))
        hi = builder.trunc(builder.lshr(p, ir.Constant(wide, 64)), ir.IntType(64))
        lo = builder.trunc(p, ir.IntType(64))
        return context.make_tuple(builder, signature.return_type, [hi, lo])

    return sig, codegen


@njit(**JIT)
def philox4x64(c0, c1, c2, c3, k0, k1):
    """Philox4x64-10 block: 4 uint64 counter words, 2 uint64 key words -> 4-tuple of uint64."""
    c0 = np.uint64(c0)
    c1 = np.uint64(c1)
    c2 = np.uint64(c2)
    c3 = np.uint64(c3)
    k0 = np.uint64(k0)
    k1 = np.uint64(k1)
    for r in range(10):
        if r > 0:  # key schedule: Weyl bumps between rounds (uint64 wraps)
            k0 += _W0
            k1 += _W1
        hi0, lo0 = _mulhilo(_M0, c0)
        hi1, lo1 = _mulhilo(_M1, c2)
        c0, c1, c2, c3 = hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0
    return c0, c1, c2, c3


@njit(**JIT)
def u64_to_unit(x):
    """uint64 -> float64 in [0, 1), numpy's convention (x >> 11) * 2**-53."""
    return np.float64(x >> _S11) * _TWO_M53


@njit(**JIT)
def u64_to_open(x):
    """uint64 -> float64 in (0, 1) (never 0 or 1): ((x >> 11) | 1) * 2**-53."""
    return np.float64((x >> _S11) | _ONE) * _TWO_M53


@njit(**JIT)
def box_muller(u_open, u_unit):
    """Two independent N(0,1) from u_open in (0,1) (radius) and u_unit in [0,1) (angle)."""
    r = math.sqrt(-2.0 * math.log(u_open))
    t = _TWO_PI * u_unit
    return r * math.cos(t), r * math.sin(t)


@njit(**JIT)
def block_open(seed, rep, step, slot, purpose, sub):
    """Four open-interval uniforms from the block key (seed, rep), counter (step, slot, purpose, sub)."""
    r0, r1, r2, r3 = philox4x64(step, slot, purpose, sub, seed, rep)
    return u64_to_open(r0), u64_to_open(r1), u64_to_open(r2), u64_to_open(r3)


@njit(**PJIT)
def _uniforms(seed, reps, purpose, step, k, out):
    nb = (k + 3) // 4
    for i in prange(reps.shape[0]):
        rep = np.uint64(reps[i])
        for s in range(nb):
            r0, r1, r2, r3 = philox4x64(step, np.uint64(s), purpose, 0, seed, rep)
            j = 4 * s
            out[i, j] = u64_to_unit(r0)
            if j + 1 < k:
                out[i, j + 1] = u64_to_unit(r1)
            if j + 2 < k:
                out[i, j + 2] = u64_to_unit(r2)
            if j + 3 < k:
                out[i, j + 3] = u64_to_unit(r3)


@njit(**PJIT)
def _normals(seed, reps, purpose, step, k, out):
    nb = (k + 3) // 4
    for i in prange(reps.shape[0]):
        rep = np.uint64(reps[i])
        for s in range(nb):
            r0, r1, r2, r3 = philox4x64(step, np.uint64(s), purpose, 0, seed, rep)
            z0, z1 = box_muller(u64_to_open(r0), u64_to_unit(r1))
            z2, z3 = box_muller(u64_to_open(r2), u64_to_unit(r3))
            j = 4 * s
            out[i, j] = z0
            if j + 1 < k:
                out[i, j + 1] = z1
            if j + 2 < k:
                out[i, j + 2] = z2
            if j + 3 < k:
                out[i, j + 3] = z3


def _check_common(seed, reps, purpose, step, k):
    n = V.n_rows("reps", reps)
    return (V.u64("seed", seed), V.i64("reps", reps, n), V.u64("purpose", purpose),
            V.u64("step", step), V.count("k", k), n)


def uniforms(seed, reps, purpose, step, k):
    """float64[n, k] uniforms in [0, 1).

    Row i: key (seed, reps[i]); value j is word j % 4 of the block at counter
    (step, j // 4, purpose, 0), converted with ``u64_to_unit``.
    """
    seed, reps, purpose, step, k, n = _check_common(seed, reps, purpose, step, k)
    out = np.empty((n, k), dtype=np.float64)
    if n and k:
        with threads_for(n):
            _uniforms(seed, reps, purpose, step, k, out)
    return out


def normals(seed, reps, purpose, step, k):
    """float64[n, k] standard normals by Box-Muller over the ``uniforms`` layout.

    Block s = j // 4 gives normals 4s..4s+3: words (r0, r1) -> (z0, z1) and
    (r2, r3) -> (z2, z3), where the first word of a pair is the open uniform
    (radius, via log) and the second the [0,1) uniform (angle): z0 = R cos,
    z1 = R sin.  Column j therefore does not depend on k.
    """
    seed, reps, purpose, step, k, n = _check_common(seed, reps, purpose, step, k)
    out = np.empty((n, k), dtype=np.float64)
    if n and k:
        with threads_for(n):
            _normals(seed, reps, purpose, step, k, out)
    return out
