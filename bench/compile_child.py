"""Child process for the compile-time figure: import kernels and call each public kernel once.

Run as ``python -m wargame.bench.compile_child`` with NUMBA_CACHE_DIR pointing at an empty
directory (cold: everything compiles) or at one a previous run filled (warm: numba
loads the cached machine code).  Prints one JSON line: {"seconds": ...}, the time
from before ``import kernels`` to the end of the last call.
"""

import json
import time

t0 = time.perf_counter()
import numpy as np  # noqa: E402

from wargame import kernels  # noqa: E402


def call_each() -> None:
    n = 4
    x = np.full(n, 100.0)
    reps = np.arange(n, dtype=np.int64)
    kernels.uniforms(1, reps, 1, 0, 5)
    kernels.normals(1, reps, 1, 0, 5)
    kernels.lanchester_step(x, x, 0.01, 0.01, 0.0, 1.0, 0.0, 0.0, 1.0)
    kernels.lanchester_step(x, x, 0.01, 0.01, 0.0, 1.0, 0.0, 0.0, 1.0, True, 1, reps, reps, 0, 2)
    kernels.salvo_step(x, x, 2.0, 2.0, 1.0, 1.0, 1.0, 1.0)
    kernels.salvo_step(x, x, 2.0, 2.0, 1.0, 1.0, 1.0, 1.0, True, 1, reps, reps, 0, 4)
    kernels.front_modifiers(np.zeros(n, dtype=np.int64), 1.0, np.zeros(n, dtype=bool), 3.0, 0.5, 0.5, 0.5, 0.5)
    kernels.advance(x, 3.0, 10.0, 1.0)
    kernels.attack_factor(0, 1.0, False, 3.0, 0.5, 0.5, 0.5, 0.5)
    kernels.control_share(1.0, 2.0, 2.0)
    kernels.advance_km(4.0, 3.0, 10.0, 1.0)
    kernels.binomial(100.0, 0.3, 0.5, 0.5)
    kernels.poisson(3.0, 0.5, 0.5)
    kernels.philox4x64(0, 0, 0, 0, 1, 2)


if __name__ == "__main__":
    call_each()
    print(json.dumps({"seconds": time.perf_counter() - t0}))
