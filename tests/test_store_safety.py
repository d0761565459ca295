"""One run per output file, resumes that check what they resume, and a full disk that never crashes.

Interrupted runs are made in-process (a store that stops after a few batches) so each
kind of damage is applied to a known state; locks and ``kill -9`` go through the real CLI.
"""

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from conftest import CONFIGS, cli
from test_scale import _kill_9_once, _spawn, _written, assert_same

CFG = CONFIGS / "duel.toml"
RUNS, BATCH = 3000, 500


class _Stop(Exception):
    pass


def _interrupted(out, keep):
    """An interrupted run of duel in out: the first `keep` batches finished, as a killed run leaves it."""
    from wargame import kinds
    from wargame.execution.store import HDF5Store
    from wargame.model import scenario

    class Partial(HDF5Store):
        def append(self, batch):
            if len(self.shards) >= keep:
                raise _Stop
            super().append(batch)

    try:
        kinds.run(scenario.load(CFG), RUNS, seed=5, sink=Partial(out), batch_size=BATCH)
    except _Stop:
        pass
    assert _written(out) == min(keep * BATCH, RUNS)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("ref") / "ref.h5"
    p = cli("run", CFG, "--runs", RUNS, "--batch-size", BATCH, "--seed", 5, "--workers", 1, "--out", out, "--quiet")
    assert p.returncode == 0, p.stderr
    return out


def _one_line(p):
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr
    return p.stderr


def _largest_chunk(path):
    """File offset of the middle of the largest stored chunk (the middle of the file may be free space)."""
    import h5py

    best = (0, 0)
    with h5py.File(path, "r") as f:
        def visit(_, o):
            nonlocal best
            if isinstance(o, h5py.Dataset) and o.chunks:
                for i in range(o.id.get_num_chunks()):
                    c = o.id.get_chunk_info(i)
                    best = max(best, (c.size, c.byte_offset))
        f.visititems(visit)
    size, offset = best
    assert size > 128, "no chunked dataset to damage"
    return offset + size // 2


def _flip(path, at, n=4096):
    with open(path, "r+b") as fh:
        fh.seek(at)
        data = fh.read(n)
        fh.seek(at)
        fh.write(bytes(b ^ 0xFF for b in data))


# -- one run per output file

def test_two_runs_on_one_output_one_is_refused_the_other_keeps_its_rows(tmp_path):
    solo = tmp_path / "solo.h5"
    assert cli("run", "duel", "--runs", 30000, "--seed", 1, "--workers", 1, "--out", solo, "--quiet").returncode == 0
    out = tmp_path / "same.h5"
    first = _spawn("run", "duel", "--runs", 30000, "--seed", 1, "--workers", 1, "--out", out, "--quiet")
    deadline = time.time() + 120
    while not (tmp_path / "same.h5.lock").exists() and time.time() < deadline:
        time.sleep(0.01)
    second = cli("run", "duel", "--runs", 30000, "--seed", 2, "--workers", 1, "--out", out, "--quiet", "--overwrite")
    assert first.poll() is None, "the first run ended before the second started: nothing was tested"
    err = _one_line(second)
    assert "another run is writing it" in err and f"pid {first.pid}" in err and "host" in err
    assert first.wait(timeout=300) == 0, first.stderr.read()
    assert_same(solo, out)
    assert not (tmp_path / "same.h5.lock").exists()


def test_kill_9_leaves_a_stale_lock_that_resume_takes_over(reference, tmp_path):
    out = tmp_path / "k.h5"
    proc = _spawn("run", CFG, "--runs", RUNS, "--batch-size", 100, "--seed", 5, "--workers", 1, "--out", out, "--quiet")
    _kill_9_once(proc, lambda: _written(out), 300)
    assert (tmp_path / "k.h5.lock").exists()  # left behind, but no process holds it
    p = cli("run", CFG, "--out", out, "--resume", "--quiet")
    assert p.returncode == 0, p.stderr
    assert_same(reference, out)
    assert not (tmp_path / "k.h5.lock").exists()


