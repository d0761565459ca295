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

Both the flat file and every shard label themselves (execution/flat.py) from the layout's column table
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
from wargame.execution.batching import nbytes
from wargame.execution.chunks import read_rows
from wargame.execution.reserved import Reserved
from wargame.execution.flat import SHARD_COMP, label, plain, read_flat, write_flat
from wargame.execution.results import READABLE_MAJOR, SCHEMA_VERSION, concat

# Finished batches are also kept in memory up to this many bytes, so that ``finish`` writes the
# flat file from memory in one pass instead of reading every shard back and appending it
# batch by batch (for configs/duel.toml that pass was about a fifth of the time to a file). Past
# the budget the batches are dropped and ``finish`` streams from the shards, as before.
KEEP_BYTES = 256 << 20


class ResultsFileError(WargameError, ValueError):
    """A file that is not a results file this version reads; the message says which and why."""


class TooNew(ResultsFileError):
    """A results file of a newer schema than this version reads (nothing to repair)."""


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
            write_flat(f, batch, self.layout, SHARD_COMP)
            label(f, self.layout)

        _atomic_h5(self.parts / _shard_name(a, b), fill)
        self.shards.append((a, b))
        self.shards.sort()
        self._write_index()
        self._keep((a, b), batch)

    def _keep(self, key: tuple[int, int], batch: dict) -> None:
        if self._kept is None:
            return
        self._kept_bytes += nbytes(batch)
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
                yield {grp: {name: plain(read_rows(g[grp][name], a, a + chunk)) for name in names}
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
