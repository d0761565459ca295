"""The per-replication engine: the engine's own World and SimPy processes with R = 1 per environment.

For taiwan_strait, which nobody would rewrite by hand, this is the naive peer: the same
model, numba kernels and all, one replication per SimPy environment. What the engine
gains over it is what cohorts (one environment and one set of array operations for a
whole batch) buy, and nothing else.

With ``python=True`` the kernels the engine calls are swapped for their plain-Python
twins (``bench.peers.twins``, inside ``python_kernels()``): a correctness reference the
tests use, not a performance peer. Because every draw is keyed (seed, replication) and
the twins equal the kernels bit for bit, replication i gives the same bits here as
inside an engine batch (tests/test_bench.py). Parameter sampling (engine/model/sampling.py
imports ``normals``/``uniforms`` by name) keeps the numba streams either way.
"""

from __future__ import annotations

import contextlib
import time

import numpy as np

from wargame import kernels
from wargame.bench.peers import twins

# The kernels module attributes that engine/crisis/combat.py, engine/crisis/doctrines.py and
# engine/crisis/escalation.py look up at call time (``kernels.X(...)``).
PATCHED = ("lanchester_step", "salvo_step", "front_modifiers", "advance", "uniforms", "normals")


@contextlib.contextmanager
def python_kernels():
    """Within the block, the engine's kernel calls run the plain-Python twins."""
    saved = {name: getattr(kernels, name) for name in PATCHED}
    try:
        for name in PATCHED:
            setattr(kernels, name, getattr(twins, name))
        yield
    finally:
        for name, fn in saved.items():
            setattr(kernels, name, fn)


def run(loaded, runs: int, seed: int, first: int = 0, doctrines: dict | None = None, python: bool = False):
    """Replications first..first+runs-1, one environment each (``python``: with the plain-Python twins).

    Returns (seconds, per-replication outcome dict of arrays) for comparing with the engine.
    """
    from wargame.crisis.combat import KernelClock
    from wargame.crisis.events import run_batch
    from wargame.crisis.world import World

    out = {"outcome": [], "end_day": [], "lost": [], "position": []}
    clock = KernelClock()
    t0 = time.perf_counter()
    with python_kernels() if python else contextlib.nullcontext():
        for i in range(first, first + runs):
            w = World(loaded.scenario, seed, np.array([i], dtype=np.int64), doctrines)
            run_batch(w, clock)
            out["outcome"].append(w.outcome[0])
            out["end_day"].append(w.end_day[0])
            out["lost"].append(w.lost[0].copy())
            out["position"].append(w.position[0].copy())
    seconds = time.perf_counter() - t0
    return seconds, {k: np.array(v) for k, v in out.items()}


def engine_outcomes(loaded, runs: int, seed: int, first: int = 0, batch_size: int = 2000,
                    doctrines: dict | None = None):
    """The same per-replication figures from the engine's batched path (one World per batch)."""
    from wargame.crisis.combat import KernelClock
    from wargame.crisis.events import run_batch
    from wargame.crisis.world import World

    out = {"outcome": [], "end_day": [], "lost": [], "position": []}
    for b0 in range(first, first + runs, batch_size):
        reps = np.arange(b0, min(b0 + batch_size, first + runs), dtype=np.int64)
        w = World(loaded.scenario, seed, reps, doctrines)
        run_batch(w, KernelClock())
        for k in out:
            out[k].append(getattr(w, k).copy())
    return {k: np.concatenate(v) for k, v in out.items()}
