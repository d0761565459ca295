"""Philox4x64-10 against numpy.random.Philox, stream layout, thread invariance."""
import numba

from wargame.kernels._dispatch import PARALLEL_MIN_ROWS
import numpy as np
import pytest

import reference as R
from wargame.kernels import normals, uniforms
from wargame.kernels import streams
from wargame.kernels.philox import _mulhilo, box_muller, philox4x64, u64_to_open, u64_to_unit

M64 = 2**64 - 1


def _numpy_block(counter_int, k0, k1):
    """numpy returns block(counter + 1): pass our counter minus one."""
    g = np.random.Philox(key=np.array([k0, k1], dtype=np.uint64), counter=(counter_int - 1) % 2**256)
    return tuple(int(v) for v in g.random_raw(4))


def _as_int(c0, c1, c2, c3):
    return c0 + (c1 << 64) + (c2 << 128) + (c3 << 192)


def test_block_equals_numpy_random_raw_many_keys():
    rng = np.random.default_rng(12345)
    for _ in range(300):
        c = [int(v) for v in rng.integers(0, 2**64, size=4, dtype=np.uint64)]
        k = [int(v) for v in rng.integers(0, 2**64, size=2, dtype=np.uint64)]
        # numpy's first block is at counter + 1 (it increments before use).
        # Pass uint64 arrays: numpy routes a *list* counter through float64.
        g = np.random.Philox(key=np.array(k, dtype=np.uint64), counter=np.array(c, dtype=np.uint64))
        expect = tuple(int(v) for v in g.random_raw(4))
        ctr1 = (_as_int(*c) + 1) % 2**256
        words = [(ctr1 >> (64 * j)) & M64 for j in range(4)]
        assert philox4x64(*[np.uint64(w) for w in words], np.uint64(k[0]), np.uint64(k[1])) == expect
        assert R.philox4x64(*words, *k) == expect


@numba.njit
def _products(a, b):
    hi = np.empty_like(a)
    lo = np.empty_like(a)
    for i in range(a.shape[0]):
        hi[i], lo[i] = _mulhilo(a[i], b[i])
    return hi, lo


def test_mulhilo_is_the_128_bit_product():
    """The one-instruction 64 x 64 -> 128 multiply (an LLVM intrinsic) against Python's integers."""
    rng = np.random.default_rng(5)
    edge = np.array([0, 1, 2**32 - 1, 2**32, 2**63, M64], dtype=np.uint64)
    a = np.concatenate([np.repeat(edge, edge.size), rng.integers(0, 2**64, 20_000, dtype=np.uint64)])
    b = np.concatenate([np.tile(edge, edge.size), rng.integers(0, 2**64, 20_000, dtype=np.uint64)])
    hi, lo = _products(a, b)
    for x, y, h, w in zip(a.tolist(), b.tolist(), hi.tolist(), lo.tolist()):
        assert (h << 64) | w == x * y


@pytest.mark.parametrize("c", [(M64, 0, 0, 0), (M64, M64, 3, 0), (M64, M64, M64, M64), (0, 0, 0, 0)])
def test_carry_and_wrap(c):
    k = (2**64 - 7, 42)
    g = np.random.Philox(key=np.array(k, dtype=np.uint64), counter=np.array(c, dtype=np.uint64))
    expect = tuple(int(v) for v in g.random_raw(4))
    ctr1 = (_as_int(*c) + 1) % 2**256
    words = [(ctr1 >> (64 * j)) & M64 for j in range(4)]
    assert philox4x64(*words, *k) == expect


def test_conversions():
    xs = np.array([0, 1, 2**11 - 1, 2**11, 2**63, M64], dtype=np.uint64)
    for x in xs:
        u, o = u64_to_unit(x), u64_to_open(x)
        assert u == (int(x) >> 11) * 2.0**-53 == R.u64_to_unit(x)
        assert 0.0 <= u < 1.0 and 0.0 < o < 1.0 and o == R.u64_to_open(x)
    assert u64_to_unit(np.uint64(M64)) == 1.0 - 2.0**-53
    assert u64_to_open(np.uint64(0)) == 2.0**-53
    assert u64_to_open(np.uint64(M64)) == 1.0 - 2.0**-53


