"""Results in memory, and the attributes every results file records.

Writers share one interface: ``create(attrs, layout)``, ``append(batch)`` for each
batch in replication order, ``finish(extra)``, ``read()``. ``MemoryResults`` keeps
batches in memory; ``engine.store.HDF5Store`` streams them to a crash-safe HDF5 file
(docs/results-format.md). A batch is the dictionary ``collect`` returns: plain arrays,
which is also what worker processes send back to the writer.
"""

from __future__ import annotations

import datetime as _dt
import json
import platform
from importlib import metadata

import numpy as np


SCHEMA_VERSION = "1.0"

class MemoryResults:
    """Keeps batches in memory; ``read`` concatenates them."""

    def __init__(self):
        self.reset()

    def reset(self):
        self._batches: list[dict] = []
        self.attrs: dict = {}
        self.layout: dict = {}

    def create(self, attrs: dict, layout: dict):
        self.attrs, self.layout = dict(attrs), dict(layout)

    def append(self, batch: dict):
        self._batches.append(batch)

    def finish(self, extra: dict | None = None):
        self.attrs.update(extra or {})

    def read(self) -> dict:
        return concat(self._batches, self.attrs, self.layout)


def concat(batches: list[dict], attrs: dict, layout: dict) -> dict:
    if not batches:
        raise ValueError("no results")
    out = {"attrs": attrs, "layout": layout, "reps": np.concatenate([b["reps"] for b in batches])}
    for g in ("replications", "states", "params"):
        if g in batches[0]:
            out[g] = {k: np.concatenate([b[g][k] for b in batches]) for k in batches[0][g]}
    for k in ("events", "decisions", "timeseries"):
        if k in batches[0]:
            out[k] = np.concatenate([b[k] for b in batches])
    return out


def package_versions() -> dict:
    v = {"python": platform.python_version()}
    for p in ("wargame", "numpy", "numba", "simpy", "h5py", "pydantic"):
        try:
            v[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            v[p] = "not installed"
    return v


def run_attrs(loaded, seed: int, runs: int, doctrines: dict, command: str, batch_size: int, timeseries: bool) -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
        "engine_version": package_versions()["wargame"],
        "package_versions": json.dumps(package_versions()),
        "seed": int(seed),
        "runs": int(runs),
        "scenario": loaded.scenario.scenario.name,
        "config_path": loaded.path,
        "config_text": loaded.text,
        "config_sha256": loaded.sha256,
        "overrides": json.dumps([list(o) for o in loaded.overrides] + [[f"states.{k}.doctrine", v] for k, v in doctrines.items()]),
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "command": command,
        "batch_size": int(batch_size),
        "timeseries": bool(timeseries),
    }
