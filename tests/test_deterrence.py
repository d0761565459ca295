"""Deterrence: the attacker weighs the third parties it expects, and forces in place fight.

The three-state case is small enough to check by hand (docs/model.md §2.3.1): A (100,000)
against D (20,000) on one open, hasty front under the square law with equal lethality
0.02 a day, no perception error, a 30-day projection. Alone, D is annihilated inside the
window (P(win) = 1) and A loses 1 - sqrt(1 - (20/100)^2) of its force, so

    EU_alone = 1 - 0.1 * (1 - sqrt(0.96)) / 0.2 = 0.98990 > 0.

G (collective security, 500,000, arriving at once) would turn the front around: with G
counted, A is annihilated (P(win) = 0, loss share 1), EU = -defeat_cost - 0.1 / 0.2 = -1.5 < 0. A
credible treaty (credibility 1) therefore deters; an incredible one (0) does not.
"""

import math

import numpy as np
import pytest

from conftest import CONFIGS, run_memory
from digest import digest

TRIO = """
[scenario]
name = "deter"
attacker = "A"
defender = "D"
horizon_days = 60
step_days = 1
warning_days = 1
stochastic = false

[invasion]
mode = "scheduled"
day = 5
decision = "{decision}"

[states.A]
name = "Attacker"
casualty_tolerance = 0.2
perception_error = 0
forces.ground = {{ manpower = 100000 }}
commit = {{ ground = 1.0 }}

[states.D]
name = "Defender"
casualty_tolerance = 0.9
forces.ground = {{ manpower = 20000 }}
commit = {{ ground = 1.0 }}

[states.G]
name = "Guarantor"
doctrine = "{doctrine}"
casualty_tolerance = 0.5
forces.ground = {{ manpower = 500000 }}
commit = {{ ground = 1.0 }}
treaties = ["D"]
credibility = {{ D = {credibility} }}
{in_place}

[fronts.f]
attacker_lethality = 0.02
defender_lethality = 0.02
posture = "hasty"
depth_km = 100
advance_km_per_day = 5
"""

EU_ALONE = 1.0 - 0.1 * (1.0 - math.sqrt(1.0 - 0.2**2)) / 0.2


def _run(tmp_path, credibility=1.0, doctrine="collective_security", decision="expected_utility", in_place="",
         runs=4):
    p = tmp_path / "deter.toml"
    p.write_text(TRIO.format(credibility=credibility, doctrine=doctrine, decision=decision, in_place=in_place))
    return run_memory(p, runs, seed=11, batch_size=runs)


def _outcome(res, name):
    return res["replications"]["outcome"] == res["layout"]["outcomes"].index(name) if "layout" in res else None


def _outcomes(res):
    from wargame.crisis.world import OUTCOMES
    return [OUTCOMES[o] for o in res["replications"]["outcome"]]


def _attacker_decisions(res):
    from wargame.model.log import ACTIONS
    d = res["decisions"]
    d = d[d["state"] == 0]
    return d, [ACTIONS[a] for a in d["action"]]


def test_a_credible_commitment_deters(tmp_path):
    res = _run(tmp_path, credibility=1.0)
    assert _outcomes(res) == ["deterred"] * 4
    d, actions = _attacker_decisions(res)
    assert actions == ["stand_down"] * 4
    assert np.allclose(d["p_without"], 1.0) and np.allclose(d["p_with"], 0.0, atol=1e-6)
    assert np.allclose(d["utility"], -1.5, atol=1e-5)  # A annihilated: -defeat_cost - loss_weight / tolerance
    assert np.allclose(d["utility"], d["benefit"] - d["cost_losses"] - d["cost_retaliation"] - d["cost_trade"], atol=1e-6)
    from wargame.model.log import EVENT_TYPES
    ev = res["events"][res["events"]["type"] == EVENT_TYPES.index("stand_down")]
    assert ev.size == 4 and np.allclose(ev["value"], EU_ALONE, rtol=1e-6)  # what tipped it: alone it would attack
    assert np.isnan(res["replications"]["war_day"]).all()


def test_an_incredible_commitment_does_not_deter(tmp_path):
    res = _run(tmp_path, credibility=0.0)
    d, actions = _attacker_decisions(res)
    assert actions == ["invade"] * 4
    assert np.allclose(d["utility"], EU_ALONE, rtol=1e-6)
    assert (res["replications"]["war_day"] == 5).all()
    assert "deterred" not in _outcomes(res)


def test_the_fixed_rule_ignores_third_parties(tmp_path):
    res = _run(tmp_path, decision="fixed")
    assert (res["replications"]["war_day"] == 5).all() and res["decisions"][res["decisions"]["state"] == 0].size == 0


def test_a_stand_down_with_no_prospect_alone_is_no_war_not_deterred(tmp_path):
    # D as strong as the guarantor: A would not attack even alone, so the treaty tipped nothing.
    p = tmp_path / "deter.toml"
    p.write_text(TRIO.format(credibility=1.0, doctrine="collective_security", decision="expected_utility",
                             in_place="").replace("manpower = 20000", "manpower = 400000"))
    res = run_memory(p, 4, seed=11, batch_size=4)
    assert _outcomes(res) == ["no_war"] * 4


IN_PLACE = "forces_in_place.f = { ground = 5000 }"


