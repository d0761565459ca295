"""Results in memory, the attributes every results file records, and how to read its layout.

Writers share one interface: ``create(attrs, layout)``, ``append(batch)`` for each
batch in replication order, ``finish(extra)``, ``read()``. ``MemoryResults`` keeps
batches in memory; ``wargame.execution.store.HDF5Store`` streams them to a crash-safe
HDF5 file (docs/results-format.md). A batch is the dictionary ``collect`` returns:
plain arrays, which is also what worker processes send back to the writer.

The layout a kind stores once per file carries the one table of every column's
dimensions and code labels (``layout["dims"]``, ``layout["columns"]``, written by the
kind's ``columns.py``). The helpers at the end read that table; the HDF5 store uses
them for dimension scales and enum types, ``wargame.analysis.labelled`` for xarray
and pandas, so both label a column the same way.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import platform
from importlib import metadata

import numpy as np


# 2.0: dimension scales (named dimensions and coordinates for netCDF tools and xarray) and
# HDF5 enum types for coded columns; the arrays themselves are as in 1.0, so 1.0 files
# are still read (docs/results-format.md, "Schema versions").
SCHEMA_VERSION = "2.0"
READABLE_MAJOR = 2  # files of a later major version are refused: their arrays may differ

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
    return dict(_versions())


@functools.cache
def _versions() -> dict:
    # Once per process: importlib.metadata scans sys.path for each package (about 9 ms a
    # call, twice per run: a tenth of a 10,000-replication duel's time), and what is
    # installed does not change under a running process.
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


# --------------------------------------------------------------------------- the layout's table


def column_spec(layout: dict, path: str) -> dict | None:
    """A stored column's entry in the layout's table: its ``dims`` and optional ``codes``.

    ``path`` is the column's path in the file (``replications/outcome``, ``events``);
    ``GROUP/*`` entries cover a group's columns named at run time (the sampled parameters).
    """
    cols = layout.get("columns") or {}
    if path in cols:
        return cols[path]
    return cols.get(path.rsplit("/", 1)[0] + "/*") if "/" in path else None


def lookup(layout: dict, key: str):
    """A layout entry by dotted key (``outcomes``, ``raids.weapons``)."""
    v = layout
    for part in key.split("."):
        v = v[part]
    return v


def code_labels(layout: dict, codes: dict) -> dict[int, str]:
    """Code -> label for a coded column: ``labels`` names a layout list, whose first entry
    has code ``first`` (default 0); ``none``, when given, is the code meaning "none" (-1
    for no winner, no actor), labelled ``none`` (``(none)`` if a label already says so)."""
    names = [str(x) for x in lookup(layout, codes["labels"])]
    first = int(codes.get("first", 0))
    out = {first + i: n for i, n in enumerate(names)}
    if "none" in codes:
        out[int(codes["none"])] = "(none)" if "none" in names else "none"
    return out


def dim_values(layout: dict, dim: str, n: int) -> np.ndarray | None:
    """Coordinate values of a dimension of length n, or None: the ``replication`` index
    (``{"column": ...}``) comes from the data, and some dimensions (``event``) have none."""
    spec = (layout.get("dims") or {}).get(dim, {})
    if "labels" in spec:
        v = [str(x) for x in lookup(layout, spec["labels"])]
        if len(v) != n:
            raise ValueError(f"dimension {dim}: layout.{spec['labels']} has {len(v)} labels, the data {n}")
        return np.array(v, dtype=object)
    if "start" in spec:
        return spec["start"] + spec.get("step", 1) * np.arange(n)
    return None
