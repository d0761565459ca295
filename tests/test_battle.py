"""The battle-outcome model in every scenario (crisis/battle.py): off by default, exact Lanchester when not
stochastic, its draws independent of the batch, bad values refused."""

import numpy as np
import pytest

from conftest import CONFIGS, cli
from wargame.crisis.combat import KernelClock
from wargame.crisis.events import run_batch
from wargame.crisis.world import CEASEFIRE, World
from wargame.model import scenario
from wargame.model.battle import FITTED

DUEL = CONFIGS / "duel.toml"
ON = [(f"battle.{k}", repr(v)) for k, v in FITTED.items()]


def _world(reps, overrides=()):
    sc = scenario.loads(DUEL.read_text(), "duel.toml", list(overrides)).scenario
    w = World(sc, 9, np.asarray(reps))
    run_batch(w, KernelClock())
    return w


def test_deterministic_path_is_lanchester_whatever_the_battle_table():
    off = _world(np.arange(3), [("scenario.stochastic", "false")])
    on = _world(np.arange(3), [("scenario.stochastic", "false"), *ON])
    np.testing.assert_array_equal(off.lost, on.lost)
    np.testing.assert_array_equal(off.end_day, on.end_day)
    assert (on.breakpoint == 1.0).all() and (on.decisive_event == 0).all()


def test_breakpoints_and_decisive_events_do_not_depend_on_the_batch():
    a = _world(np.arange(40), ON)
    b = _world(np.arange(30, 40), ON)
    np.testing.assert_array_equal(a.breakpoint[30:], b.breakpoint)
    np.testing.assert_array_equal(a.outcome[30:], b.outcome)
    # the fitted values give each kind of end: decisive events both ways, and draws (ceasefires)
    assert set(np.unique(a.decisive_event)) == {-1, 0, 1}
    assert (a.outcome == CEASEFIRE).any()
    assert np.log(a.breakpoint[a.decisive_event == 0]).std() == pytest.approx(FITTED["breakpoint_sd"], rel=0.35)


@pytest.mark.parametrize("line, message", [
    ("rout_fraction = 0", "battle.rout_fraction = 0: must be >= 0.001"),
    ("decisive_share = 1.5", "battle.decisive_share = 1.5: must be <= 1"),
    ("breakpoint_sd = -1", "battle.breakpoint_sd = -1: must be >= 0"),
    ("draws = 3", "battle.draws"),
])
def test_bad_battle_values_are_one_line_errors(tmp_path, line, message):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(DUEL.read_text() + "\n[battle]\n" + line + "\n")
    p = cli("validate", cfg)
    assert p.returncode == 2 and message in p.stderr and "Traceback" not in p.stderr, p.stderr
    assert len(p.stderr.strip().splitlines()) == 1
