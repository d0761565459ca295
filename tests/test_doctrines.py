"""Doctrine and escalation behaviour on the hand-checked trio scenario (tests/data/trio.toml)."""

import numpy as np
import pytest

from conftest import run_memory
from wargame.model.log import EVENT_TYPES

EV = {n: i for i, n in enumerate(EVENT_TYPES)}
A, D, T1, T2, T3 = range(5)


@pytest.fixture(scope="module")
def res():
    from conftest import DATA

    return run_memory(DATA / "trio.toml", 40)


def test_never_doctrine_never_intervenes(res):
    assert not res["states"]["intervened"][:, T3].any()
    assert not (res["decisions"]["state"] == T3).any()  # it does not even deliberate


def test_collective_security_partner_always_intervenes_on_attack_day(res):
    st, reps = res["states"], res["replications"]
    for s in (T1, T2):
        assert st["intervened"][:, s].all()
        np.testing.assert_array_equal(st["intervention_day"][:, s], reps["war_day"])
        assert (st["side"][:, s] == -1).all()


def test_retaliation_only_against_interveners_within_reach(res):
    ev = res["events"]
    esc = ev[ev["type"] == EV["escalate"]]
    assert esc.size > 0
    assert set(np.unique(esc["actor"])) == {A}
    assert set(np.unique(esc["target"])) == {T1}  # T2 is out of reach, T3 never joined
    st = res["states"]["struck_level"]
    assert (st[:, T2] == 0).all() and (st[:, T3] == 0).all()
    # Rung 2 (bases, 800 km) is in reach; homeland (5,000 km) is not.
    assert st[:, T1].max() <= 2


def test_event_order_per_replication(res):
    ev = res["events"]
    for rep in np.unique(ev["rep"]):
        e = ev[ev["rep"] == rep]
        assert np.all(np.diff(e["day"]) >= 0)
        order = [EVENT_TYPES[t] for t in e["type"]]
        assert order[0] == "crisis"
        assert order.index("warning") < order.index("invade") < order.index("intervene") < order.index("arrive")
        assert order[-1] in ("capitulate", "sue_for_peace", "ceasefire", "horizon", "nuclear_use")
        inv = e[e["type"] == EV["invade"]]["day"][0]
        assert inv == 5.0  # the scheduled invasion day
        arrive = e[e["type"] == EV["arrive"]]["day"]
        assert (arrive == inv + 1).all()  # deploy_delay_days = 1


def test_doctrine_override_changes_behaviour(trio):
    r = run_memory(trio, 10, overrides=[("states.T1.doctrine", '"never"')])
    assert not r["states"]["intervened"][:, T1].any()
    assert r["states"]["intervened"][:, T2].all()


def test_decision_log_records_the_numbers_weighed(trio):
    r = run_memory(trio, 5, overrides=[("states.T1.doctrine", '"self_help"')])
    d = r["decisions"]
    mine = d[d["state"] == T1]
    assert mine.size >= 5
    np.testing.assert_allclose(
        mine["utility"], mine["benefit"] - mine["cost_losses"] - mine["cost_retaliation"] - mine["cost_trade"],
        rtol=1e-5, atol=1e-6)
    joined = r["states"]["intervened"][:, T1]
    first = mine[np.unique(mine["rep"], return_index=True)[1]]
    # A self-help state joins exactly when its first utility is positive.
    np.testing.assert_array_equal(first["utility"] > 0, joined[first["rep"]])
