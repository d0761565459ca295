"""The public Python API: its surface matches docs/api.md, and each call does what it says."""

import re

import numpy as np
import pytest

import wargame
from conftest import CONFIGS, ROOT, run_memory
from digest import digest


def test_all_matches_the_documented_table():
    table = (ROOT / "docs" / "api.md").read_text().split("## ", 1)[0]
    documented = set(re.findall(r"^\| `(\w+)", table, re.M))
    assert documented == set(wargame.__all__)
    assert 6 <= len(wargame.__all__) <= 10
    for name in wargame.__all__:
        assert getattr(wargame, name) is not None


def test_importing_wargame_is_light():
    """`import wargame` (what every worker does for wargame.kernels) loads neither xarray nor pandas."""
    import subprocess
    import sys

    code = "import sys, wargame, wargame.kernels; print('xarray' in sys.modules, 'pandas' in sys.modules)"
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.stdout.split() == ["False", "False"], p.stderr


def test_run_in_memory_is_the_engine_run():
    res = wargame.run("duel", runs=200, seed=9)
    assert digest(res.arrays()) == digest(run_memory(CONFIGS / "duel.toml", 200, seed=9, batch_size=2000))
    assert res.runs == 200 and res.kind == "crisis"


def test_one_call_runs_1000_replications_into_a_labelled_dataset():
    ds = wargame.run("taiwan_strait", runs=1000, seed=4).dataset()
    assert ds.sizes["replication"] == 1000
    assert list(ds["state"].values) == ["PRC", "TWN", "USA", "JPN"]
    assert list(ds["domain"].values) == ["ground", "air", "naval"]
    assert ds["losses"].dims == ("replication", "state", "domain")
    assert set(ds["outcome"].values) <= {"no_war", "attacker_wins", "defender_holds", "ceasefire", "unresolved",
                                         "nuclear_use"}


def test_overrides_and_doctrines_as_python_values():
    loaded = wargame.load("taiwan_strait", overrides={"states.USA.treaties": ["JPN", "TWN"],
                                                      "fronts.landing.lift_per_day": 20000},
                          doctrines={"USA": "collective_security"})
    usa = loaded.scenario.states["USA"]
    assert usa.treaties == ["JPN", "TWN"] and usa.doctrine == "collective_security"
    assert loaded.scenario.fronts["landing"].lift_per_day == 20000
    again = wargame.load(loaded, overrides={"states.USA.casualty_tolerance": 0.2})
    assert again.scenario.states["USA"].casualty_tolerance == 0.2 and again.scenario.states["USA"].treaties == ["JPN", "TWN"]


def test_file_results_read_back_the_same(tmp_path):
    out = tmp_path / "r.h5"
    res = wargame.run("duel", runs=300, seed=2, out=out, batch_size=100)
    assert res.path == out and out.exists()
    mem = wargame.run("duel", runs=300, seed=2)
    assert digest(wargame.open_results(out).arrays()) == digest(mem.arrays())
    assert wargame.summarise(out)["outcomes"] == mem.summary()["outcomes"]
    assert "attacker_wins" in str(wargame.summarise(res))


def test_system_kind_through_the_api():
    res = wargame.run("earth", runs=20, seed=1, overrides={"scenario.horizon_years": 20})
    assert res.kind == "system"
    ds = res.dataset()
    assert ds.sizes["replication"] == 20 and ds.sizes["state"] == 10
    s = res.summary()
    assert "all states survive" in str(s).lower() and s["runs"] == 20


def test_local_workers_give_the_same_bits():
    a = wargame.run("duel", runs=1500, seed=8, batch_size=300)
    b = wargame.run("duel", runs=1500, seed=8, batch_size=300, workers=2)
    assert digest(a.arrays()) == digest(b.arrays())


def test_sweep_through_the_api():
    sw = wargame.sweep("duel", {"fronts.land.attacker_lethality": [0.01, 0.02]}, runs=200, seed=3)
    assert sw.arms == ["fronts.land.attacker_lethality=0.01", "fronts.land.attacker_lethality=0.02"]
    est = sw.estimates
    assert set(est["arm_label"]) == set(sw.arms)
    assert ((est["low"] <= est["estimate"]) & (est["estimate"] <= est["high"])).all()
    blue = est[est.metric == "losses.BLUE"].sort_values("arm")["estimate"].to_numpy()
    assert blue[1] < blue[0]  # a deadlier attacker loses fewer people before the defender breaks
    diff = sw.comparisons[sw.comparisons.metric == "losses.BLUE"].iloc[0]
    assert diff["significant"] and diff["diff"] < 0


def test_the_scenarios_listing():
    names = wargame.scenarios()
    assert {p.stem for p in CONFIGS.glob("*.toml")} == set(names)
    assert names["taiwan_strait"] == "PRC invasion of Taiwan"


@pytest.mark.parametrize("call, message", [
    (lambda: wargame.run("duel", runs=0), "runs = 0: expected a whole number >= 1"),
    (lambda: wargame.run("duel", runs=10, workers=0), "workers = 0"),
    (lambda: wargame.run("duel", runs=10, overrides={"fronts.land.attacker_lethality": float("nan")}),
     "expected a finite number"),
    (lambda: wargame.run("duel", runs=10, overrides=[("a", 1)]), "expected a dict"),
    (lambda: wargame.run("earth", runs=2, timeseries=True), "no daily front series"),
    (lambda: wargame.load("no_such_scenario"), "no shipped scenario of that name"),
    (lambda: wargame.open_results("missing.h5"), "missing.h5: no such file"),
    (lambda: wargame.sweep("duel", {"fronts.land.attacker_lethality": []}), "expected a dict of key path"),
])
def test_bad_input_raises_one_line(call, message):
    with pytest.raises(wargame.WargameError, match=re.escape(message)) as e:
        call()
    assert "\n" not in str(e.value)


def test_an_existing_output_is_kept(tmp_path):
    out = tmp_path / "r.h5"
    out.write_bytes(b"precious")
    with pytest.raises(wargame.WargameError, match="output exists"):
        wargame.run("duel", runs=5, out=out)
    assert out.read_bytes() == b"precious"


def test_open_results_refuses_a_file_wargame_did_not_write(tmp_path):
    import h5py

    bad = tmp_path / "other.h5"
    with h5py.File(bad, "w") as f:
        f["x"] = np.arange(3)
    with pytest.raises(wargame.WargameError, match="not a wargame results file"):
        wargame.open_results(bad)
