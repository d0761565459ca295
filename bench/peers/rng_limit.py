"""The RNG limit: a bare prange loop that draws the kernel's variates and nothing else.

For each engagement and day it draws what the stochastic ``lanchester_step``
draws: the same Philox block (key (seed, rep), counter (step, slot, purpose, 0))
turned into the same two binomial loss variates (``kernels.variates.binomial``),
with the counts and probabilities fixed in advance. It stores their sum so the
compiler cannot drop the draws. It does no attrition arithmetic, no argument
checks and no per-call allocation: the cost of the random variates alone on this
hardware, which the kernel can approach but not beat.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from wargame.kernels.config import PJIT
from wargame.kernels.philox import block_open
from wargame.kernels.variates import binomial


@njit(**PJIT)
def _draw(seed, reps, slots, step, purpose, nx, px, ny, py, out):
    for i in prange(reps.shape[0]):
        u0, u1, u2, u3 = block_open(seed, np.uint64(reps[i]), step, np.uint64(slots[i]), purpose, np.uint64(0))
        out[i] = binomial(nx[i], px[i], u0, u1) + binomial(ny[i], py[i], u2, u3)


def run(reps, slots, days: int, seed: int, purpose: int, nx, px, ny, py):
    """Draw ``days`` steps of the two loss variates per engagement; returns the last step's sums."""
    out = np.empty(reps.shape[0])
    for d in range(days):
        _draw(np.uint64(seed), reps, slots, np.uint64(d), np.uint64(purpose), nx, px, ny, py, out)
    return out
