"""Process start-up: load numba's CPU target without importing SciPy.

The first kernel a process calls (compiled or loaded from the cache) makes numba
import its whole CPU target, including ``numba.np.arraymath``. That module asks at
import time whether a BLAS is available, by importing ``scipy.linalg``. When SciPy
is installed that import alone took 0.25-0.45 s on our 2-core machines, about a
quarter of a warm ``wargame run``'s time to its first result, for an answer no
kernel here uses: none calls numba's linear algebra. The probe's only user is
numba's ``np.convolve``/``np.correlate``, which then uses its own loop instead of
BLAS. numba's linear algebra (``np.dot`` and ``np.linalg``) is unaffected: it asks
again, through the real function, when it is compiled.

``skip_blas_probe`` is called by the processes wargame starts (the CLI and its
workers), never on ``import kernels``: a program that imports the kernels as a
library keeps numba exactly as it is.
"""

import sys


def skip_blas_probe() -> bool:
    """Import numba.np.arraymath with its BLAS probe answered 'absent'; True when done here.

    Does nothing (returns False) when arraymath is already imported, or when this
    numba lays its modules out differently: then the probe runs as usual, slower
    but correct.
    """
    if "numba.np.arraymath" in sys.modules:
        return False
    try:
        from numba.np import linalg
        real = linalg.ensure_blas
    except (ImportError, AttributeError):
        return False

    def absent():
        raise ImportError("BLAS probe skipped at start-up (kernels._startup)")

    linalg.ensure_blas = absent
    try:
        from numba.np import arraymath  # its _check_blas() runs now, against `absent`
    finally:
        linalg.ensure_blas = real
    arraymath.ensure_blas = real  # the name it imported: put the real one back for any later caller
    return True
