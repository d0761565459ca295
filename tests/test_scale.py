"""Scale without changing a bit: workers, Dask, kill -9 and --resume, Ctrl-C, disk full.

Every run here goes through the real CLI in a subprocess, except the Dask comparison,
which drives a real LocalCluster on 127.0.0.1 through the runner.
"""

import os
import resource
import signal
import subprocess
import sys
import time

import h5py
import numpy as np
import pytest

from conftest import CONFIGS, cli

CFG = CONFIGS / "taiwan_strait.toml"


def datasets(path):
    """Every result dataset of a file (attributes like timing and creation time excluded)."""
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda n, o: out.__setitem__(n, o[()]) if isinstance(o, h5py.Dataset) else None)
    return out


def assert_same(a, b):
    da, db = datasets(a), datasets(b)
    assert da.keys() == db.keys()
    for k in da:
        assert da[k].tobytes() == db[k].tobytes(), k


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("ref") / "ref.h5"
    p = cli("run", CFG, "--runs", 1200, "--batch-size", 100, "--workers", 1, "--out", out, "--quiet")
    assert p.returncode == 0, p.stderr
    return out


def test_workers_and_batch_size_do_not_change_bits(reference, tmp_path):
    out = tmp_path / "w2.h5"
    p = cli("run", CFG, "--runs", 1200, "--batch-size", 170, "--workers", 2, "--out", out, "--quiet")
    assert p.returncode == 0, p.stderr
    assert_same(reference, out)


def test_dask_local_cluster_gives_the_same_bits(reference):
    pytest.importorskip("distributed")
    from wargame import kinds
    from wargame.execution import executors
    from wargame.model import scenario
    from wargame.execution.results import MemoryResults
    from wargame.execution.store import read

    loaded = scenario.load(CFG)
    ex = executors.DaskExecutor(local_workers=2)
    try:
        assert all(addr.startswith("tcp://127.0.0.1") for addr in ex.client.scheduler_info()["workers"])
        sink = MemoryResults()
        kinds.run(loaded, 1200, sink=sink, batch_size=300, executor=ex)
    finally:
        ex.close()
    got, ref = sink.read(), read(reference)
    for g in ("replications", "states", "params"):
        for k in ref[g]:
            assert got[g][k].tobytes() == ref[g][k].tobytes(), k
    assert got["events"].tobytes() == ref["events"].tobytes()


def _written(path):
    try:
        with h5py.File(path, "r") as f:
            return int(f.attrs["replications_written"])
    except (OSError, KeyError):
        return -1


def _children(pid):
    """PIDs of the live child processes of pid (from /proc)."""
    kids = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    if int(fh.read().rsplit(")", 1)[1].split()[1]) == pid:
                        kids.append(int(d))
            except (OSError, IndexError, ValueError):
                pass
    return kids


