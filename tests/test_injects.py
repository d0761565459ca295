"""Injects: scheduled in a scenario, typed by a facilitator; they change the model, and replay."""

import json

import numpy as np
import pytest

from conftest import CONFIGS, cli
from wargame.model import injects as inject_rules
from wargame.model import scenario
from wargame.crisis.combat import KernelClock
from wargame.crisis.events import run_batch
from wargame.play.game import Game
from wargame.model.log import EV
from wargame.crisis.world import World

INJECT = EV["inject"]

DUEL = CONFIGS / "duel.toml"


def _run(text, overrides=(), reps=64, seed=5):
    sc = scenario.loads(text, "duel.toml", list(overrides)).scenario
    w = World(sc, seed, np.arange(reps))
    log = run_batch(w, KernelClock())
    return w, log.events()


def _with_inject(day, effects, text=None):
    base = (text or DUEL.read_text())
    body = ",\n  ".join("{ " + ", ".join(f"{k} = {json.dumps(v)}" for k, v in e.items()) + " }" for e in effects)
    return base + f'\n[[injects]]\nday = {day}\ntext = "test inject"\neffects = [\n  {body}\n]\n'


def test_an_inject_on_day_zero_equals_the_changed_scenario():
    # Halving the attacker's lethality by an inject before the first shot must give exactly the
    # run of a scenario written with half the lethality: same bits, event for event.
    w1, ev1 = _run(_with_inject(0, [{"target": "fronts.land.attacker_lethality", "op": "scale", "value": 0.5}]))
    w2, ev2 = _run(DUEL.read_text(), [("fronts.land.attacker_lethality", "0.005")])
    inject_rows = ev1[ev1["type"] == INJECT]
    assert inject_rows.size == 64 and (inject_rows["day"] == 0).all()
    np.testing.assert_array_equal(ev1[ev1["type"] != INJECT], ev2)
    np.testing.assert_array_equal(w1.outcome, w2.outcome)
    np.testing.assert_array_equal(w1.lost, w2.lost)


def test_a_timed_inject_changes_the_war_and_is_undone():
    w0, ev0 = _run(DUEL.read_text())
    w1, ev1 = _run(_with_inject(3, [{"target": "fronts.land.defender_lethality", "op": "scale", "value": 0.0, "days": 5}]))
    # Five days in which the defender cannot hurt the attacker: the attacker loses less...
    assert (w1.lost[:, 0, 0] < w0.lost[:, 0, 0]).all()
    # ...and the parameter is back to its value afterwards, bit for bit.
    np.testing.assert_array_equal(w1.def_leth, w0.def_leth)
    assert w1.injects.status == ["undone"]


def test_forces_destroyed_by_an_inject_count_as_losses():
    w0, _ = _run(DUEL.read_text(), reps=8)
    w1, _ = _run(_with_inject(0, [{"target": "states.RED.forces.ground", "op": "scale", "value": 0.5}]), reps=8)
    # Half of RED's 60,000 is destroyed before the war: RED's losses include those 30,000 cp.
    assert (w1.lost[:, 1, 0] >= 30000 - 1e-6).all()
    # A doctrine can be changed too.
    w2, _ = _run(_with_inject(0, [{"target": "states.RED.doctrine", "op": "set", "value": "never"}]), reps=2)
    assert w2.doctrine[1] == 4


@pytest.mark.parametrize("effect, message", [
    ({"target": "fronts.nowhere.lift_per_day", "op": "scale", "value": 2}, "not a target an inject can change"),
    ({"target": "states.RED.casualty_tolerance", "op": "scale", "value": -1}, "expected a non-negative number"),
    ({"target": "states.RED.doctrine", "op": "set", "value": "pacifism"}, "a doctrine is set by name"),
    ({"target": "states.RED.forces.air", "op": "scale", "value": 0.5, "days": 3}, "cannot be timed"),
    ({"target": "states.RED.casualty_tolerance", "op": "double", "value": 2}, "injects[0].effects[0].op"),
])
def test_bad_injects_are_one_line_errors(tmp_path, effect, message):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(_with_inject(1, [effect]))
    p = cli("validate", cfg)
    assert p.returncode == 2 and message in p.stderr and "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and str(cfg) in p.stderr


def test_typed_injects_parse():
    item = inject_rules.parse_typed("fronts.landing.lift_per_day *0.5 for 5 days : typhoon in the strait", 40.0)
    assert item == {"day": 40.0, "text": "typhoon in the strait",
                    "effects": [{"target": "fronts.landing.lift_per_day", "op": "scale", "value": 0.5, "days": 5.0}]}
    assert inject_rules.parse_typed(": Congress holds hearings", 3.0)["effects"] == []
    assert inject_rules.parse_typed("states.USA.doctrine =never", 3.0)["effects"][0]["value"] == "never"
    for bad in ("fronts.landing.lift_per_day 0.5", "x *2 for two days", "x *2 for -1 days"):
        with pytest.raises(ValueError, match="inject"):
            inject_rules.parse_typed(bad, 1.0)


def test_a_facilitators_inject_is_replayed_and_reaches_the_lookahead():
    sc = scenario.load(CONFIGS / "taiwan_strait.toml").scenario

    def play(script_injects):
        g = Game(sc, 7, ["USA"], rep=0)
        t = g.advance()
        first = True
        while t is not None:
            if first:
                for item in script_injects:
                    g.inject(item)
                first = False
            for state in g.to_decide():
                g.decide(state, "stay_out" if "stay_out" in g.options(state) else g.options(state)[0])
            t = g.advance()
        return g

    typhoon = inject_rules.parse_typed("fronts.landing.lift_per_day *0 for 20 days : typhoon", 0)
    a, b, c = play([typhoon]), play([typhoon]), play([])
    assert a.log.events().tobytes() == b.log.events().tobytes()
    assert a.log.events().tobytes() != c.log.events().tobytes()
    assert any("inject" in d for d in a.decisions)
    with pytest.raises(ValueError, match="not a target"):
        a.inject({"day": 0, "text": "x", "effects": [{"target": "fronts.x.y", "op": "scale", "value": 1}]})

    # In force during a look-ahead: copies of the paused world keep the inject's change.
    g = Game(sc, 7, ["USA"], rep=0)
    g.advance()
    g.inject(inject_rules.parse_typed("fronts.landing.lift_per_day *0 : the fleet is sunk in port", 0))
    c = g.w.copies(10, 1 << 40)
    assert (c.lift[:, g.w.front_ids.index("landing")] == 0).all()
