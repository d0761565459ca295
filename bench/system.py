"""Subprocess measurements: numba compile time, peak RSS of `wargame run`, time to first result.

Each runs in a fresh child so that its figure is not polluted by this process's
imports, caches or allocations.  These are absolute figures, reported against
targets but never gated (the machine is shared).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path.cwd()  # the repository root, where configs/ is (the harness checks it is there)
GIB = 1024**3


def _child_json(cmd: list[str], env: dict | None = None, timeout: float = 3600) -> dict:
    p = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}: {p.stderr.strip()[-500:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def compile_times() -> dict:
    """Seconds to import kernels and call each public kernel once: cold (empty cache), then warm."""
    with tempfile.TemporaryDirectory(prefix="bench-numba-") as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        cmd = [sys.executable, "-m", "bench.compile_child"]
        cold = _child_json(cmd, env)["seconds"]
        warm = _child_json(cmd, env)["seconds"]
    return {"cold_s": cold, "warm_s": warm}


def _cli_run(config: str, runs: int, out: str) -> list[str]:
    # `python -m engine.cli` is what the `wargame` script runs, without depending on PATH.
    return [sys.executable, "-m", "engine.cli", "run", config, "--runs", str(runs), "--quiet", "--out", out]


def peak_rss(config: str, runs: int) -> dict:
    """Peak RSS (bytes) of `wargame run CONFIG --runs N --quiet` in a fresh child, via bench.rss_child."""
    with tempfile.TemporaryDirectory(prefix="bench-rss-") as tmp:
        r = _child_json([sys.executable, "-m", "bench.rss_child", *_cli_run(config, runs, f"{tmp}/out.h5")])
    if r["returncode"] != 0:
        raise RuntimeError(f"wargame run --runs {runs} exited {r['returncode']}: {r['stderr'][-500:]}")
    return {"runs": runs, "bytes": r["maxrss_bytes"], "seconds": r["seconds"]}


def time_to_first_result(config: str, runs: int) -> dict:
    """Wall time of a whole warm `wargame run` of ``runs`` replications (start of the child to its exit).

    With the default batch of 2,000 a run of 1,000 is one batch, so the first
    replications reach the file at the end of the run: the whole run *is* the
    time to first result (interpreter start, imports and cached-kernel loading included).
    """
    with tempfile.TemporaryDirectory(prefix="bench-ttfr-") as tmp:
        cmd = _cli_run(config, runs, f"{tmp}/out.h5")
        subprocess.run(cmd, cwd=ROOT, capture_output=True, check=True)  # warm: numba cache and OS page cache
        os.unlink(f"{tmp}/out.h5")
        t0 = time.perf_counter()
        p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f"wargame run exited {p.returncode}: {p.stderr.strip()[-500:]}")
    return {"runs": runs, "seconds": seconds, "how": "whole run"}
