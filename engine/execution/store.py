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
"""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

import h5py
import numpy as np

from wargame.model.log import DECISION_DTYPE, EVENT_DTYPE

COMP = dict(compression="gzip", compression_opts=4, shuffle=True)
GROUPS = ("replications", "states", "params")


def _append(f: h5py.Group, name: str, arr: np.ndarray) -> None:
    """Append rows to a resizable, chunked, compressed dataset (created with arr's dtype)."""
    if name not in f:
        tail = arr.shape[1:]
        rows = max(1, min(4096, (1 << 20) // max(1, arr.dtype.itemsize * int(np.prod(tail or (1,))))))
        f.create_dataset(name, shape=(0,) + tail, maxshape=(None,) + tail, dtype=arr.dtype,
                         chunks=(rows,) + tail, **COMP)
    ds = f[name]
    n0 = ds.shape[0]
    ds.resize(n0 + arr.shape[0], axis=0)
    ds[n0:] = arr


def write_flat(f: h5py.Group, batch: dict) -> None:
    """Append one batch's arrays to a group in the flat layout."""
    _append(f, "replications/rep", np.asarray(batch["reps"], dtype="<i8"))
    for g in GROUPS:
        for k, v in batch[g].items():
            _append(f, f"{g}/{k}", np.ascontiguousarray(v))
    _append(f, "events", batch["events"].astype(EVENT_DTYPE))
    _append(f, "decisions", batch["decisions"].astype(DECISION_DTYPE))
    if "timeseries" in batch:
        _append(f, "timeseries/fronts", batch["timeseries"])


def read_flat(f: h5py.Group, logs: bool = True) -> dict:
    """One group's arrays; ``logs=False`` skips the big ones (logs, parameters, series)."""
    out = {"reps": f["replications/rep"][()]}
    out["replications"] = {k: f["replications"][k][()] for k in f["replications"] if k != "rep"}
    out["states"] = {k: f["states"][k][()] for k in f["states"]}
    if not logs:
        return out
    out["params"] = {k: f["params"][k][()] for k in f["params"]} if "params" in f else {}
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


def _reserve(where: Path, nbytes: int) -> None:
    """Check that a file of nbytes fits (free space, file-size limit) before HDF5 writes it."""
    probe = where.with_name(where.name + ".reserve")
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.posix_fallocate(fd, 0, max(1, nbytes))
        finally:
            os.close(fd)
    finally:
        probe.unlink(missing_ok=True)


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

    # -- starting and resuming
    def create(self, attrs: dict, layout: dict) -> None:
        if self.parts.exists():
            shutil.rmtree(self.parts)
        self.parts.mkdir()
        self.attrs, self.layout = dict(attrs), dict(layout)
        self._write_index()

    def open_existing(self) -> None:
        """Load the attributes and the finished shards of an interrupted run."""
        with h5py.File(self.path, "r") as f:
            self.attrs = {k: (v.item() if hasattr(v, "item") else v) for k, v in f.attrs.items()
                          if k not in ("layout", "complete", "replications_written")}
            self.layout = json.loads(f.attrs["layout"])
            complete = bool(f.attrs.get("complete", False))
        if complete:
            self.shards = [(0, int(self.attrs["runs"]))]
            return
        self.shards = []
        if self.parts.exists():
            for p in self.parts.glob("b*-*.h5"):
                a, b = p.stem[1:].split("-")
                self.shards.append((int(a), int(b)))
            for p in self.parts.glob("*.tmp"):  # a shard cut off mid-write: its batch reruns
                p.unlink()
        self.shards.sort()

    def is_complete(self) -> bool:
        with h5py.File(self.path, "r") as f:
            return bool(f.attrs.get("complete", False))

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
        _atomic_h5(self.parts / _shard_name(a, b), lambda f: write_flat(f, batch))
        self.shards.append((a, b))
        self.shards.sort()
        self._write_index()

    def finish(self, extra: dict | None = None) -> None:
        """Stream every shard, in replication order, into the flat file; then drop the shards."""
        self.attrs.update(extra or {})

        def fill(f):
            for k, v in self.attrs.items():
                f.attrs[k] = v
            f.attrs["layout"] = json.dumps(self.layout)
            n = 0
            for a, b in self.shards:
                with h5py.File(self.parts / _shard_name(a, b), "r") as s:
                    write_flat(f, read_flat(s))
                n += b - a
            f.attrs["replications_written"] = n
            f.attrs["complete"] = True

        # The flat file is streamed to disk (it can be larger than memory); make sure it fits first.
        need = sum((self.parts / _shard_name(a, b)).stat().st_size for a, b in self.shards)
        tmp = self.path.with_name(self.path.name + ".tmp")
        _reserve(tmp, int(need * 1.2) + (1 << 20))
        with h5py.File(tmp, "w") as f:
            fill(f)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        _durable_replace(tmp, self.path)
        shutil.rmtree(self.parts, ignore_errors=True)

    def close(self) -> None:
        pass


def read_meta(path: str | Path) -> tuple[dict, dict]:
    """A results file's root attributes and layout."""
    with h5py.File(path, "r") as f:
        attrs = {k: (v.item() if hasattr(v, "item") else v) for k, v in f.attrs.items() if k != "layout"}
        return attrs, json.loads(f.attrs["layout"])


def iter_columns(path: str | Path, columns: dict, chunk: int = 100_000):
    """Yield {group: {name: rows}} for consecutive row ranges, in replication order."""
    with h5py.File(path, "r") as f:
        groups = [f["batches"][k] for k in sorted(f["batches"])] if "batches" in f else [f]
        for g in groups:
            n = g["replications/rep"].shape[0]
            for a in range(0, n, chunk):
                yield {grp: {name: g[grp][name][a:a + chunk] for name in names} for grp, names in columns.items()}


def read(path: str | Path, logs: bool = True) -> dict:
    """Read a results file, complete or interrupted, into one dictionary of arrays.

    ``logs=False`` reads only the per-replication and per-state columns: what the
    summary needs, a small fraction of a large file.
    """
    from wargame.execution.results import concat

    with h5py.File(path, "r") as f:
        attrs = {k: (v.item() if hasattr(v, "item") else v) for k, v in f.attrs.items() if k != "layout"}
        layout = json.loads(f.attrs["layout"])
        if "batches" in f:
            batches = [read_flat(f["batches"][k], logs) for k in sorted(f["batches"])]
            if not batches:
                raise ValueError("no finished batch yet")
            return concat(batches, attrs, layout)
        out = read_flat(f, logs)
    out["attrs"], out["layout"] = attrs, layout
    return out
