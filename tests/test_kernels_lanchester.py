"""Lanchester kernels: closed forms, RK4 invariant, stochastic draws, batching."""
import math
import os

import numba

from wargame.kernels._dispatch import PARALLEL_MIN_ROWS
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import reference as R
from wargame.kernels import LINEAR, LOG, SQUARE, lanchester_step, law_pq
from wargame.kernels import streams
from wargame.kernels.lanchester import _advance

HYP = settings(max_examples=int(os.environ.get("KERNELS_HYP_EXAMPLES", 150)), deadline=None,
               derandomize=os.environ.get("KERNELS_HYP_RANDOM") is None)
pos = st.floats(1.0, 1e5)
leth = st.floats(1e-4, 0.5)
dts = st.floats(0.0, 30.0)


def _square_textbook(x0, y0, a, b, t):
    """Independent form: x = x0 cosh(gt) - y0 sqrt(b/a) sinh(gt); stop at zero via the invariant."""
    g = math.sqrt(a * b)
    if x0 * math.sqrt(a) < y0 * math.sqrt(b):  # attacker loses; zero at tanh(g T) = x0 sqrt(a) / (y0 sqrt(b))
        T = math.atanh(x0 * math.sqrt(a) / (y0 * math.sqrt(b))) / g
        if t >= T:
            return 0.0, math.sqrt(y0**2 - a / b * x0**2)
    elif x0 * math.sqrt(a) > y0 * math.sqrt(b):
        T = math.atanh(y0 * math.sqrt(b) / (x0 * math.sqrt(a))) / g
        if t >= T:
            return math.sqrt(x0**2 - b / a * y0**2), 0.0
    # cosh/sinh written as exponentials: exact at parity, where cosh - sinh cancels
    ep, em = math.exp(g * t), math.exp(-g * t)
    yy, xx = y0 * math.sqrt(b / a), x0 * math.sqrt(a / b)
    return 0.5 * ((x0 - yy) * ep + (x0 + yy) * em), 0.5 * ((y0 - xx) * ep + (y0 + xx) * em)


def _close(got, ref, scale, rel=1e-9):
    # relative error, measured against the result or (near a zero crossing,
    # where the textbook form itself cancels) a small fraction of the scale
    return abs(got - ref) <= rel * max(abs(ref), 1e-3 * scale)


@HYP
@given(pos, pos, leth, leth, dts)
def test_square_closed_form(x0, y0, a, b, t):
    x1, y1 = _advance(x0, y0, a, b, 0.0, 1.0, 0.0, 0.0, t)
    xr, yr = _square_textbook(x0, y0, a, b, t)
    scale = x0 + y0
    assert _close(x1, xr, scale) and _close(y1, yr, scale), (x1, xr, y1, yr)
    assert x1 >= 0 and y1 >= 0


@HYP
@given(pos, pos, leth, leth, dts)
def test_square_rk4_holds_invariant(x0, y0, a, b, t):
    x1, y1 = _advance(x0, y0, a, b, 0.0, 1.0, 1e-300, 1e-300, t)  # forces the integrator
    inv0 = a * x0**2 - b * y0**2
    inv1 = a * x1**2 - b * y1**2
    assert abs(inv1 - inv0) <= 1e-6 * (a * x0**2 + b * y0**2)
    xr, yr = _square_textbook(x0, y0, a, b, t)
    assert abs(x1 - xr) <= 1e-6 * (x0 + y0) and abs(y1 - yr) <= 1e-6 * (x0 + y0)


@HYP
@given(pos, pos, leth, leth, dts)
def test_linear_closed_form(x0, y0, a, b, t):
    # scale lethalities so that a x0, b y0 are O(1) per day (linear law units)
    a, b = a / y0, b / x0
    x1, y1 = _advance(x0, y0, a, b, 1.0, 1.0, 0.0, 0.0, t)
    c = a * x0 - b * y0
    assume(abs(c) * t < 600)  # beyond this the textbook form overflows; the kernel gives ~0
    if abs(c) * t < 1e-6:  # near parity the textbook form is 0/0: use the series
        xr, yr = x0 / (1 + a * x0 * t), y0 / (1 + b * y0 * t)
        tol = 1e-5
    else:
        xr = c * x0 / (a * x0 - b * y0 * math.exp(-c * t))
        yr = -c * y0 / (b * y0 - a * x0 * math.exp(c * t))
        tol = 1e-9
    assert math.isclose(x1, xr, rel_tol=tol, abs_tol=1e-280)
    assert math.isclose(y1, yr, rel_tol=tol, abs_tol=1e-280)
    assert abs((a * x1 - b * y1) - c) <= 1e-9 * (a * x0 + b * y0)


