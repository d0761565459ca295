"""Results as labelled data: an xarray Dataset and pandas tables with named dimensions,
coordinates and named codes, for the crisis and the system kind.

Both are built from the in-memory results dictionary (``MemoryResults.read()`` or
``wargame.execution.store.read(path)``) and the layout's column table (written by the
kind's ``columns.table``), the same table the HDF5 store turns into dimension scales
and enum types: a column has the same dimensions and labels whether a file is opened
with xarray, read with ``dataset`` or with ``tables``. docs/results-format.md shows
all three.

- ``dataset(res)``: every per-replication, per-state and time-series column over its
  named dimensions (``replication``, ``state``, ``domain``, ``front``, ``day``,
  ``series``, ``war_size``, ``raid``, ``weapon``, ``layer``); coded columns hold their
  labels as strings; the sampled parameters are one variable ``params`` over
  (``replication``, ``parameter``); the run's and the scenario's attributes are the
  dataset's attributes. The logs are records, not arrays: they are in ``tables``.
- ``tables(res)``: long-form pandas tables, one per set of dimensions, coded columns and
  string coordinates as ``pandas.Categorical``; plus ``params``, ``events`` and
  ``decisions``.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd
import xarray as xr

from wargame.crisis import columns as crisis_columns
from wargame.execution.results import code_labels, column_spec, dim_values
from wargame.system import columns as system_columns

# The kind's column table from a layout: files of schema 1.0 stored the layout without
# it, and their columns are those of 2.0, so they get the table of their kind.
KIND_TABLES = {"crisis": crisis_columns.table, "system": system_columns.table}
GROUPS = ("replications", "states")


def layout_of(res: dict) -> dict:
    """The results' layout with its column table (added from the kind for a 1.0 file)."""
    lay = res["layout"]
    if "columns" in lay:
        return lay
    kind = lay.get("kind") or "crisis"
    if kind not in KIND_TABLES:
        raise ValueError(f"layout.kind = {kind!r}: no column table for it (known kinds: {', '.join(KIND_TABLES)})")
    return KIND_TABLES[kind](lay) | lay


def _spec(layout: dict, path: str) -> dict:
    spec = column_spec(layout, path)
    if spec is None:
        raise ValueError(f"{path}: the results layout's column table does not list this column")
    return spec