@pytest.mark.parametrize("doctrine", ["self_help", "never"])
def test_forces_in_place_fight_from_the_first_day(tmp_path, doctrine):
    res = _run(tmp_path, doctrine=doctrine, decision="fixed", in_place=IN_PLACE, runs=2)
    from wargame.model.log import EVENT_TYPES
    ev = res["events"]
    placed = ev[(ev["type"] == EVENT_TYPES.index("in_place")) & (ev["actor"] == 2)]
    assert (placed["day"] == 5).all() and placed.size == 2  # they join when the war starts, day 5
    hit = ev[(ev["type"] == EVENT_TYPES.index("attacked")) & (ev["target"] == 2)]
    assert (hit["day"] == 6).all() and hit.size == 2  # the first step's losses are the tripwire
    lost = res["states"]["losses"][:, 2].sum(axis=1)
    assert (lost > 0).all()


def test_the_tripwire_brings_its_state_in_at_once(tmp_path):
    # G has no stake in D (self_help, no interests): only the attack on its forces brings it in.
    res = _run(tmp_path, doctrine="self_help", decision="fixed", in_place=IN_PLACE, runs=2)
    st = res["states"]
    assert st["intervened"][:, 2].all()
    assert (st["intervention_day"][:, 2] == 6).all()  # decided the day its forces were hit, not a week later
    assert (st["side"][:, 2] == -1).all()


def test_a_never_state_fights_where_its_forces_stand_and_nowhere_else(tmp_path):
    res = _run(tmp_path, doctrine="never", decision="fixed", in_place=IN_PLACE, runs=2)
    st = res["states"]
    assert not st["intervened"][:, 2].any()
    lost = st["losses"][:, 2].sum(axis=1)
    assert ((lost > 0) & (lost <= 5000 * 1.0 + 1e-6)).all()  # it lost only what it had in place


def test_the_attacker_counts_forces_in_place(tmp_path):
    # 200,000 in place with a `never` guarantor: they fight whatever G decides, so A, which would
    # attack D alone, is deterred by the garrison itself.
    res = _run(tmp_path, doctrine="never", in_place="forces_in_place.f = { ground = 200000 }", runs=2)
    assert _outcomes(res) == ["deterred"] * 2


def test_same_bits_whatever_the_batch_size():
    over = [("invasion.decision", "expected_utility"), ("invasion.postpone_days", "20")]
    a = run_memory(CONFIGS / "baltic.toml", 12, seed=3, batch_size=12, overrides=over)
    b = run_memory(CONFIGS / "baltic.toml", 12, seed=3, batch_size=5, overrides=over)
    assert digest(a) == digest(b)


def test_same_bits_whatever_the_worker_count():
    import wargame
    a = wargame.run("kuwait_1990", runs=60, seed=4, batch_size=15)
    b = wargame.run("kuwait_1990", runs=60, seed=4, batch_size=20, workers=2)
    assert digest(a.arrays()) == digest(b.arrays())


@pytest.mark.parametrize("text, words", [
    ('credibility = { D = 1.5 }', ["states.G.credibility.D", "1.5"]),
    ('credibility = { A = 0.5 }', ["states.G.credibility", "'A'", "treaties"]),
    ('forces_in_place.nowhere = { ground = 1 }', ["states.G.forces_in_place", "'nowhere'", "front"]),
    ('forces_in_place.f = { ground = -1 }', ["states.G.forces_in_place.f.ground", "-1"]),
])
def test_bad_input_names_the_key(tmp_path, text, words):
    from wargame.model import scenario
    doc = TRIO.format(credibility=1.0, doctrine="self_help", decision="expected_utility", in_place="")
    doc = doc.replace("credibility = { D = 1.0 }", text)
    with pytest.raises(scenario.ScenarioError) as e:
        scenario.loads(doc, "deter.toml")
    msg = str(e.value)
    assert all(w in msg for w in words), msg


def test_bad_decision_rule_is_one_line_exit_2(tmp_path):
    from conftest import cli
    p = cli("run", "duel", "--set", "invasion.decision=sometimes", "--runs", "2")
    assert p.returncode == 2 and "invasion.decision" in p.stderr and "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("alert, outcome", [("", "no_war_or_war"), ("alert = { days_saved = 30 }", "deterred")])
def test_an_alert_after_the_warning_is_what_the_attacker_sees(tmp_path, alert, outcome):
    # G arrives only after 30 days, outside the attacker's 30-day window, so it does not count...
    # ...unless it alerts at the warning (day 1) and deploys forward: then it is there at once.
    from wargame.model.log import EVENT_TYPES
    p = tmp_path / "deter.toml"
    text = TRIO.format(credibility=1.0, doctrine="collective_security", decision="expected_utility", in_place="")
    text = text.replace('treaties = ["D"]', f'treaties = ["D"]\ndeploy_delay_days = 30\n{alert}')
    p.write_text(text)
    res = run_memory(p, 2, seed=11, batch_size=2)
    alerts = res["events"][res["events"]["type"] == EVENT_TYPES.index("alert")]
    if alert:
        assert _outcomes(res) == ["deterred"] * 2
        assert (alerts["day"] == 1).all() and alerts.size == 2 and (alerts["value"] == 30).all()
    else:
        assert alerts.size == 0 and (res["replications"]["war_day"] == 5).all()
