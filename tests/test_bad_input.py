"""Bad input to every subcommand is one line on stderr, exit 2, no traceback, nothing written;
and no batch reaches a results file with NaN or infinity where a number is expected."""

import numpy as np
import pytest

from conftest import cli, run_memory

BIG = str(2**64)  # one past the largest seed (the Philox key word is 64 bits)

# (subcommand arguments, a word the one line must contain). Files named here are made
# by ``_inputs`` in the test's own folder.
CASES = [
    (["run", "duel", "--seed", "-1"], "--seed -1"),
    (["run", "duel", "--seed", BIG], f"--seed {BIG}"),
    (["run", "cow_1816", "--seed", "-1"], "--seed -1"),  # a system scenario
    (["run", "cow_1816", "--compare-doctrines", "--seed", BIG], "--seed"),
    (["sweep", "duel", "--vary", "scenario.default_runs=10,20", "--seed", "-1"], "--seed -1"),
    (["sweep", "duel", "--vary", "scenario.default_runs=10,20", "--seed", BIG], "--seed"),
    (["history", "cdb90", "--seed", "-1"], "--seed -1"),
    (["history", "cdb90", "--seed", str(2**54)], "battle"),  # seed * 1024 + battle must fit 64 bits
    (["exercise", "korea", "--play", "ROK", "--seed", "-1"], "--seed -1"),
    (["schema", "--out", "missing/schema.json"], "missing/schema.json"),
    (["schema", "--out", "adir"], "adir"),
    (["schema", "--out", "notes.h5/schema.json"], "notes.h5/schema.json"),  # a file where a folder should be
    (["schema", "--out", "/dev/full"], "/dev/full"),  # a file that cannot take the text (disk full)
    (["exercise", "korea", "--play", "ROK", "--decisions", "empty.json"], "empty.json"),
    (["exercise", "korea", "--play", "ROK", "--decisions", "latin1.json"], "UTF-8"),
    (["exercise", "korea", "--play", "ROK", "--decisions", "numbers.json"], "decisions[0]"),
    (["exercise", "korea", "--play", "ROK", "--decisions", "nofile.json"], "nofile.json"),
    (["exercise", "korea", "--play", ","], "--play"),
    (["exercise", "korea", "--play", "ROK,ROK"], "twice"),
    (["exercise", "korea", "--play", "NOPE"], "NOPE"),
    (["exercise", "korea", "--play", "ROK", "--lookahead-runs", "0"], "--lookahead-runs 0"),
    (["exercise", "korea", "--play", "ROK", "--compare-runs", "0"], "--compare-runs 0"),
    (["exercise", "korea", "--play", "ROK", "--rep", "-1"], "--rep -1"),
    (["run", "duel", "--set", "doctrine.lift_per_leaker=-1"], "doctrine.lift_per_leaker = -1"),  # strikes.py
    (["run", "duel", "--set", "doctrine.production_per_leaker=1.5"], "doctrine.production_per_leaker = 1.5"),
    (["run", "duel", "--set", 'doctrine.production_per_leaker="a"'], "doctrine.production_per_leaker"),
    # aircraft by type (crisis/air_force.py): every new key
    (["run", "falklands_1982", "--set", "states.GBR.air_force.sea_harrier.count=-1"],
     "states.GBR.air_force.sea_harrier.count = -1"),
    (["run", "falklands_1982", "--set", "states.GBR.air_force.sea_harrier.combat_power=0"],
     "states.GBR.air_force.sea_harrier.combat_power = 0"),
    (["run", "falklands_1982", "--set", "states.GBR.air_force.sea_harrier.air_to_air=-1"],
     "states.GBR.air_force.sea_harrier.air_to_air = -1"),
    (["run", "falklands_1982", "--set", "states.GBR.air_force.sea_harrier.sorties_per_day=11"],
     "states.GBR.air_force.sea_harrier.sorties_per_day = 11"),
    (["run", "falklands_1982", "--set", "states.GBR.air_force.sea_harrier.exposure=-1"],
     "states.GBR.air_force.sea_harrier.exposure = -1"),
    (["run", "falklands_1982", "--set", "states.GBR.air_force.sea_harrier.sheltered_share=2"],
     "states.GBR.air_force.sea_harrier.sheltered_share = 2"),
    (["run", "falklands_1982", "--set", 'states.GBR.air_force.sea_harrier.crew="two"'],
     "states.GBR.air_force.sea_harrier.crew"),
    (["run", "falklands_1982", "--set", "states.GBR.air_force.sea_harrier.speed=1"],
     "states.GBR.air_force.sea_harrier.speed"),
    (["run", "falklands_1982", "--set", "states.ARG.forces.air.combat_power=300"],
     "states.ARG.forces.air.combat_power = 300"),
    (["run", "falklands_1982", "--set", "air.engaged_share=1.5"], "air.engaged_share = 1.5"),
    (["run", "falklands_1982", "--set", "air.shelter_protection=-0.1"], "air.shelter_protection = -0.1"),
    (["run", "duel", "--scheduler", "not-a-url"], "not-a-url"),
    (["sweep", "duel", "--vary", "scenario.default_runs=10,20", "--scheduler", "not-a-url"], "not-a-url"),
    (["run", "duel", "--scheduler", "tcp://127.0.0.1:99999"], "port"),
    (["run", "duel", "--dask-local", "0"], "--dask-local 0"),
    (["run", "duel", "--dask-local", "-1"], "--dask-local -1"),
    (["sweep", "duel", "--vary", "scenario.default_runs=10,20", "--dask-local", "0"], "--dask-local 0"),
    (["run", "duel", "--workers", "0"], "--workers 0"),
    (["sweep", "duel", "--vary", "scenario.default_runs=10,20", "--workers", "0"], "--workers 0"),
    (["run", "duel", "--runs", "0"], "--runs 0"),
    (["run", "duel", "--batch-size", "0"], "--batch-size 0"),
    (["run", "cow_1816", "--compare-doctrines", "--batch-size", "0"], "--batch-size 0"),
    (["sweep", "duel", "--vary", "scenario.default_runs=10,20", "--runs", "0"], "--runs 0"),
    (["sweep", "duel", "--vary", "scenario.default_runs=10,20", "--batch-size", "0"], "--batch-size 0"),
    (["history", "cdb90", "--runs", "0"], "--runs 0"),
    (["summary", "adir"], "adir"),
    (["summary", "notes.h5"], "notes.h5"),
    (["report", "adir"], "adir"),
    (["report", "notes.h5"], "notes.h5"),
    (["run", "duel", "--set", "states.BLUE.declare={credibility_gain=2}"], "states.BLUE.declare.credibility_gain = 2"),
    (["run", "duel", "--set", "states.BLUE.declare={reputation_cost=-1}"], "states.BLUE.declare.reputation_cost = -1"),
    (["run", "duel", "--set", "states.BLUE.declare={reputation_cost=\"high\"}"], "states.BLUE.declare.reputation_cost"),
    # fleets by ship class (engine/model/fleet.py): every key of a class
    (["run", "taiwan_strait", "--set", "states.USA.fleet.carrier.count=-1"], "states.USA.fleet.carrier.count = -1"),
    (["run", "taiwan_strait", "--set", "states.USA.fleet.carrier.combat_power=-2"],
     "states.USA.fleet.carrier.combat_power = -2"),
    (["run", "taiwan_strait", "--set", 'states.PRC.fleet.frigate.missiles="many"'], "states.PRC.fleet.frigate.missiles"),
    (["run", "taiwan_strait", "--set", "states.PRC.fleet.frigate.interceptions=-1"],
     "states.PRC.fleet.frigate.interceptions = -1"),
    (["run", "taiwan_strait", "--set", "states.TWN.fleet.corvette.hits_to_kill=0"],
     "states.TWN.fleet.corvette.hits_to_kill = 0"),
    (["run", "taiwan_strait", "--set", "states.JPN.fleet.submarine.signature=0"],
     "states.JPN.fleet.submarine.signature = 0"),
    (["run", "taiwan_strait", "--set", "states.JPN.fleet.submarine.crew=-5"], "states.JPN.fleet.submarine.crew = -5"),
    (["run", "taiwan_strait", "--set", "states.USA.fleet.support.crew_loss_share=1.5"],
     "states.USA.fleet.support.crew_loss_share = 1.5"),
    (["run", "taiwan_strait", "--set", "states.USA.fleet.support.speed=30"], "states.USA.fleet.support.speed"),
    (["run", "taiwan_strait", "--set", "states.USA.fleet.carrier={count=2,missiles=0,interceptions=4,hits_to_kill=6,crew=5000}"],
     "states.USA.fleet.carrier.crew_loss_share"),
    (["run", "taiwan_strait", "--set", "states.USA.forces.naval.combat_power=100"],
     "states.USA.forces.naval.combat_power = 100"),
    # casualties by kind and the cut-off rule (engine/model/casualties.py)
    (["run", "duel", "--set", "states.BLUE.casualties={wounded_per_killed={ground=-1}}"],
     "states.BLUE.casualties.wounded_per_killed.ground = -1"),
    (["run", "duel", "--set", "states.BLUE.casualties={wounded_per_killed={naval=99}}"],
     "states.BLUE.casualties.wounded_per_killed.naval = 99"),
    (["run", "duel", "--set", "states.BLUE.casualties={captured_share={air=1.5}}"],
     "states.BLUE.casualties.captured_share.air = 1.5"),
    (["run", "duel", "--set", 'states.BLUE.casualties={captured_share={ground="some"}}'],
     "states.BLUE.casualties.captured_share.ground"),
    (["run", "duel", "--set", "states.BLUE.casualties={killed=1}"], "states.BLUE.casualties.killed"),
    (["run", "duel", "--set", "cutoff={sea_control=2}"], "cutoff.sea_control = 2"),
    (["run", "duel", "--set", "cutoff={days=-3}"], "cutoff.days = -3"),
    (["run", "duel", "--set", "cutoff={surrender_per_day=1.2}"], "cutoff.surrender_per_day = 1.2"),
    (["run", "duel", "--set", "cutoff={rate=0.1}"], "cutoff.rate"),
]


