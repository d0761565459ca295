"""numba compilation flags for every kernel -- the one place they are set.

JIT    -- scalar / serial kernels.
PJIT   -- batched kernels that loop over rows with ``prange``.
INLINE -- small per-row functions that hot loops call (random variates, one
          engagement's solution): numba inlines them into each caller.

Why these values:
* ``cache=True``: compiled machine code is reused across processes, so the
  engine and the test-suite do not pay the compile cost on every start.
* ``nogil=True``: kernels may be called from threads without holding the GIL.
* ``fastmath=False``: results must be bit-for-bit reproducible and equal to the
  plain-Python twins in ``tests/reference.py``; fast-math would allow
  reassociation / FMA contraction and break both.
* ``error_model="numpy"``: float division by zero gives inf/nan (as IEEE says)
  instead of raising; every kernel guards its divisions explicitly anyway, and
  this removes the per-division zero checks from the hot loops.
* ``inline="always"`` (INLINE only): numba compiles each @njit function on its
  own and calls it through its calling convention (arguments and result through
  memory, a status word checked after the call); LLVM does not inline callees
  the size of ``binomial``. Inlined, the caller's loop is optimised as one body:
  the stochastic attrition step went from 76 to 58 ns an engagement-day and the
  bench's RNG-limit loop from 62 to 46 ns (one thread). The same operations run
  in the same order, so results are the same bits.
"""

JIT = dict(cache=True, nogil=True, fastmath=False, error_model="numpy")
PJIT = dict(JIT, parallel=True)
INLINE = dict(JIT, inline="always")
