"""Crash-safe HDF5 results: an atomic shard per finished batch, an index, then one flat file.

While a run is going, every finished batch is written to its own file in
``<out>.parts/`` (written to a temporary name, fsynced, then renamed: a shard either
exists whole or not at all) and ``<out>`` is replaced, again atomically, by a small
index file: the run's attributes, ``complete = false``, and one HDF5 external link
per finished batch under ``batches/``. So whenever the process dies, even by
``kill -9``, ``<out>`` opens in any HDF5 tool with every finished batch, and
``--resume`` knows which replications are left. When the last batch is in, the
shards are streamed into the flat layout of docs/results-format.md, which
atomically replaces the index, and the shards are deleted.

Both the flat file and every shard label themselves from the layout's column table
(``results.column_spec``): HDF5 dimension scales give every axis a name and a
coordinate (netCDF-4 conventions, so xarray with h5netcdf and netCDF tools see named
dimensions), each group holding the scales its columns use, the replication index
included, so groups merge on one replication axis; coded columns are HDF5 enums, so
h5dump and HDFView print names. Reading gives back plain arrays whatever the file.
"""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

import h5py
import numpy as np

from wargame.errors import WargameError
from wargame.execution import repair
from wargame.execution.reserved import Reserved
from wargame.execution.results import READABLE_MAJOR, SCHEMA_VERSION, code_labels, column_spec, concat, dim_values

COMP = dict(compression="gzip", compression_opts=4, shuffle=True)
GROUPS = ("replications", "states", "params")
# Finished batches are also kept in memory up to this many bytes, so that ``finish`` writes the
# flat file from memory in one pass instead of reading every shard back and appending it
# batch by batch (for configs/duel.toml that pass was a third of the time to a file). Past
# the budget the batches are dropped and ``finish`` streams from the shards, as before.
KEEP_BYTES = 256 << 20
# netCDF-4's mark for a dimension without a coordinate variable (the log's record axes):
# the scale holds no data (chunked and never written, so it takes no space).
NOT_A_VARIABLE = "This is a netCDF dimension but not a netCDF variable."


class ResultsFileError(WargameError, ValueError):
    """A file that is not a results file this version reads; the message says which and why."""


class TooNew(ResultsFileError):
    """A results file of a newer schema than this version reads (nothing to repair)."""


def _enum(layout: dict, path: str, base: np.dtype) -> np.dtype:
    """The column's dtype in the file: an HDF5 enum over ``base`` if the layout gives it codes."""
    spec = column_spec(layout, path)
    if not spec or "codes" not in spec:
        return base
    return h5py.enum_dtype({name: code for code, name in code_labels(layout, spec["codes"]).items()}, basetype=base)


