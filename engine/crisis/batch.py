"""One crisis batch as a task: what an executor runs, in this process, a worker or on Dask.

A task is a plain dictionary (the scenario's text and overrides, the seed, a range of
replication indices, doctrines, whether to keep time series), so it pickles cheaply;
``run_task`` is top level so workers import it by name.
"""

from __future__ import annotations

import time

import numpy as np

from wargame.crisis.columns import collect, describe
from wargame.crisis.combat import KernelClock
from wargame.crisis.events import attach, run_batch
from wargame.crisis.timeseries import TimeSeries
from wargame.crisis.world import OUTCOMES, World
from wargame.execution import finite
from wargame.model import scenario

_NO_WAR = OUTCOMES.index("no_war")
_DETERRED = OUTCOMES.index("deterred")

# Where NaN means "did not happen" (finite.check); every other floating column must be
# finite. A day that did not happen is NaN, never infinity.
FINITE_RULES = {
    "replications/war_day": lambda b: np.isin(b["replications"]["outcome"], (_NO_WAR, _DETERRED)),  # no war broke out
    # Not every war ends before the horizon (unresolved), and no war has no end.
    "replications/end_day": finite.NO_INF,
    "states/intervention_day": lambda b: ~b["states"]["intervened"],
    "states/withdrew_day": finite.NO_INF,  # NaN: stayed in (or never went in)
    # A state's raid utility is NaN in a raid it had no decision in (a target, an attacker).
    "replications/raid_utility": finite.NO_INF,
    "states/arsenal_left": finite.UNLIMITED,  # inf: a weapon left out of the state's [arsenal]
    "timeseries": finite.NO_INF,  # NaN before a front's war and after its end
    "states/aid_day": finite.NO_INF,  # NaN: never decided to aid (or supplies nobody)
}


def run_task(task: dict) -> tuple[dict, dict]:
    """Run one batch; returns (batch arrays, timing)."""
    w = World(scenario.of_task(task), task["seed"], np.arange(task["start"], task["stop"], dtype=np.int64), task["doctrines"])
    ts = TimeSeries(w) if task["timeseries"] else None
    clock = KernelClock()
    t0 = time.perf_counter()
    log = run_batch(w, clock, ts)
    out = collect(w, log, ts)  # copies: nothing below refers to the batch's objects
    finite.check(out, FINITE_RULES, lambda: describe(w), task)
    # The batch's SimPy environment is a reference cycle (an Environment holds bound
    # methods of itself), and its processes still waiting at the horizon reference the
    # World, the Log and the time series. Python frees such a cycle only in a full
    # collection, which object counts trigger rarely here (a batch allocates few but
    # large arrays), so dead batches piled up: a worker grew from 232 to 361 MiB over
    # 35 taiwan_strait batches, and peak RSS grew with --runs. Emptying the three now
    # frees their arrays at once; the small cycle left is collected whenever.
    for obj in (w, log, ts):
        if obj is not None:
            vars(obj).clear()
    return out, {"kernel_seconds": clock.seconds, "kernel_calls": clock.calls,
                 "kernel_first_seconds": clock.first_seconds, "batch_seconds": time.perf_counter() - t0}


def layout(loaded, seed: int, doctrines: dict) -> dict:
    """The file's layout attribute: states, fronts, labels (from a one-replication World, its mechanisms attached)."""
    return describe(attach(World(loaded.scenario, seed, np.arange(1, dtype=np.int64), doctrines)))
