"""numba compilation flags for every kernel -- the one place they are set.

JIT  -- scalar / serial kernels.
PJIT -- batched kernels that loop over rows with ``prange``.

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
"""

JIT = dict(cache=True, nogil=True, fastmath=False, error_model="numpy")
PJIT = dict(JIT, parallel=True)