def _inputs(d):
    (d / "adir").mkdir()
    (d / "empty.json").write_text("{}")
    (d / "latin1.json").write_bytes('[{"day": 1, "state": "ROK", "action": "déjà"}]'.encode("latin-1"))
    (d / "numbers.json").write_text("[1, 2]")
    (d / "notes.h5").write_text("not HDF5\n")


def _tree(d):
    return sorted((str(p.relative_to(d)), p.stat().st_size) for p in d.rglob("*"))


@pytest.mark.parametrize("args,word", CASES, ids=[" ".join(a) for a, _ in CASES])
def test_bad_input_is_one_line(tmp_path, args, word):
    _inputs(tmp_path)
    before = _tree(tmp_path)
    r = cli(*args, cwd=tmp_path, timeout=120)
    lines = r.stderr.splitlines()
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    assert len(lines) == 1, r.stderr
    assert word in lines[0]
    assert _tree(tmp_path) == before  # nothing written


def test_scheduler_without_a_cluster_is_a_bounded_wait(tmp_path):
    pytest.importorskip("distributed")
    r = cli("run", "duel", "--scheduler", "tcp://127.0.0.1:1", cwd=tmp_path, timeout=60)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.splitlines() == [l for l in r.stderr.splitlines() if "cannot start the executor" in l] != []
    assert list(tmp_path.iterdir()) == []


