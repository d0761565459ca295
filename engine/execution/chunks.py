"""Whole chunks of a column compressed on every core, then written as they are stored.

HDF5 compresses a chunk on the thread that writes it, and h5py holds one lock for all its
calls, so a results file was compressed on one core: for the duel, the final gzip-4 write of
20,000 replications (19 MB of columns) took 222 ms, longer than simulating them. Here the
chunks that a write fills whole are shuffled and deflated by a thread pool (numpy and zlib
let go of the GIL), in exactly the byte layout HDF5's own shuffle and deflate filters
produce, and handed to HDF5 with ``write_direct_chunk``; readers cannot tell the difference
(tests/test_chunks.py compares the chunks with h5py's own and reads them with h5py and
h5dump; tests/test_results_format.py reads whole runs written this way with xarray and
h5dump). The same write took 117 ms on 2 cores.

Anything this does not cover goes through h5py as before: a dataset with filters other
than shuffle and gzip, a dtype that differs from the dataset's, and the rows before the
first chunk boundary of an append (the tail of a chunk an earlier append began).

Reading is the mirror image (``read_rows``): the stored chunks are fetched with
``read_direct_chunk`` and inflated and unshuffled by the same pool, where h5py would
inflate them one after another on one core. A chunk HDF5 stored unfiltered (its filter
mask says so: deflate is an optional filter, skipped where it would not shrink the chunk)
and every dataset this does not cover are read by h5py. Reading a million duel runs back
(``store.read``, 950 MB of columns) took 2.22 s with h5py and 1.76 s this way on 2 cores; the
bigger columns twice as fast (``states/losses_by_day``: 1.40 -> 0.62 s).
"""

from __future__ import annotations

import os
import zlib
from concurrent.futures import ThreadPoolExecutor

import h5py
import numpy as np

# Fetching a stored chunk costs ~35 us of h5py calls on this thread: chunks smaller than this
# (columns of a few bytes a replication, which also inflate fastest) read faster through h5py.
# Reading a million duel runs' columns: 2.43 s with h5py, 1.43 s with the rule, 2 cores.
READ_CHUNK_BYTES = 100_000

_pool: ThreadPoolExecutor | None = None
_pid = 0  # the process that made _pool


def _threads() -> ThreadPoolExecutor:
    """One pool for the process, sized to the cores it may use (made on first use).

    A process forked from one that had the pool inherits it without its threads (a job sent to
    it would wait for ever), so a pool is only used in the process that made it.
    """
    global _pool, _pid
    if _pool is None or _pid != os.getpid():
        n = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        _pool, _pid = ThreadPoolExecutor(max(1, min(n, 8)), thread_name_prefix="wargame-deflate"), os.getpid()
    return _pool


def _chunked_gzip(ds: h5py.Dataset) -> bool:
    """gzip (with or without shuffle) and no other filter, chunks spanning every axis but the first."""
    if ds.compression != "gzip" or ds.fletcher32 or ds.scaleoffset is not None or ds.chunks is None:
        return False
    return tuple(ds.chunks[1:]) == tuple(ds.shape[1:])


def _same_bytes(ds: h5py.Dataset, dtype: np.dtype) -> bool:
    """Whether an element of ``dtype`` has the bytes of one of ds's stored elements, field by field."""
    t = ds.id.get_type()
    if t.get_size() != dtype.itemsize:
        return False
    if dtype.names:  # a record's fields must sit where the file's compound type has them
        return all(t.get_member_offset(i) == dtype.fields[n][1] for i, n in enumerate(dtype.names))
    return True


def _direct(ds: h5py.Dataset, arr: np.ndarray) -> bool:
    """Whether ds's chunks can be made here: ``_chunked_gzip``, and arr's bytes already in the file's layout."""
    if not _chunked_gzip(ds) or arr.shape[1:] != ds.shape[1:]:
        return False
    stored = np.dtype(ds.dtype.str) if not ds.dtype.names else ds.dtype
    if stored != arr.dtype or not arr.flags.c_contiguous:
        return False
    return _same_bytes(ds, arr.dtype)


