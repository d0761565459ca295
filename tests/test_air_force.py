"""Air forces by aircraft type (crisis/air_force.py, docs/model.md §3.1.1): the hand-worked air battle
of the docs, allocation over types, conservation, the results column, the summary and reproducibility."""

import math

import h5py
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CONFIGS, cli, run_memory

from wargame.crisis import air_force, combat, events
from wargame.crisis.world import World
from wargame.model import scenario

# The worked example of docs/model.md §3.1.1: A (100 fighters, 20 bombers of 2 cp) against D (15
# aircraft, no table), one deterministic day, air lethality 0.02, engaged share 0.25.
WORKED = """
[scenario]
name = "air_worked"
attacker = "A"
defender = "D"
horizon_days = 10
stochastic = false

[states.A]
name = "A"
casualty_tolerance = 0.5
forces.ground = { manpower = 1000 }
forces.air = { manpower = 7000 }
commit = { ground = 1.0, air = 1.0 }
[states.A.air_force.fighter]
count = 100
sorties_per_day = 1.5
[states.A.air_force.bomber]
count = 20
combat_power = 2
air_to_air = 0
sorties_per_day = 0.5
crew = 4

[states.D]
name = "D"
casualty_tolerance = 0.5
forces.ground = { manpower = 1000 }
forces.air = { manpower = 750, combat_power = 15 }
commit = { ground = 1.0, air = 1.0 }

[fronts.f]
attacker_lethality = 0.01
defender_lethality = 0.01
air_lethality = 0.02
depth_km = 100

[air]
engaged_share = 0.25
"""


def _world(tmp_path, text=WORKED):
    p = tmp_path / "air_worked.toml"
    p.write_text(text)
    w = World(scenario.load(p).scenario, 1, np.arange(1))
    events.attach(w)
    return w


def test_worked_example_by_hand(tmp_path):
    w = _world(tmp_path)
    assert w.cp0[0, 0, 1] == 140.0  # 100 x 1 + 20 x 2: the table sets A's air cp
    w.front[0, 0, :, 1] = [140.0, 15.0]
    combat.step(w, 1.0, np.array([0]), combat.KernelClock())
    # fighting strengths: A 100 x 1.5 x 0.25 = 37.5 (bombers fly but do not fight), D 15
    k = 0.02
    x1 = 37.5 * math.cosh(k) - 15 * math.sinh(k)  # the square law over one day, exactly
    y1 = 15 * math.cosh(k) - 37.5 * math.sinh(k)
    engaged = 100 * 0.375 + 20 * 2 * 0.125  # 42.5 cp engaged
    lost = engaged * (1 - x1 / 37.5)
    assert x1 == pytest.approx(37.20748, abs=1e-5) and lost == pytest.approx(0.33152, abs=1e-5)
    assert w.lost[0, 0, 1] == pytest.approx(lost, rel=1e-12)
    assert w.lost[0, 1, 1] == pytest.approx(15 - y1, rel=1e-12)  # D without a table: today's rule
    dn = w.aircraft_lost[0, 0, :, 0]
    assert dn[0] == pytest.approx(lost * 37.5 / 42.5, rel=1e-12)  # pi: 100 x 0.375 x 1 against 20 x 0.125 x 1
    assert dn[1] == pytest.approx(lost * 2.5 / 42.5, rel=1e-12)
    assert dn[0] == pytest.approx(0.29252, abs=1e-5) and dn[1] == pytest.approx(0.019501, abs=1e-6)
    assert w.aircrew_lost[0, 0] == pytest.approx(dn[0] + 4 * dn[1], rel=1e-12)
    # air control: the fighters left (99.70748) against D's 14.25295, squared
    left = 100 - dn[0]
    assert w.air_control[0, 0] == pytest.approx(left**2 / (left**2 + y1**2), rel=1e-12)


