"""The installed CLI driven in a subprocess: run, validate, schema, summary, and bad input."""

import hashlib
import json

import h5py
import numpy as np
import pandas as pd
import pytest

from conftest import CONFIGS, DATA, cli


@pytest.fixture(scope="module")
def trio_h5(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "trio.h5"
    p = cli("run", DATA / "trio.toml", "--runs", 30, "--seed", 5, "--out", out, "--timeseries", "--batch-size", 7)
    assert p.returncode == 0, p.stderr
    return out, p


def test_run_prints_summary(trio_h5):
    _, p = trio_h5
    assert "Outcome" in p.stdout and "95% interval" in p.stdout
    assert "trio: 30 replications, seed 5" in p.stdout
    assert "wrote" in p.stdout


def test_hdf5_read_back_without_our_code(trio_h5):
    out, _ = trio_h5
    text = (DATA / "trio.toml").read_text()
    with h5py.File(out, "r") as f:
        a = f.attrs
        assert a["schema_version"] == "2.0" and a["seed"] == 5 and a["runs"] == 30 and a["complete"]
        assert a["config_text"] == text
        assert a["config_sha256"] == hashlib.sha256(text.encode()).hexdigest()
        assert json.loads(a["package_versions"])["numba"]
        layout = json.loads(a["layout"])
        reps = pd.DataFrame({k: f["replications"][k][()] for k in f["replications"]})
        events = pd.DataFrame(f["events"][()])
        ts = f["timeseries/fronts"]
        assert ts.shape == (30, 40, 1, 3) and ts.compression == "gzip"
        inter = f["states/intervened"][()]
    assert list(reps["rep"]) == list(range(30))  # replication order, whatever the batch size
    assert set(reps["outcome"]) <= set(range(len(layout["outcomes"])))
    assert (events.groupby("rep").size() >= 5).all()
    assert inter[:, layout["states"].index("T3")].sum() == 0


def test_summary_command(trio_h5):
    out, _ = trio_h5
    p = cli("summary", out)
    assert p.returncode == 0 and "Outcome" in p.stdout


def test_output_exists_is_refused(trio_h5):
    out, _ = trio_h5
    before = out.stat().st_mtime_ns
    p = cli("run", DATA / "trio.toml", "--runs", 2, "--out", out)
    assert p.returncode == 2
    assert "output exists" in p.stderr and "Traceback" not in p.stderr
    assert out.stat().st_mtime_ns == before  # nothing finished is lost


@pytest.mark.parametrize("args, message", [
    (["run", "nope.toml"], "nope.toml: no such file"),
    (["run", "TRIO", "--runs", "0"], "--runs 0: must be >= 1"),
    (["run", "TRIO", "--doctrine", "T1=pacifist"], "doctrine must be one of"),
    (["run", "TRIO", "--doctrine", "ZZ=never"], "states.ZZ"),
    (["run", "TRIO", "--set", "fronts.main.terrain=-1"], "fronts.main.terrain = -1: must be >= 0.1"),
    (["run", "TRIO", "--out", "/nonexistent/dir/x.h5"], "does not exist"),
    (["summary", "TRIO"], "not a wargame results file"),
])
def test_bad_input_one_line_exit_2(tmp_path, args, message):
    args = [str(DATA / "trio.toml") if a == "TRIO" else a for a in args]
    p = cli(*args, cwd=tmp_path)
    assert p.returncode == 2, p.stderr
    assert message in p.stderr
    assert "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


def test_validate_good_configs():
    files = sorted(CONFIGS.glob("*.toml"))
    assert len(files) >= 5
    p = cli("validate", *files)
    assert p.returncode == 0, p.stderr
    assert p.stdout.count(": ok") == len(files)


def test_validate_reports_every_error_in_every_file(tmp_path):
    good = (DATA / "trio.toml").read_text()
    a = tmp_path / "a.toml"
    a.write_text(good.replace('doctrine = "never"', 'doctrine = "pacifist"').replace("casualty_tolerance = 0.5", "casualty_tolerance = 1.5"))
    b = tmp_path / "b.toml"
    b.write_text(good.replace("attacker_lethality = 0.01", "attacker_lethality = 0.01\nlethality = 3"))
    c = tmp_path / "c.toml"
    c.write_text("[scenario\nname=")
    p = cli("validate", a, b, DATA / "trio.toml", c)
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert f"{a}: states.T3.doctrine = 'pacifist': Input should be" in lines[0]
    assert f"{a}: states.T3.casualty_tolerance = 1.5: must be <= 1" in p.stderr
    assert f"{b}: fronts.main.lethality: unknown key" in p.stderr
    assert f"{c}: TOML syntax error" in p.stderr
    assert "Traceback" not in p.stderr
    assert p.stdout.count(": ok") == 1


def test_schema_is_json_schema(tmp_path):
    out = tmp_path / "s.json"
    p = cli("schema", "--out", out)
    assert p.returncode == 0
    s = json.loads(out.read_text())
    assert {"scenario", "states", "fronts"} <= set(s["properties"])
    assert s["additionalProperties"] is False


def test_doctrine_override_changes_outcomes(tmp_path):
    cfg = CONFIGS / "taiwan_strait.toml"
    outs = {}
    for doc in ("never", "collective_security"):
        out = tmp_path / f"{doc}.h5"
        p = cli("run", cfg, "--runs", 400, "--out", out, "--quiet", "--doctrine", f"USA={doc}",
                "--set", 'states.USA.treaties=["JPN", "TWN"]')
        assert p.returncode == 0, p.stderr
        with h5py.File(out, "r") as f:
            outs[doc] = np.bincount(f["replications/outcome"][()], minlength=6) / 400
            usa = json.loads(f.attrs["layout"])["states"].index("USA")
            iv = f["states/intervened"][:, usa]
        assert iv.all() if doc == "collective_security" else not iv.any()
    # Treaty-bound US intervention makes the attacker's victory clearly less likely.
    assert outs["collective_security"][1] < outs["never"][1] - 0.1
