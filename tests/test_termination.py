"""Wars end by consent (docs/model.md §2.7.1), and bandwagoners follow their interests (§4.5)."""

import numpy as np
import pytest

from conftest import run_memory

DUO = """
[scenario]
name = "stall"
attacker = "A"
defender = "D"
horizon_days = 40
step_days = 1
warning_days = 0
stochastic = false

[invasion]
day = 0

[states.A]
name = "Attacker"
casualty_tolerance = 0.9
perception_error = 0
forces.ground = {{ manpower = {att} }}
commit = {{ ground = 1.0 }}

[states.D]
name = "Defender"
casualty_tolerance = 0.9
perception_error = 0
forces.ground = {{ manpower = {dfd} }}
commit = {{ ground = 1.0 }}

[states.B]
name = "Bandwagoner"
doctrine = "bandwagon"
casualty_tolerance = 0.5
forces.ground = {{ manpower = 10000 }}
commit = {{ ground = 1.0 }}
{interests}

[fronts.f]
attacker_lethality = 0.001
defender_lethality = 0.001
posture = "hasty"
depth_km = 100
advance_km_per_day = 5

[termination]
stalemate_days = 10
"""


def _world(att=100000, dfd=100000, interests=""):
    from wargame.crisis.events import attach
    from wargame.crisis.world import World
    from wargame.model import scenario
    sc = scenario.loads(DUO.format(att=att, dfd=dfd, interests=interests), "stall.toml").scenario
    w = attach(World(sc, 1, np.arange(3, dtype=np.int64)))
    w.at_war[:] = True
    w.front[:, 0, 0, 0], w.front[:, 0, 1, 0] = att, dfd
    w.committed[:, 0, 0], w.committed[:, 1, 0] = att, dfd
    return w


def _consent(w):
    from wargame.crisis import termination
    from wargame.crisis.combat import KernelClock
    from wargame.model.log import Log
    log = Log(w.reps)
    ok = termination.consent(w, log, np.arange(w.R), 10.0, KernelClock())
    return ok, log.decisions()


def test_on_the_start_line_a_losing_attacker_and_the_defender_both_accept():
    w = _world(att=50000, dfd=100000)  # A cannot win: accepting the start line costs it nothing it could gain
    ok, dec = _consent(w)
    assert ok.all()
    from wargame.model.log import ACTIONS
    assert [ACTIONS[a] for a in dec["action"]] == ["accept_ceasefire"] * 6


def test_a_defender_that_expects_to_hold_refuses_to_give_up_ground():
    # A holds half the way to the objective, but D (twice as strong) expects to hold: giving up half
    # (-0.5) is worth less to D than fighting on (about 0 - its small loss cost), so the war goes on.
    w = _world(att=50000, dfd=100000)
    w.position[:, 0] = 50.0
    ok, dec = _consent(w)
    assert not ok.any()
    from wargame.model.log import ACTIONS
    d = dec[dec["state"] == 1]
    assert [ACTIONS[a] for a in d["action"]] == ["fight_on"] * 3
    assert np.all(d["utility"] > 0)


def test_an_attacker_that_expects_to_win_fights_on():
    w = _world(att=300000, dfd=50000)
    ok, dec = _consent(w)
    a = dec[dec["state"] == 0]
    from wargame.model.log import ACTIONS
    assert [ACTIONS[x] for x in a["action"]] == ["fight_on"] * 3 and not ok.any()


def test_the_ceasefire_outcome_says_whether_the_attacker_holds_ground():
    from wargame.crisis import termination
    from wargame.crisis.world import CEASEFIRE, CEASEFIRE_HELD
    w = _world()
    w.position[:, 0] = [0.0, 12.5, -3.0]
    assert list(termination.outcome(w, np.arange(3))) == [CEASEFIRE, CEASEFIRE_HELD, CEASEFIRE]


def test_a_stalled_war_between_a_weak_attacker_and_the_defender_ends_in_a_ceasefire(tmp_path):
    p = tmp_path / "stall.toml"
    p.write_text(DUO.format(att=50000, dfd=100000, interests=""))
    res = run_memory(p, 3, batch_size=3)
    from wargame.crisis.world import OUTCOMES
    assert {OUTCOMES[o] for o in res["replications"]["outcome"]} <= {"ceasefire", "defender_holds"}


@pytest.mark.parametrize("interests, joins", [("", True), ("interests = { A = 0.8 }", False),
                                              ("interests = { D = 0.3 }", True)])
def test_a_bandwagoner_joins_the_favourite_but_never_against_its_larger_stake(tmp_path, interests, joins):
    p = tmp_path / "stall.toml"
    p.write_text(DUO.format(att=50000, dfd=100000, interests=interests))  # D is the clear favourite
    res = run_memory(p, 2, batch_size=2)
    st = res["states"]
    assert st["intervened"][:, 2].all() == joins and st["intervened"][:, 2].any() == joins
    if joins:
        assert (st["side"][:, 2] == -1).all()
