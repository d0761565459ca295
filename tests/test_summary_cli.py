"""`wargame summary` reads every file wargame writes, as a table, --json and --csv."""

import csv
import io
import json

import pytest

from conftest import CONFIGS, cli


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("summary")
    dec = d / "d.json"
    dec.write_text(json.dumps([{"day": "*", "state": "USA", "action": "stay_out"}]))
    made = {
        "run": cli("run", CONFIGS / "duel.toml", "--runs", 30, "--out", d / "run.h5", "--quiet"),
        "sweep": cli("sweep", CONFIGS / "duel.toml", "--vary", "scenario.title=a,b", "--runs", 30,
                     "--out", d / "sweep.h5", "--quiet", "--workers", 1),
        "game": cli("exercise", CONFIGS / "taiwan_strait.toml", "--play", "USA", "--decisions", dec, "--seed", 5,
                    "--out", d / "game.h5", "--compare-runs", 20, "--no-color", cwd=d),
        "system": cli("run", CONFIGS / "earth.toml", "--runs", 10, "--set", "scenario.horizon_years=20",
                      "--out", d / "system.h5", "--quiet", cwd=d),
    }
    for k, p in made.items():
        assert p.returncode == 0, (k, p.stderr)
    return d


@pytest.mark.parametrize("kind", ["run", "sweep", "game", "system"])
def test_every_file_kind_as_table_json_and_csv(files, kind):
    path = files / f"{kind}.h5"
    t = cli("summary", path)
    assert t.returncode == 0 and t.stderr == "", t.stderr
    j = cli("summary", path, "--json")
    assert j.returncode == 0, j.stderr
    obj = json.loads(j.stdout)  # strict JSON: NaN would not parse as null
    assert obj["kind"] == {"run": "crisis", "game": "crisis", "sweep": "sweep", "system": "system"}[kind]
    c = cli("summary", path, "--csv")
    assert c.returncode == 0, c.stderr
    rows = list(csv.reader(io.StringIO(c.stdout)))
    assert rows[0] == ["key", "value"] and len(rows) > 5
    keys = dict(rows[1:])
    assert keys["kind"] == obj["kind"]
    if kind in ("run", "game"):
        outcomes = obj["outcomes"]  # labels as the file names them
        assert float(keys[f"outcomes.{next(iter(outcomes))}.0"]) == pytest.approx(next(iter(outcomes.values()))[0])
        assert sum(v[0] for v in outcomes.values()) == pytest.approx(1.0)
    if kind == "sweep":
        assert [a["name"] for a in obj["arms"]] == ["scenario.title=a", "scenario.title=b"]
    if kind == "system":
        assert 0 <= obj["all_survived"][0] <= 1


@pytest.mark.parametrize("flag", [[], ["--json"], ["--csv"]])
def test_a_bad_file_is_one_line_and_exit_2(tmp_path, flag):
    bad = tmp_path / "bad.h5"
    bad.write_text("not hdf5")
    p = cli("summary", bad, *flag)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1 and "bad.h5" in p.stderr
    assert "Traceback" not in p.stderr and p.stdout == ""


def test_system_report_draws_survival_and_endurance(files, tmp_path):
    import numpy as np
    from wargame.execution.store import read
    from wargame.report import html

    path = files / "system.h5"
    p = cli("report", path, "--out", tmp_path / "s.html")
    assert p.returncode == 0 and "3 figures" in p.stdout, p.stderr
    figs = html.build(path)[1]
    res = read(path, logs=False)
    alive = figs["survival"].data["alive"]
    survived = res["states"]["survived"].astype(bool)
    for s, sid in enumerate(alive):  # at the horizon: the share the file says survived
        assert alive[sid][-1] == pytest.approx(survived[:, s].mean())
        assert np.all(np.diff(alive[sid]) <= 0)  # a survival curve never rises
    e = figs["endurance"].data
    assert e["never_dominated"] == pytest.approx(1 - res["replications"]["dominated"].mean())