def _append(f: h5py.Group, name: str, arr: np.ndarray, layout: dict) -> None:
    """Append rows to a resizable, chunked, compressed dataset (created with arr's dtype, or
    its enum when the layout gives the column codes: the stored integers are the same)."""
    if name not in f:
        tail = arr.shape[1:]
        rows = max(1, min(4096, (1 << 20) // max(1, arr.dtype.itemsize * int(np.prod(tail or (1,))))))
        f.create_dataset(name, shape=(0,) + tail, maxshape=(None,) + tail, dtype=_enum(layout, name, arr.dtype),
                         chunks=(rows,) + tail, **COMP)
    ds = f[name]
    n0 = ds.shape[0]
    ds.resize(n0 + arr.shape[0], axis=0)
    ds[n0:] = arr


def write_flat(f: h5py.Group, batch: dict, layout: dict | None = None) -> None:
    """Append one batch's arrays to a group in the flat layout."""
    layout = layout or {}
    _append(f, "replications/rep", np.asarray(batch["reps"], dtype="<i8"), layout)
    for g in GROUPS:
        f.require_group(g)  # even when empty (a scenario without uncertain parameters): readers find it
        for k, v in batch[g].items():
            _append(f, f"{g}/{k}", np.ascontiguousarray(v), layout)
    # The logs' record dtypes come with the batch (wargame.model.log): the store knows no model.
    _append(f, "events", np.ascontiguousarray(batch["events"]), layout)
    _append(f, "decisions", np.ascontiguousarray(batch["decisions"]), layout)
    if "timeseries" in batch:
        _append(f, "timeseries/fronts", batch["timeseries"], layout)


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


def _plain(a: np.ndarray) -> np.ndarray:
    """The array without the enum metadata h5py attaches: the dtype a batch had in memory."""
    return a.view(np.dtype(a.dtype.str)) if a.dtype.metadata and not a.dtype.names else a


def _columns(g: h5py.Group, skip=()) -> dict:
    """A group's columns (its dimension scales left out) as plain arrays."""
    return {k: _plain(v[()]) for k, v in g.items() if k not in skip and isinstance(v, h5py.Dataset) and not v.is_scale}


def read_flat(f: h5py.Group, logs: bool = True) -> dict:
    """One group's arrays; ``logs=False`` skips the big ones (logs, parameters, series)."""
    out = {"reps": f["replications/rep"][()]}
    out["replications"] = _columns(f["replications"], skip=("rep",))
    out["states"] = _columns(f["states"])
    if not logs:
        return out
    out["params"] = _columns(f["params"]) if "params" in f else {}
    out["events"] = f["events"][()]
    out["decisions"] = f["decisions"][()]
    if "timeseries" in f:
        out["timeseries"] = f["timeseries/fronts"][()]
    return out


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _durable_replace(tmp: Path, path: Path) -> None:
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _atomic_h5(path: Path, fill) -> None:
    """Build a small HDF5 file in memory, write it under a temporary name, fsync, rename.

    Building in memory keeps HDF5 away from the disk: a full disk or a file-size limit
    then fails in a plain ``write`` with a clean OSError (HDF5's own write failures can
    take the process down).
    """
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        fill(f)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(buf.getbuffer())
            fh.flush()
            os.fsync(fh.fileno())
    except OSError:
        tmp.unlink(missing_ok=True)
        raise
    _durable_replace(tmp, path)


def _nbytes(tree) -> int:
    """Bytes of the arrays in a batch (nested dicts of arrays)."""
    if isinstance(tree, dict):
        return sum(_nbytes(v) for v in tree.values())
    return tree.nbytes if isinstance(tree, np.ndarray) else 0


def _shard_name(start: int, stop: int) -> str:
    return f"b{start:012d}-{stop:012d}.h5"


class HDF5Store:
    """Results writer over an output path; see the module docstring for the protocol."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.parts = self.path.with_name(self.path.name + ".parts")
        self.attrs: dict = {}
        self.layout: dict = {}
        self.shards: list[tuple[int, int]] = []
        self.complete = False
        self._kept: dict | None = {}  # (start, stop) -> batch, while within KEEP_BYTES
        self._kept_bytes = 0

    # -- starting and resuming
    def create(self, attrs: dict, layout: dict) -> None:
        if self.parts.exists():
            shutil.rmtree(self.parts)
        self.parts.mkdir()
        self.attrs, self.layout = dict(attrs), dict(layout)
        repair.write_manifest(self.parts, self.attrs, self.layout)
        self._write_index()

    def _read_index(self) -> tuple[dict, dict, bool, list[str]]:
        with _open(self.path) as f:
            attrs = {k: v for k, v in _attrs(f).items() if k not in ("complete", "replications_written")}
            return (attrs, json.loads(f.attrs["layout"]), bool(f.attrs.get("complete", False)),
                    sorted(f["batches"]) if "batches" in f else [])

    def open_existing(self) -> list[str]:
        """Load an interrupted (or complete) run for ``--resume``, checking what it loads.

        Returns one line per repair made (a damaged index rebuilt from ``run.json`` and
        the shards, a missing or damaged shard dropped so its replications run again);
        raises ResultsFileError, saying what to do, when the run cannot be resumed.
        """
        notes: list[str] = []
        self._kept = None  # batches finished before this process are on disk only
        manifest = repair.read_manifest(self.parts)
        try:
            index, why = self._read_index(), None
        except TooNew:
            raise
        except Exception as e:  # a damaged index: h5py raises many kinds
            index, why = None, str(e) if isinstance(e, ResultsFileError) else f"{self.path}: {e.__class__.__name__}: {e}"
        if index is not None and index[2]:
            runs = int(index[0].get("runs", -1))
            bad = repair.damage(self.path, 0, runs)
            if bad is None:
                self.attrs, self.layout, self.complete, self.shards = index[0], index[1], True, [(0, runs)]
                shutil.rmtree(self.parts, ignore_errors=True)  # killed after the flat file was in place
                return notes
            if manifest is None or not repair.shards_on_disk(self.parts):
                raise ResultsFileError(f"{self.path}: a complete results file, but damaged ({bad}); its batches are "
                                       "gone, so it cannot be repaired; run it again with --overwrite")
            index, why = None, f"{self.path}: the complete file is damaged ({bad})"
        if index is None:
            if manifest is None:
                raise ResultsFileError(f"{why}; and {self.parts.name}/ holds no record of the run ({repair.MANIFEST}) "
                                       "to rebuild it from; start again with --overwrite")
            notes.append(f"{why}; rebuilt from the batches in {self.parts.name}/")
            (self.attrs, self.layout), linked = manifest, []
        else:
            self.attrs, self.layout, linked = index[0], index[1], index[3]
        if not self.parts.is_dir():
            notes.append(f"{self.parts}: missing (it held the finished batches); every replication runs again")
            self.parts.mkdir()
            linked = []
        for p in self.parts.glob("*.tmp"):  # a shard cut off mid-write: its batch reruns
            p.unlink()
        self.shards = []
        on_disk = repair.shards_on_disk(self.parts)
        for name in sorted(set(linked) - {_shard_name(a, b)[:-3] for a, b in on_disk}):
            notes.append(f"{self.parts}/{name}.h5: missing; its replications run again")
        for a, b in on_disk:
            bad = repair.damage(self.parts / _shard_name(a, b), a, b)
            if bad is None:
                self.shards.append((a, b))
                continue
            notes.append(f"{self.parts}/{_shard_name(a, b)}: damaged ({bad}); dropped, replications {a}..{b - 1} "
                         "run again")
            (self.parts / _shard_name(a, b)).unlink()
        if manifest is None:  # a run started before run.json existed: record it now
            repair.write_manifest(self.parts, self.attrs, self.layout)
        if notes:
            self._write_index()
        return notes

    def is_complete(self) -> bool:
        """Whether ``open_existing`` found a complete, intact file."""
        return self.complete

    def missing(self, runs: int) -> list[tuple[int, int]]:
        """Replication ranges [start, stop) not yet in a finished shard."""
        out, at = [], 0
        for a, b in self.shards:
            if a > at:
                out.append((at, a))
            at = max(at, b)
        if at < runs:
            out.append((at, runs))
        return out

    # -- writing
    def _write_index(self) -> None:
        def fill(f):
            for k, v in self.attrs.items():
                f.attrs[k] = v
            f.attrs["layout"] = json.dumps(self.layout)
            f.attrs["complete"] = False
            f.attrs["replications_written"] = sum(b - a for a, b in self.shards)
            g = f.create_group("batches")
            for a, b in self.shards:
                g[_shard_name(a, b)[:-3]] = h5py.ExternalLink(f"{self.parts.name}/{_shard_name(a, b)}", "/")

        _atomic_h5(self.path, fill)

    def append(self, batch: dict) -> None:
        a, b = int(batch["reps"][0]), int(batch["reps"][-1]) + 1
        def fill(f):
            write_flat(f, batch, self.layout)
            label(f, self.layout)

        _atomic_h5(self.parts / _shard_name(a, b), fill)
        self.shards.append((a, b))
        self.shards.sort()
        self._write_index()
        self._keep((a, b), batch)

    def _keep(self, key: tuple[int, int], batch: dict) -> None:
        if self._kept is None:
            return
        self._kept_bytes += _nbytes(batch)
        self._kept[key] = batch
        if self._kept_bytes > KEEP_BYTES:
            self._kept = None

    def _from_memory(self) -> dict | None:
        """Every finished batch, concatenated in replication order, if all are still in memory."""
        if not self._kept or set(self._kept) != set(self.shards):
            return None
        return concat([self._kept[k] for k in self.shards], {}, {})

    def finish(self, extra: dict | None = None) -> None:
        """Stream every shard, in replication order, into the flat file; then drop the shards."""
        self.attrs.update(extra or {})

        def fill(f, out):
            for k, v in self.attrs.items():
                f.attrs[k] = v
            f.attrs["layout"] = json.dumps(self.layout)
            n = 0
            whole = self._from_memory()
            if whole is not None:
                write_flat(f, whole, self.layout)
                n = len(whole["reps"])
            for a, b in ([] if whole is not None else self.shards):
                with h5py.File(self.parts / _shard_name(a, b), "r") as s:
                    write_flat(f, read_flat(s), self.layout)
                n += b - a
                if out.failed is not None:  # no use merging the rest: stop, and close() raises it
                    break
            label(f, self.layout)
            f.attrs["replications_written"] = n
            f.attrs["complete"] = True

        # The flat file is streamed to disk (it can be larger than memory) into space reserved first.
        need = sum((self.parts / _shard_name(a, b)).stat().st_size for a, b in self.shards)
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            out = Reserved(tmp, int(need * 1.2) + (1 << 20))
            try:
                with h5py.File(out, "w") as f:
                    fill(f, out)
            finally:
                out.close()
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        _durable_replace(tmp, self.path)
        shutil.rmtree(self.parts, ignore_errors=True)

    def close(self) -> None:
        pass


def _open(path: str | Path) -> h5py.File:
    """Open a results file for reading; refuse, in one line, what is not one this version reads."""
    try:
        f = h5py.File(path, "r")
    except FileNotFoundError:
        raise ResultsFileError(f"{path}: no such file") from None
    except OSError as e:
        raise ResultsFileError(f"{path}: not a wargame results file (not readable as HDF5: {e})") from None
    try:
        if "layout" not in f.attrs:
            raise ResultsFileError(f"{path}: not a wargame results file (it has no 'layout' attribute; "
                                   "`wargame run` writes results files)")
        version = str(f.attrs.get("schema_version", "1.0"))
        major = version.split(".")[0]
        if not major.isdigit() or int(major) > READABLE_MAJOR:
            raise TooNew(f"{path}: results schema {version} is newer than this wargame reads "
                                   f"(up to {SCHEMA_VERSION}); upgrade wargame (pip install -U wargame) to read it")
    except BaseException:
        f.close()
        raise
    return f


def _attrs(f: h5py.File) -> dict:
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in f.attrs.items() if k != "layout"}


def read_meta(path: str | Path) -> tuple[dict, dict]:
    """A results file's root attributes and layout."""
    with _open(path) as f:
        return _attrs(f), json.loads(f.attrs["layout"])


def _no_batch_yet(path, attrs: dict) -> ResultsFileError:
    return ResultsFileError(f"{path}: an interrupted run with no finished batch yet; resume it with: "
                            f"wargame run {attrs.get('config_path', 'CONFIG')} --out {path} --resume")


def iter_columns(path: str | Path, columns: dict, chunk: int = 100_000):
    """Yield {group: {name: rows}} for consecutive row ranges, in replication order."""
    with _open(path) as f:
        groups = [f["batches"][k] for k in sorted(f["batches"])] if "batches" in f else [f]
        if not groups:
            raise _no_batch_yet(path, _attrs(f))
        for g in groups:
            n = g["replications/rep"].shape[0]
            for a in range(0, n, chunk):
                yield {grp: {name: _plain(g[grp][name][a:a + chunk]) for name in names}
                       for grp, names in columns.items()}


def read(path: str | Path, logs: bool = True) -> dict:
    """Read a results file, complete or interrupted, into one dictionary of arrays.

    ``logs=False`` reads only the per-replication and per-state columns: what the
    summary needs, a small fraction of a large file. Files of schema 1.0 (no dimension
    scales, no enums) hold the same arrays and read the same.
    """
    with _open(path) as f:
        attrs = _attrs(f)
        layout = json.loads(f.attrs["layout"])
        if "batches" in f:
            batches = [read_flat(f["batches"][k], logs) for k in sorted(f["batches"])]
            if not batches:
                raise _no_batch_yet(path, attrs)
            return concat(batches, attrs, layout)
        out = read_flat(f, logs)
    out["attrs"], out["layout"] = attrs, layout
    return out
