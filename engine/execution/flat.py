"""The flat layout of a results group in HDF5 (docs/results-format.md): columns appended batch by
batch, labelled with dimension scales and enums, and read back as plain arrays.

Used by execution/store.py for the shards and for the final file alike. Labelling follows
netCDF-4 conventions, so xarray (h5netcdf) and netCDF tools see named dimensions; coded
columns are HDF5 enums, so h5dump and HDFView print names.
"""

from __future__ import annotations

import h5py
import numpy as np

from wargame.execution.chunks import read_rows, write_rows
from wargame.execution.results import code_labels, column_spec, dim_values

COMP = dict(compression="gzip", compression_opts=4, shuffle=True)
# The batch files of a running run are temporary: written once, read once (or never), so they
# trade size for speed. gzip level 1 took a duel batch of 50,000 from 398 to 266 ms, and 5.2
# instead of 4.6 MB (uncompressed: 67 ms, but 51 MB, ten times the disk a run needs meanwhile).
SHARD_COMP = dict(compression="gzip", compression_opts=1, shuffle=True)
GROUPS = ("replications", "states", "params")
# netCDF-4's mark for a dimension without a coordinate variable (the log's record axes):
# the scale holds no data (chunked and never written, so it takes no space).
NOT_A_VARIABLE = "This is a netCDF dimension but not a netCDF variable."


def _enum(layout: dict, path: str, base: np.dtype) -> np.dtype:
    """The column's dtype in the file: an HDF5 enum over ``base`` if the layout gives it codes."""
    spec = column_spec(layout, path)
    if not spec or "codes" not in spec:
        return base
    return h5py.enum_dtype({name: code for code, name in code_labels(layout, spec["codes"]).items()}, basetype=base)


