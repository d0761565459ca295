"""Hughes salvo model: hand cases, stochastic mean, twin agreement, bounds."""
import math

import numba

from wargame.kernels._dispatch import PARALLEL_MIN_ROWS
import numpy as np
import pytest

import reference as R
from wargame.kernels import salvo_step
from wargame.kernels import streams


def _one(A, B, alpha, beta, a1, b1, a3, b3):
    out = salvo_step(np.array([A]), np.array([B]), alpha, beta, a1, b1, a3, b3)
    return tuple(float(v[0]) for v in out)


@pytest.mark.parametrize("args,expect", [
    # A=10 fires 40, B=8 intercepts 16 -> 24 leak on B, /b1=2 -> 12 > 8: B wiped out.
    # B fires 32, A intercepts 20 -> 12 leak on A, /a1=2 -> 6 lost: A=4.
    ((10, 8, 4, 4, 2, 2, 2, 2), (4.0, 0.0, 12.0, 24.0)),
    # defences saturate nothing: 2*5=10 fired vs 3*6=18 interceptors -> no leakers
    ((5, 6, 2, 1, 1, 1, 3, 3), (5 - (6 - 15) * 0.0, 6.0, 0.0, 0.0)),
    # A=6 fires 18 at B=3 (intercepts 3): 15 leak, b1=4 -> 3.75 > 3 -> 0 left;
    # B fires 6 at A (intercepts 6): 0 leak
    ((6, 3, 3, 2, 1, 4, 1, 1), (6.0, 0.0, 0.0, 15.0)),
    # fractional outcome: B=10, alpha A = 12, b3 B = 5 -> 7 leak / b1 3 -> 7/3 lost
    ((4, 10, 3, 0, 1, 3, 0, 0.5), (4.0, 10 - 7 / 3, 0.0, 7.0)),
    ((0, 10, 3, 1, 1, 1, 1, 1), (0.0, 10.0, 10.0, 0.0)),
])
def test_deterministic_hand_cases(args, expect):
    got = _one(*args)
    assert all(math.isclose(g, e, rel_tol=1e-15, abs_tol=1e-15) for g, e in zip(got, expect)), got


def _stoch(A, B, n, seed=1, step=0, **kw):
    reps = np.arange(n, dtype=np.int64)
    p = dict(alpha=3.0, beta=2.5, a1=2.0, b1=1.5, a3=1.2, b3=1.0)
    p.update(kw)
    return salvo_step(np.full(n, float(A)), np.full(n, float(B)), p["alpha"], p["beta"], p["a1"],
                      p["b1"], p["a3"], p["b3"], True, seed, reps, np.zeros(n, dtype=np.int64),
                      step, streams.NAVAL), _one(A, B, *p.values())


def test_stochastic_mean_matches_deterministic_large_fleets():
    # parameters keep losses away from the clip at the fleet size, where
    # E[min(loss, B)] < min(E[loss], B) would make the comparison meaningless
    rel = []
    for A, B in ((20, 25), (2000, 2500)):
        (An, Bn, la, lb), det = _stoch(A, B, 4000, alpha=1.5, beta=1.2, a3=0.5, b3=0.4)
        for arr, d in ((An, det[0]), (Bn, det[1]), (la, det[2]), (lb, det[3])):
            se = arr.std() / math.sqrt(arr.size)
            assert abs(arr.mean() - d) <= 5 * se + 1e-9, (A, arr.mean(), d)
        assert np.all(la == np.floor(la)) and np.all(lb == np.floor(lb))
        rel.append(An.std() / det[0])
    assert rel[1] < rel[0] / 5


def test_stochastic_bounds():
    rng = np.random.default_rng(3)
    n = 5000
    A, B = rng.uniform(0, 30, n), rng.uniform(0, 30, n)
    out = salvo_step(A, B, rng.uniform(0, 5, n), rng.uniform(0, 5, n), rng.uniform(0.2, 3, n),
                     rng.uniform(0.2, 3, n), rng.uniform(0, 3, n), rng.uniform(0, 3, n), True, 9,
                     rng.integers(0, 50, n), np.arange(n), 2, streams.NAVAL)
    assert np.all(out[0] >= 0) and np.all(out[1] >= 0)
    assert np.all(out[0] <= A) and np.all(out[1] <= B)
    assert np.all(out[2] >= 0) and np.all(out[3] >= 0)


def test_twin_agreement():
    rng = np.random.default_rng(4)
    n = 400
    args = [rng.uniform(0, 40, n), rng.uniform(0, 40, n), rng.uniform(0, 6, n), rng.uniform(0, 6, n),
            rng.uniform(0.3, 3, n), rng.uniform(0.3, 3, n), rng.uniform(0, 4, n), 1.5]
    reps, slots = rng.integers(0, 9, n), rng.integers(0, 99, n)
    for stoch in (False, True):
        got = salvo_step(*args, stoch, 5, reps, slots, 7, streams.NAVAL)
        ref = R.salvo_step(*args, stoch, 5, reps, slots, 7, streams.NAVAL)
        for g, r in zip(got, ref):
            assert np.array_equal(g, r)


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs 2 numba threads")
def test_threads_and_batching():
    rng = np.random.default_rng(6)
    n = PARALLEL_MIN_ROWS + 2000  # big enough to run threaded
    args = [rng.uniform(0, 40, n), rng.uniform(0, 40, n), 3.0, 2.0, 1.0, 2.0, 1.0, 0.5]
    reps, slots = rng.integers(0, 9, n), rng.integers(0, 99, n)
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = salvo_step(*args, True, 5, reps, slots, 7, streams.NAVAL)
        numba.set_num_threads(2)
        two = salvo_step(*args, True, 5, reps, slots, 7, streams.NAVAL)
    finally:
        numba.set_num_threads(old)
    half = salvo_step(args[0][n // 2:], args[1][n // 2:], *args[2:], True, 5, reps[n // 2:],
                      slots[n // 2:], 7, streams.NAVAL)
    for o, t, h in zip(one, two, half):
        assert np.array_equal(o, t) and np.array_equal(o[n // 2:], h)


@pytest.mark.parametrize("kw,msg", [(dict(a1=0.0), "a1"), (dict(B=np.ones(3)), "B"),
                                    (dict(alpha=-1.0), "alpha"), (dict(stochastic=True), "reps")])
def test_validation(kw, msg):
    args = dict(A=np.array([1.0, 2.0]), B=np.array([1.0, 2.0]), alpha=1.0, beta=1.0, a1=1.0,
                b1=1.0, a3=0.0, b3=0.0)
    args.update(kw)
    with pytest.raises(ValueError, match=msg):
        salvo_step(**args)
