"""The installed CLI driven in a subprocess: run, validate, schema, summary, bad input, and what a new
user meets first: --version, every option's help, the shipped scenarios by name from any directory."""

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest

from conftest import CONFIGS, DATA, cli


def _exe():
    exe = shutil.which("wargame")
    return [exe] if exe else [sys.executable, "-m", "wargame"]


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
            outs[doc] = np.bincount(f["replications/outcome"][()], minlength=7) / 400
            usa = json.loads(f.attrs["layout"])["states"].index("USA")
            iv = f["states/intervened"][:, usa]
            war = np.isfinite(f["replications/war_day"][()])
        # Treaty-bound, the US fights in every war; where the PRC was deterred there was none to join.
        assert (iv[war].all() and not iv[~war].any()) if doc == "collective_security" else not iv.any()
    # Treaty-bound US intervention makes the attacker's victory clearly less likely.
    assert outs["collective_security"][1] < outs["never"][1] - 0.1


# --- the CLI as a new user meets it: --version, help, shipped scenarios by name ---------------------

SUBCOMMANDS = ["run", "sweep", "summary", "report", "validate", "schema", "exercise", "serve", "history", "bench",
               "scenarios"]
# Options that take a value but have no default to show: the user says it, or nothing happens.
NO_DEFAULT = {("run", "--set"), ("run", "--dask-local"), ("sweep", "--dask-local"), ("run", "--doctrine"), ("sweep", "--vary"),
              ("sweep", "--set"), ("sweep", "--doctrine"), ("exercise", "--play"), ("exercise", "--load"),
              ("exercise", "--set"), ("exercise", "--doctrine"), ("bench", "--json"), ("serve", "--play"),
              ("serve", "--load"), ("serve", "--set"), ("serve", "--doctrine")}


def _help_entries(text: str) -> dict[str, str]:
    """`--opt METAVAR` (or a positional's name) -> its help text, from argparse's --help layout."""
    entries, key = {}, None
    for line in text.splitlines():
        if line.startswith("  ") and not line.startswith("    ") and line.strip():
            inv, _, help_ = line.strip().partition("  ")
            key = inv.split(", ")[-1]  # "-V, --version" -> "--version"
            entries[key] = help_.strip()
        elif line.startswith("    ") and key:
            entries[key] += " " + line.strip()
        else:
            key = None
    return entries


def _subparsers():
    from wargame.cli.main import build_parser

    p = build_parser()
    sub = next(a for a in p._actions if a.dest == "cmd")
    return sub.choices


def test_version_line():
    from importlib import metadata

    p = cli("--version")
    assert p.returncode == 0, p.stderr
    m = re.fullmatch(r"wargame (\S+) \(Python (3\.\d+\.\d+), numba (\S+)\)\n", p.stdout)
    assert m, p.stdout
    assert m[1] == metadata.version("wargame") and m[2] == platform.python_version()
    assert m[3] == metadata.version("numba")


