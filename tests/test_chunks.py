"""Chunks compressed in parallel (execution/chunks.py) are the chunks HDF5 would have stored:
the same rows back through h5py and h5dump, the same bytes once inflated, appends that start
mid-chunk, and h5py's own path wherever the fast one does not apply."""

import shutil
import subprocess
import zlib

import h5py
import numpy as np
import pytest

from wargame.execution import chunks
from wargame.execution.flat import COMP, SHARD_COMP, _append

REC = np.dtype([("rep", "<i8"), ("day", "<f4"), ("type", "i1"), ("value", "<f8")])  # packed, as the logs


def _columns(n: int, seed: int = 1) -> dict:
    g = np.random.default_rng(seed)
    rec = np.zeros(n, REC)
    rec["rep"], rec["day"], rec["type"], rec["value"] = np.arange(n), g.random(n), g.integers(0, 9, n), g.normal(size=n)
    return {"losses": g.normal(size=(n, 2, 3, 3)), "day": np.where(g.random((n, 2)) < 0.3, np.nan, g.random((n, 2))),
            "code": g.integers(-1, 5, n).astype("i1"), "count": g.integers(0, 1 << 40, (n, 3)), "events": rec}


def _write(path, parts: list[dict], comp: dict, direct: bool, monkeypatch) -> None:
    with monkeypatch.context() as m:
        if not direct:
            m.setattr(chunks, "_direct", lambda ds, arr: False)
        with h5py.File(path, "w") as f:
            for cols in parts:
                for k, v in cols.items():
                    _append(f, k, v, {}, comp)


def _inflated(path) -> dict:
    """Every stored chunk of every dataset, inflated and un-shuffled back to the chunk's raw bytes."""
    out = {}
    with h5py.File(path, "r") as f:
        for k, ds in f.items():
            size = ds.dtype.itemsize
            for i in range(ds.id.get_num_chunks()):
                info = ds.id.get_chunk_info(i)
                _, blob = ds.id.read_direct_chunk(info.chunk_offset)
                raw = np.frombuffer(zlib.decompress(blob), np.uint8)
                out[k, info.chunk_offset] = raw.reshape(size, -1).T.tobytes() if ds.shuffle and size > 1 else raw.tobytes()
    return out


@pytest.mark.parametrize("comp", [COMP, SHARD_COMP, dict(compression="gzip", compression_opts=6)], ids=["gzip4+shuffle", "gzip1+shuffle", "gzip6"])
@pytest.mark.parametrize("sizes", [[5000], [1000, 9001, 3], [4096, 4096]], ids=["one", "mid-chunk", "aligned"])
def test_parallel_chunks_equal_hdf5s_own(tmp_path, monkeypatch, comp, sizes):
    parts = [_columns(n, seed=i) for i, n in enumerate(sizes)]
    fast, slow = tmp_path / "fast.h5", tmp_path / "slow.h5"
    _write(fast, parts, comp, True, monkeypatch)
    _write(slow, parts, comp, False, monkeypatch)
    with h5py.File(fast, "r") as f:
        for k in parts[0]:
            want = np.concatenate([p[k] for p in parts])
            got = f[k][()]
            assert got.dtype == want.dtype and got.shape == want.shape
            if want.dtype.names:
                assert got.tobytes() == want.tobytes(), k
            else:
                np.testing.assert_array_equal(got, want, err_msg=k)
    a, b = _inflated(fast), _inflated(slow)
    assert a.keys() == b.keys()
    with h5py.File(slow, "r") as f:
        for key in a:  # edge chunks: only the rows inside the dataset are defined
            assert len(a[key]) == len(b[key]), key
            ds = f[key[0]]
            row_bytes = ds.dtype.itemsize * int(np.prod(ds.shape[1:] or (1,)))
            used = min(ds.chunks[0], sum(sizes) - key[1][0]) * row_bytes
            assert a[key][:used] == b[key][:used], key


def test_parallel_chunks_are_taken_for_the_results_columns(tmp_path, monkeypatch):
    """The fast path is the one taken for gzip columns (a test of the others alone would pass
    if it never ran), and h5py's for what it cannot do."""
    taken = []
    real = chunks._deflate
    monkeypatch.setattr(chunks, "_deflate", lambda *a: taken.append(1) or real(*a))
    cols = _columns(10_000)
    with h5py.File(tmp_path / "a.h5", "w") as f:
        for k, v in cols.items():
            _append(f, k, v, {}, COMP)
        assert len(taken) == sum(f[k].id.get_num_chunks() for k in cols)
        f.create_dataset("sum", shape=(0, 3), maxshape=(None, 3), chunks=(100, 3), dtype="<i8", fletcher32=True, **COMP)
        f.create_dataset("wide", shape=(0,), maxshape=(None,), chunks=(100,), dtype="<f8", compression="lzf")
        n = len(taken)
        _append(f, "sum", cols["count"], {}, COMP)
        _append(f, "wide", cols["losses"][:, 0, 0, 0], {}, COMP)
        _append(f, "count", cols["count"].astype("<i4"), {}, COMP)  # converted by h5py, not reinterpreted
        assert len(taken) == n
        np.testing.assert_array_equal(f["sum"][()], cols["count"])
        np.testing.assert_array_equal(f["wide"][()], cols["losses"][:, 0, 0, 0])
        np.testing.assert_array_equal(f["count"][10_000:], cols["count"].astype("<i4"))