@pytest.mark.parametrize("seed,step,purpose", [(0, 0, streams.GROUND), (2**64 - 1, 7, streams.NAVAL),
                                               (123456789, 2**40, streams.EXTRA)])
def test_uniforms_match_numpy(seed, step, purpose):
    reps = np.array([0, 1, 5, 2**40], dtype=np.int64)
    k = 10
    ours = uniforms(seed, reps, purpose, step, k)
    for i, rep in enumerate(reps):
        for j in range(k):
            raw = _numpy_block(_as_int(step, j // 4, purpose, 0), seed, int(rep))[j % 4]
            assert ours[i, j] == (raw >> 11) * 2.0**-53
    assert np.array_equal(ours, R.uniforms(seed, reps, purpose, step, k))


def test_uniforms_range_and_moments():
    u = uniforms(7, np.arange(2000, dtype=np.int64), streams.EXTRA, 3, 25)
    assert u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 5 * np.sqrt(1 / 12 / u.size)


def test_normals_layout_and_twin():
    reps = np.arange(6, dtype=np.int64)
    z = normals(99, reps, streams.PERCEPTION, 4, 7)
    assert np.array_equal(z, R.normals(99, reps, streams.PERCEPTION, 4, 7))
    # column j does not depend on k
    assert np.array_equal(normals(99, reps, streams.PERCEPTION, 4, 3), z[:, :3])
    # pair (r0, r1) of block 0 -> columns 0, 1
    w = philox4x64(4, 0, streams.PERCEPTION, 0, 99, 2)
    z0, z1 = box_muller(u64_to_open(w[0]), u64_to_unit(w[1]))
    assert (z[2, 0], z[2, 1]) == (z0, z1)


def test_normals_moments():
    z = normals(3, np.arange(4000, dtype=np.int64), streams.EXTRA, 0, 8).ravel()
    n = z.size
    assert abs(z.mean()) < 5 / np.sqrt(n)
    assert abs(z.var() - 1.0) < 5 * np.sqrt(2 / n)
    assert np.isfinite(z).all()


def test_draws_depend_only_on_stream_coordinates():
    reps = np.array([3, 9, 4], dtype=np.int64)
    full = uniforms(5, reps, streams.AIR, 2, 6)
    for i, r in enumerate(reps):
        assert np.array_equal(uniforms(5, np.array([r]), streams.AIR, 2, 6)[0], full[i])
    assert not np.array_equal(uniforms(5, reps, streams.GROUND, 2, 6), full)
    assert not np.array_equal(uniforms(5, reps, streams.AIR, 3, 6), full)


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs 2 numba threads")
def test_thread_count_invariance():
    reps = np.arange(PARALLEL_MIN_ROWS + 5000, dtype=np.int64)  # big enough to run threaded
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        a, b = uniforms(1, reps, 2, 3, 9), normals(1, reps, 2, 3, 9)
        numba.set_num_threads(2)
        c, d = uniforms(1, reps, 2, 3, 9), normals(1, reps, 2, 3, 9)
    finally:
        numba.set_num_threads(old)
    assert np.array_equal(a, c) and np.array_equal(b, d)


@pytest.mark.parametrize("kw,msg", [
    (dict(seed=-1), "seed"), (dict(seed=2**64), "seed"), (dict(seed=1.5), "seed"),
    (dict(reps=np.array([1.0])), "reps"), (dict(reps=np.array([-1])), "reps"),
    (dict(reps=np.zeros((2, 2), dtype=np.int64)), "reps"), (dict(k=-1), "k"),
    (dict(step=-3), "step"), (dict(purpose=None), "purpose"),
])
def test_validation(kw, msg):
    args = dict(seed=1, reps=np.arange(3), purpose=1, step=0, k=4)
    args.update(kw)
    with pytest.raises(ValueError, match=msg):
        uniforms(**args)
    with pytest.raises(ValueError, match=msg):
        normals(**args)


def test_empty():
    assert uniforms(1, np.zeros(0, dtype=np.int64), 1, 0, 3).shape == (0, 3)
    assert normals(1, np.arange(2), 1, 0, 0).shape == (2, 0)