@pytest.mark.parametrize("cmd", SUBCOMMANDS)
def test_help_shows_defaults_and_allowed_values(cmd, tmp_path):
    from wargame.model.scenario import DOCTRINES
    from wargame.model.system import DOCTRINES as SYSTEM_DOCTRINES

    p = subprocess.run([*_exe(), cmd, "--help"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                       env={**os.environ, "COLUMNS": "100"})
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith(f"usage: wargame {cmd} ")
    entries = _help_entries(p.stdout)
    options = {k.split()[0]: (k, v) for k, v in entries.items() if k.startswith("--") and k != "--help"}
    for name, (inv, text) in options.items():
        takes_value = " " in inv
        if takes_value and (cmd, name) not in NO_DEFAULT:
            assert "default" in text, f"{cmd} {name}: help says no default: {text!r}"
        if name == "--doctrine":
            assert all(d in text for d in DOCTRINES + SYSTEM_DOCTRINES), text
    if cmd == "bench":  # the harness's own parser: its text is all there is to check
        return
    for action in _subparsers()[cmd]._actions:
        if action.option_strings:
            key = options[action.option_strings[-1]][0] if action.option_strings[-1] != "--help" else "--help"
        else:
            key = "{" + ",".join(action.choices) + "}" if action.choices else action.metavar or action.dest
        shown = entries[key]
        if action.choices:  # argparse lists a fixed set as {a,b} beside the option
            assert key.endswith("{" + ",".join(action.choices) + "}"), key
        has_default = action.default is not None and action.default is not False and action.nargs != 0
        if has_default and action.default != argparse.SUPPRESS:
            assert f"(default: {action.default})" in shown, f"{cmd} {action.option_strings}: {shown!r}"
        if action.dest in ("config", "configs"):
            assert "scenario name (see `wargame scenarios`) or TOML file" in shown


def test_history_dataset_is_one_of_two():
    entries = _help_entries(cli("history", "--help").stdout)
    assert "{ardennes,cdb90}" in entries  # a bad one is a one-line error: tests/test_history.py


def test_scenarios_lists_every_shipped_file_from_any_directory(tmp_path):
    p = cli("scenarios", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.strip().splitlines()
    files = sorted(CONFIGS.glob("*.toml"))
    assert [ln.split()[0] for ln in lines] == [f.stem for f in files]
    for line, f in zip(lines, files):
        raw = tomllib.loads(f.read_text())
        assert line.split()[1] == raw.get("kind", "crisis")
        assert line.endswith(raw["scenario"]["title"])
        n = len(raw["states"])
        assert f" {n} state{'s' * (n != 1)}, " in line
        if raw.get("kind") == "system":
            assert f"{raw['scenario']['horizon_years']} years" in line
        else:
            assert f"{raw['scenario']['horizon_days']} days" in line
            nf = len(raw.get("fronts", {}))
            assert (f"{nf} front" in line) == (nf > 0)
    p = cli("scenarios", "--paths", cwd=tmp_path)
    rows = [ln.split() for ln in p.stdout.strip().splitlines()]
    assert [(n, Path(path).read_text()) for n, path in rows] == [(f.stem, f.read_text()) for f in files]


def test_shipped_scenarios_by_name_from_any_directory(tmp_path):
    (tmp_path / "duel").mkdir()  # a folder named like a scenario does not hide it
    p = cli("validate", "taiwan_strait", "duel", "earth", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines() == ["taiwan_strait: ok (taiwan_strait: 4 states, 1 front)",
                                     "duel: ok (duel: 2 states, 1 front)",
                                     "earth: ok (earth: system of 10 states over 200 years)"]
    p = cli("run", "duel", "--runs", 20, "--quiet", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    with h5py.File(tmp_path / "duel.h5", "r") as f:  # the default output: the name with .h5, here
        assert f.attrs["complete"] and f.attrs["config_text"] == (CONFIGS / "duel.toml").read_text()
    p = cli("run", "duel", "--resume", cwd=tmp_path)
    assert p.returncode == 0 and "duel.h5: already complete (20 replications)" in p.stderr
    p = cli("run", "duel", "--runs", 5, cwd=tmp_path)
    assert p.returncode == 2 and "duel.h5: output exists" in p.stderr
    p = cli("sweep", "duel", "--vary", "fronts.land.terrain=1,1.5", "--runs", 20, "--quiet", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "duel_sweep.h5").is_file()
    dec = tmp_path / "d.json"
    dec.write_text(json.dumps([{"day": 31.0, "state": "USA", "action": "stay_out"}]))
    p = cli("exercise", "taiwan_strait", "--play", "USA", "--decisions", dec, "--no-color", cwd=tmp_path)
    assert "EXERCISE: PRC invasion of Taiwan" in p.stdout
    assert "USA: stay_out (from the decisions file)" in p.stdout
    assert p.returncode == 2 and "no decision for USA on day" in p.stderr  # and no terminal to ask


@pytest.mark.parametrize("args", [["run", "nope"], ["validate", "nope"], ["sweep", "nope", "--vary", "a=1,2"],
                                  ["exercise", "nope", "--play", "USA"]])
def test_unknown_name_lists_the_shipped_ones(tmp_path, args):
    p = cli(*args, cwd=tmp_path)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    (line,) = p.stderr.strip().splitlines()
    assert line.startswith("nope: no such file, and no shipped scenario of that name")
    assert all(f.stem in line for f in CONFIGS.glob("*.toml")) and "`wargame scenarios`" in line


def test_bench_starts_from_any_directory(tmp_path):
    # Its full --quick run (45-55 s) is tests/test_bench.py::test_quick_end_to_end, run from a temp dir.
    p = cli("bench", "--help", cwd=tmp_path)
    assert p.returncode == 0 and p.stdout.startswith("usage: wargame bench") and "--quick" in p.stdout
    p = cli("bench", "--no-such-option", cwd=tmp_path)
    assert p.returncode == 2 and "unrecognized arguments: --no-such-option" in p.stderr
    probe = ("from wargame.bench import harness; from pathlib import Path; "
             "paths = [c['e2e'][k][0] for c in harness.CONFIGS.values() for k in c['e2e']]; "
             "assert all(Path(p).is_file() for p in paths), paths; assert harness.DEFAULT_FLOORS.is_file(); "
             "print(len(paths))")
    p = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and p.stdout.strip() == "4", p.stderr