def _spawn(*args):
    """`wargame ARGS` as a child process, its output piped."""
    return subprocess.Popen([sys.executable, "-m", "wargame", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _start(out, *extra):
    return _spawn("run", CFG, "--runs", 1200, "--batch-size", 100, "--out", out, "--quiet", *extra)


def _kill_9_once(proc, written, at):
    """SIGKILL proc as soon as written() >= at, then check that its worker processes exit too."""
    deadline = time.time() + 300
    while written() < at and proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    workers = _children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL  # killed mid-run, not finished before
    deadline = time.time() + 10  # spawned workers notice their parent is gone and exit
    while any(os.path.exists(f"/proc/{w}") for w in workers) and time.time() < deadline:
        time.sleep(0.1)
    assert not [w for w in workers if os.path.exists(f"/proc/{w}")], "orphaned worker processes"


def _holds_finished_batches(path, at):
    """The index of a killed run opens, without our code, with every finished batch (at least ``at``)."""
    n = _written(path)
    assert n >= at
    with h5py.File(path, "r") as f:
        assert not f.attrs["complete"]
        assert sum(f["batches"][k]["replications/rep"].shape[0] for k in f["batches"]) == n


@pytest.mark.parametrize("kill_after", [0, 300, 800])
def test_kill_9_then_resume_equals_uninterrupted(reference, tmp_path, kill_after):
    out = tmp_path / "k.h5"
    proc = _start(out, "--workers", 1 if kill_after != 300 else 2)
    _kill_9_once(proc, lambda: _written(out), kill_after)
    _holds_finished_batches(out, kill_after)
    p = cli("run", CFG, "--out", out, "--resume", "--quiet")
    assert p.returncode == 0, p.stderr
    assert not (tmp_path / "k.h5.parts").exists()
    assert_same(reference, out)


def test_ctrl_c_keeps_finished_batches_and_says_how_to_resume(reference, tmp_path):
    out = tmp_path / "c.h5"
    proc = _start(out, "--workers", 1)
    while _written(out) < 200 and proc.poll() is None:
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "--resume" in err and "Traceback" not in err
    assert _written(out) >= 200
    p = cli("run", CFG, "--out", out, "--resume", "--quiet")
    assert p.returncode == 0, p.stderr
    assert_same(reference, out)


def test_resume_refuses_a_different_scenario(reference, tmp_path):
    out = tmp_path / "d.h5"
    proc = _start(out, "--workers", 1)
    while _written(out) < 100 and proc.poll() is None:
        time.sleep(0.02)
    proc.kill()
    proc.wait()
    p = cli("run", CFG, "--out", out, "--resume", "--doctrine", "USA=never")
    assert p.returncode == 2 and "resume needs the same" in p.stderr


# --------------------------------------------------------------------------- the system kind
# It runs through the same runner, executors and store as the crisis kind (wargame.kinds).

SYSTEM = ["earth", "--runs", 480, "--set", "scenario.horizon_years=30"]


@pytest.fixture(scope="module")
def system_reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("sysref") / "earth.h5"
    p = cli("run", *SYSTEM, "--batch-size", 480, "--workers", 1, "--out", out, "--quiet")
    assert p.returncode == 0, p.stderr
    return out


@pytest.mark.parametrize("executor, ran_on", [
    (["--workers", 1], "1 in-process worker"),
    (["--workers", 2], "2 local worker processes"),
    (["--dask-local", 2], "2 dask worker"),
], ids=["workers1", "workers2", "dask2"])
def test_system_kind_gives_the_same_bits_on_every_executor(system_reference, tmp_path, executor, ran_on):
    if executor[0] == "--dask-local":
        pytest.importorskip("distributed")
    out = tmp_path / "e.h5"
    p = cli("run", *SYSTEM, "--batch-size", 20, *executor, "--out", out)  # 24 batches
    assert p.returncode == 0, p.stderr
    assert ran_on in p.stdout  # it did run there
    with h5py.File(out, "r") as f:
        assert f["replications/wars"].shape == (480,) and f["replications/wars"][()].sum() > 0  # not vacuous
    assert_same(system_reference, out)


@pytest.mark.parametrize("kill_after, workers", [(0, 1), (200, 2)])
def test_system_kind_kill_9_then_resume_equals_uninterrupted(system_reference, tmp_path, kill_after, workers):
    out = tmp_path / "k.h5"
    proc = _spawn("run", *SYSTEM, "--batch-size", 20, "--workers", workers, "--out", out, "--quiet")
    _kill_9_once(proc, lambda: _written(out), kill_after)
    _holds_finished_batches(out, kill_after)
    p = cli("run", "earth", "--out", out, "--resume", "--quiet")  # scenario overrides come from the file
    assert p.returncode == 0, p.stderr
    assert not (tmp_path / "k.h5.parts").exists()
    assert_same(system_reference, out)


# --------------------------------------------------------------------------- sweeps
# Each arm goes to OUT.arms/arm<i>.h5 (an HDF5Store) as its batches finish.

SWEEP = ["sweep", CFG, "--vary", "states.USA.doctrine=self_help,never", "--runs", 240]


@pytest.fixture(scope="module")
def sweep_reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweepref") / "s.h5"
    p = cli(*SWEEP, "--batch-size", 240, "--workers", 1, "--out", out, "--quiet")
    assert p.returncode == 0, p.stderr
    return out


@pytest.mark.parametrize("arm, kill_after, resume_with", [
    (0, 0, ["--workers", 1]),                      # nothing finished yet
    (0, 100, ["--dask-local", 2]),                 # the first arm in part
    (1, 100, ["--workers", 2, "--batch-size", 30]),  # the first arm complete, read back; the second in part
], ids=["start", "first-arm", "second-arm"])
def test_sweep_kill_9_then_resume_equals_uninterrupted(sweep_reference, tmp_path, arm, kill_after, resume_with):
    if resume_with[0] == "--dask-local":
        pytest.importorskip("distributed")
    out, arms = tmp_path / "s.h5", tmp_path / "s.h5.arms"
    proc = _spawn(*SWEEP, "--batch-size", 40, "--workers", 2, "--out", out, "--quiet")
    _kill_9_once(proc, lambda: _written(arms / f"arm{arm}.h5"), kill_after)
    assert not out.exists() and (arms / "sweep.json").exists()
    if arm == 1:
        assert _written(arms / "arm0.h5") == 240
    _holds_finished_batches(arms / f"arm{arm}.h5", kill_after)
    p = cli(*SWEEP, "--out", out, "--resume", "--quiet", *resume_with)
    assert p.returncode == 0, p.stderr
    assert not arms.exists()
    assert_same(sweep_reference, out)


def _limit_file_size(limit):
    def pre():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG instead of being killed
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return pre


@pytest.mark.parametrize("limit, finished", [(1_000_000, True), (3_000, False)])
def test_disk_full_is_a_clear_error_and_loses_nothing(tmp_path, limit, finished):
    """A file-size limit stands in for a full disk: at 1 MB the batches fit (taiwan_strait's
    100-replication batches with --timeseries are up to 0.44 MB since they carry ships and
    aircraft lost by day) but the final file does not; at 3 kB not even one batch fits."""
    out = tmp_path / "full.h5"
    cmd = [sys.executable, "-m", "wargame", "run", str(CFG), "--runs", "3000", "--batch-size", "100",
           "--workers", "1", "--quiet", "--timeseries", "--out"]
    # The same run once without the limit first: numba caches each kernel it compiles, and a
    # cache file written under the limit fails too (this test is about the results file; on a
    # fresh machine the kernels this run's path takes may not be cached yet).
    warm = subprocess.run([*cmd, str(tmp_path / "warm.h5")], capture_output=True, text=True, timeout=600)
    assert warm.returncode == 0, warm.stderr
    p = subprocess.run([*cmd, str(out)], capture_output=True, text=True, preexec_fn=_limit_file_size(limit),
                       timeout=600)
    assert p.returncode == 2, p.stderr
    assert "cannot write results" in p.stderr and "--resume" in p.stderr
    assert "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1
    n = _written(out)
    if not finished:
        assert n <= 0
        return
    assert n == 3000  # every batch finished and is still there, readable
    with h5py.File(out, "r") as f:
        assert sum(f["batches"][k]["replications/rep"].shape[0] for k in f["batches"]) == n
    p = cli("run", CFG, "--out", out, "--resume", "--quiet")  # space freed: resume only writes the file
    assert p.returncode == 0, p.stderr
    with h5py.File(out, "r") as f:
        assert f.attrs["complete"] and f["replications/rep"].shape == (3000,)


def test_a_full_disk_under_a_cold_kernel_cache_names_the_cache_not_the_results(tmp_path):
    """Numba writes each kernel it compiles to its cache (files up to ~0.4 MB); on a full disk
    that write fails before any results file does, and the error must say so."""
    out, cache = tmp_path / "cold.h5", tmp_path / "numba-cache"
    cmd = [sys.executable, "-m", "wargame", "run", str(CONFIGS / "duel.toml"), "--runs", "10", "--workers", "1",
           "--quiet", "--out", str(out)]
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
    p = subprocess.run(cmd, capture_output=True, text=True, preexec_fn=_limit_file_size(150_000), timeout=600, env=env)
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert f"cannot write numba's compiled-kernel cache in {cache}" in p.stderr and "--resume" in p.stderr
    assert "cannot write results" not in p.stderr


def test_where_a_write_failed_is_told_from_the_traceback():
    from wargame.cli.support import from_kernel_cache

    def raised(filename):
        try:
            exec(compile("raise OSError(27, 'File too large')", filename, "exec"))
        except OSError as e:
            return e
    assert from_kernel_cache(raised(os.path.join("site-packages", "numba", "core", "caching.py")))
    assert not from_kernel_cache(raised(os.path.join("wargame", "execution", "store.py")))
    worker = raised("store.py")
    worker.__cause__ = RuntimeError('\n"""\nTraceback ...\n  File "/x/numba/core/caching.py", line 1\n"""')
    assert from_kernel_cache(worker) == (os.sep == "/")


def test_a_sweep_on_a_full_disk_is_a_clear_error_and_resumes(sweep_reference, tmp_path):
    out = tmp_path / "full.h5"
    args = [*SWEEP, "--batch-size", 40, "--workers", 1, "--out", out, "--quiet"]
    cmd = [sys.executable, "-m", "wargame", *map(str, args)]
    p = subprocess.run(cmd, capture_output=True, text=True, preexec_fn=_limit_file_size(3_000), timeout=600)
    assert p.returncode == 2, p.stderr
    assert "cannot write the sweep" in p.stderr and "--resume" in p.stderr
    assert "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1
    assert not out.exists() and (tmp_path / "full.h5.arms" / "sweep.json").exists()
    p = cli(*SWEEP, "--out", out, "--resume", "--quiet")  # space freed
    assert p.returncode == 0, p.stderr
    assert_same(sweep_reference, out)


def test_unwritable_directory_is_a_clear_error(tmp_path):
    if os.geteuid() == 0:  # root may write anywhere on disk, but not into /proc
        target, message = "/proc/wargame-test.h5", "cannot write results"
    else:
        d = tmp_path / "ro"
        d.mkdir(mode=0o500)
        target, message = d / "x.h5", "not writable"
    p = cli("run", CFG, "--runs", 10, "--out", target)
    assert p.returncode == 2, p.stderr
    assert message in p.stderr and "Traceback" not in p.stderr


def test_numba_cache_is_per_kernel_version_in_a_user_dir(tmp_path):
    """The cache lives under the user's cache dir (so read-only installs work), in a folder
    keyed by the kernel sources (so a changed callee never leaves stale machine code)."""
    code = f"""
import os
os.environ.pop('NUMBA_CACHE_DIR', None)
os.environ['XDG_CACHE_HOME'] = {str(tmp_path)!r}
import numpy as np
from wargame import kernels
d = os.environ['NUMBA_CACHE_DIR']
assert d.startswith(os.path.join({str(tmp_path)!r}, 'wargame', 'numba') + os.sep), d
assert d == kernels._cache_dir()
kernels.uniforms(1, np.arange(3), 1, 0, 4)
print(d)
"""
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == 0, p.stderr
    cache = p.stdout.strip()
    assert list((tmp_path / "wargame" / "numba").rglob("*.nbi")), "numba wrote no cache index"
    # A copy of the kernels with one source changed gets another cache directory.
    import shutil

    from wargame import kernels

    copy = tmp_path / "pkg" / "kernels"
    shutil.copytree(os.path.dirname(kernels.__file__), copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "variates.py").write_text((copy / "variates.py").read_text() + "\n# changed\n")
    code2 = f"import os; os.environ['XDG_CACHE_HOME'] = {str(tmp_path)!r}; import kernels; print(kernels._cache_dir())"
    p2 = subprocess.run([sys.executable, "-c", code2], capture_output=True, text=True, env={**env, "PYTHONPATH": str(copy.parent)},
                        cwd=tmp_path, timeout=300)
    assert p2.returncode == 0, p2.stderr
    assert p2.stdout.strip() != cache


def test_a_finished_batch_leaves_no_world_behind():
    # A batch's SimPy environment is a reference cycle whose waiting processes reference
    # the World; before run_task emptied the World, Log and time series, their arrays
    # lived until a full gc pass and peak RSS grew with --runs. Checked with the cycle
    # collector off, as between its rare full passes.
    import gc
    import weakref

    from wargame.execution import executors
    from wargame.execution import runner
    from wargame.model import scenario
    from wargame.crisis import batch, world

    loaded = scenario.load(str(CFG))
    task = next(runner.tasks_for(loaded, [(0, 20)], 1, 20, {}, True, batch.run_task))
    made = []
    orig = world.World.__init__

    def init(self, *a, **k):
        orig(self, *a, **k)
        made.append(weakref.ref(self))

    gc.disable()
    try:
        world.World.__init__ = init
        batch, _ = executors.run_task(task)
        assert len(made) == 1
        w = made[0]()
        held = [] if w is None else [k for k, v in vars(w).items() if isinstance(v, np.ndarray)]
        assert held == [], f"arrays still held after the batch: {held[:5]}"
        assert batch["reps"].tolist() == list(range(20)) and batch["states"]["losses"].shape[0] == 20
    finally:
        world.World.__init__ = orig
        gc.enable()
