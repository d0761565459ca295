"""Binomial / Poisson variates: moments, exact-inversion pmf, twin agreement."""
import math

import numpy as np
import pytest
from numba import njit

import reference as R
from wargame.kernels import uniforms
from wargame.kernels import streams
from wargame.kernels.philox import u64_to_open
from wargame.kernels.variates import NORMAL_THRESHOLD, binomial, poisson


def _open_uniforms(n, seed):
    """n x 2 open-interval uniforms from the project stream (deterministic)."""
    u = uniforms(seed, np.arange(n, dtype=np.int64), streams.EXTRA, 0, 2)
    # u = (x >> 11) * 2**-53 exactly, so m recovers x >> 11 and (m | 1) * 2**-53
    # is u64_to_open(x) of the same Philox word.
    m = np.round(u * 2.0**53).astype(np.int64)
    return ((m | 1).astype(np.float64)) * 2.0**-53


@njit
def _draw_binomial(n, p, u):
    out = np.empty(u.shape[0])
    for i in range(u.shape[0]):
        out[i] = binomial(n, p, u[i, 0], u[i, 1])
    return out


@njit
def _draw_poisson(lam, u):
    out = np.empty(u.shape[0])
    for i in range(u.shape[0]):
        out[i] = poisson(lam, u[i, 0], u[i, 1])
    return out


U = _open_uniforms(40_000, seed=2024)


def _check_moments(x, mean, var, extra_var=0.0):
    n = x.size
    assert abs(x.mean() - mean) < 5 * math.sqrt(var / n) + 1e-12
    # rounding a normal adds ~1/12 to the variance: allowed via extra_var
    assert abs(x.var() - var) < 6 * var * math.sqrt(2 / n) + extra_var + 1e-12


@pytest.mark.parametrize("n,p", [(10, 0.3), (30, 0.2), (79, 0.5), (1000, 0.005), (10**9, 2e-9),
                                 (40, 0.9), (1000, 0.3), (10**6, 0.5), (500, 0.97)])
def test_binomial_moments(n, p):
    x = _draw_binomial(float(n), p, U)
    assert x.min() >= 0 and x.max() <= n and np.all(x == np.floor(x))
    var = n * p * (1 - p)
    _check_moments(x, n * p, var, extra_var=0.1 if var >= NORMAL_THRESHOLD else 0.0)


@pytest.mark.parametrize("lam", [0.01, 0.7, 5.0, 19.9, 20.0, 150.0, 1e6])
def test_poisson_moments(lam):
    x = _draw_poisson(lam, U)
    assert x.min() >= 0
    _check_moments(x, lam, lam, extra_var=0.1 if lam >= NORMAL_THRESHOLD else 0.0)


def _chi2_crit(df, z=3.719):
    """Wilson-Hilferty upper quantile of chi-square (z = 3.719: 1e-4 tail)."""
    return df * (1 - 2 / (9 * df) + z * math.sqrt(2 / (9 * df)))**3


@pytest.mark.parametrize("n,p", [(12, 0.35), (60, 0.1), (25, 0.8)])
def test_binomial_inversion_pmf_chi_square(n, p):
    assert n * p * (1 - p) < NORMAL_THRESHOLD
    x = _draw_binomial(float(n), p, U).astype(int)
    counts = np.bincount(x, minlength=n + 1)
    pmf = np.array([math.comb(n, k) * p**k * (1 - p)**(n - k) for k in range(n + 1)])
    exp = pmf * x.size
    keep = exp >= 5  # pool the sparse tails into one bin
    obs = np.append(counts[keep], counts[~keep].sum())
    ex = np.append(exp[keep], exp[~keep].sum())
    stat = (((obs - ex)**2) / np.maximum(ex, 1e-300))[ex > 0].sum()
    assert stat < _chi2_crit(int((ex > 0).sum()) - 1)


def test_poisson_inversion_pmf_chi_square():
    lam = 4.5
    x = _draw_poisson(lam, U).astype(int)
    kmax = 15
    counts = np.bincount(np.minimum(x, kmax), minlength=kmax + 1)
    pmf = np.array([math.exp(-lam) * lam**k / math.factorial(k) for k in range(kmax)])
    ex = np.append(pmf, 1 - pmf.sum()) * x.size
    assert ((counts - ex)**2 / ex).sum() < _chi2_crit(kmax)


def test_twin_agreement_exact():
    cases = [(0, 0.3), (5, 0.0), (5, 1.0), (7, 0.4), (50, 0.6), (80, 0.5), (1e12, 1e-11),
             (3000, 0.2), (1e6, 0.999), (33, 0.05)]
    for n, p in cases:
        x = _draw_binomial(float(n), p, U[:2000])
        ref = [R.binomial(n, p, u1, u2) for u1, u2 in U[:2000]]
        assert np.array_equal(x, ref), (n, p)
    for lam in [0.0, 0.3, 8.0, 19.99, 25.0, 1e5]:
        x = _draw_poisson(lam, U[:2000])
        assert np.array_equal(x, [R.poisson(lam, u1, u2) for u1, u2 in U[:2000]]), lam


def test_extreme_uniforms():
    top = u64_to_open(np.uint64(2**64 - 1))
    assert binomial(10.0, 0.3, top, 0.5) <= 10
    assert binomial(1e15, 1e-16, top, 0.5) < 100  # rounding guard: no walk to n
    assert poisson(3.0, top, 0.5) < 100
    assert binomial(10.0, 0.3, 0.0, 0.0) == 0.0  # u <= 0 nudged, still valid
    assert poisson(50.0, 0.0, 0.0) >= 0.0
