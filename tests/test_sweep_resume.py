"""`wargame sweep` interrupted and resumed: Ctrl-C, the arms folder, --resume and its checks, --overwrite.

Ctrl-C arrives here in this process, deterministically: the progress bar presses it once
enough replications are on disk. kill -9 of a real `wargame sweep` is in tests/test_scale.py.
"""

import contextlib
import io
import shlex
import shutil

import h5py
import pytest

from conftest import CONFIGS
from wargame.analysis import sweep
from wargame.analysis import sweep_file

TAIWAN = CONFIGS / "taiwan_strait.toml"

SMALL = [str(TAIWAN), "--vary", "states.USA.doctrine=self_help,never", "--runs", "120", "--seed", "5"]


def _main(*args) -> tuple[int, str]:
    """`wargame ARGS` in this process: (exit code, stderr)."""
    from wargame.cli.main import main

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        rc = main([str(a) for a in args])
    return rc, err.getvalue()


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    out = tmp_path_factory.mktemp("whole") / "whole.h5"
    rc, err = _main("sweep", *SMALL, "--batch-size", 120, "--workers", 1, "--out", out, "--quiet")
    assert rc == 0, err
    return out


@pytest.fixture(scope="module")
def interrupted(tmp_path_factory):
    """A sweep stopped by Ctrl-C with its first arm complete and its second in part (batches of 40)."""
    from wargame.cli import sweep as sweep_command

    def ctrl_c(enabled):
        def tick(done, total):
            if done >= 150:  # arm A's 120, then arm B's first batch
                raise KeyboardInterrupt
        return tick

    out = tmp_path_factory.mktemp("cut") / "cut.h5"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sweep_command, "Progress", ctrl_c)
        rc, err = _main("sweep", *SMALL, "--batch-size", 40, "--workers", 1, "--out", out, "--quiet")
    return out, rc, err


def _copy(interrupted, tmp_path):
    """A copy of the interrupted sweep's arms folder for one test; returns its --out path."""
    out = tmp_path / "s.h5"
    shutil.copytree(interrupted[0].with_name("cut.h5.arms"), tmp_path / "s.h5.arms")
    return out


def _tree(folder):
    return sorted((str(p.relative_to(folder)), p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*"))


def test_ctrl_c_keeps_the_arms_and_the_printed_command_resumes(interrupted, uninterrupted, tmp_path):
    from test_scale import assert_same

    out, rc, err = interrupted
    assert rc == 130, err
    line = err.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in err
    assert "(1 of 2 arms complete)" in line and "resume with: wargame sweep" in line
    arms = out.with_name("cut.h5.arms")
    assert not out.exists() and (arms / "sweep.json").exists()
    with h5py.File(arms / "arm0.h5", "r") as a, h5py.File(arms / "arm1.h5", "r") as b:
        assert a.attrs["complete"] and not b.attrs["complete"]
        kept = 120 + int(b.attrs["replications_written"])
        assert "events" in a and a["events"].shape == (0,)  # arms keep the columns, not the logs
    assert f"keeps the {kept} replications" in line
    # The printed command, run on a copy (other batch size), finishes the sweep: same bits.
    words = shlex.split(line.split("resume with: ", 1)[1])
    copy = _copy(interrupted, tmp_path)
    words[words.index("--out") + 1] = str(copy)
    rc, err = _main(*words[1:], "--batch-size", 25, "--quiet")
    assert rc == 0, err
    assert not copy.with_name("s.h5.arms").exists()  # the sweep file holds it all now
    assert_same(uninterrupted, copy)


def test_arms_on_disk_give_the_metrics_of_a_sweep_in_memory(uninterrupted):
    varied = sweep.parse_vary(SMALL[2:3])
    sw = sweep.run(str(TAIWAN), [], varied, 120, 5, batch_size=50)
    d = sweep_file.read(uninterrupted)
    for arm, cols in zip(sw.arms, d["columns"]):
        assert arm.metrics.keys() == cols["metrics"].keys() and arm.params.keys() == cols["params"].keys()
        for k in arm.metrics:
            assert cols["metrics"][k].tobytes() == arm.metrics[k].astype(cols["metrics"][k].dtype).tobytes(), k
        for k in arm.params:
            assert cols["params"][k].tobytes() == arm.params[k].tobytes(), k


@pytest.mark.parametrize("args, says", [
    (["--runs", 100], "--runs 100: the interrupted sweep in"),
    (["--seed", 6], "has seed = 5"),
    (["--vary", "states.USA.doctrine=never,self_help"],
     "--vary states.USA.doctrine=never,self_help: the interrupted sweep in"),
    (["--set", "states.JPN.doctrine=never"], "has overrides none"),
    (["--doctrine", "USA=never"], "--set states.USA.doctrine=\"never\": the interrupted sweep"),
    (["config"], "its text differs from the scenario of the interrupted sweep"),
])
def test_resume_refuses_another_sweep_in_one_line(interrupted, tmp_path, args, says):
    out = _copy(interrupted, tmp_path)
    before = _tree(out.with_name("s.h5.arms"))
    config = TAIWAN
    if args == ["config"]:
        config, args = tmp_path / "changed.toml", []
        config.write_text(TAIWAN.read_text() + "\n# changed\n")
    rc, err = _main("sweep", config, "--out", out, "--resume", *args)
    assert rc == 2 and len(err.strip().splitlines()) == 1 and says in err, err
    assert "resume needs the same" in err
    assert _tree(out.with_name("s.h5.arms")) == before  # checked before anything was touched


def test_resume_without_an_interrupted_sweep(uninterrupted, tmp_path):
    rc, err = _main("sweep", TAIWAN, "--out", uninterrupted, "--resume")
    assert rc == 0 and "already complete" in err
    rc, err = _main("sweep", TAIWAN, "--out", tmp_path / "none.h5", "--resume")
    assert rc == 2 and "nothing to resume (no such file" in err
    (tmp_path / "other.h5").write_text("not a sweep")
    rc, err = _main("sweep", TAIWAN, "--out", tmp_path / "other.h5", "--resume")
    assert rc == 2 and "nothing to resume (not a sweep file" in err


def test_a_fresh_sweep_over_an_interrupted_one_needs_overwrite(interrupted, tmp_path):
    out = _copy(interrupted, tmp_path)
    rc, err = _main("sweep", *SMALL, "--out", out)
    assert rc == 2 and "--overwrite" in err and "--resume" in err
    assert (out.with_name("s.h5.arms") / "arm1.h5").exists()
    rc, err = _main("sweep", *SMALL[:-4], "--runs", 30, "--workers", 1, "--out", out, "--overwrite", "--quiet")
    assert rc == 0, err
    assert not out.with_name("s.h5.arms").exists() and sweep_file.read(out)["attrs"]["runs"] == 30
