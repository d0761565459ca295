"""Results of the system kind: a batch's arrays, the layout, the Monte Carlo driver, sweep metrics.

Batches have the crisis kind's shape (``reps``, ``replications``, ``states``,
``params``, ``events``, ``decisions``), so ``engine.store.HDF5Store`` and
``engine.results.MemoryResults`` write and read them unchanged; the layout
attribute carries ``kind = "system"`` so readers know which summary applies.
"""

from __future__ import annotations

import time

import numpy as np

from ..log import DECISION_DTYPE
from ..results import run_attrs
from .events import EVENT_TYPES, run_batch
from .schema import DOCTRINES
from .world import SystemWorld


def collect(w: SystemWorld, log) -> dict:
    sizes = np.arange(w.S + 1)
    nwar = w.war_sizes.sum(axis=1)
    mean_size = np.where(nwar > 0, (w.war_sizes * sizes).sum(axis=1) / np.maximum(nwar, 1), np.nan)
    max_size = ((w.war_sizes > 0) * sizes).max(axis=1)  # 0 when there was no war
    share = w.shares()
    return {
        "reps": w.reps.copy(),
        "replications": {
            "survivors": w.alive.sum(axis=1).astype("<i2"),
            "endurance_years": w.endurance.astype("<f4"),
            "dominated": w.ended.copy(),
            "dominant": w.dominant.copy(),
            "strongest": share.argmax(axis=1).astype("<i2"),
            "wars": w.wars.copy(),
            "mean_war_size": mean_size.astype("<f4"),
            "max_war_size": max_size.astype("<i2"),
            "war_sizes": w.war_sizes.copy(),
            "conquests": w.conquests.copy(),
            "stalemates": w.stalemates.copy(),
            "contests": w.contests.copy(),
            "alliances_formed": w.alliances_formed.copy(),
            "alliances_broken": w.alliances_broken.copy(),
            "power_destroyed": w.power_destroyed.copy(),
        },
        "states": {
            "survived": w.alive.copy(),
            "death_year": w.death_year.astype("<f4"),
            "absorbed_by": w.absorbed_by.copy(),
            "final_share": share.astype("<f4"),
            "wars_fought": w.wars_fought.copy(),
        },
        "params": {k: v.copy() for k, v in w.params.items()},
        "events": log.events(),
        "decisions": np.empty(0, dtype=DECISION_DTYPE),
    }


def describe(w: SystemWorld) -> dict:
    return {
        "kind": "system",
        "states": w.ids,
        "state_names": [st.name or sid for sid, st in w.sc.states.items()],
        "doctrines": [DOCTRINES[d] for d in w.doctrine],
        "event_types": list(EVENT_TYPES),
        "horizon_years": w.horizon,
        "war_steps_per_year": int(round(1 / w.dt)),
    }


def run_one(sc, seed: int, start: int, stop: int) -> dict:
    """One batch: replications start..stop-1."""
    w = SystemWorld(sc, seed, np.arange(start, stop, dtype=np.int64))
    log = run_batch(w)
    return collect(w, log)


def run(loaded, runs: int, seed: int, sink=None, batch_size: int = 2000, command: str = "", progress=None) -> dict:
    """Run ``runs`` replications in batches into ``sink``; returns timing figures."""
    if runs < 1 or batch_size < 1:
        raise ValueError(f"runs ({runs}) and batch_size ({batch_size}) must be >= 1")
    sc = loaded.scenario
    if sink is not None:
        sink.create(run_attrs(loaded, seed, runs, {}, command, batch_size, False),
                    describe(SystemWorld(sc, seed, np.zeros(1, dtype=np.int64))))
    t0 = time.perf_counter()
    for a in range(0, runs, batch_size):
        batch = run_one(sc, seed, a, min(a + batch_size, runs))
        if sink is not None:
            sink.append(batch)
        if progress is not None:
            progress(min(a + batch_size, runs), runs)
    return {"runs": runs, "seconds": time.perf_counter() - t0}


# ---------------------------------------------------------------- sweep metrics

CATALOGUE = {
    "all_survived": "every state of the system is still alive at the end (bool)",
    "survivors": "number of states alive at the end",
    "survival_share": "share of the initial states alive at the end",
    "endurance_years": "years until one state held the dominance share (the horizon if never)",
    "dominated": "one state came to hold the dominance share before the horizon (bool)",
    "wars": "number of wars started (contests for the central authority included)",
    "mean_war_size": "mean number of states per war (0 when there was no war)",
    "max_war_size": "largest number of states in one war",
    "conquests": "states absorbed by a conqueror",
    "power_destroyed": "power destroyed in wars and by absorption losses",
}


def catalogue(loaded) -> dict[str, str]:
    """CATALOGUE plus ``survived.<STATE>`` (bool) for each state of the scenario."""
    return {**CATALOGUE, **{f"survived.{sid}": f"{sid} is alive at the end (bool)" for sid in loaded.scenario.states}}


def metrics(batch: dict) -> dict[str, np.ndarray]:
    """Per-replication metrics of ``catalogue`` from a read results dictionary (it needs the layout)."""
    rp, st = batch["replications"], batch["states"]
    S = st["survived"].shape[1]
    m = {
        "all_survived": st["survived"].all(axis=1),
        "survivors": rp["survivors"].astype(float),
        "survival_share": rp["survivors"] / S,
        "endurance_years": rp["endurance_years"].astype(float),
        "dominated": rp["dominated"].astype(bool),
        "wars": rp["wars"].astype(float),
        "mean_war_size": np.nan_to_num(rp["mean_war_size"].astype(float)),
        "max_war_size": rp["max_war_size"].astype(float),
        "conquests": rp["conquests"].astype(float),
        "power_destroyed": rp["power_destroyed"].astype(float),
    }
    for s, sid in enumerate(batch["layout"]["states"]):
        m[f"survived.{sid}"] = st["survived"][:, s].astype(bool)
    return m


def arm_metrics(loaded, runs: int, seed: int, batch_size: int = 2000, progress=None,
                **_exec_opts) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The sweep interface: (metrics of ``catalogue``, sampled parameters), each (runs,), for one arm.

    Arms share random numbers: replication i of every arm uses the streams keyed (seed, i).
    Other executor options (executor, first_batch) are accepted and ignored: the system
    kind runs in this process.
    """
    from ..results import MemoryResults

    sink = MemoryResults()
    run(loaded, runs, seed, sink, batch_size or 2000, progress=progress)
    res = sink.read()
    return metrics(res), {k: v.astype(float) for k, v in res["params"].items()}
