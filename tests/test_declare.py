"""Declared commitments after the warning and the reputation cost of abandoning them
(docs/model.md §2.6.2, crisis/prewar.py).

The hand-checked trio of tests/test_deterrence.py: A (100,000) against D (20,000), G with
500,000 that turns the front around if it comes (A annihilated: EU = -1.5), while alone A
would attack (EU_alone = 0.990). G's own self-help utility of fighting for D (stake 1, no
perception error) is

    U = 1 * 1 * (1 - 0) - pf * 0.1 * L / 0.5,  pf = (100,000 / 500,000)^0.5,  L = 1 - sqrt(1 - (100/520)^2)

= 0.99833 (with G, D holds for sure; without, it falls; G's projected loss share is L). An
inject on day 3 sets G's trade with A to 0.25, so at the war (day 5) U = 0.99833 - 5 * 0.25
= -0.25167: an undeclared G stays out. Declared at the warning (day 1, when U = 0.99833 >
reputation_cost 0.5), staying out costs it 0.5, so U + 0.5 = 0.24833 > 0 and it comes.
"""

import math

import numpy as np
import pytest

from conftest import CONFIGS, run_memory
from digest import digest
from test_deterrence import EU_ALONE, TRIO, _attacker_decisions, _outcomes
from wargame.model.log import ACTIONS, EVENT_TYPES

PF = math.sqrt(100_000 / 500_000)
U_WARN = 1.0 - PF * 0.1 * (1.0 - math.sqrt(1.0 - (100 / 520) ** 2)) / 0.5
U_WAR = U_WARN - 5.0 * 0.25
TRADE_INJECT = """
[[injects]]
day = 3
text = "G's trade with A turns out larger than it thought"
effects = [ { target = "states.G.trade.A", op = "set", value = 0.25 } ]
"""


def _trio(tmp_path, doctrine, decision, declare="", extra="", credibility=0.0, runs=4, inject=""):
    g = f"{declare}\n{extra}"
    p = tmp_path / "declare.toml"
    p.write_text(TRIO.format(credibility=credibility, doctrine=doctrine, decision=decision, in_place=g) + inject)
    return run_memory(p, runs, seed=11, batch_size=runs)


def _declares(res):
    return res["events"][res["events"]["type"] == EVENT_TYPES.index("declare")]


@pytest.mark.parametrize("declare, outcome", [("", "invade"), ("declare = { credibility_gain = 0.5 }", "deterred")])
def test_a_declaration_lifts_the_credibility_the_attacker_gives_the_treaty(tmp_path, declare, outcome):
    # G is bound to D, but A gives the treaty credibility 0: alone or with G at p = 0 it attacks
    # (EU = EU_alone = 0.990). Declared at the warning, the treaty is believed at 0 + 0.5: G comes with
    # half its 500,000 in A's projection, 100,000 against 270,000 annihilates A within the 30 days
    # (tanh(0.02 t) = 100/270 at t = 19.4), so P(win) = 0 and EU = -1 - 0.1 * 1 / 0.2 = -1.5: deterred.
    res = _trio(tmp_path, "collective_security", "expected_utility", declare)
    d, actions = _attacker_decisions(res)
    if declare:
        assert _outcomes(res) == ["deterred"] * 4 and actions == ["stand_down"] * 4
        assert np.allclose(d["utility"], -1.5, atol=1e-5) and np.allclose(d["p_with"], 0.0, atol=1e-6)
        ev = _declares(res)
        assert ev.size == 4 and (ev["day"] == 1).all() and (ev["actor"] == 2).all() and (ev["target"] == 1).all()
        assert np.allclose(ev["value"], 0.5)
    else:
        assert actions == ["invade"] * 4 and np.allclose(d["utility"], EU_ALONE, rtol=1e-6)
        assert _declares(res).size == 0


def test_the_gain_is_capped_at_full_credibility(tmp_path):
    # credibility 0.8 + gain 0.5 counts as 1, exactly as an undeclared treaty at credibility 1.
    a = _trio(tmp_path, "collective_security", "expected_utility", "declare = { credibility_gain = 0.5 }",
              credibility=0.8)
    b = _trio(tmp_path, "collective_security", "expected_utility", credibility=1.0)
    assert np.array_equal(_attacker_decisions(a)[0]["utility"], _attacker_decisions(b)[0]["utility"])


G_SELF_HELP = "perception_error = 0\ninterests = { D = 1.0 }"


@pytest.mark.parametrize("declare", ["", "declare = { reputation_cost = 0.5 }"])
def test_the_reputation_at_stake_brings_a_declared_self_help_state_in(tmp_path, declare):
    res = _trio(tmp_path, "self_help", "fixed", declare, G_SELF_HELP, inject=TRADE_INJECT)
    dec = res["decisions"][(res["decisions"]["state"] == 2) & (res["decisions"]["day"] == 5)]
    first = [ACTIONS[a] for a in dec["action"]]
    if declare:  # it declared at the warning (U = 0.998 > 0.5), and at the war U + 0.5 > 0
        ev = _declares(res)
        assert ev.size == 4 and (ev["day"] == 1).all() and np.allclose(ev["value"], 0.0)
        assert first == ["intervene_defender"] * 4
        assert np.allclose(dec["utility"], U_WAR + 0.5, atol=1e-5)
        assert (res["states"]["intervention_day"][:, 2] == 5).all()
    else:  # the same numbers without the stake: U < 0, it stays out
        assert _declares(res).size == 0 and first == ["stay_out"] * 4
        assert np.allclose(dec["utility"], U_WAR, atol=1e-5)
    # the logged terms without the reputation: utility - (benefit - costs) is the stake kept
    kept = dec["utility"] - (dec["benefit"] - dec["cost_losses"] - dec["cost_retaliation"] - dec["cost_trade"])
    assert np.allclose(kept, 0.5 if declare else 0.0, atol=1e-5)


