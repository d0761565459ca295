"""Front modifiers, control share and movement: hand values, monotonicity, twins."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reference as R
from wargame.kernels import FORTIFIED, HASTY, PREPARED, advance, advance_km, attack_factor, control_share, front_modifiers


def test_attack_factor_hand_values():
    assert attack_factor(HASTY, 1.0, False, 3.0, 0.5, 0.7, 0.5, 0.7) == 1.0
    assert attack_factor(PREPARED, 1.0, False, 3.0, 0.5, 0.7, 0.9, 0.7) == 1 / 1.5
    assert attack_factor(FORTIFIED, 2.0, False, 3.0, 0.5, 0.0, 0.5, 0.0) == 0.25
    assert attack_factor(HASTY, 0.01, False, 3.0, 0.5, 0.0, 0.5, 0.0) == 10.0  # terrain floor 0.1
    # air: 1 + 0.5 (2*0.75 - 1) = 1.25 ; amphibious /3 ; sea 1 + 0.4 (2*0.25 - 1) = 0.8
    assert math.isclose(attack_factor(HASTY, 1.0, True, 3.0, 0.75, 0.5, 0.25, 0.4), 1.25 / 3 * 0.8)
    # sea control ignored when not amphibious
    assert attack_factor(HASTY, 1.0, False, 3.0, 0.5, 0.5, 0.0, 5.0) == 1.0
    # floor 0.05 for total enemy air superiority with a big weight
    assert attack_factor(HASTY, 1.0, False, 3.0, 0.0, 2.0, 0.5, 0.0) == 0.05
    assert math.isnan(attack_factor(7, 1.0, False, 3.0, 0.5, 0.0, 0.5, 0.0))


def test_attack_factor_monotone_in_air_control():
    ac = np.linspace(0, 1, 101)
    f = front_modifiers(np.full(101, PREPARED), 1.3, True, 3.0, ac, 0.8, 0.6, 0.3)
    assert np.all(np.diff(f) >= 0) and f[-1] > f[0]


def test_control_share():
    assert control_share(0.0, 0.0, 2.0) == 0.5
    assert control_share(3.0, 3.0, 1.7) == 0.5
    assert control_share(5.0, 0.0, 1.0) == 1.0 and control_share(0.0, 5.0, 1.0) == 0.0
    assert math.isclose(control_share(2.0, 1.0, 2.0), 0.8)
    assert math.isclose(control_share(1e200, 1e-200, 5.0), 1.0)  # no overflow of att^k
    s = [control_share(r, 1.0, 1.5) for r in np.linspace(0.01, 10, 50)]
    assert np.all(np.diff(s) > 0)


def test_advance_hand_values_and_symmetry():
    km = advance(np.array([0.0, 0.5, 1.0, 1.9, 2.0, 4.0, np.inf]), 2.0, 10.0, 0.5)
    assert km[0] == -5.0 and km[-1] == 5.0
    assert km[1] == km[2] == km[3] == km[4] == 0.0
    assert math.isclose(km[5], 5.0 * math.tanh(math.log(2.0)))  # = 5 * 0.6
    assert math.isclose(km[5], 3.0)
    for r in (0.01, 0.2, 0.37, 3.0, 11.0):
        assert math.isclose(advance_km(1 / r, 2.5, 7.0, 1.0), -advance_km(r, 2.5, 7.0, 1.0))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.floats(0, 1e6), st.floats(0, 1e6), st.floats(1.0, 5.0))
def test_advance_monotone(r1, r2, bt):
    lo, hi = min(r1, r2), max(r1, r2)
    assert advance_km(lo, bt, 20.0, 1.0) <= advance_km(hi, bt, 20.0, 1.0)
    assert abs(advance_km(hi, bt, 20.0, 1.0)) <= 20.0


def test_batched_vs_twin():
    rng = np.random.default_rng(2)
    n = 500
    args = [rng.integers(0, 3, n), rng.uniform(0.05, 3, n), rng.random(n) < 0.5, rng.uniform(1, 4, n),
            rng.random(n), rng.uniform(0, 1.5, n), rng.random(n), rng.uniform(0, 1.5, n)]
    assert np.array_equal(front_modifiers(*args), R.front_modifiers(*args))
    ratio = np.concatenate([[0.0, np.inf], rng.lognormal(0, 1.5, n)])
    bt, vm = rng.uniform(1, 3, n + 2), rng.uniform(0, 40, n + 2)
    assert np.array_equal(advance(ratio, bt, vm, 0.25), R.advance(ratio, bt, vm, 0.25))


def test_control_share_twin():
    rng = np.random.default_rng(3)
    for a, d, k in zip(rng.exponential(1, 300), rng.exponential(1, 300), rng.uniform(0, 4, 300)):
        assert control_share(a, d, k) == R.control_share(a, d, k)


@pytest.mark.parametrize("kw,msg", [
    (dict(posture=np.array([0, 3])), "posture"), (dict(posture=[0, 1]), "posture"),
    (dict(terrain=0.0), "terrain"), (dict(amphibious=np.array([0, 2])), "amphibious"),
    (dict(air_control=1.2), "air_control"), (dict(sea_weight=np.ones(5)), "sea_weight"),
])
def test_front_modifiers_validation(kw, msg):
    args = dict(posture=np.array([0, 1]), terrain=1.0, amphibious=False, amphib_penalty=3.0,
                air_control=0.5, air_weight=0.5, sea_control=0.5, sea_weight=0.5)
    args.update(kw)
    with pytest.raises(ValueError, match=msg):
        front_modifiers(**args)


@pytest.mark.parametrize("kw,msg", [(dict(breakthrough=0.5), "breakthrough"), (dict(ratio=np.array([-1.0])), "ratio"),
                                    (dict(v_max=np.array([1.0, 2.0])), "v_max")])
def test_advance_validation(kw, msg):
    args = dict(ratio=np.array([1.0]), breakthrough=2.0, v_max=10.0, dt=1.0)
    args.update(kw)
    with pytest.raises(ValueError, match=msg):
        advance(**args)
