"""Commitment by ship class (``states.<s>.fleet.<class>.commit``; engine/crisis/fleet.py,
docs/model.md §3.2.2): the committed share, the two pools, losses at sea and in port, bad input."""

import numpy as np
import pytest

from conftest import CONFIGS, cli, run_memory
from wargame.crisis import fleet
from wargame.crisis.combat import NAVAL
from wargame.crisis.events import attach
from wargame.crisis.world import World
from wargame.model import scenario

TAIWAN = CONFIGS / "taiwan_strait.toml"
# 10 destroyers committing 0.3, 2 carriers committing 0.5, 10 submarines with no class commit (the state's 0.2).
FLEET = ("{ destroyer = { count = 10, missiles = 8, interceptions = 6, hits_to_kill = 2, crew = 300, "
         "crew_loss_share = 0.3, commit = 0.3 }, carrier = { count = 2, missiles = 0, interceptions = 4, "
         "hits_to_kill = 6, signature = 2, crew = 5000, crew_loss_share = 0.15, commit = 0.5 }, submarine = { "
         "count = 10, missiles = 4, interceptions = 0, hits_to_kill = 1, signature = 0.2, crew = 130, "
         "crew_loss_share = 1.0 } }")
US = [("states.USA.fleet", FLEET), ("states.USA.forces.naval", "{ manpower = 334000, combat_power = 22 }"),
      ("states.USA.commit", "{ ground = 0.03, air = 0.2, naval = 0.2 }"), ("scenario.stochastic", "false")]


def _world(overrides=US):
    w = attach(World(scenario.load(TAIWAN, overrides).scenario, 1, np.arange(1)))
    return w, w.state_ids.index("USA")


def _cls(w):
    return [w.ship_classes.index(c) for c in ("destroyer", "carrier", "submarine")]


def test_hand_worked_commitment_by_class():
    w, s = _world()
    j = _cls(w)
    # Committed share: (0.3 x 10 + 0.5 x 2 + 0.2 x 10) / 22 = 6 / 22; the pools 3, 1, 2 and 7, 1, 8.
    assert w.commit[0, s, NAVAL] == pytest.approx(6 / 22)
    np.testing.assert_allclose(w.ships_sea[0, s, j], [3.0, 1.0, 2.0])
    # The salvo uses the committed mix: missiles (3 x 8 + 2 x 4) / 6, interceptions (3 x 6 + 1 x 4) / 6.
    p = fleet.per_cp(w, np.arange(1), "sea")
    assert p["missiles"][0, s] == pytest.approx(32 / 6) and p["interceptions"][0, s] == pytest.approx(22 / 6)
    # A loss at sea of 67/30 cp: pi = (3, 2, 0.4) / 5.4, cp per hit 0.41358: 5.4 hits ->
    # 5.4 x (3/5.4) / 2 = 1.5 destroyers, 5.4 x (2/5.4) / 6 = 1/3 carrier, 0.4 submarines, all from the pool at sea.
    w.lost[0, s, NAVAL] += 67 / 30
    fleet.book(w)
    np.testing.assert_allclose(w.ships_lost[0, s, j], [1.5, 1 / 3, 0.4])
    np.testing.assert_allclose(w.ships_sea[0, s, j], [1.5, 2 / 3, 1.6])
    # One cp lost in port lands on the port pool (7, 1, 8): pi = (7, 2, 1.6) / 10.6, cp per hit 5.4333 / 10.6,
    # so (3.5, 1/3, 1.6) / 5.4333 ships; the pool at sea is untouched.
    fleet.in_port(w, np.arange(1), s, np.array([1.0]))
    w.lost[0, s, NAVAL] += 1.0
    fleet.book(w)
    port = np.array([3.5, 1 / 3, 1.6]) / (3.5 + 1 / 3 + 1.6)
    np.testing.assert_allclose(w.ships_lost[0, s, j], np.array([1.5, 1 / 3, 0.4]) + port)
    np.testing.assert_allclose(w.ships_sea[0, s, j], [1.5, 2 / 3, 1.6])
    np.testing.assert_allclose(w.ships[0, s, j], np.array([10, 2, 10]) - w.ships_lost[0, s, j])


def test_what_the_committed_pool_cannot_absorb_goes_to_the_port_pool():
    w, s = _world()
    j = _cls(w)
    w.lost[0, s, NAVAL] += 8.0  # more than the 6 cp committed: the 2 left over sink ships in port
    fleet.book(w)
    assert w.ships_sea[0, s, j].sum() == pytest.approx(0.0, abs=1e-9)
    assert (w.ships_lost[0, s, j] * w.cls["combat_power"][0, s, j]).sum() == pytest.approx(8.0)


def test_without_a_class_commit_one_pool_as_before():
    w, s = _world([o for o in US if o[0] != "states.USA.fleet"] + [("states.USA.fleet", FLEET.replace(
        ", commit = 0.3", "").replace(", commit = 0.5", ""))])
    assert not w.split[s] and w.commit[0, s, NAVAL] == 0.2


def test_a_run_with_class_commits_conserves_ships():
    ov = [("states.USA.treaties", '["JPN","TWN"]'), ("states.USA.doctrine", '"collective_security"'),
          ("states.USA.deploy_delay_days", "0")]
    r = run_memory(TAIWAN, 30, seed=3, overrides=ov)
    w = attach(World(scenario.load(TAIWAN).scenario, 3, np.arange(30)))
    lost, cp = r["states"]["ships_lost"], w.cls["combat_power"]
    assert w.split[w.state_ids.index("USA")]
    assert (lost >= 0).all() and (lost <= w.cls["count"] * (1 + 1e-12)).all()
    np.testing.assert_allclose((lost * cp).sum(axis=2), r["states"]["losses_cp"][:, :, 2], rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("value", ["1.5", '"most"', "-0.2"])
def test_bad_class_commit_is_one_line(tmp_path, value):
    key = "states.USA.fleet.carrier.commit"
    r = cli("run", "taiwan_strait", "--set", f"{key}={value}", "--runs", "1", "--out", tmp_path / "x.h5")
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and key in lines[0] and "Traceback" not in r.stderr, r.stderr
    assert not (tmp_path / "x.h5").exists()
