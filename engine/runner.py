"""Monte Carlo driver: splits the replications into batches, runs each, streams results out.

Replication i of a run with seed s draws only from streams keyed (s, i), so the
results do not depend on the batch size: batches are a memory and latency choice.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .combat import KernelClock
from .events import run_batch
from .results import collect, describe, run_attrs
from .world import World, side_sum

DEFAULT_SEED = 20261124
DEFAULT_BATCH = 2000


class TimeSeries:
    """Daily per-front series for a batch: attacker ground cp, defender ground cp, line position (km)."""

    def __init__(self, w: World):
        self.T = int(round(w.horizon / w.dt))
        self.data = np.full((w.R, self.T, w.F, 3), np.nan, dtype="<f4")

    def record(self, w: World, t: float):
        k = int(round(t / w.dt)) - 1
        if not 0 <= k < self.T:
            return
        g = w.front[:, :, :, 0]
        self.data[:, k, :, 0] = side_sum(g, w.side, 1) + side_sum(w.afloat, w.side, 1)
        self.data[:, k, :, 1] = side_sum(g, w.side, -1)
        self.data[:, k, :, 2] = w.position
        self.data[~w.at_war | (w.ended & (w.end_day < t)), k] = np.nan  # before the war, after its end


@dataclass
class RunStats:
    runs: int = 0
    seconds: float = 0.0
    kernel_seconds: float = 0.0
    kernel_calls: int = 0
    batches: int = 0
    events: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def runs_per_second(self) -> float:
        return self.runs / self.seconds if self.seconds > 0 else float("nan")


def run(loaded, runs: int, seed: int = DEFAULT_SEED, sink=None, batch_size: int = DEFAULT_BATCH,
        doctrines: dict | None = None, timeseries: bool = False, progress=None, command: str = "") -> RunStats:
    """Run ``runs`` replications of a loaded scenario into ``sink`` (a results writer)."""
    if runs < 1:
        raise ValueError(f"runs ({runs}) must be >= 1")
    if batch_size < 1:
        raise ValueError(f"batch_size ({batch_size}) must be >= 1")
    doctrines = dict(doctrines or {})
    clock = KernelClock()
    stats = RunStats()
    t0 = time.perf_counter()
    for b0 in range(0, runs, batch_size):
        reps = np.arange(b0, min(b0 + batch_size, runs), dtype=np.int64)
        w = World(loaded.scenario, seed, reps, doctrines)
        if b0 == 0 and sink is not None:
            sink.grow(run_attrs(loaded, seed, runs, doctrines, command), describe(w))
        ts = TimeSeries(w) if timeseries else None
        log = run_batch(w, clock, ts)
        batch = collect(w, log, ts)
        stats.events += batch["events"].size
        if sink is not None:
            sink.append(batch)
        stats.batches += 1
        stats.runs += reps.size
        if progress is not None:
            progress(stats.runs, runs)
    stats.seconds = time.perf_counter() - t0
    stats.kernel_seconds, stats.kernel_calls = clock.seconds, clock.calls
    return stats