def test_allocation_caps_and_passes_the_excess_on():
    out = air_force.allocate(np.array([1.0, 50.0]), np.array([1.0, 1.0]), np.array([9.0, 1.0]), np.array(5.0))
    assert out == pytest.approx([1.0, 4.0])  # 4.5 asked of the first, 1 there; the other 3.5 to the second


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1e4), st.floats(1e-3, 10), st.floats(0, 5)), min_size=1, max_size=6),
       st.floats(0, 2))
def test_allocation_conserves(types, share):
    n, cpa, pi = (np.array(x) for x in zip(*types))
    present = float((n * cpa).sum())
    loss = share * present  # up to twice what is there
    out = air_force.allocate(n, cpa, pi, np.array(loss))
    assert (out >= 0).all() and (out <= n * (1 + 1e-12)).all()
    booked = float((out * cpa).sum())
    assert booked == pytest.approx(min(loss, present), rel=1e-9, abs=1e-9 * max(present, 1.0))


@pytest.fixture(scope="module")
def falklands():
    return run_memory(CONFIGS / "falklands_1982.toml", 64, seed=11, batch_size=64)


def test_run_conserves_platforms(falklands):
    lay = falklands["layout"]
    assert lay["aircraft_types"] == ["sea_harrier", "harrier_gr3", "jet", "canberra", "pucara", "other"]
    lost = falklands["states"]["aircraft_lost"]  # (rep, state, type, where)
    assert lost.shape == (64, 2, 6, 2) and (lost >= 0).all()
    count = np.array([[28, 14, 0, 0, 0, 0], [0, 0, 115, 10, 45, 49]], float)
    assert (lost.sum(axis=3) <= count * (1 + 1e-6)).all()
    assert (lost[:, 0, 2:] == 0).all() and (lost[:, 1, :2] == 0).all()  # a state without a type loses none
    # all of a typed state's air cp lost is booked by type (cp 1 per aircraft in this scenario)
    cp = falklands["states"]["losses_cp"][:, :, 1]
    np.testing.assert_allclose(lost.sum(axis=(2, 3)), cp, rtol=1e-5, atol=1e-4)


def test_same_bits_whatever_the_batch(falklands):
    other = run_memory(CONFIGS / "falklands_1982.toml", 64, seed=11, batch_size=7)
    assert np.array_equal(falklands["states"]["aircraft_lost"], other["states"]["aircraft_lost"])
    assert np.array_equal(falklands["states"]["casualties"], other["states"]["casualties"])


def test_column_summary_and_metric(tmp_path):
    out = tmp_path / "f.h5"
    p = cli("run", "falklands_1982", "--runs", "40", "--seed", "5", "--out", str(out))
    assert p.returncode == 0, p.stderr
    assert "Aircraft lost by type in wars" in p.stdout and "sea_harrier" in p.stdout
    with h5py.File(out) as f:
        d = f["states/aircraft_lost"]
        assert d.shape == (40, 2, 6, 2)
        assert (d[...] >= 0).all()
    s = cli("summary", str(out))
    assert "ARG   pucara" in s.stdout
    from wargame.crisis import metrics
    loaded = scenario.load(CONFIGS / "falklands_1982.toml")
    assert "aircraft_lost.ARG.jet" in metrics.catalogue(loaded)


def test_ground_strikes_spare_shelters(tmp_path):
    w = _world(tmp_path, WORKED.replace("crew = 4", "crew = 4\nsheltered_share = 1.0"))
    r = np.array([0])
    u = air_force.unsheltered(w, r, 0)
    assert u[0] == pytest.approx((100 + 40 * (1 - 0.9)) / 140)  # bombers sheltered, shelter_protection 0.9
    air_force.on_ground(w, r, 0, np.array([10.4]))
    dn = w.aircraft_lost[0, 0, :, 1]
    # weights 100 x 1 and 20 x 0.1 = 2: 10.4 cp over 100 + 2 x 2 = 104 cp of weight
    assert dn == pytest.approx([10.0, 0.2])
    assert w.aircrew_lost[0, 0] == 0.0  # aircraft destroyed on the ground cost no aircrew
