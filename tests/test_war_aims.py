"""War aims (docs/model.md §2.7.2): what each primary measures a ceasefire against."""

import numpy as np
import pytest

from conftest import cli
from wargame.crisis import aims, termination
from wargame.crisis.combat import KernelClock
from wargame.crisis.events import attach
from wargame.crisis.world import World
from wargame.model import scenario
from wargame.model.log import ACTIONS, Log

DUO = """
[scenario]
name = "aims"
attacker = "A"
defender = "D"
horizon_days = 40
stochastic = false

[invasion]
day = 0

[states.A]
name = "Attacker"
casualty_tolerance = 0.9
perception_error = 0
forces.ground = { manpower = 50000 }
commit = { ground = 1.0 }

[states.D]
name = "Defender"
casualty_tolerance = 0.9
perception_error = 0
forces.ground = { manpower = 100000 }
commit = { ground = 1.0 }

[fronts.f]
attacker_lethality = 0.001
defender_lethality = 0.001
posture = "hasty"
depth_km = 100
advance_km_per_day = 5

[fronts.g]
attacker_lethality = 0.001
defender_lethality = 0.001
depth_km = 200
decisive = false
attacker_share = 0.0
defender_share = 0.0

[termination]
stalemate_days = 10
"""


def _world(extra=""):
    sc = scenario.loads(DUO + extra, "aims.toml").scenario
    w = attach(World(sc, 1, np.arange(2, dtype=np.int64)))
    w.at_war[:] = True
    w.front[:, 0, 0, 0], w.front[:, 0, 1, 0] = 50000, 100000
    w.committed[:, 0, 0], w.committed[:, 1, 0] = 50000, 100000
    return w


def _consent(w):
    log = Log(w.reps)
    return termination.consent(w, log, np.arange(w.R), 10.0, KernelClock()), log.decisions()


def test_without_war_aims_the_terms_are_those_of_the_start_line():
    w = _world()
    w.position[:, 0], w.position[:, 1] = [25.0, 150.0], [80.0, 0.0]
    # The old rule: the mean over decisive fronts (f only) of clip(position / depth, 0, 1).
    np.testing.assert_array_equal(aims.attainment(w, np.arange(2)), [0.25, 1.0])
    np.testing.assert_array_equal(aims.shortfall(w, np.arange(2)), [0.25, 1.0])
    acc_a, acc_d, _, _ = aims.accept_values(w, np.arange(2))
    np.testing.assert_array_equal(acc_a, w.value * [0.25, 1.0])
    np.testing.assert_array_equal(acc_d, [-0.25, -1.0])


def test_aims_by_hand():
    w = _world("""
[war_aims.attacker]
line_km = { f = 50, g = 100 }
weight = { g = 3 }
shortfall_cost = 0.4
[war_aims.defender]
line_km = { f = 0, g = -50 }
""")
    w.position[:, 0], w.position[:, 1] = 25.0, 40.0
    r = np.arange(2)
    # attacker: (1 * 25/50 + 3 * 40/100) / 4 = 0.425; accept = 1 * 0.425 - 0.4 * 0.575 = 0.195
    np.testing.assert_allclose(aims.attainment(w, r), 0.425, rtol=1e-15)
    # defender: (25/100 + (40 + 50)/(200 + 50)) / 2 = (0.25 + 0.36) / 2 = 0.305
    np.testing.assert_allclose(aims.shortfall(w, r), 0.305, rtol=1e-15)
    acc_a, acc_d, _, _ = aims.accept_values(w, r)
    np.testing.assert_allclose(acc_a, 0.195, rtol=1e-14)
    np.testing.assert_allclose(acc_d, -0.305, rtol=1e-15)


