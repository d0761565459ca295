"""The system kind (engine/system/): closed forms, invariants, doctrines on hand-checked systems, CLI."""

import math

import numpy as np
import pytest

from conftest import CONFIGS, cli
from wargame.model import scenario
from wargame.execution.results import MemoryResults
from wargame import kinds
from wargame.analysis.sweep import arm_metrics
from wargame.system.metrics import CATALOGUE, catalogue
from wargame.system.columns import collect
from wargame.system.events import run_batch
from wargame.system.world import SystemWorld

# Deterministic rules: no growth, no noise, every opportunity taken, equal lethality.
CALM = dict(growth_mean=0.0, growth_sd=0.0, war_propensity=1.0, attack_ratio=1.5, perception_sd=0.0,
            commit=0.8, joiner_commit=0.5, lethality=0.5, defence_multiplier=1.0, chance_sd=0.0,
            breakpoint=0.3, war_steps_per_year=4, max_war_years=5, absorption_share=1.0,
            dominance_share=0.5, balance_share=0.3, pool_share=0.3, contest_ratio=0.9)


def system_text(powers: dict, horizon=20, stochastic=False, **rules) -> str:
    r = {**CALM, **rules}
    lines = ['kind = "system"', "[scenario]", 'name = "t"', f"horizon_years = {horizon}",
             f"stochastic = {str(stochastic).lower()}", "[system]"]
    lines += [f"{k} = {v!r}" if isinstance(v, str) else f"{k} = {v}" for k, v in r.items()]
    for sid, p in powers.items():
        lines += [f"[states.{sid}]", f"power = {p}"]
    return "\n".join(lines).replace("'", '"') + "\n"


def world(powers, reps=1, seed=3, **kw):
    sc = scenario.loads(system_text(powers, **kw), "t.toml").scenario
    w = SystemWorld(sc, seed, np.arange(reps, dtype=np.int64))
    log = run_batch(w)
    return w, log


def test_two_state_war_ends_where_the_square_law_says():
    # A (100) attacks B (50) in year 0 with everything (commit 1), equal lethality 0.5/year.
    # Square law: x(t) = x0 cosh(gt) - y0 sinh(gt), y(t) = y0 cosh(gt) - x0 sinh(gt), g = 0.5.
    # B gives up at the first quarter-year tick where y(t) <= 0.7 y0; A keeps x(t), and with
    # absorption_share = 0 gains nothing from B.
    w, _ = world({"A": 100, "B": 50}, commit=1.0, absorption_share=0.0, dominance_share=1.0)
    x, y = (lambda t: 100 * math.cosh(0.5 * t) - 50 * math.sinh(0.5 * t),
            lambda t: 50 * math.cosh(0.5 * t) - 100 * math.sinh(0.5 * t))
    T = next(k / 4 for k in range(1, 40) if y(k / 4) <= 0.7 * 50)
    assert w.wars[0] == 1 and w.conquests[0] == 1
    assert w.death_year[0, 1] == T and w.absorbed_by[0, 1] == 0 and not w.alive[0, 1]
    assert w.P[0, 0] == pytest.approx(x(T), rel=1e-9)
    assert w.P[0, 0] ** 2 - y(T) ** 2 == pytest.approx(100**2 - 50**2, rel=1e-9)  # the square-law invariant


def test_power_is_conserved_up_to_what_war_destroys():
    # Without growth, the power at the end plus the power destroyed (combat, absorption losses)
    # is the power at the start, in every replication, wars and absorptions included.
    sc = scenario.load(CONFIGS / "earth.toml", [("system.growth_mean", "0"), ("system.growth_sd", "0"),
                                                ("system.absorption_share", "0.7"),
                                                ("scenario.horizon_years", "60")]).scenario
    w = SystemWorld(sc, 11, np.arange(200, dtype=np.int64))
    run_batch(w)
    assert w.conquests.sum() > 50  # the check is not vacuous
    np.testing.assert_allclose(w.P.sum(axis=1) + w.power_destroyed, w.P0.sum(axis=1), rtol=1e-12)
    assert (w.P[~w.alive] == 0).all()