def _codes(layout: dict, path: str, codes: dict, values: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """(position of each value in the categories, categories in code order) of a coded column."""
    table = code_labels(layout, codes)
    known = np.array(sorted(table))
    values = np.asarray(values)
    pos = np.clip(np.searchsorted(known, values), 0, known.size - 1)
    bad = known[pos] != values
    if bad.any():
        raise ValueError(f"{path}: code {values[bad].flat[0]} has no label in layout.{codes['labels']} "
                         f"(codes {known.min()}..{known.max()})")
    return pos, [table[c] for c in known]


def _arrays(res: dict):
    """(path, array) of every column over replications, in a fixed order whatever the source."""
    for g in GROUPS:
        for k in sorted(res.get(g, {})):
            yield f"{g}/{k}", np.asarray(res[g][k])
    if "timeseries" in res:
        yield "timeseries/fronts", np.asarray(res["timeseries"])


def _coord(layout: dict, reps: np.ndarray, dim: str, n: int) -> np.ndarray | None:
    return np.asarray(reps) if dim == "replication" else dim_values(layout, dim, n)


def _extra_coords(layout: dict, sizes: dict) -> dict:
    """Descriptive coordinates along the dimensions (names, doctrines, raid details)."""
    out = {}
    states = [str(s) for s in layout.get("states", [])]
    if "state" in sizes:
        out["state_name"] = ("state", [n or s for n, s in zip(layout.get("state_names", states), states)])
        doc = layout.get("doctrines")
        if doc is not None and len(doc) == len(states):
            names = layout.get("doctrine_names", [])
            out["doctrine"] = ("state", [names[d] if isinstance(d, int) and d < len(names) else str(d) for d in doc])
    raids = layout.get("raids") or {}
    if "raid" in sizes and raids.get("instances") is not None:
        inst = raids["instances"]
        out |= {"raid_name": ("raid", [i["name"] for i in inst]), "raid_day": ("raid", [float(i["day"]) for i in inst]),
                "raid_attacker": ("raid", [states[i["attacker"]] for i in inst]),
                "raid_target": ("raid", [states[i["target"]] for i in inst])}
    if "layer" in sizes and "layer_owner" in raids:
        out["layer_owner"] = ("layer", [states[s] for s in raids["layer_owner"]])
    if "weapon" in sizes and "weapon_names" in raids:
        out["weapon_name"] = ("weapon", list(raids["weapon_names"]))
    return out


def _attrs(res: dict, layout: dict) -> dict:
    """The run's attributes and the layout's scalar entries, as netCDF-storable values."""
    out = {}
    for k, v in list(res.get("attrs", {}).items()) + list(layout.items()):
        v = v.item() if isinstance(v, np.generic) else v
        if isinstance(v, bool):
            v = int(v)  # netCDF attributes have no boolean
        if isinstance(v, (str, int, float)):
            out[k] = v
    out["kind"] = layout.get("kind") or "crisis"
    for k in ("attacker", "defender"):  # indices in the layout; state ids here
        if k in layout:
            out[k] = str(layout["states"][layout[k]])
    return out


def dataset(res: dict) -> xr.Dataset:
    """Every column of the results over named dimensions, with coordinates and labels."""
    layout = layout_of(res)
    reps = np.asarray(res["reps"])
    data, sizes = {}, {}
    for path, a in _arrays(res):
        spec = _spec(layout, path)
        dims = list(spec["dims"])
        name = path.rsplit("/", 1)[1]
        if name in data:  # raids: interceptors_fired per layer and per state
            name = f"{name}_by_{dims[-1]}"
        if "codes" in spec:
            pos, cats = _codes(layout, path, spec["codes"], a)
            a = np.array(cats)[pos]
        data[name] = (dims, a)
        sizes.update(zip(dims, a.shape))
    params = res.get("params") or {}
    coords = {}
    if params:
        names = sorted(params)
        data["params"] = (("replication", "parameter"), np.stack([np.asarray(params[k], float) for k in names], 1))
        coords["parameter"] = names
        sizes["replication"] = reps.size
    for dim, n in sizes.items():
        v = _coord(layout, reps, dim, n)
        if v is not None:
            coords[dim] = v
    coords |= _extra_coords(layout, sizes)
    return xr.Dataset(data, coords=coords, attrs=_attrs(res, layout))


def _categorical(values, categories) -> pd.Categorical:
    return pd.Categorical(values, categories=list(dict.fromkeys(categories)))


def _table_name(path: str, dims: tuple) -> str:
    if path.startswith("timeseries/"):
        return "timeseries"
    return {(): "replications", ("state",): "states"}.get(dims[1:], "_".join(dims[1:]))


def _long(layout: dict, reps: np.ndarray, cols: list) -> pd.DataFrame:
    """One long table over the product of the columns' dimensions (replication slowest)."""
    dims, wide = cols[0][2], cols[0][3]
    shape = cols[0][1].shape
    keep = [i for i, d in enumerate(dims) if d != wide]
    grid = np.meshgrid(*[np.arange(shape[i]) for i in keep], indexing="ij")
    frame = {}
    for i, g in zip(keep, grid):
        v = _coord(layout, reps, dims[i], shape[i])
        v = np.arange(shape[i]) if v is None else v
        frame[dims[i]] = _categorical(v[g.ravel()], v) if v.dtype == object else v[g.ravel()]
    for path, a, _, _, spec in cols:
        name = path.rsplit("/", 1)[1]
        parts = [(name, a)]
        if wide is not None:  # one column per label of the wide dimension, in its order
            w = dims.index(wide)
            labels = _coord(layout, reps, wide, a.shape[w])
            parts = [(str(lab) if len(cols) == 1 else f"{name}_{lab}", np.take(a, j, axis=w))
                     for j, lab in enumerate(labels)]
        for col, arr in parts:
            arr = arr.reshape(-1)
            if "codes" in spec:
                pos, cats = _codes(layout, path, spec["codes"], arr)
                arr = pd.Categorical.from_codes(pos, categories=cats)
            frame[col] = arr
    return pd.DataFrame(frame)


def _records(layout: dict, path: str, rec: np.ndarray) -> pd.DataFrame:
    """The event or decision log with named codes (``rep`` is the ``replication`` column)."""
    spec = _spec(layout, path)
    frame = {}
    for f in rec.dtype.names:
        v = rec[f]
        if f in spec.get("fields", {}):
            pos, cats = _codes(layout, f"{path}.{f}", spec["fields"][f], v)
            v = pd.Categorical.from_codes(pos, categories=cats)
        frame[{"rep": "replication"}.get(f, spec.get("rename", {}).get(f, f))] = v
    return pd.DataFrame(frame)


def tables(res: dict) -> dict[str, pd.DataFrame]:
    """Long-form tables: ``replications`` (one row a replication), ``states`` (a row per
    replication and state), one table per other set of dimensions (``state_domain``,
    ``timeseries``, ``war_size``, ``raid_weapon``, ...), ``params``, ``events`` and
    ``decisions``; codes as ``pandas.Categorical``."""
    layout = layout_of(res)
    reps = np.asarray(res["reps"])
    groups = defaultdict(list)
    for path, a in _arrays(res):
        spec = _spec(layout, path)
        dims = tuple(spec["dims"])
        groups[_table_name(path, dims), dims, spec.get("wide")].append((path, a, dims, spec.get("wide"), spec))
    out = {}
    for (name, dims, _), cols in groups.items():
        if name in out:
            raise ValueError(f"table {name}: columns over different dimensions ({dims}) share the name")
        out[name] = _long(layout, reps, cols)
    if "replications" not in out:
        out["replications"] = pd.DataFrame({"replication": reps})
    params = res.get("params") or {}
    out["params"] = pd.DataFrame({"replication": reps} | {k: np.asarray(params[k]) for k in sorted(params)})
    for k in ("events", "decisions"):
        if k in res:
            out[k] = _records(layout, k, np.asarray(res[k]))
    return out


__all__ = ["dataset", "tables", "layout_of"]