def test_api_refuses_bad_seeds_and_counts():
    import wargame
    from wargame.errors import WargameError

    for kw in ({"seed": -1}, {"seed": 2**64}, {"seed": 1.5}, {"batch_size": 0}, {"runs": 0}):
        with pytest.raises(WargameError, match=next(iter(kw))):
            wargame.run("duel", **{"runs": 10, **kw})
    with pytest.raises(WargameError, match="seed"):
        wargame.sweep("duel", {"scenario.default_runs": [10, 20]}, runs=10, seed=-1)


def test_largest_seed_runs():
    a = run_memory("duel", 20, seed=2**64 - 1)
    assert np.isfinite(a["states"]["losses"]).all()


# --- no NaN or infinity in results --------------------------------------------------


def _shipped():
    from wargame.model import shipped

    return [e.name for e in shipped.listing()]


@pytest.mark.parametrize("name", _shipped())
def test_shipped_configs_pass_the_finite_check(name):
    """Every batch is checked as it finishes (wargame.execution.finite); a small run of each
    shipped config, daily series included, passes it."""
    from wargame.model import scenario

    ts = scenario.load(name).kind == "crisis"
    a = run_memory(name, 64, seed=3, batch_size=32, timeseries=ts)
    assert np.isfinite(a["states"]["losses" if ts else "final_share"]).all()


def test_a_nan_from_the_model_is_caught(monkeypatch):
    from wargame.crisis import batch
    from wargame.execution.finite import NonFiniteResult

    real = batch.collect

    def broken(w, log, ts=None):
        out = real(w, log, ts)
        out["states"]["losses"][3, 1, 2] = np.nan  # replication 3 of the batch, second state, naval
        return out

    monkeypatch.setattr(batch, "collect", broken)
    with pytest.raises(NonFiniteResult) as e:
        run_memory("korea", 10, seed=5)
    msg = str(e.value)
    assert "\n" not in msg
    for part in ("states/losses = nan", "replication 3", "state ROK", "domain naval", "korea.toml", "--seed 5",
                 "model"):
        assert part in msg, msg


def test_an_infinity_in_a_system_run_is_caught(monkeypatch):
    from wargame.execution.finite import NonFiniteResult
    from wargame.system import batch

    real = batch.collect

    def broken(w, log):
        out = real(w, log)
        out["replications"]["endurance_years"][0] = np.inf
        return out

    monkeypatch.setattr(batch, "collect", broken)
    with pytest.raises(NonFiniteResult, match=r"replications/endurance_years = inf at replication 0"):
        run_memory("cow_1816", 4, seed=1)


def test_nan_where_it_means_did_not_happen_passes():
    """war_day is NaN where no war broke out, and that is no error; the check lets it be."""
    a = run_memory("korea", 200, seed=9)
    no_war = a["replications"]["outcome"] == 0
    assert np.isnan(a["replications"]["war_day"][no_war]).all()


def test_the_cli_prints_a_model_error_on_one_line(monkeypatch, tmp_path, capsys):
    from wargame.cli.main import main
    from wargame.crisis import batch

    real = batch.collect

    def broken(w, log, ts=None):
        out = real(w, log, ts)
        out["replications"]["end_day"][0] = -np.inf
        return out

    monkeypatch.setattr(batch, "collect", broken)
    rc = main(["run", "duel", "--runs", "10", "--workers", "1", "--seed", "4", "--out", str(tmp_path / "x.h5")])
    err = capsys.readouterr().err.splitlines()
    assert rc == 2
    assert len(err) == 1 and err[0].startswith("model error: replications/end_day = -inf at replication 0"), err
    assert "--seed 4" in err[0]