def test_a_single_state_system_endures_to_the_horizon():
    w, log = world({"A": 100}, reps=5, horizon=40, growth_sd=0.1, stochastic=True)
    assert (w.wars == 0).all() and not w.ended.any()
    assert (w.endurance == 40).all() and w.alive.all() and log.events().size == 0


def test_doctrines_change_a_hand_checked_triad():
    # A (100) against B, C (60 each), nobody grows. Alone, B fields 0.8*60 = 48 against
    # A's 80: ratio 1.67 >= 1.5, A attacks in year 0, wins and absorbs B, then holds
    # more than half of all power (see docs/system.md). If C joins B's side with half its
    # power (collective security; or realpolitik, since A's share 100/220 >= 0.3 makes B
    # and C a bloc) A faces 48 + 30 = 78: ratio 1.03 < 1.5, and nobody ever fights.
    out = {}
    for doc in ("laissez_faire", "collective_security", "realpolitik"):
        w, _ = world({"A": 100, "B": 60, "C": 60}, horizon=50, doctrine=doc)
        out[doc] = w
    lf = out["laissez_faire"]
    assert lf.wars[0] >= 1 and not lf.alive[0, 1] and lf.absorbed_by[0, 1] == 0
    assert lf.ended[0] and lf.dominant[0] == 0 and lf.endurance[0] < 5
    for doc in ("collective_security", "realpolitik"):
        w = out[doc]
        assert w.wars[0] == 0 and w.alive.all() and not w.ended[0] and w.endurance[0] == 50
    assert out["realpolitik"].alliances_formed[0] == 1 and out["realpolitik"].threat[0] == 0


def test_central_authority_members_contest_control_instead_of_conquering():
    # Members never attack each other; B (95 >= 0.9 * 100) contests A's control every year
    # and, weaker, loses each time: contests but no conquest, nobody eliminated.
    w, _ = world({"A": 100, "B": 95}, horizon=10, doctrine="central_authority", dominance_share=0.9)
    assert w.contests[0] >= 1 and w.conquests[0] == 0 and w.alive.all() and w.controller[0] == 0


@pytest.mark.parametrize("doctrine", ["realpolitik", "central_authority"])
def test_results_do_not_depend_on_the_batch_size(doctrine):
    loaded = scenario.load(CONFIGS / "cow_1816.toml", [("scenario.horizon_years", "40"), ("system.doctrine", doctrine)])
    outs = []
    for bs in (40, 7):
        sink = MemoryResults()
        kinds.run(loaded, 40, seed=5, sink=sink, batch_size=bs)
        outs.append(sink.read())
    a, b = outs
    for g in ("replications", "states"):
        for k in a[g]:
            np.testing.assert_array_equal(a[g][k], b[g][k], err_msg=k)
    np.testing.assert_array_equal(a["events"], b["events"])
    assert a["replications"]["wars"].sum() > 0


def test_a_replication_ends_the_same_whoever_shares_its_batch():
    # Dominance was checked in every replication of a batch whenever a war ended in any of
    # them, so a replication whose own war was still going could end a tick early beside
    # another: replication 136 of earth (30 years, seed 20261124) ends at 19.5 alone but
    # ended at 19.25 in a batch with replication 249.
    loaded = scenario.load(CONFIGS / "earth.toml", [("scenario.horizon_years", "30")])

    def batch(reps):
        w = SystemWorld(loaded.scenario, 20261124, np.array(reps, dtype=np.int64))
        return collect(w, run_batch(w))

    alone, pair = batch([136]), batch([249, 136])
    assert alone["replications"]["endurance_years"][0] == 19.5
    for g in ("replications", "states"):
        for k in alone[g]:
            np.testing.assert_array_equal(pair[g][k][1:], alone[g][k], err_msg=k)
    assert pair["events"][pair["events"]["rep"] == 136].tobytes() == alone["events"].tobytes()


