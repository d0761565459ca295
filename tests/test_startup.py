"""Process start-up: the CLI loads numba without importing SciPy's linear algebra
(kernels/_startup.py) and numba's own linear algebra still works in that process; the
kernels' numba cache is keyed by their sources whatever the import order (kernels/__init__.py);
the parent's warm-up loads every kernel signature a worker's batch will use (engine/execution/runner.py)."""

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
from wargame.cli.main import main
rc = main(["run", "configs/duel.toml", "--runs", "4", "--quiet", "--out", sys.argv[1]])
linalg_after_run = "scipy.linalg" in sys.modules
from numba.np import arraymath
from wargame.kernels._startup import skip_blas_probe
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

    from wargame import kernels
    from wargame.kernels._startup import skip_blas_probe

    kernels.philox.uniforms(1, np.arange(2), 1, 0, 4)
    assert "numba.np.arraymath" in sys.modules
    from numba.np import arraymath, linalg

    before = arraymath._HAVE_BLAS
    assert skip_blas_probe() is False
    assert arraymath._HAVE_BLAS == before
    assert linalg.ensure_blas.__module__ == "numba.np.linalg"  # the real function, untouched


def test_kernel_cache_is_keyed_by_the_sources_even_when_numba_was_imported_first(tmp_path):
    # numba reads NUMBA_CACHE_DIR once, when it is imported. A program that imports numba
    # before the kernels must still get the source-keyed directory (kernels/__init__.py),
    # not __pycache__ beside each file, where a changed callee leaves stale machine code.
    code = ("import numba, json\n"
            "from wargame import kernels\n"
            "from wargame.kernels import lanchester\n"
            "from wargame.bench.peers import rng_limit\n"
            "print(json.dumps([kernels._cache_dir(), lanchester._step_shared._cache._cache_path,"
            " rng_limit._draw._cache._cache_path]))")
    env = {k: v for k, v in __import__("os").environ.items() if k != "NUMBA_CACHE_DIR"}
    env["XDG_CACHE_HOME"] = str(tmp_path)
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, p.stderr
    want, kernel_path, peer_path = json.loads(p.stdout.strip().splitlines()[-1])
    assert want.startswith(str(tmp_path))
    assert kernel_path.startswith(want) and peer_path.startswith(want)


WARM_CHILD = """
import json, sys
import numba.core.registry as reg
from wargame import kinds
from wargame.kernels import guerrilla, lanchester, modifiers, philox, salvo, variates, _validate
from wargame.execution import executors, runner
from wargame.model import scenario

def signatures():
    out = {}
    for mod in (guerrilla, lanchester, modifiers, philox, salvo, variates, _validate):
        for name, obj in vars(mod).items():
            if isinstance(obj, reg.CPUDispatcher):
                out[f"{mod.__name__}.{name}"] = sorted(map(str, obj.signatures))
    return out

loaded = scenario.load(sys.argv[1])
kinds.warm_up(loaded)
before = signatures()
task = next(runner.tasks_for(loaded, [(0, 300)], 1, 300, {}, False, kinds.of(loaded).batch))
executors.run_task({**task, "single_thread": True})  # what a worker runs
after = signatures()
print(json.dumps({k: v for k, v in after.items() if v != before.get(k)}))
"""


@pytest.mark.parametrize("config", ["configs/taiwan_strait.toml", "configs/afghanistan_2021.toml",
                                    "configs/iran_israel_2024.toml"])
def test_warm_up_loads_every_kernel_a_batch_uses(config):
    # The parent warms the kernels before workers start so that workers only load the
    # cache; a kernel signature first met in a real batch would be compiled by every
    # worker at once on a cold cache.
    p = subprocess.run([sys.executable, "-c", WARM_CHILD, config], cwd=ROOT, capture_output=True, text=True,
                       timeout=600)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout.strip().splitlines()[-1]) == {}