def test_a_defender_aiming_behind_the_start_line_refuses_a_ceasefire_on_it():
    # On the start line a defender that expects to hold accepts (tests/test_termination.py) ...
    ok, dec = _consent(_world())
    assert ok.all()
    # ... but one fighting for 50 km of territory beyond it (1/3 of its way, weight 1) refuses:
    w = _world("""
[war_aims.defender]
line_km = { f = -50 }
""")
    ok, dec = _consent(w)
    d = dec[dec["state"] == 1]
    assert not ok.any() and [ACTIONS[a] for a in d["action"]] == ["fight_on"] * 2
    # utility = (fight on - losses) - accept, with accept = -(0 + 50) / (100 + 50) = -1/3
    np.testing.assert_allclose(d["utility"], (d["benefit"] - d["cost_losses"]) + 1 / 3, rtol=1e-6)
    assert (d["utility"] > 0).all()


def test_an_attacker_short_of_its_aims_with_a_shortfall_cost_refuses():
    w = _world("""
[war_aims.attacker]
line_km = { f = 100 }
shortfall_cost = 5.0
""")
    ok, dec = _consent(w)
    a = dec[dec["state"] == 0]
    # accept = 1 * 0 - 5 * 1 = -5 is worse than a hopeless war (fight on >= -1 - losses)
    assert [ACTIONS[x] for x in a["action"]] == ["fight_on"] * 2 and not ok.any()


@pytest.mark.parametrize("block,line", [
    ("[war_aims.attacker]\nline_km = { f = 150 }", "war_aims.attacker.line_km.f = 150.0: expected a line beyond the "
     "start line and at most the front's depth_km (100 km), i.e. 0 < line_km <= 100"),
    ("[war_aims.attacker]\nline_km = { f = 0 }", "war_aims.attacker.line_km.f = 0.0: expected a line beyond the "
     "start line and at most the front's depth_km (100 km), i.e. 0 < line_km <= 100"),
    ("[war_aims.defender]\nline_km = { f = 20 }", "war_aims.defender.line_km.f = 20.0: expected 0 or less (the start "
     "line, or km of territory behind it the defender fights to restore)"),
    ("[war_aims.defender]\nline_km = { nowhere = -5 }", "war_aims.defender front 'nowhere': not a front of this "
     "scenario (fronts: f, g)"),
    ("[war_aims.defender]\nline_km = { f = -5 }\nweight = { g = 1 }", "war_aims.defender.weight.g: front 'g' has no "
     "line in war_aims.defender.line_km (a weight needs an aim)"),
    ("[war_aims.defender]\nline_km = { f = -5 }\nweight = { f = 0 }", "war_aims.defender.weight: every weight is 0; "
     "at least one front's aim must count"),
    ("[war_aims.attacker]\nline_km = { f = 50 }\nshortfall_cost = -1", "war_aims.attacker.shortfall_cost = -1: "
     "must be >= 0"),
    ("[war_aims.defender]\nline_km = { f = -5 }\nweight = { f = -2 }", "war_aims.defender.weight.f = -2: must be >= 0"),
    ("[war_aims.defender]\nline = { f = -5 }", "war_aims.defender.line"),
])
def test_bad_war_aims_are_one_line_and_exit_2(tmp_path, block, line):
    bad = tmp_path / "bad.toml"
    bad.write_text(DUO + "\n" + block + "\n")
    p = cli("validate", bad)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{bad}: {line}"), p.stderr


def test_aims_are_drawn_per_replication_whatever_the_batch_size():
    from conftest import CONFIGS, run_memory
    a = run_memory(CONFIGS / "ukraine_2022.toml", 12, seed=3, batch_size=5)
    b = run_memory(CONFIGS / "ukraine_2022.toml", 12, seed=3, batch_size=12)
    keys = [k for k in a["params"] if k.startswith("war_aims.")]
    assert "war_aims.attacker.line_km.east" in keys and "war_aims.defender.line_km.south" in keys
    for k in keys:
        np.testing.assert_array_equal(a["params"][k], b["params"][k])
    assert (-230 <= a["params"]["war_aims.defender.line_km.south"]).all()
    np.testing.assert_array_equal(a["replications"]["end_day"], b["replications"]["end_day"])