def test_a_self_help_state_does_not_stake_more_than_it_expects_to_gain(tmp_path):
    # U at the warning is 0.998: a reputation cost of 1.2 is more than it would stake.
    res = _trio(tmp_path, "self_help", "fixed", "declare = { reputation_cost = 1.2 }", G_SELF_HELP,
                inject=TRADE_INJECT)
    assert _declares(res).size == 0
    assert not res["states"]["intervened"][:, 2].any() or (res["states"]["intervention_day"][:, 2] > 5).all()


@pytest.mark.parametrize("declare, outcome", [
    ("", "invade"),
    ("declare = { reputation_cost = 0.5 }", "deterred"),
    ("declare = { credibility_gain = 1, reputation_cost = 0.1 }", "deterred"),
])
def test_the_attacker_sees_the_stake_of_a_declared_self_help_state(tmp_path, declare, outcome):
    # A estimates G's calculus as G does (no perception error): at day 5 U = -0.252, so undeclared G is
    # not expected and A invades. Declared with 0.5 at stake, U + 0.5 > 0: A expects G and is deterred.
    # With only 0.1 at stake (U + 0.1 < 0) the declaration itself, believed at 0 + 1, still deters.
    res = _trio(tmp_path, "self_help", "expected_utility", declare, G_SELF_HELP, inject=TRADE_INJECT)
    d, actions = _attacker_decisions(res)
    if outcome == "invade":
        assert actions == ["invade"] * 4
    else:
        assert _outcomes(res) == ["deterred"] * 4 and np.allclose(d["utility"], -1.5, atol=1e-5)


def test_buck_passers_bandwagoners_and_never_states_do_not_declare(tmp_path):
    for doctrine in ("buck_passing", "bandwagon", "never"):
        res = _trio(tmp_path, doctrine, "fixed", "declare = { credibility_gain = 1, reputation_cost = 0.5 }",
                    G_SELF_HELP, runs=2)
        assert _declares(res).size == 0, doctrine


def test_the_default_declaration_changes_nothing():
    # Written out at its defaults (off), the key gives the same bits as a config without it.
    over = [("states.USA.declare", "{ credibility_gain = 0, reputation_cost = 0 }")]
    a = run_memory(CONFIGS / "baltic.toml", 8, seed=3, batch_size=8)
    b = run_memory(CONFIGS / "baltic.toml", 8, seed=3, batch_size=8, overrides=over)
    assert digest(a) == digest(b)


def test_same_bits_whatever_the_batch_size():
    # Bound to Estonia, the US declares at the warning in every run; its gain and stake are drawn per run.
    over = [("states.USA.doctrine", "collective_security"),
            ("states.USA.declare", "{ credibility_gain = { dist = 'uniform', low = 0, high = 0.3 }, "
                                   "reputation_cost = { dist = 'uniform', low = 0, high = 0.5 } }")]
    a = run_memory(CONFIGS / "baltic.toml", 12, seed=3, batch_size=12, overrides=over)
    b = run_memory(CONFIGS / "baltic.toml", 12, seed=3, batch_size=5, overrides=over)
    assert digest(a) == digest(b)
    ev = a["events"][a["events"]["type"] == EVENT_TYPES.index("declare")]
    assert ev.size == 12 and (ev["actor"] == 2).all()
    assert np.array_equal(ev["value"][np.argsort(ev["rep"])], a["params"]["states.USA.declare.credibility_gain"])


@pytest.mark.parametrize("text, words", [
    ("declare = { credibility_gain = 1.5 }", ["states.G.declare.credibility_gain", "1.5"]),
    ("declare = { credibility_gain = -0.1 }", ["states.G.declare.credibility_gain", "-0.1"]),
    ("declare = { reputation_cost = -1 }", ["states.G.declare.reputation_cost", "-1"]),
    ("declare = { reputation_cost = 1e4 }", ["states.G.declare.reputation_cost", "10000"]),
    ("declare = { reputation_cost = \"high\" }", ["states.G.declare.reputation_cost", "string"]),
    ("declare = { credibility_gain = { dist = 'uniform', low = 0.5, high = 2 } }",
     ["states.G.declare.credibility_gain"]),
    ("declare = { cost = 1 }", ["states.G.declare.cost"]),
    ("declare = 1", ["states.G.declare"]),
])
def test_bad_input_names_the_key(text, words):
    from wargame.model import scenario
    doc = TRIO.format(credibility=1.0, doctrine="self_help", decision="expected_utility", in_place=text)
    with pytest.raises(scenario.ScenarioError) as e:
        scenario.loads(doc, "declare.toml")
    msg = str(e.value)
    assert all(w in msg for w in words) and "declare.toml" in msg and len(msg.splitlines()) == 1, msg