def test_a_held_lock_refuses_the_api_the_cli_and_sweeps(tmp_path):
    import wargame
    from wargame.execution.lock import OutputLock, OutputLocked

    out = tmp_path / "held.h5"
    with OutputLock(out):
        with pytest.raises(OutputLocked, match=f"pid {os.getpid()}"):
            wargame.run("duel", 10, out=out, overwrite=True)
        with pytest.raises(OutputLocked):
            wargame.sweep("duel", {"states.BLUE.doctrine": ["self_help", "never"]}, 10, out=out, overwrite=True)
        assert "another run is writing it" in _one_line(cli("run", CFG, "--runs", 10, "--out", out, "--resume"))
        p = cli("sweep", CFG, "--vary", "states.BLUE.doctrine=self_help,never", "--runs", 10, "--out", out, "--overwrite")
        assert "another run is writing it" in _one_line(p)
    assert not out.exists()  # none of them touched it
    wargame.run("duel", 10, out=out)  # released: it runs
    assert out.exists() and not (tmp_path / "held.h5.lock").exists()


# -- --resume checks what it resumes

def _shards(out):
    return sorted((out.parent / (out.name + ".parts")).glob("b*.h5"))


DAMAGE = {
    "index flipped": (lambda out: _flip(out, 512), "rebuilt from the batches"),
    "shard truncated": (lambda out: os.truncate(_shards(out)[1], _shards(out)[1].stat().st_size // 2),
                        "dropped, replications 500..999 run again"),
    "shard missing": (lambda out: _shards(out)[0].unlink(), "missing; its replications run again"),
    "parts missing": (lambda out: shutil.rmtree(out.parent / (out.name + ".parts")), "every replication runs again"),
}


@pytest.mark.parametrize("what", list(DAMAGE))
def test_resume_repairs_what_it_can_and_says_so(reference, tmp_path, what):
    out = tmp_path / "d.h5"
    _interrupted(out, keep=3)
    damage, note = DAMAGE[what]
    damage(out)
    p = cli("run", CFG, "--out", out, "--resume", "--quiet")
    assert p.returncode == 0, p.stderr
    assert note in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert_same(reference, out)


def test_a_damaged_complete_file_is_not_called_complete(reference, tmp_path):
    out = tmp_path / "c.h5"
    shutil.copy(reference, out)
    _flip(out, _largest_chunk(out), n=64)  # inside stored data, wherever the layout puts it
    # (`summary` reads only the columns it needs and may not notice; --resume reads all of it)
    err = _one_line(cli("run", CFG, "--out", out, "--resume"))
    assert "a complete results file, but damaged" in err and "--overwrite" in err


def test_a_damaged_index_without_its_record_says_start_again(tmp_path):
    out = tmp_path / "i.h5"
    _interrupted(out, keep=2)
    _flip(out, 0)
    (tmp_path / "i.h5.parts" / "run.json").unlink()
    err = _one_line(cli("run", CFG, "--out", out, "--resume"))
    assert "--overwrite" in err and "run.json" in err


def test_a_run_killed_before_its_first_batch_says_resume_it(reference, tmp_path):
    out = tmp_path / "z.h5"
    _interrupted(out, keep=0)
    err = _one_line(cli("summary", out))
    assert "an interrupted run with no finished batch yet; resume it with" in err and "--resume" in err
    p = cli("run", CFG, "--out", out, "--resume", "--quiet")
    assert p.returncode == 0, p.stderr
    assert_same(reference, out)


# -- a full disk

@pytest.fixture
def small_fs(tmp_path):
    """A 4 MiB tmpfs at tmp_path/fs (skipped where mounting is not permitted: it needs root).

    It must hold the run's shards (about 0.5 MB for duel's 3,000 replications) plus the merge's
    reservation (1.2 x the shards + 1 MiB, engine/execution/store.py), with nothing to spare once
    the tests fill it; 2 MiB stopped holding both when the results gained columns."""
    mnt = tmp_path / "fs"
    mnt.mkdir()
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)], capture_output=True, text=True)
    if p.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({p.stderr.strip() or p.returncode}); needs root")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def _fill(where: Path, leave: int = 0) -> Path:
    """Take every free byte of where's file system but `leave`, as another process would."""
    filler = where / "filler"
    with open(filler, "wb") as fh:
        try:
            while True:
                st = os.statvfs(where)
                free = st.f_bavail * st.f_frsize - leave
                if free <= 0:
                    break
                fh.write(b"\0" * min(free, 1 << 16))
                fh.flush()
        except OSError:
            pass
    return filler


