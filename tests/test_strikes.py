"""Strikes in both directions (engine/crisis/strikes.py, docs/model.md §5): what a strike on a
primary destroys, that nothing is destroyed beyond what is there, who can strike whom, and the
states/strikes column."""

import numpy as np
import pytest

from conftest import CONFIGS, DATA, run_memory
from wargame.crisis import escalation, strikes
from wargame.crisis.combat import AIR, NAVAL, KernelClock
from wargame.crisis.world import World
from wargame.model import scenario
from wargame.model.log import EVENT_TYPES

A, D, T1, T2, T3 = range(5)
M = {m: k for k, m in enumerate(strikes.MEASURES)}


def _world(overrides=(), reps=1):
    sc = scenario.load(DATA / "trio.toml", list(overrides)).scenario
    return World(sc, 7, np.arange(reps))


def _at_war(w):
    """T1 fighting on the defender's side, in the war: the state a decision point would leave."""
    w.at_war[:] = True
    w.side[:, T1], w.arrived[:, T1] = -1, True


def test_one_step_on_the_attackers_homeland_destroys_what_the_formulas_say():
    # T1 (given a strike table) at rung 3 against A: 90 missiles, a third each at ships in theatre,
    # bases and homeland. Bases are shared by A's airfields, ports and amphibious lift: 10 each.
    w = _world([("states.A.exposure", "{ theatre_km = 0, bases_km = 0, homeland_km = 0 }"),
                ("states.T1.strike", "{ reach_km = 1000, missiles_per_day = 90, inventory = 1000 }"),
                ("fronts.main.amphibious", "true"), ("fronts.main.lift_per_day", "20000")])
    _at_war(w)
    w.rung[:, T1, A] = 3
    w.front[:, 0, A, NAVAL], w.front[:, 0, A, AIR], w.home[:, A, NAVAL] = 10.0, 100.0, 5.0
    lost0 = w.lost.copy()
    strikes.strike(w, np.array([0]), 1.0, KernelClock())
    rec = strikes.record(w)[0, T1, A]
    # ships in theatre: leakers = 30 - 2 interceptions x 10 ships = 10; / 2 hits to kill = 5 ships
    assert w.front[0, 0, A, NAVAL] == pytest.approx(5.0)
    # ports: 10 leakers / 2 hits to kill = 5 ships, all that is in port
    assert w.home[0, A, NAVAL] == pytest.approx(0.0)
    assert rec[M["ships_destroyed"]] == pytest.approx(10.0)
    assert w.lost[0, A, NAVAL] - lost0[0, A, NAVAL] == pytest.approx(10.0)
    # airfields: 10 leakers x 0.5 aircraft per leaker
    assert rec[M["aircraft_destroyed"]] == pytest.approx(5.0) and w.front[0, 0, A, AIR] == pytest.approx(95.0)
    # lift: 10 leakers x 400 cp/day per leaker
    assert rec[M["lift_destroyed"]] == pytest.approx(4000.0) and w.lift_lost[0, 0] == pytest.approx(4000.0)
    # homeland: 30 leakers x 0.0005 of the mobilisation rate; pressure 0.01 a day
    assert rec[M["production_lost"]] == pytest.approx(0.015) and w.production_lost[0, A] == pytest.approx(0.015)
    assert w.homeland_pressure[0, A] == pytest.approx(0.01)
    assert rec[M["missiles_fired"]] == 90 and rec[M["days_struck"]] == 1 and rec[M["highest_rung"]] == 3
    assert w.inventory_left[0, T1] == 910


def test_strikes_never_destroy_more_than_is_there():
    # A huge salvo on a small target, many steps: nothing goes negative, nothing is destroyed twice.
    w = _world([("states.A.exposure", "{ theatre_km = 0, bases_km = 0, homeland_km = 0 }"),
                ("states.T1.strike", "{ reach_km = 1000, missiles_per_day = 100000, inventory = 1e7 }"),
                ("fronts.main.amphibious", "true"), ("fronts.main.lift_per_day", "2000")], reps=4)
    _at_war(w)
    w.rung[:, T1, A] = 3
    w.front[:, 0, A, NAVAL], w.front[:, 0, A, AIR], w.home[:, A, NAVAL] = 3.0, 7.0, 2.0
    for day in range(1, 6):
        strikes.strike(w, np.arange(4), float(day), KernelClock())
    for arr in (w.front, w.home, w.lift - w.lift_lost, 1.0 - w.production_lost, w.inventory_left):
        assert (arr >= -1e-9).all()
    rec = strikes.record(w)[:, T1, A]
    np.testing.assert_allclose(rec[:, M["ships_destroyed"]], 5.0, rtol=1e-6)
    np.testing.assert_allclose(rec[:, M["aircraft_destroyed"]], 7.0, rtol=1e-6)
    np.testing.assert_allclose(rec[:, M["lift_destroyed"]], 2000.0, rtol=1e-6)
    np.testing.assert_allclose(rec[:, M["production_lost"]], 1.0, rtol=1e-6)