def test_linear_parity_limit():
    x1, y1 = _advance(100.0, 50.0, 0.01, 0.02, 1.0, 1.0, 0.0, 0.0, 3.0)
    assert math.isclose(x1, 100 / (1 + 1.0 * 3), rel_tol=1e-14)
    assert math.isclose(y1, 50 / (1 + 1.0 * 3), rel_tol=1e-14)


@HYP
@given(pos, pos, leth, leth, dts)
def test_log_closed_form(x0, y0, a, b, t):
    x1, y1 = _advance(x0, y0, a, b, 1.0, 0.0, 0.0, 0.0, t)
    assert math.isclose(x1, x0 * math.exp(-b * t), rel_tol=1e-14)
    assert math.isclose(y1, y0 * math.exp(-a * t), rel_tol=1e-14)


def test_law_pq():
    assert law_pq("square") == SQUARE == (0.0, 1.0)
    assert law_pq("Linear") == LINEAR == (1.0, 1.0)
    assert law_pq("log") == LOG == (1.0, 0.0)
    assert law_pq("helmbold", 1.0) == SQUARE and law_pq("helmbold", 0.0) == LOG
    assert law_pq("helmbold", 0.25) == (0.75, 0.25)
    for bad in [("helmbold", None), ("helmbold", 1.5), ("square", 0.5), ("cubic", None)]:
        with pytest.raises(ValueError):
            law_pq(*bad)


@HYP
@given(pos, pos, leth, leth, st.floats(0, 1), st.floats(0, 1), st.floats(0, 50), st.floats(0, 50),
       st.floats(0, 100))
def test_never_negative_and_twin(x0, y0, a, b, p, q, rx, ry, t):
    x1, y1 = _advance(x0, y0, a, b, p, q, rx, ry, t)
    assert x1 >= 0.0 and y1 >= 0.0 and math.isfinite(x1) and math.isfinite(y1)
    assert (x1, y1) == R.advance_xy(x0, y0, a, b, p, q, rx, ry, t)


@pytest.mark.parametrize("p,q", [SQUARE, LINEAR, LOG, (0.5, 0.5), (0.2, 0.9)])
def test_winner_monotone_in_initial_ratio(p, q):
    x0 = np.linspace(10.0, 300.0, 60)
    y0 = np.full(60, 100.0)
    a = 0.05 / 100**q
    xs, ys = lanchester_step(x0, y0, a, a, p, q, 0.0, 0.0, 20.0)
    assert np.all(np.diff(xs) >= 0) and np.all(np.diff(ys) <= 0)
    assert np.all(xs >= 0) and np.all(ys >= 0)


def _stoch(x0, y0, nrep, seed=11, step=3, slots=None, **kw):
    n = nrep
    reps = np.arange(n, dtype=np.int64)
    slots = np.zeros(n, dtype=np.int64) if slots is None else slots
    return lanchester_step(np.full(n, x0), np.full(n, y0), kw.get("a", 0.02), kw.get("b", 0.015),
                           0.0, 1.0, kw.get("rx", 0.0), kw.get("ry", 0.0), 1.0, True, seed,
                           reps, slots, step, streams.GROUND)


def test_stochastic_mean_converges_to_deterministic():
    gaps = []
    for x0 in (1e2, 1e5):
        xs, ys = _stoch(x0, 0.8 * x0, 4000)
        xd, yd = _advance(x0, 0.8 * x0, 0.02, 0.015, 0.0, 1.0, 0.0, 0.0, 1.0)
        # mean within 5 standard errors of the deterministic path
        assert abs(xs.mean() - xd) <= 5 * xs.std() / math.sqrt(xs.size) + 0.5
        assert abs(ys.mean() - yd) <= 5 * ys.std() / math.sqrt(ys.size) + 0.5
        assert np.all(xs == np.floor(xs)) and xs.min() >= 0 and ys.min() >= 0
        gaps.append(max(abs(xs.mean() - xd) / xd, abs(ys.mean() - yd) / yd, xs.std() / xd))
    assert gaps[1] < gaps[0] / 10