def test_a_disk_filled_during_the_merge_cannot_take_the_reserved_space(reference, small_fs, monkeypatch):
    from wargame.execution import store

    out = small_fs / "m.h5"
    _interrupted(out, keep=6)  # every batch finished; only the merge is left
    st = store.HDF5Store(out)
    st.open_existing()
    real, filled = store.read_flat, []

    def read_then_fill(f, logs=True):  # the disk fills up while the merge is under way
        if not filled:
            filled.append(_fill(small_fs))
        return real(f, logs)

    monkeypatch.setattr(store, "read_flat", read_then_fill)
    st.finish()
    assert_same(reference, out)


def test_no_space_during_the_merge_is_one_line_and_resume_finishes(reference, small_fs, monkeypatch):
    from wargame.execution import reserved

    out = small_fs / "n.h5"
    _interrupted(out, keep=6)
    filler = _fill(small_fs, leave=40_000)  # the batches fit; the merged file does not
    p = cli("run", CFG, "--out", out, "--resume", "--quiet")
    err = _one_line(p)
    assert "cannot write results" in err and "--resume" in err
    assert _written(out) == RUNS and not (small_fs / "n.h5.tmp").exists()
    # The same with the reservation too small, so the merge itself runs out of space midway
    # (a write fails inside HDF5's I/O): a clean OSError, nothing left behind.
    from wargame.execution import store

    monkeypatch.setattr(reserved.Reserved, "__init__", _tiny_reservation(reserved.Reserved.__init__))
    st = store.HDF5Store(out)
    st.open_existing()
    with pytest.raises(OSError) as e:
        st.finish()
    assert e.value.errno == 28 and not (small_fs / "n.h5.tmp").exists()
    monkeypatch.undo()
    filler.unlink()  # space freed
    p = cli("run", CFG, "--out", out, "--resume", "--quiet")
    assert p.returncode == 0, p.stderr
    assert_same(reference, out)


def _tiny_reservation(init):
    def tiny(self, path, nbytes):
        init(self, path, 4096)
    return tiny


@pytest.mark.parametrize("keep_bytes", [0, 1_200_000], ids=["streamed", "over_budget_midway"])
def test_the_flat_file_from_memory_equals_the_one_streamed_from_shards(reference, tmp_path, monkeypatch, keep_bytes):
    """finish() writes from the batches it kept in memory (store.KEEP_BYTES); with nothing kept, or
    the budget passed midway (1.2 MB: a 500-replication batch of duel is about 0.5 MB, so the
    third batch drops the kept ones), it streams the shards: the same file either way."""
    from wargame import kinds
    from wargame.execution import store
    from wargame.model import scenario

    mem = tmp_path / "mem.h5"
    sink = store.HDF5Store(mem)
    kinds.run(scenario.load(CFG), RUNS, seed=5, sink=sink, batch_size=BATCH)
    assert sink._kept is not None  # every batch was kept
    sink.finish()
    monkeypatch.setattr(store, "KEEP_BYTES", keep_bytes)
    sink = store.HDF5Store(tmp_path / "disk.h5")
    kinds.run(scenario.load(CFG), RUNS, seed=5, sink=sink, batch_size=BATCH)
    assert sink._kept is None  # it did stream from the shards
    sink.finish()
    assert_same(mem, tmp_path / "disk.h5")
    assert_same(reference, mem)  # and the CLI's file (--workers 1) is the same too