def test_primaries_without_an_exposure_table_cannot_be_struck():
    w = _world()  # trio: A and D have no exposure table
    assert not w.exposed[A] and not w.exposed[D] and w.exposed[T1]
    _at_war(w)
    rows = np.array([0])
    for k in (1, 2, 3, 4):
        assert not escalation.reachable(w, rows, A, D, k).any()
    assert not escalation.targets(w, rows, A, D).any()
    assert escalation.targets(w, rows, A, T1).all()  # interveners as before


def test_a_replication_with_zero_reach_reaches_only_the_nuclear_rung():
    # A nuclear striker whose reach is 0 in some replications: those replications open no
    # conventional rung even against a target at 0 km, whatever the batch's other draws are,
    # so the batch a replication runs in cannot change what it may strike.
    w = _world([("states.A.exposure", "{ theatre_km = 0, bases_km = 0, homeland_km = 0 }")], reps=3)
    _at_war(w)
    rows = np.arange(3)
    w.reach[:, T1] = [0.0, 500.0, 0.0]
    w.nuclear[T1] = True
    for k in (1, 2, 3):
        assert escalation.reachable(w, rows, T1, A, k).tolist() == [False, True, False]
    assert escalation.reachable(w, rows, T1, A, 4).all()


def test_a_state_without_reach_never_strikes(trio):
    # D without a strike table is never a striker, even against an exposed attacker at 0 km.
    r = run_memory(trio, 20, overrides=[("states.A.exposure", "{ theatre_km = 0, bases_km = 0, homeland_km = 0 }")])
    st = r["states"]["strikes"]
    assert st.shape == (20, 5, 5, len(strikes.MEASURES))
    assert (st[:, D] == 0).all() and (st[:, T1] == 0).all() and (st[:, T3] == 0).all()
    assert (st[:, A, T1, M["days_struck"]] > 0).any()  # A still strikes T1 as it always did
    assert (st[:, A, A] == 0).all()


def test_primaries_strike_each_other_once_both_are_exposed(trio):
    r = run_memory(trio, 20, overrides=[("states.D.exposure", "{ theatre_km = 0, bases_km = 0, homeland_km = 0 }")])
    st = r["states"]["strikes"]
    ev = r["events"]
    esc = ev[ev["type"] == EVENT_TYPES.index("escalate")]
    assert ((esc["actor"] == A) & (esc["target"] == D)).any()
    assert (st[:, A, D, M["days_struck"]] > 0).all()  # propensity 1: A climbs against D in every war
    # what the column says A fired is what A's inventory lost
    assert (st[:, A, :, M["missiles_fired"]].sum(axis=1) <= 5000 + 1e-3).all()


def test_us_strikes_the_mainland_in_taiwan_strait_and_the_column_reads_back(tmp_path):
    from conftest import cli
    from wargame.execution.store import read

    out = tmp_path / "t.h5"
    p = cli("run", "taiwan_strait", "--runs", "200", "--seed", "3", "--out", out, "--quiet", "--workers", "1",
            "--set", 'states.USA.treaties=["JPN","TWN"]', "--set", 'states.USA.doctrine="collective_security"',
            "--set", "states.USA.deploy_delay_days=0")
    assert p.returncode == 0, p.stderr
    res = read(out, logs=False)
    ids = res["layout"]["states"]
    usa, prc = ids.index("USA"), ids.index("PRC")
    st = res["states"]["strikes"]
    assert st.shape == (200, len(ids), len(ids), len(res["layout"]["strike_measures"]))
    assert res["layout"]["strike_measures"] == list(strikes.MEASURES)
    struck = st[:, usa, prc, M["days_struck"]] > 0
    assert struck.any()
    # the recorded highest rung is the escalation level the rungs columns show
    assert (st[:, usa, :, M["highest_rung"]].max(axis=1) == res["states"]["escalation_level"][:, usa]).all()
    from wargame.crisis import summary

    s = summary.compute_file(out)
    row = [r for r in s["strikes"] if r["striker"] == "USA" and r["target"] == "PRC"][0]
    assert row["runs"] == int(struck.sum()) and "USA->PRC" in summary.format_table(s)
