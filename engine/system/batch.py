"""One system batch as a task: what an executor runs, in this process, a worker or on Dask.

The task has the crisis kind's form (scenario text and overrides, seed, replication
range), so the runner, every executor, the crash-safe store and ``--resume`` serve the
system kind unchanged. A batch of 2,000 replications of a 10-state system over 200
years takes seconds (docs/system.md).
"""

from __future__ import annotations

import time

import numpy as np

from wargame.execution import finite
from wargame.model import scenario
from wargame.system.columns import collect, describe
from wargame.system.events import run_batch
from wargame.system.world import SystemWorld

# Where NaN means "did not happen" (finite.check); every other floating column must be finite.
FINITE_RULES = {
    "replications/mean_war_size": lambda b: b["replications"]["war_sizes"].sum(axis=1) == 0,  # no war
    "states/death_year": lambda b: b["states"]["survived"],  # a survivor has no death year
}


def run_task(task: dict) -> tuple[dict, dict]:
    """Run one batch; returns (batch arrays, timing)."""
    t0 = time.perf_counter()
    w = SystemWorld(scenario.of_task(task), task["seed"], np.arange(task["start"], task["stop"], dtype=np.int64))
    out = collect(w, run_batch(w))
    finite.check(out, FINITE_RULES, lambda: describe(w), task)
    return out, {"kernel_seconds": 0.0, "kernel_calls": 0, "batch_seconds": time.perf_counter() - t0}


def layout(loaded, seed: int, doctrines: dict) -> dict:
    """The file's layout attribute (states, doctrines, event types) from a one-replication world."""
    return describe(SystemWorld(loaded.scenario, seed, np.zeros(1, dtype=np.int64)))
