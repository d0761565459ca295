"""Classroom games: one replication with human-played states, paused at decision points."""

import numpy as np
import pytest

from conftest import CONFIGS
from wargame.model import scenario
from wargame.crisis.combat import KernelClock
from wargame.crisis.events import run_batch
from wargame.play.game import Game
from wargame.crisis.world import World


@pytest.fixture(scope="module")
def sc():
    return scenario.load(CONFIGS / "taiwan_strait.toml").scenario


@pytest.mark.parametrize("rep", [0, 3, 11])
def test_a_game_nobody_plays_is_the_batch_replication(sc, rep):
    g = Game(sc, 7, [], rep=rep)
    assert g.advance() is None
    w = World(sc, 7, np.array([rep]))
    log = run_batch(w, KernelClock())
    assert g.log.events().tobytes() == log.events().tobytes()
    assert g.w.outcome[0] == w.outcome[0] and g.w.end_day[0] == w.end_day[0]


def _play(sc, policy):
    g = Game(sc, 7, ["USA", "JPN"], rep=1)
    t = g.advance()
    while t is not None:
        for state in g.to_decide():
            g.decide(state, policy(g, state, t))
        t = g.advance()
    return g


def test_same_seed_and_decisions_replay_the_same_game(sc):
    policy = lambda g, s, t: "intervene_defender" if s == "USA" and t >= 40 and "stay_out" in g.options(s) else g.options(s)[0]  # noqa: E731
    a, b = _play(sc, policy), _play(sc, policy)
    assert a.decisions == b.decisions and any(d["action"] == "intervene_defender" for d in a.decisions)
    assert a.log.events().tobytes() == b.log.events().tobytes()
    # Replaying the recorded decisions (as a --decisions file would) gives the same game too.
    # A state may answer two questions on one day (stay in? strike the PRC one rung higher?): in order.
    script = {}
    for d in a.decisions:
        script.setdefault((d["day"], d["state"]), []).append(d["action"])
    c = _play(sc, lambda g, s, t: script[(t, s)].pop(0))
    assert c.log.events().tobytes() == a.log.events().tobytes()


def test_human_states_are_never_decided_for(sc):
    g = _play(sc, lambda g, s, t: g.options(s)[0])  # always stay out
    assert not g.w.intervened[0, g.ids.index("USA")] and not g.w.intervened[0, g.ids.index("JPN")]
    assert len(g.decisions) >= 2


def test_lookahead_compares_options_from_the_paused_world(sc):
    g = Game(sc, 7, ["USA"], rep=0)
    t = g.advance()
    assert t is not None and g.to_decide() == ["USA"]
    before = (g.w.front.copy(), g.w.position.copy(), g.w.lost.copy())
    la = g.lookahead("USA", 1000)
    assert set(la) == {"stay_out", "intervene_defender", "intervene_defender_air_naval", "intervene_attacker",
                       "intervene_attacker_air_naval"}
    for probs in la.values():
        assert abs(sum(p[0] for p in probs.values()) - 1.0) < 1e-9
    # Defending Taiwan makes it clearly more likely to hold than staying out.
    assert la["intervene_defender"]["defender_holds"][1] > la["stay_out"]["defender_holds"][2]
    # The game itself is untouched, and the look-ahead is reproducible.
    for x, y in zip(before, (g.w.front, g.w.position, g.w.lost)):
        np.testing.assert_array_equal(x, y)
    assert g.lookahead("USA", 1000) == la


def test_bad_choices_are_rejected(sc):
    with pytest.raises(ValueError, match="not a state"):
        Game(sc, 7, ["XXX"])
    g = Game(sc, 7, ["USA"], rep=0)
    g.advance()
    with pytest.raises(ValueError, match="not an option"):
        g.decide("USA", "withdraw")


# ---- people play the attacker and the defender: mobilise, invade, escalate, ceasefire
def _game(sc, play, answer, rep=1, seed=7, limit=80):
    """Play to the end; ``answer(g, question)`` picks each action."""
    g = Game(sc, seed, play, rep=rep)
    t, turns = g.advance(), 0
    while t is not None and turns < limit:
        while g.pending:
            q = g.pending[0]
            g.decide(q.state, answer(g, q))
        t, turns = g.advance(), turns + 1
    assert t is None, "the game did not end"
    return g


def _first(g, q):
    return {"mobilise": "mobilise", "invade": "invade", "escalate": "hold_fire"}.get(q.topic, q.options[0])


def test_an_attacker_that_stands_down_ends_the_crisis_without_war(sc):
    g = _game(sc, ["PRC"], lambda g, q: "stand_down" if q.topic == "invade" else _first(g, q))
    assert g.w.outcome[0] == 0 and not g.w.at_war[0]
    assert [d["action"] for d in g.decisions] == ["mobilise", "stand_down"]


def test_waiting_moves_the_invasion_to_the_next_turn(sc):
    waits = []

    def answer(g, q):
        if q.topic == "invade" and not waits:
            waits.append(g.turn)
            return "wait"
        return _first(g, q)

    g = _game(sc, ["PRC"], answer)
    ev = g.log.events()
    invaded = ev["day"][ev["type"] == 3]
    assert invaded.size == 1 and invaded[0] == waits[0] + g.w.doc["decision_interval_days"][0]


def test_reserves_held_by_people_are_not_called_up_until_they_say_so(sc):
    hold = _game(sc, ["TWN"], lambda g, q: "hold_reserves" if q.topic == "mobilise" else _first(g, q))
    assert hold.w.reserve_left[0, 1] == hold.w.reserve[0, 1]  # never called up
    assert not (hold.log.events()["type"] == 2)[hold.log.events()["actor"] == 1].any()
    call = _game(sc, ["TWN"], _first)
    assert call.w.reserve_left[0, 1] < call.w.reserve[0, 1]


