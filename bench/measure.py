"""In-process measurements: kernel throughput and end-to-end replications/s, each against its peers.

Peers (bench/peers/): the kernel against numpy_peer and rng_limit; the duel end to end
against naive (one SimPy environment per replication, plain Python), vectorised (numpy
across replications) and limit (the engine's kernel calls alone); taiwan_strait against
the per-replication engine (R = 1) and limit.

Each pair (or trio) is timed in the same process, interleaved (A, B, A, B, ...),
and the best of k repeats is kept: on a shared, noisy machine the minimum is the
run least disturbed by others, and interleaving exposes both sides to the same
drift.  Only ratios are meant to be compared across machines.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time

import numpy as np
import simpy

from wargame import kernels
from wargame.kernels import streams

from wargame.bench.peers import limit
from wargame.bench.peers import naive
from wargame.bench.peers import numpy_peer
from wargame.bench.peers import rng_limit
from wargame.bench.peers import vectorised


def interleaved(fns: dict, k: int, warm: bool = True) -> dict:
    """Best wall time (s) of each callable over k interleaved rounds, after one warm-up call each."""
    for fn in fns.values() if warm else ():
        fn()  # compile, fill caches, fault in pages: none of that is what we compare
    best = {name: float("inf") for name in fns}
    for _ in range(k):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t0)
    return best


# ---------------------------------------------------------------- kernel throughput
def engagements(n: int, seed: int):
    """n square-law engagements: strengths 1e3..1e5, lethality 0.01/day (losses in the normal-binomial regime)."""
    rng = np.random.default_rng(seed)
    return rng.uniform(1e3, 1e5, n), rng.uniform(1e3, 1e5, n)


def kernel_throughput(n: int, days: int, k: int, seed: int) -> dict:
    """Front-days/s of the stochastic lanchester_step, the numpy peer and the RNG limit."""
    x0, y0 = engagements(n, seed)
    reps = np.arange(n, dtype=np.int64)
    slots = np.zeros(n, dtype=np.int64)
    a = b = 0.01
    dt = 1.0

    def kernel():
        x, y = x0, y0
        for d in range(days):  # one call per simulated day, as engine/crisis/combat.py makes them
            x, y = kernels.lanchester_step(x, y, a=a, b=b, p=0.0, q=1.0, rx=0.0, ry=0.0, dt=dt, stochastic=True,
                                           seed=seed, reps=reps, slots=slots, step=d, purpose=streams.GROUND)
        return x, y

    def numpy():
        return numpy_peer.run(x0, y0, a, b, dt, days, seed)

    # The variates the kernel draws on day one: Binomial(round(x), expected loss / round(x)).
    x1, y1 = kernels.lanchester_step(x0, y0, a=a, b=b, p=0.0, q=1.0, rx=0.0, ry=0.0, dt=dt)
    nx, ny = np.floor(x0 + 0.5), np.floor(y0 + 0.5)
    px, py = np.clip((x0 - x1) / np.maximum(nx, 1.0), 0, 1), np.clip((y0 - y1) / np.maximum(ny, 1.0), 0, 1)

    def limit():
        return rng_limit.run(reps, slots, days, seed, streams.GROUND, nx, px, ny, py)

    best = interleaved({"kernel": kernel, "numpy": numpy, "rng_limit": limit}, k)
    rate = {name: n * days / s for name, s in best.items()}
    xk, yk = kernel()
    xn, yn = numpy()
    return {"n": n, "days": days, "repeats": k, "seconds": best, "front_days_per_s": rate,
            # same model, different streams: the means agree to sampling error (a sanity check, not a test)
            "mean_final": {"kernel": [float(xk.mean()), float(yk.mean())],
                           "numpy": [float(xn.mean()), float(yn.mean())]}}


# ---------------------------------------------------------------- end to end
@contextlib.contextmanager
def count_simpy_events():
    """Count Environment.step calls (one per processed SimPy event) inside the block."""
    box = {"events": 0}
    orig = simpy.Environment.step

    def step(env):
        box["events"] += 1
        return orig(env)

    simpy.Environment.step = step
    try:
        yield box
    finally:
        simpy.Environment.step = orig


def _engine(loaded, runs: int, seed: int, tmp: str | None = None, batch_size: int | None = None):
    """A callable running ``runs`` replications end to end: into memory (concatenated), or an HDF5 file in ``tmp``.

    ``batch_size`` None: the batches a user gets by default (grown from their cost, execution/batching.py).
    """
    from wargame import kinds
    from wargame.execution import results, store

    box = {}

    def go():
        if tmp is None:
            sink = results.MemoryResults()
        else:
            sink = store.HDF5Store(os.path.join(tmp, "out.h5"))
        box["stats"] = kinds.run(loaded, runs, seed=seed, sink=sink, batch_size=batch_size)
        if tmp is None:
            box["results"] = sink.read()
        else:
            sink.finish({"seconds": box["stats"].seconds})
    return go, box


@contextlib.contextmanager
def compiled_clock():
    """Time every call from Python into compiled kernel code (numba dispatchers) inside the block.

    The engine's KernelClock times each kernel call from the engine's side, which includes
    the kernels' Python wrappers (argument checks, broadcasting, thread dispatch); this
    times only the compiled functions those wrappers call. It swaps each dispatcher
    attribute of the kernel modules for a timing wrapper (the wrappers look them up by
    name at call time; compiled callers are bound at compile time and untouched) and
    restores them after. The wrapper's own cost (~0.3 us a call) is counted outside.
    """
    import importlib
    import pkgutil

    from numba.core.registry import CPUDispatcher

    from wargame import kernels as pkg

    box = {"seconds": 0.0, "calls": 0}
    saved = []

    def timed(fn):
        def call(*args, **kw):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kw)
            finally:
                box["seconds"] += time.perf_counter() - t0
                box["calls"] += 1
        return call

    for info in pkgutil.iter_modules(pkg.__path__):
        mod = importlib.import_module(f"{pkg.__name__}.{info.name}")
        for name, v in list(vars(mod).items()):
            if isinstance(v, CPUDispatcher):
                saved.append((mod, name, v))
                setattr(mod, name, timed(v))
    try:
        yield box
    finally:
        for mod, name, v in saved:
            setattr(mod, name, v)


def kernel_shares(loaded, runs: int, seed: int, batch_size=None) -> dict:
    """Share of a batch run's wall time in kernel calls (with their Python wrappers) and in compiled code.

    ``batch_size``: a number, or the sizes a run used (``RunStats.batch_sizes``); None: DEFAULT_BATCH.
    """
    from wargame.crisis.combat import KernelClock
    from wargame.crisis.events import attach, run_batch
    from wargame.crisis.world import World
    from wargame.execution import runner

    run_batch(World(loaded.scenario, seed, np.arange(min(runs, 64))), KernelClock())  # loads every kernel used
    # The worlds are built and their mechanisms attached before the timed span: attaching
    # draws per-replication parameters with compiled Philox kernels that no KernelClock
    # times, and counted in one figure but not the other they made "compiled" exceed
    # "calls" on a short run (seen in CI). Both figures now cover the same kernel calls.
    worlds = [attach(World(loaded.scenario, seed, np.arange(a, b)))
              for a, b in limit.batches(runs, batch_size or runner.DEFAULT_BATCH)]
    clock = KernelClock()
    with compiled_clock() as comp:
        t0 = time.perf_counter()
        for w in worlds:
            run_batch(w, clock)
        wall = time.perf_counter() - t0
    return {"calls": clock.seconds / wall, "compiled": comp["seconds"] / wall, "wall_s": wall}


def duel(config: str, engine_runs: int, naive_runs: int, k: int, seed: int) -> dict:
    """Replications/s of the engine (to memory, to HDF5) against the vectorised, naive and limit peers."""
    from wargame.model import scenario

    loaded = scenario.load(config)
    p = naive.duel_params(config)
    with tempfile.TemporaryDirectory(prefix="bench-duel-") as tmp:
        memory, box = _engine(loaded, engine_runs, seed)
        hdf5, _ = _engine(loaded, engine_runs, seed, tmp)
        memory()  # the batch sizes the engine grows to, for the limit peer and the shares
        sizes = box["stats"].batch_sizes
        calls = limit.record(loaded, engine_runs, seed, sizes)
        vec_file = os.path.join(tmp, "vectorised.h5")
        fns = {"engine": memory, "engine_hdf5": hdf5,
               "vectorised": lambda: vectorised.run(p, engine_runs, seed),
               "vectorised_hdf5": lambda: vectorised.save(vectorised.run(p, engine_runs, seed), vec_file),
               "naive": lambda: naive.run(p, naive_runs, seed),
               "limit": lambda: limit.replay(calls)}
        best = interleaved(fns, k)
    runs = {name: naive_runs if name == "naive" else engine_runs for name in fns}
    stats = box["stats"]
    return {"config": config, "engine_runs": engine_runs, "naive_runs": naive_runs, "repeats": k,
            "seconds": best, "reps_per_s": {name: runs[name] / s for name, s in best.items()},
            "front_days": limit.front_days(calls), "kernel_calls": len(calls),
            "kernel_share": stats.kernel_seconds / stats.seconds if stats.seconds > 0 else float("nan"),
            "kernel_shares": kernel_shares(loaded, engine_runs, seed, sizes), "batch_sizes": sizes}


def taiwan(config: str, engine_runs: int, naive_runs: int, k: int, seed: int) -> dict:
    """Replications/s of the engine (to memory) against the per-replication engine and the limit peer."""
    from wargame.model import scenario

    loaded = scenario.load(config)
    memory, box = _engine(loaded, engine_runs, seed)
    per_rep, _ = _engine(loaded, naive_runs, seed, batch_size=1)  # World with R = 1: one environment each
    # The untimed warm-up runs double as the event counts (the counting wrapper costs ~1 us an event).
    with count_simpy_events() as ev:
        memory()
    with count_simpy_events() as ev1:
        per_rep()
    sizes = box["stats"].batch_sizes  # the batch sizes the engine grew to, for the limit peer and the shares
    calls = limit.record(loaded, engine_runs, seed, sizes)
    best = interleaved({"engine": memory, "per_replication": per_rep, "limit": lambda: limit.replay(calls)}, k,
                       warm=False)
    stats = box["stats"]
    runs = {"engine": engine_runs, "per_replication": naive_runs, "limit": engine_runs}
    batches = len(sizes)
    return {"config": config, "engine_runs": engine_runs, "naive_runs": naive_runs, "repeats": k,
            "seconds": best, "reps_per_s": {name: runs[name] / s for name, s in best.items()},
            "front_days": limit.front_days(calls), "kernel_calls": len(calls),
            # the engine's own clock around each kernel call, over the run's whole time (last timed run)
            "kernel_share": stats.kernel_seconds / stats.seconds if stats.seconds > 0 else float("nan"),
            "kernel_shares": kernel_shares(loaded, engine_runs, seed, sizes),
            "simpy_events": {"engine_per_batch": ev["events"] / batches,
                             "engine_per_replication": ev["events"] / engine_runs,
                             "one_env_per_replication": ev1["events"] / naive_runs,
                             "batch_sizes": sizes},
            "log_events_per_replication": stats.events / engine_runs}
