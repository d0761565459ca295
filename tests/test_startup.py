"""Process start-up (kernels/_startup.py): the CLI loads numba without importing SciPy's
linear algebra, and numba's own linear algebra still works in that process."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Runs the real CLI entry point in a fresh interpreter, then reports what that process holds.
CHILD = """
import json, sys
import numpy as np
from engine.cli import main
rc = main(["run", "configs/duel.toml", "--runs", "4", "--quiet", "--out", sys.argv[1]])
linalg_after_run = "scipy.linalg" in sys.modules
from numba.np import arraymath
from kernels._startup import skip_blas_probe
again = skip_blas_probe()  # arraymath is loaded now: nothing left to do
from numba import njit
a = np.arange(6.0).reshape(2, 3)
b = np.arange(12.0).reshape(3, 4)
dot = njit(lambda x, y: np.dot(x, y))(a, b)  # numba's BLAS path: asks for SciPy itself
conv = njit(lambda x, y: np.convolve(x, y))(np.arange(5.0), np.ones(3))  # its own loop now
print(json.dumps({"rc": rc, "linalg_after_run": linalg_after_run, "have_blas": arraymath._HAVE_BLAS,
                  "again": again, "dot_ok": bool(np.array_equal(dot, a @ b)),
                  "conv_ok": bool(np.array_equal(conv, np.convolve(np.arange(5.0), np.ones(3))))}))
"""


@pytest.mark.skipif(importlib.util.find_spec("scipy") is None,
                    reason="without SciPy installed numba's BLAS probe is cheap and there is nothing to skip")
def test_cli_start_skips_the_scipy_probe_and_numba_linear_algebra_still_works(tmp_path):
    p = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path / "out.h5")], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    r = json.loads(p.stdout.strip().splitlines()[-1])
    assert r["rc"] == 0
    assert r["linalg_after_run"] is False  # a whole run without importing scipy.linalg
    assert r["have_blas"] is False  # the probe was answered at start-up
    assert r["again"] is False
    assert r["dot_ok"] and r["conv_ok"]


def test_probe_is_left_alone_once_numba_loaded_its_target():
    # In this (test) process some kernel has usually run already; make sure one has.
    import numpy as np

    import kernels
    from kernels._startup import skip_blas_probe

    kernels.philox.uniforms(1, np.arange(2), 1, 0, 4)
    assert "numba.np.arraymath" in sys.modules
    from numba.np import arraymath, linalg

    before = arraymath._HAVE_BLAS
    assert skip_blas_probe() is False
    assert arraymath._HAVE_BLAS == before
    assert linalg.ensure_blas.__module__ == "numba.np.linalg"  # the real function, untouched