def test_arm_metrics_share_random_numbers_and_match_the_catalogue():
    ov = [("scenario.horizon_years", "30"), ("system.attack_ratio", '{ dist = "uniform", low = 1.3, high = 1.8 }')]
    loaded = scenario.load(CONFIGS / "earth.toml", ov)
    m, params = arm_metrics(loaded, 30, 9, batch_size=16)
    assert set(m) == set(catalogue(loaded)) and set(CATALOGUE) < set(m)
    assert all(v.shape == (30,) for v in m.values()) and set(params) == {"system.attack_ratio"}
    again, _ = arm_metrics(loaded, 30, 9, batch_size=30)
    for k in m:
        np.testing.assert_array_equal(m[k], again[k])
    assert m["all_survived"].dtype == bool and (m["survivors"] <= 10).all()
    np.testing.assert_array_equal(m["survivors"], sum(m[f"survived.{s}"] for s in "ABCDEFGHIJ"))
    # A different arm (here the doctrine) sees the same sampled parameters: common random numbers.
    cs = scenario.load(CONFIGS / "earth.toml", ov + [("system.doctrine", "collective_security")])
    _, params_cs = arm_metrics(cs, 30, 9)
    np.testing.assert_array_equal(params["system.attack_ratio"], params_cs["system.attack_ratio"])


def test_cli_compare_summary_and_validate(tmp_path):
    p = cli("run", str(CONFIGS / "earth.toml"), "--runs", "20", "--set", "scenario.horizon_years=30",
            "--out", str(tmp_path / "e.h5"), "--compare-doctrines", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    for doc in ("realpolitik", "collective_security", "laissez_faire", "central_authority"):
        assert doc in p.stdout and (tmp_path / f"e_{doc}.h5").exists()
    s = cli("summary", str(tmp_path / "e_laissez_faire.h5"))
    assert s.returncode == 0 and "One state dominates" in s.stdout and "laissez_faire" in s.stdout
    v = cli("validate", str(CONFIGS / "earth.toml"), str(CONFIGS / "cow_1816.toml"))
    assert v.returncode == 0 and "system of 23 states" in v.stdout
    # The system kind has its own report (tests/test_summary_cli.py checks its figures).
    r = cli("report", str(tmp_path / "e_laissez_faire.h5"), cwd=tmp_path)
    assert r.returncode == 0 and "(3 figures)" in r.stdout, r.stderr
    # What the crisis kind alone offers says so in one line.
    for args in (("exercise", str(CONFIGS / "earth.toml"), "--play", "A"),):
        p = cli(*args, cwd=tmp_path)
        assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1 and "system" in p.stderr


def test_compare_doctrines_on_workers_gives_the_same_files(tmp_path):
    """--compare-doctrines runs on the executor the options choose, like any run (tests/test_scale.py
    checks plain system runs on every executor, and kill -9 with --resume)."""
    from test_scale import assert_same

    for name, workers in (("one", 1), ("two", 2)):
        p = cli("run", "earth", "--runs", 120, "--batch-size", 10, "--set", "scenario.horizon_years=30",
                "--workers", workers, "--out", tmp_path / f"{name}.h5", "--compare-doctrines", cwd=tmp_path)
        assert p.returncode == 0, p.stderr
        assert (f"on {workers} local worker processes" if workers > 1 else "on 1 in-process worker") in p.stdout
    for doc in ("realpolitik", "collective_security", "laissez_faire", "central_authority"):
        assert_same(tmp_path / f"one_{doc}.h5", tmp_path / f"two_{doc}.h5")


@pytest.mark.parametrize("args,expect", [
    (["--set", "system.doctrine=\"anarchy\""], "system.doctrine = 'anarchy': Input should be"),
    (["--set", "system.breakpoint=2"], "system.breakpoint = 2: must be <= 0.99"),
    (["--set", "states.A.power=-1"], "states.A.power = -1: must be > 0"),
    (["--set", "kind=\"war\""], "kind = 'war': expected \"crisis\" (the default) or \"system\""),
])
def test_cli_bad_input_is_one_line_and_exit_2(tmp_path, args, expect):
    p = cli("run", str(CONFIGS / "earth.toml"), "--runs", "5", "--out", str(tmp_path / "x.h5"), *args)
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and expect in lines[0] and "Traceback" not in p.stderr