def test_h5dump_reads_parallel_chunks(tmp_path, monkeypatch):
    if shutil.which("h5dump") is None:
        pytest.skip("h5dump not installed")
    cols = {"code": np.arange(7000, dtype="<i8") % 97}
    _write(tmp_path / "a.h5", [cols], COMP, True, monkeypatch)
    p = subprocess.run(["h5dump", "-d", "/code", "-s", "6990", "-c", "10", "-y", "-w", "0", str(tmp_path / "a.h5")],
                       capture_output=True, text=True, check=True)
    data = p.stdout.split("DATA {", 1)[1].split("}", 1)[0]
    assert [int(x) for x in data.replace(",", " ").split()] == list(np.arange(6990, 7000) % 97)


def test_a_forked_process_writes_with_its_own_threads(tmp_path, monkeypatch):
    """A notebook that wrote a file, then forks (multiprocessing's default on Linux), must not
    hand the child's chunks to the parent's pool, whose threads the child does not have."""
    import multiprocessing

    cols = {"x": np.arange(20_000, dtype="<f8")}
    _write(tmp_path / "parent.h5", [cols], COMP, True, monkeypatch)  # the parent's pool exists now
    ctx = multiprocessing.get_context("fork")
    p = ctx.Process(target=_child_writes, args=(str(tmp_path / "child.h5"),))
    p.start()
    p.join(60)
    if p.is_alive():
        p.kill()
        pytest.fail("the forked child hung writing chunks")
    assert p.exitcode == 0
    with h5py.File(tmp_path / "child.h5", "r") as f:
        np.testing.assert_array_equal(f["x"][()], np.arange(20_000, dtype="<f8"))


def _child_writes(path):
    with h5py.File(path, "w") as f:
        _append(f, "x", np.arange(20_000, dtype="<f8"), {}, COMP)


# ------------------------------------------------------------------ reading (chunks.read_rows)
RANGES = [(0, None), (0, 1), (5, 4100), (4095, 4097), (3000, 12000), (12000, 10**9), (7, 7)]


@pytest.mark.parametrize("comp", [COMP, dict(compression="gzip", compression_opts=6)], ids=["gzip4+shuffle", "gzip6"])
def test_rows_read_in_parallel_equal_h5pys(tmp_path, monkeypatch, comp):
    path = tmp_path / "r.h5"
    _write(path, [_columns(9000, seed=3), _columns(4000, seed=4)], comp, True, monkeypatch)
    monkeypatch.setattr(chunks, "READ_CHUNK_BYTES", 0)  # every column, the small ones too
    taken = []
    inflate = chunks._inflate_into
    monkeypatch.setattr(chunks, "_inflate_into", lambda *a: (taken.append(1), inflate(*a)))
    with h5py.File(path, "r") as f:
        for k, ds in f.items():
            for a, b in RANGES:
                got, want = chunks.read_rows(ds, a, b), ds[a:b if b is not None else ds.shape[0]]
                assert got.dtype == want.dtype and got.shape == want.shape, (k, a, b)
                assert got.tobytes() == want.tobytes(), (k, a, b)  # NaN and records too, bit for bit
    assert taken  # the parallel path did the reading


def test_chunks_hdf5_stored_unfiltered_or_never_wrote_are_read_by_h5py(tmp_path):
    data = np.random.default_rng(0).normal(size=(20_000, 16))
    with h5py.File(tmp_path / "u.h5", "w") as f:
        ds = f.create_dataset("x", data=data, chunks=(4096, 16), **COMP)
        # Chunk 1 stored as HDF5 stores a chunk its optional deflate gave up on: shuffled, not
        # deflated, filter mask bit 1 (the pipeline's second filter) set.
        raw = data[4096:8192].reshape(-1).view(np.uint8)
        ds.id.write_direct_chunk((4096, 0), np.ascontiguousarray(raw.reshape(-1, 8).T).tobytes(), filter_mask=0b10)
        f.flush()  # (before a flush HDF5 reports the chunk's mask as 0)
        assert ds.id.read_direct_chunk((4096, 0))[0] == 0b10 and ds[4096:8192].tobytes() == data[4096:8192].tobytes()
        assert chunks.read_rows(ds).tobytes() == data.tobytes()
        assert chunks.read_rows(ds, 4000, 9000).tobytes() == data[4000:9000].tobytes()
        holes = f.create_dataset("holes", shape=(20_000, 8), maxshape=(None, 8), chunks=(4096, 8), dtype="<f8",
                                 fillvalue=-1.0, **COMP)
        holes[:4096] = 1.0  # the other chunks never written: HDF5 gives the fill value
        want = holes[()]
        assert chunks.read_rows(holes).tobytes() == want.tobytes() and (want[5000:] == -1.0).all()


def test_small_chunks_and_other_filters_stay_with_h5py(tmp_path, monkeypatch):
    monkeypatch.setattr(chunks, "_inflate_into", lambda *a: pytest.fail("the parallel path was taken"))
    with h5py.File(tmp_path / "s.h5", "w") as f:
        small = f.create_dataset("code", data=np.arange(50_000, dtype="i1"), chunks=(4096,), **COMP)
        assert chunks.read_rows(small).tobytes() == small[()].tobytes()  # 4 KB chunks: under READ_CHUNK_BYTES
        big = np.random.default_rng(1).normal(size=(50_000, 20))
        summed = f.create_dataset("sum", data=big, chunks=(4096, 20), fletcher32=True, **COMP)
        assert chunks.read_rows(summed).tobytes() == big.tobytes()
        lzf = f.create_dataset("lzf", data=big, chunks=(4096, 20), compression="lzf")
        assert chunks.read_rows(lzf).tobytes() == big.tobytes()