def test_stochastic_reinforcement_and_small_forces():
    xs, ys = _stoch(3.0, 0.4, 2000, rx=2.0, ry=0.0, a=0.5, b=0.5)
    assert xs.min() >= 0 and ys.min() >= 0
    assert np.all(ys == 0.4)  # round(0.4) = 0 personnel at risk: no draw
    x0s, _ = _stoch(0.0, 5.0, 10, rx=1.5)
    assert np.all(x0s == 1.5)


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs 2 numba threads")
def test_stochastic_threads_and_batching_invariant():
    rng = np.random.default_rng(5)
    n = PARALLEL_MIN_ROWS + 3000  # big enough to run threaded
    args = [rng.uniform(10, 1e4, n), rng.uniform(10, 1e4, n), rng.uniform(1e-3, 0.05, n),
            rng.uniform(1e-3, 0.05, n), rng.uniform(0, 1, n), rng.uniform(0, 1, n),
            rng.uniform(0, 5, n), rng.uniform(0, 5, n), 1.5]
    reps = rng.integers(0, 100, n)
    slots = rng.integers(0, 50, n)
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = lanchester_step(*args, True, 77, reps, slots, 9, streams.GROUND)
        numba.set_num_threads(2)
        two = lanchester_step(*args, True, 77, reps, slots, 9, streams.GROUND)
    finally:
        numba.set_num_threads(old)
    assert np.array_equal(one[0], two[0]) and np.array_equal(one[1], two[1])
    # different batching / order: reversed halves computed separately
    perm = np.arange(n)[::-1]
    parts = []
    for idx in (perm[: n // 3], perm[n // 3:]):
        sub = [v[idx] if isinstance(v, np.ndarray) else v for v in args]
        parts.append(lanchester_step(*sub, True, 77, reps[idx], slots[idx], 9, streams.GROUND))
    xb = np.empty(n)
    yb = np.empty(n)
    xb[perm] = np.concatenate([parts[0][0], parts[1][0]])
    yb[perm] = np.concatenate([parts[0][1], parts[1][1]])
    assert np.array_equal(xb, one[0]) and np.array_equal(yb, one[1])


def test_batched_vs_twin():
    rng = np.random.default_rng(8)
    n = 300
    laws = np.array([SQUARE, LINEAR, LOG, (0.3, 0.7)])[rng.integers(0, 4, n)]
    args = [rng.uniform(0, 500, n), rng.uniform(0, 500, n), rng.uniform(0, 0.1, n),
            rng.uniform(0, 0.1, n), laws[:, 0], laws[:, 1],
            np.where(rng.random(n) < 0.5, 0.0, rng.uniform(0, 3, n)), rng.uniform(0, 3, n) * (rng.random(n) < 0.5),
            rng.uniform(0, 10, n)]
    args[4][:5] = 0.0
    reps = rng.integers(0, 10, n)
    slots = np.arange(n)
    for stoch in (False, True):
        got = lanchester_step(*args, stoch, 3, reps, slots, 4, streams.GROUND)
        ref = R.lanchester_step(*args, stoch, 3, reps, slots, 4, streams.GROUND)
        assert np.array_equal(got[0], ref[0]) and np.array_equal(got[1], ref[1])


@pytest.mark.parametrize("kw,msg", [
    (dict(x=[1.0, 2.0]), "x must be a 1-D numpy array"), (dict(y=np.ones(3)), "y must be a scalar or"),
    (dict(a=-1.0), r"a = -1.0 is invalid"), (dict(a=np.array([0.1, -1.0])), r"a\[1\] = -1.0"), (dict(dt=np.nan), "dt"), (dict(p=np.array(["s", "t"])), "p must be real"),
    (dict(stochastic=True), "needs reps and slots"),
    (dict(stochastic=True, reps=np.array([0, 1]), slots=np.array([0.0, 1.0])), "slots"),
    (dict(stochastic=True, reps=np.array([0, 1]), slots=np.array([0, 1]), seed=-5), "seed"),
])
def test_validation(kw, msg):
    args = dict(x=np.array([10.0, 20.0]), y=np.array([5.0, 5.0]), a=0.1, b=0.1, p=0.0, q=1.0,
                rx=0.0, ry=0.0, dt=1.0)
    args.update(kw)
    with pytest.raises(ValueError, match=msg):
        lanchester_step(**args)


# The kernel range-checks values in its own loop (shared-parameter and per-row paths);
# every kind of bad value must still raise with the argument's name and index.
@pytest.mark.parametrize("kw,msg", [
    (dict(x=np.array([10.0, np.nan])), r"x\[1\] = nan"),
    (dict(y=np.array([np.inf, 5.0])), r"y\[0\] = inf"),
    (dict(x=np.array([-0.5, 1.0]), a=np.array([0.1, 0.2])), r"x\[0\] = -0.5"),
    (dict(dt=np.array([1.0, np.inf])), r"dt\[1\] = inf"),
    (dict(rx=np.array([0.0, -2.0])), r"rx\[1\] = -2.0"),
    (dict(q=np.array([np.nan, 1.0])), r"q\[0\] = nan"),
    (dict(reps=np.array([0, -3]), slots=np.array([0, 1])), r"reps\[1\] = -3 is negative"),
    (dict(stochastic=True, reps=np.array([0, 1]), slots=np.array([-1, 1])), r"slots\[0\] = -1 is negative"),
    (dict(x=np.array([1.0]), y=np.array([2.0]), b=np.array([np.nan])), r"b\[0\] = nan"),
])
def test_validation_in_kernel_loop(kw, msg):
    args = dict(x=np.array([10.0, 20.0]), y=np.array([5.0, 5.0]), a=0.1, b=0.1, p=0.0, q=1.0,
                rx=0.0, ry=0.0, dt=1.0)
    args.update(kw)
    with pytest.raises(ValueError, match=msg):
        lanchester_step(**args)


def test_shared_and_per_row_parameters_agree():
    # Scalars take the kernel's shared-parameter path, arrays the per-row path with its
    # coefficient memo: the same values must give the same bits, drawn or not, for every
    # law and with sides at zero.
    rng = np.random.default_rng(11)
    n = 5000
    x = rng.choice([0.0, 0.4, 3.0, 80.0, 2e3, 5e4], n) * rng.uniform(0.5, 1.5, n)
    y = rng.choice([0.0, 0.4, 3.0, 80.0, 2e3, 5e4], n) * rng.uniform(0.5, 1.5, n)
    reps, slots = rng.integers(0, 50, n), rng.integers(0, 4, n)
    for a, b, p, q, rx, ry, dt in [(0.02, 0.03, 0.0, 1.0, 0.0, 0.0, 1.0), (0.0, 0.03, 0.0, 1.0, 0.0, 0.0, 2.0),
                                   (0.02, 0.01, 1.0, 1.0, 0.0, 0.0, 0.5), (0.02, 0.01, 1.0, 0.0, 0.0, 0.0, 1.0),
                                   (0.02, 0.01, 0.3, 0.7, 1.0, 2.0, 1.0), (0.02, 0.03, 0.0, 1.0, 0.0, 0.0, 0.0)]:
        for stoch in (False, True):
            one = lanchester_step(x, y, a, b, p, q, rx, ry, dt, stoch, 5, reps, slots, 2, streams.AIR)
            per_row = [np.full(n, v) for v in (a, b, p, q, rx, ry, dt)]
            many = lanchester_step(x, y, *per_row, stoch, 5, reps, slots, 2, streams.AIR)
            assert np.array_equal(one[0], many[0]) and np.array_equal(one[1], many[1])


@pytest.mark.parametrize("law", [SQUARE, LINEAR, (0.3, 0.7)])
@pytest.mark.parametrize("stochastic", [False, True])
def test_shared_parameters_give_the_same_bits_as_per_row(law, stochastic):
    # One set of scalar parameters takes _step_shared (and, for aimed fire with draws,
    # its _square_draws loop); the same values as n-row arrays take the per-row chunks.
    # Sides at zero and exact parity are in the mix.
    rng = np.random.default_rng(21)
    n = 5000
    x = np.where(rng.random(n) < 0.05, 0.0, rng.uniform(0, 2e4, n))
    y = np.where(rng.random(n) < 0.05, 0.0, rng.uniform(0, 2e4, n))
    y[:20] = x[:20]
    reps, slots = rng.integers(0, 10**6, n), rng.integers(0, 40, n)
    p, q = law
    shared = lanchester_step(x, y, 0.012, 0.009, p, q, 0.0, 0.0, 1.0, stochastic, 5, reps, slots, 4, streams.GROUND)
    full = lanchester_step(x, y, *(np.full(n, v) for v in (0.012, 0.009, p, q, 0.0, 0.0, 1.0)), stochastic, 5,
                           reps, slots, 4, streams.GROUND)
    assert np.array_equal(shared[0], full[0]) and np.array_equal(shared[1], full[1])
    assert (shared[0] != x).any()  # it did fight