def test_escalation_by_people_climbs_one_rung_and_strikes(sc):
    def answer(g, q):
        if q.topic == "intervene":
            return "intervene_defender"
        if q.topic == "escalate":
            return q.options[-1]  # strike the last listed enemy one rung higher
        return _first(g, q)

    g = _game(sc, ["PRC", "USA", "JPN"], answer)
    ev = g.log.events()
    esc = ev[ev["type"] == 6]
    # Both directions: the PRC climbs against Taiwan and the interveners, the US against the PRC.
    assert esc.size >= 1 and set(esc["actor"]) <= {0, 2} and (esc["actor"] == 0).any()
    assert (esc["target"][esc["actor"] == 2] == 0).all()
    # One rung per decision point per pair, in order from 1, never skipping a rung within reach.
    for actor, target in set(zip(esc["actor"], esc["target"])):
        rungs = esc["value"][(esc["actor"] == actor) & (esc["target"] == target)]
        assert (np.diff(rungs) > 0).all() and rungs[0] >= 1
    assert g.w.rung[0, 0].max() == esc["value"][esc["actor"] == 0].max()
    # Nobody escalates for the PRC when people hold fire.
    calm = _game(sc, ["PRC", "USA", "JPN"], lambda g, q: "intervene_defender" if q.topic == "intervene" else _first(g, q))
    assert not (calm.log.events()["type"] == 6).any()


def test_air_and_naval_only_sends_no_ground_troops(sc):
    g = _game(sc, ["USA"], lambda g, q: "intervene_defender_air_naval" if q.topic == "intervene"
              else "hold_fire" if q.topic == "escalate" else "stay_in")
    usa = g.ids.index("USA")
    assert g.w.intervened[0, usa] and g.w.committed[0, usa, 0] == 0 and g.w.committed[0, usa, 1:].sum() > 0


@pytest.fixture(scope="module")
def stalled():
    # Two equal armies, square law: the line never moves, so a ceasefire is offered after 10 days.
    return scenario.load(CONFIGS / "duel.toml", [("states.RED.forces.ground.manpower", "100000"),
                                                 ("termination.stalemate_days", "10")]).scenario


def test_a_ceasefire_needs_the_players_consent(stalled):
    accept = _game(stalled, ["RED"], lambda g, q: "accept_ceasefire" if q.topic == "ceasefire" else _first(g, q))
    assert accept.w.outcome[0] == 3 and accept.w.end_day[0] == 10
    refuse = _game(stalled, ["RED"], lambda g, q: "fight_on" if q.topic == "ceasefire" else _first(g, q))
    offers = [d["day"] for d in refuse.decisions if d["action"] == "fight_on"]
    assert offers[:2] == [10.0, 20.0]  # asked again after every further ten stalled days
    assert refuse.w.outcome[0] != 3 and refuse.w.end_day[0] > 20
    # With nobody playing, the engine's rule is unchanged: the ceasefire comes on day 10.
    assert _game(stalled, [], _first).w.outcome[0] == 3


def test_lookahead_before_the_invasion(sc):
    g = Game(sc, 7, ["PRC"], rep=1)
    assert g.advance() == 0.0
    g.decide("PRC", "mobilise")
    assert g.advance() is not None and g.kind == "invade" and [q.topic for q in g.pending] == ["invade"]
    la = g.lookahead("PRC", 300)
    assert la["stand_down"]["no_war"][0] == 1.0
    assert la["invade"]["no_war"][0] == 0.0 and la["wait"]["no_war"][0] == 0.0
    assert la["invade"]["attacker_wins"][0] > 0.3


def test_lookahead_at_a_ceasefire_offer(stalled):
    # The copies of a game paused at an offer carry it, but nobody plays in them: the engine's
    # stalemate rule applies there (this look-ahead used to fail, asking a game that was not there).
    g = Game(stalled, 7, ["RED"], rep=0)
    t = g.advance()
    while g.kind != "ceasefire":
        for q in list(g.pending):
            g.decide(q.state, _first(g, q))
        t = g.advance()
    assert t == 10.0 and g.w.offer[0]
    la = g.lookahead("RED", 200)
    assert la["accept_ceasefire"]["ceasefire"][0] == 1.0
    assert abs(sum(p[0] for p in la["fight_on"].values()) - 1.0) < 1e-9
    g.decide("RED", "accept_ceasefire")
    assert g.advance() is None and g.w.outcome[0] == 3 and g.w.end_day[0] == 10


def test_a_world_holds_state_and_its_mechanisms_attach_once(sc):
    from wargame.crisis import events

    w = World(sc, 7, np.arange(3))
    assert w.mechanisms == [] and not any(hasattr(w, k) for k in ("raid", "injects", "morale", "hook"))
    events.attach(w)
    assert w.mechanisms == list(events.MECHANISMS)
    held = (w.raid, w.injects, w.morale, w.m0)
    events.attach(w)  # again (events.start does): nothing is drawn or reset a second time
    assert all(a is b for a, b in zip(held, (w.raid, w.injects, w.morale, w.m0)))
    # The game hands its hook to the processes; its world only says who plays which state.
    g = Game(sc, 7, ["USA"], rep=0)
    assert not hasattr(g.w, "hook") and g.w.human.tolist() == [s == "USA" for s in g.ids]
