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

GIB = 1024**3


def _child_json(cmd: list[str], env: dict | None = None, timeout: float = 3600) -> dict:
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}: {p.stderr.strip()[-500:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def compile_times() -> dict:
    """Seconds to import kernels and call each public kernel once: cold (empty cache), then warm."""
    with tempfile.TemporaryDirectory(prefix="bench-numba-") as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        cmd = [sys.executable, "-m", "wargame.bench.compile_child"]
        cold = _child_json(cmd, env)["seconds"]
        warm = _child_json(cmd, env)["seconds"]
    return {"cold_s": cold, "warm_s": warm}


def _cli_run(config: str, runs: int, out: str) -> list[str]:
    # `python -m wargame` is what the `wargame` script runs, without depending on PATH.
    return [sys.executable, "-m", "wargame", "run", config, "--runs", str(runs), "--quiet", "--out", out]


def peak_rss(config: str, runs: int) -> dict:
    """Peak RSS (bytes) of `wargame run CONFIG --runs N --quiet` in a fresh child, via bench.rss_child."""
    with tempfile.TemporaryDirectory(prefix="bench-rss-") as tmp:
        r = _child_json([sys.executable, "-m", "wargame.bench.rss_child", *_cli_run(config, runs, f"{tmp}/out.h5")])
    if r["returncode"] != 0:
        raise RuntimeError(f"wargame run --runs {runs} exited {r['returncode']}: {r['stderr'][-500:]}")
    return {"runs": runs, "bytes": r["maxrss_bytes"], "seconds": r["seconds"]}


def _replications_written(path: str) -> int:
    """The results file's ``replications_written`` attribute; 0 while it is not there or not readable yet."""
    import h5py

    try:
        with h5py.File(path, "r") as f:
            return int(f.attrs.get("replications_written", 0))
    except (OSError, KeyError):  # not created yet, or being replaced (the writer renames atomically)
        return 0


def time_to_first_result(config: str, runs: int, repeats: int = 3, poll: float = 0.01) -> dict:
    """Seconds from starting a warm `wargame run` of ``runs`` replications until its file holds results.

    After one untimed run (every cache warm, see below), the child is started
    ``repeats`` times and each time its output file is polled every ``poll`` seconds
    for a non-zero ``replications_written`` (the writer replaces the file atomically
    after each finished batch, so a poll sees the old or the new index, never half of
    one). The best start is reported, as the in-process measurements keep the best
    of k: on a shared machine it is the start least disturbed by others; every try
    is kept too. The first batch is small (engine.runner.FIRST_BATCH), so this comes
    well before the end of the run, which is reported too (interpreter start,
    imports and cached-kernel loading are in both).
    """
    tries = []
    with tempfile.TemporaryDirectory(prefix="bench-ttfr-") as tmp:
        out = f"{tmp}/out.h5"
        cmd = _cli_run(config, runs, out)
        # Warm means every cache a user's second run finds: numba's, the OS page cache, and
        # Python's bytecode. Machines that set PYTHONDONTWRITEBYTECODE (CI images do) would
        # otherwise recompile every module from source on each start (measured: +0.4 s), so
        # the bytecode goes to a private cache directory instead (PYTHONPYCACHEPREFIX).
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = f"{tmp}/pycache"
        subprocess.run(cmd, env=env, capture_output=True, check=True)  # the warm-up run
        for _ in range(repeats):
            os.unlink(out)
            tries.append(_first_result(cmd, env, out, poll))
    best = min(tries, key=lambda t: t[0])
    return {"runs": runs, "seconds": best[0], "whole_run_seconds": best[1], "how": best[2],
            "tries_seconds": [t[0] for t in tries]}


def _first_result(cmd: list[str], env: dict, out: str, poll: float) -> tuple[float, float, str]:
    """(seconds to the first results in ``out``, seconds to the end, how the first was seen) of one run."""
    first = None
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    while p.poll() is None and first is None:
        if os.path.exists(out) and _replications_written(out) > 0:
            first = time.perf_counter() - t0
        else:
            time.sleep(poll)
    err = p.communicate()[1]
    whole = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f"wargame run exited {p.returncode}: {err.strip()[-500:]}")
    return (whole, whole, "end of run") if first is None else (first, whole, "first batch in the file")
