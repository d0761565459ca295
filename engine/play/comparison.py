"""The engine-played games a classroom game is compared with, stored in its exercise file.

The after-action report places the class's game in the engine's distribution: the
same scenario, seed and overrides played ``runs`` times with every state following
its doctrine (the class's states included) and the scenario's scheduled injects, not
the ones the facilitator typed. Running the model is the play layer's work, done once
when the game is written (``exercise.write``); the report only reads what this module
stores, in the group ``comparison`` of the exercise file:

==========================  =====  ==========  ===========================================
dataset                     dtype  shape       what
==========================  =====  ==========  ===========================================
``comparison/outcome``      i1     (runs,)     outcome code (the layout's ``outcomes``)
``comparison/duration``     <f4    (runs,)     days from invasion to the end; NaN: no war
``comparison/losses``       <f8    (runs, S)   personnel lost per state, all domains
``comparison/intervened``   bool   (runs, S)   whether each state intervened
==========================  =====  ==========  ===========================================

with the attributes ``runs`` and ``seed``. Replication i is replication i of a batch
run of the same scenario and seed (``wargame run``), bit for bit.
"""

from __future__ import annotations

import h5py

from wargame import kinds
from wargame.execution.results import MemoryResults

RUNS = 2000  # enough for a percentile to the nearest point and a probability to about 1%
GROUP = "comparison"


def run(loaded, seed: int, runs: int = RUNS) -> dict:
    """The comparison's per-replication columns (the table in the module docstring)."""
    if runs < 1:
        raise ValueError(f"comparison runs ({runs}) must be >= 1")
    sink = MemoryResults()
    kinds.run(loaded, runs, seed=seed, sink=sink)
    mc = sink.read()
    rep, st = mc["replications"], mc["states"]
    return {"outcome": rep["outcome"].astype("i1"),
            "duration": (rep["end_day"] - rep["war_day"]).astype("<f4"),
            "losses": st["losses"].sum(axis=2).astype("<f8"),
            "intervened": st["intervened"].astype(bool),
            "runs": runs, "seed": int(seed)}


def store(f: h5py.File, data: dict) -> None:
    """Write ``run``'s columns into an open results file, as the group ``comparison``."""
    g = f.create_group(GROUP)
    for k in ("outcome", "duration", "losses", "intervened"):
        g.create_dataset(k, data=data[k], dtype=data[k].dtype)
    g.attrs["runs"], g.attrs["seed"] = int(data["runs"]), int(data["seed"])
