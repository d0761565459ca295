"""Monte Carlo driver: splits the replications into batches, runs them on an executor,
and streams each batch to the writer in replication order.

Replication i of a run with seed s draws only from streams keyed (s, i), so the
results depend neither on the batch size nor on where a batch ran: batches are a
memory and latency choice. With several workers, ``kernel_seconds`` sums the
workers' kernel time, so compare it with ``seconds`` x workers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field


from wargame.execution.batching import DEFAULT_BATCH, Sizes, nbytes
from wargame.execution.executors import InProcess, run_task
from wargame.execution.results import run_attrs

DEFAULT_SEED = 20261124
__all__ = ["DEFAULT_BATCH", "DEFAULT_SEED", "FIRST_BATCH", "RunStats", "run", "tasks_for", "warm_up"]


@dataclass
class RunStats:
    runs: int = 0
    seconds: float = 0.0
    kernel_seconds: float = 0.0
    kernel_calls: int = 0
    batch_seconds: float = 0.0  # simulation time summed over batches (whichever process ran them)
    kernel_first_seconds: float = 0.0  # kernels' first calls in each process: loading or compiling them
    batches: int = 0
    batch_sizes: list = field(default_factory=list)  # replications in each batch, in order
    events: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def runs_per_second(self) -> float:
        return self.runs / self.seconds if self.seconds > 0 else float("nan")


FIRST_BATCH = 64  # the first results reach the file after a small batch, not a full one


def tasks_for(loaded, ranges, seed, batch_size, doctrines, timeseries, batch, first: int | None = None):
    """Picklable batch tasks covering the replication ranges, batch_size at a time.

    ``batch_size`` is a number, or a callable giving each next batch's size
    (``batching.Sizes``). ``batch`` is the scenario kind's top-level batch function
    (``Kind.batch``). ``first`` makes the very first batch that small (results do not
    depend on batch boundaries, so this only changes how soon the first results are on disk).
    """
    nxt = batch_size if callable(batch_size) else (lambda: batch_size)
    size = first or nxt()
    for a, b in ranges:
        s = a
        while s < b:
            yield {"batch": batch, "text": loaded.text, "path": loaded.path,
                   "overrides": [list(o) for o in loaded.overrides], "seed": int(seed), "start": s,
                   "stop": min(s + size, b), "doctrines": doctrines, "timeseries": timeseries}
            s, size = min(s + size, b), nxt()


def kernels_cached() -> bool:
    """Whether numba's cache already holds compiled kernels (then workers just load them)."""
    import os
    from pathlib import Path

    d = os.environ.get("NUMBA_CACHE_DIR")
    return bool(d) and any(Path(d).rglob("*.nbi"))


def warm_up(loaded, batch, doctrines=None) -> float:
    """Compile (or load from numba's cache) every kernel the scenario uses, before workers start."""
    t0 = time.perf_counter()
    # Two replications, not one: with a single row every per-row parameter array has
    # length 1, and lanchester_step takes its shared-parameter path for those; two rows
    # reach the per-row path that real batches take (one replication left each worker
    # compiling it, about 9 s on a cold cache).
    run_task(next(tasks_for(loaded, [(0, 2)], 0, 2, dict(doctrines or {}), False, batch)))
    return time.perf_counter() - t0


def run(loaded, runs: int, *, batch, layout, seed: int = DEFAULT_SEED, sink=None, batch_size: int | None = None,
        doctrines: dict | None = None, timeseries: bool = False, progress=None, command: str = "",
        executor=None, resume_ranges=None, first_batch: int | None = None) -> RunStats:
    """Run ``runs`` replications of a loaded scenario into ``sink`` (a results writer).

    ``batch`` (task -> arrays, timing) and ``layout`` ((loaded, seed, doctrines) -> dict)
    come from the scenario's kind (``wargame.kinds``): the runner knows no model.

    ``resume_ranges`` lists the replication ranges still to run (for ``--resume``); the
    writer then already holds the others and is not re-created. ``first_batch`` makes
    the first batch that small, so its results are on disk sooner (the CLI uses it).
    ``batch_size`` None grows the batches from what they cost (``batching``); a number fixes it.
    """
    if runs < 1:
        raise ValueError(f"runs ({runs}) must be >= 1")
    if batch_size is not None and batch_size < 1:
        raise ValueError(f"batch_size ({batch_size}) must be >= 1")
    doctrines = dict(doctrines or {})
    ranges = [(0, runs)] if resume_ranges is None else list(resume_ranges)
    todo = sum(b - a for a, b in ranges)
    if sink is not None and resume_ranges is None:
        sink.create(run_attrs(loaded, seed, runs, doctrines, command, batch_size or 0, timeseries),
                    layout(loaded, seed, doctrines))
    own = executor is None
    executor = executor or InProcess()
    stats = RunStats()
    t0 = time.perf_counter()
    first_size = min(first_batch, batch_size or first_batch) if first_batch else None
    sizes = Sizes(batch_size, todo - (first_size or 0), lambda: executor.workers)
    tasks = tasks_for(loaded, ranges, seed, sizes, doctrines, timeseries, batch, first=first_size)
    first = next(tasks, None)  # runs here while any workers start (it also loads the kernels)
    try:
        for batch, timing in executor.map(tasks, first=first, todo=todo) if first is not None else ():
            if sink is not None:
                sink.append(batch)
            if sizes.auto:
                sizes.observe(batch["reps"].size, timing["batch_seconds"] - timing.get("kernel_first_seconds", 0.0),
                              nbytes(batch))
            stats.events += batch["events"].size
            stats.kernel_seconds += timing["kernel_seconds"]
            stats.kernel_calls += timing["kernel_calls"]
            stats.batch_seconds += timing["batch_seconds"]
            stats.kernel_first_seconds += timing.get("kernel_first_seconds", 0.0)
            stats.batches += 1
            stats.batch_sizes.append(int(batch["reps"].size))
            stats.runs += batch["reps"].size
            if progress is not None:
                progress(stats.runs, todo)
    finally:
        if own:
            executor.close()
    stats.seconds = time.perf_counter() - t0
    stats.extra = {"executor": executor.name, "workers": executor.workers}  # where it ran (Auto decides mid-run)
    return stats