def _append(f: h5py.Group, name: str, arr: np.ndarray, layout: dict, comp: dict = COMP) -> None:
    """Append rows to a resizable, chunked, compressed dataset (created with arr's dtype, or
    its enum when the layout gives the column codes: the stored integers are the same)."""
    if name not in f:
        tail = arr.shape[1:]
        rows = max(1, min(4096, (1 << 20) // max(1, arr.dtype.itemsize * int(np.prod(tail or (1,))))))
        f.create_dataset(name, shape=(0,) + tail, maxshape=(None,) + tail, dtype=_enum(layout, name, arr.dtype),
                         chunks=(rows,) + tail, **comp)
    ds = f[name]
    n0 = ds.shape[0]
    ds.resize(n0 + arr.shape[0], axis=0)
    write_rows(ds, n0, arr)


def write_flat(f: h5py.Group, batch: dict, layout: dict | None = None, comp: dict = COMP) -> None:
    """Append one batch's arrays to a group in the flat layout (``comp``: the columns' filters)."""
    layout = layout or {}
    _append(f, "replications/rep", np.asarray(batch["reps"], dtype="<i8"), layout, comp)
    for g in GROUPS:
        f.require_group(g)  # even when empty (a scenario without uncertain parameters): readers find it
        for k, v in batch[g].items():
            _append(f, f"{g}/{k}", np.ascontiguousarray(v), layout, comp)
    # The logs' record dtypes come with the batch (wargame.model.log): the store knows no model.
    _append(f, "events", np.ascontiguousarray(batch["events"]), layout, comp)
    _append(f, "decisions", np.ascontiguousarray(batch["decisions"]), layout, comp)
    if "timeseries" in batch:
        _append(f, "timeseries/fronts", batch["timeseries"], layout, comp)


def _scale(f: h5py.File, g: h5py.Group, layout: dict, dim: str, n: int) -> h5py.Dataset:
    """The dimension scale ``dim`` of group g (made on first use) for an axis of length n."""
    if dim in g:
        sc = g[dim]
        if not (isinstance(sc, h5py.Dataset) and sc.is_scale) or sc.shape[0] != n:
            raise ValueError(f"{g.name}/{dim}: not a dimension scale of length {n}")
        return sc
    if dim not in layout.get("dims", {}):
        raise ValueError(f"{g.name}: dimension {dim!r} is not in the layout's dims ({', '.join(layout.get('dims', {}))})")
    spec = layout["dims"][dim]
    if "column" in spec:  # the replication index: copied from its column, a chunk at a time
        src = f[spec["column"]]
        sc = g.create_dataset(dim, shape=(n,), maxshape=(None,), dtype=src.dtype, chunks=src.chunks, **COMP)
        for a in range(0, n, 1 << 20):
            sc[a:a + (1 << 20)] = src[a:a + (1 << 20)]
        sc.make_scale(dim)
        return sc
    values = dim_values(layout, dim, n)
    if values is None:
        sc = g.create_dataset(dim, shape=(n,), maxshape=(None,), dtype="<f4", chunks=(1024,))
        sc.make_scale(f"{NOT_A_VARIABLE}{n:10d}")
        return sc
    if values.dtype == object:
        # Fixed-length UTF-8 (variable-length strings read back as objects, whose bytes are
        # pointers); ``_Encoding`` makes xarray decode them to str.
        raw = [v.encode() for v in values]
        dt = h5py.string_dtype("utf-8", max([1, *map(len, raw)]))
        sc = g.create_dataset(dim, data=np.array(raw, dtype=dt), dtype=dt)
        sc.attrs["_Encoding"] = "utf-8"
    else:
        dt = np.dtype("<f8" if values.dtype.kind == "f" else "<i8")
        sc = g.create_dataset(dim, data=values.astype(dt), dtype=dt)
    sc.make_scale(dim)
    return sc


def label(f: h5py.File, layout: dict) -> None:
    """Name every column's axes with dimension scales and commit its types, from the layout.

    Types are committed at the root, named ``*_t`` (the log records' ``event_t`` sorts
    before ``events``: netCDF-C reads a group's types in name order, before the
    variables that use them); h5netcdf and netCDF-C match a column's enum to them.
    A layout without the table (a schema 1.0 run being resumed) leaves the file as 1.0.
    """
    if not layout.get("columns"):
        return
    paths: list[str] = []
    f.visititems(lambda n, o: paths.append(n) if isinstance(o, h5py.Dataset) and not o.is_scale else None)
    for path in paths:
        spec = column_spec(layout, path)
        if spec is None:
            raise ValueError(f"{path}: the layout's column table does not list it")
        ds = f[path]
        for axis, dim in enumerate(spec["dims"]):
            ds.dims[axis].attach_scale(_scale(f, ds.parent, layout, dim, ds.shape[axis]))
        if "codes" in spec:
            c = spec["codes"]
            name = f"{c['labels'].replace('.', '_')}{'_or_none' if 'none' in c else ''}_{ds.dtype.name}_t"
        elif "fields" in spec:
            name = f"{spec['dims'][0]}_t"
        else:
            continue
        if name not in f:
            f[name] = ds.dtype


def plain(a: np.ndarray) -> np.ndarray:
    """The array without the enum metadata h5py attaches: the dtype a batch had in memory."""
    return a.view(np.dtype(a.dtype.str)) if a.dtype.metadata and not a.dtype.names else a


def _columns(g: h5py.Group, skip=()) -> dict:
    """A group's columns (its dimension scales left out) as plain arrays."""
    return {k: plain(read_rows(v)) for k, v in g.items()
            if k not in skip and isinstance(v, h5py.Dataset) and not v.is_scale}


def read_flat(f: h5py.Group, logs: bool = True) -> dict:
    """One group's arrays; ``logs=False`` skips the big ones (logs, parameters, series)."""
    out = {"reps": read_rows(f["replications/rep"])}
    out["replications"] = _columns(f["replications"], skip=("rep",))
    out["states"] = _columns(f["states"])
    if not logs:
        return out
    out["params"] = _columns(f["params"]) if "params" in f else {}
    out["events"] = read_rows(f["events"])
    out["decisions"] = read_rows(f["decisions"])
    if "timeseries" in f:
        out["timeseries"] = read_rows(f["timeseries/fronts"])
    return out