def _deflate(rows: np.ndarray, chunk_rows: int, level: int, shuffle: bool) -> bytes:
    """One chunk as HDF5's filters would store it: padded to whole size, bytes shuffled
    (byte i of every element together, element = the dtype), then deflated (zlib format)."""
    if rows.shape[0] < chunk_rows:  # the last chunk: HDF5 stores edge chunks whole
        pad = np.zeros((chunk_rows - rows.shape[0],) + rows.shape[1:], rows.dtype)
        rows = np.concatenate([rows, pad])
    size = rows.dtype.itemsize
    raw = rows.reshape(-1).view(np.uint8)
    if shuffle and size > 1:
        raw = np.ascontiguousarray(raw.reshape(-1, size).T)
    return zlib.compress(raw, level)


def write_rows(ds: h5py.Dataset, n0: int, arr: np.ndarray) -> None:
    """Write arr into ds (already resized) from row n0: whole chunks in parallel, the rest by h5py."""
    if arr.shape[0] == 0:
        return
    if not _direct(ds, arr):
        ds[n0:n0 + arr.shape[0]] = arr
        return
    rows = ds.chunks[0]
    head = min((-n0) % rows, arr.shape[0])
    if head:  # the end of a chunk an earlier append began: HDF5 reads, merges and recompresses it
        ds[n0:n0 + head] = arr[:head]
    level, shuffle = int(ds.compression_opts), bool(ds.shuffle)  # read here: h5py is not for the pool's threads
    starts = range(head, arr.shape[0], rows)
    blobs = _threads().map(lambda s: _deflate(arr[s:s + rows], rows, level, shuffle), starts)
    zeros = (0,) * (arr.ndim - 1)
    for s, blob in zip(starts, blobs):
        ds.id.write_direct_chunk((n0 + s,) + zeros, blob)


def _inflate_into(blob: bytes, dst: np.ndarray, skip: int, size: int, shuffle: bool) -> None:
    """Inflate one stored chunk and unshuffle its elements ``skip`` .. ``skip + len(dst)`` straight
    into ``dst`` (uint8, one row of ``size`` bytes per element): ``_deflate`` undone, no copy between."""
    raw = np.frombuffer(zlib.decompress(blob), np.uint8)
    if shuffle and size > 1:
        src = raw.reshape(size, -1).T  # element e's bytes: column e of the shuffled planes
    else:
        src = raw.reshape(-1, size)
    dst[:] = src[skip:skip + dst.shape[0]]


def read_rows(ds: h5py.Dataset, a: int = 0, b: int | None = None) -> np.ndarray:
    """Rows a..b-1 of ds (all of it by default), as ``ds[a:b]`` gives them: whole chunks inflated in parallel."""
    n = ds.shape[0]
    b = n if b is None else min(b, n)
    a = min(max(a, 0), b)
    rows = ds.chunks[0] if ds.chunks is not None else 0
    per_row = int(np.prod(ds.shape[1:], dtype=np.int64))  # elements in a row
    small = rows * per_row * ds.dtype.itemsize < READ_CHUNK_BYTES
    if b - a <= rows or small or not _chunked_gzip(ds) or not _same_bytes(ds, ds.dtype):
        return ds[a:b]  # one chunk or less, small chunks, other filters or layouts: h5py
    first, last = a // rows, (b - 1) // rows
    zeros = (0,) * (ds.ndim - 1)
    try:  # h5py on this thread only
        stored = [ds.id.read_direct_chunk((c * rows,) + zeros) for c in range(first, last + 1)]
    except (KeyError, OSError, RuntimeError, ValueError):  # a chunk never written: h5py gives its fill value
        return ds[a:b]
    shuffle, size = bool(ds.shuffle), ds.dtype.itemsize
    out = np.empty((b - a,) + ds.shape[1:], ds.dtype)

    def one(k):
        c = first + k
        lo, hi = max(a, c * rows), min(b, (c + 1) * rows)
        mask, blob = stored[k]
        if mask:  # stored with a filter skipped (deflate gave up on it): left to h5py below
            return k
        dst = out[lo - a:hi - a].reshape(-1).view(np.uint8).reshape(-1, size)
        _inflate_into(blob, dst, (lo - c * rows) * per_row, size, shuffle)
        return None

    for k in [k for k in _threads().map(one, range(len(stored))) if k is not None]:
        c = first + k
        lo, hi = max(a, c * rows), min(b, (c + 1) * rows)
        out[lo - a:hi - a] = ds[lo:hi]
    return out
