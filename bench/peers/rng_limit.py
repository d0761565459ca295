"""The RNG limit: a bare prange loop that draws the kernel's Philox blocks and nothing else.

For each engagement and day it draws the one block the stochastic
``lanchester_step`` draws (key (seed, rep), counter (step, slot, purpose, 0),
four open uniforms via kernels.philox.block_open) and stores their sum, so the
compiler cannot drop the draw.  No attrition, no binomial, no argument checks:
the cost of the random numbers alone on this hardware, which the kernel can
approach but not beat.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from kernels.config import PJIT
from kernels.philox import block_open


@njit(**PJIT)
def _draw(seed, reps, slots, step, purpose, out):
    for i in prange(reps.shape[0]):
        u0, u1, u2, u3 = block_open(seed, np.uint64(reps[i]), step, np.uint64(slots[i]), purpose, np.uint64(0))
        out[i] = u0 + u1 + u2 + u3


def run(reps, slots, days: int, seed: int, purpose: int):
    """Draw ``days`` steps of blocks for every engagement; returns the last step's sums."""
    out = np.empty(reps.shape[0])
    for d in range(days):
        _draw(np.uint64(seed), reps, slots, np.uint64(d), np.uint64(purpose), out)
    return out
