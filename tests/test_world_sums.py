"""world.last_sum equals numpy's .sum(axis=-1) bit for bit: the orchestration's sums rely on it."""

import itertools

import numpy as np
import pytest

from wargame.crisis.world import last_sum

SPECIAL = [0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 1e308, -1e308, 5e-324]


def _same(a, b):
    return a.shape == b.shape and bool(np.all((np.signbit(a) == np.signbit(b)) & ((a == b) | (np.isnan(a) & np.isnan(b)))))


@pytest.mark.parametrize("n", range(0, 10))
def test_last_sum_is_numpys_sum_bit_for_bit(n):
    rng = np.random.default_rng(n)
    # Magnitudes over 40 orders, so the order of the additions shows in the bits.
    a = rng.standard_normal((5000, 3, n)) * np.exp(rng.uniform(-45, 45, (5000, 3, n)))
    assert _same(last_sum(a), a.sum(axis=-1))
    view = np.swapaxes(rng.standard_normal((n, 4000)), 0, 1)  # a strided (non-contiguous) last axis
    assert _same(last_sum(view), view.sum(axis=-1))


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_last_sum_signed_zeros_inf_and_nan(n):
    combos = np.array(list(itertools.product(SPECIAL, repeat=n)))
    with np.errstate(all="ignore"):
        assert _same(last_sum(combos), combos.sum(axis=-1))


def test_last_sum_of_other_dtypes_is_numpys():
    b = np.array([[True, False, True]])
    assert last_sum(b).dtype == b.sum(axis=-1).dtype and last_sum(b)[0] == 2
