"""Classroom games: one replication with human-played states, paused at decision points."""

import numpy as np
import pytest

from conftest import CONFIGS
from engine import scenario
from engine.combat import KernelClock
from engine.events import run_batch
from engine.game import Game
from engine.world import World


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
    script = {(d["day"], d["state"]): d["action"] for d in a.decisions}
    c = _play(sc, lambda g, s, t: script[(t, s)])
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
    assert set(la) == {"stay_out", "intervene_defender", "intervene_attacker"}
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
