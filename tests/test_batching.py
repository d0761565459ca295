"""Batch sizes grown from their cost (execution/batching.py): the rule, and that it changes no result."""

import h5py
import numpy as np
import pytest

from conftest import CONFIGS, cli, run_memory
from test_reproducibility import _same

from wargame.execution import batching
from wargame.execution.batching import DEFAULT_BATCH, MAX_BATCH, MAX_BATCH_BYTES, TARGET_SECONDS, Sizes


def test_a_fixed_size_is_kept_whatever_the_batches_cost():
    s = Sizes(500, todo=10_000)
    s.observe(500, 0.001, 500)
    assert [s() for _ in range(4)] == [500] * 4


def test_grown_sizes_follow_the_largest_batch_and_stop_at_time_memory_and_count():
    s = Sizes(None, todo=10**7)
    assert s() == DEFAULT_BATCH  # nothing measured yet
    s.observe(DEFAULT_BATCH, DEFAULT_BATCH * 1e-4, DEFAULT_BATCH * 100)  # 0.1 ms and 100 bytes a replication
    assert s() == int(TARGET_SECONDS / 1e-4)  # time binds: 40,000
    s.observe(64, 1.0, 64)  # a smaller batch (the CLI's first) says nothing more
    assert s() == int(TARGET_SECONDS / 1e-4)
    s.observe(40_000, 40_000 * 1e-7, 40_000 * 100)  # a cheap scenario: the count binds
    assert s() == MAX_BATCH
    s.observe(MAX_BATCH, MAX_BATCH * 1e-7, MAX_BATCH * 64_000)  # daily series: memory binds, at no less than the default
    assert s() == max(DEFAULT_BATCH, int(MAX_BATCH_BYTES / 64_000))
    slow = Sizes(None, todo=10**6)
    slow.observe(DEFAULT_BATCH, DEFAULT_BATCH * 0.01, 1)  # 10 ms a replication: never below the default
    assert slow() == DEFAULT_BATCH


def test_with_workers_the_rest_is_split_in_equal_batches_one_round_per_worker():
    s = Sizes(None, todo=40_000, workers=2)
    assert s() == DEFAULT_BATCH
    s.observe(DEFAULT_BATCH, 1e-3, 1)
    # 38,000 left, any batch size fits in TARGET_SECONDS: one batch per worker, equal
    assert [s(), s()] == [19_000, 19_000]
    slow = Sizes(None, todo=100_000, workers=2)
    slow()
    slow.observe(DEFAULT_BATCH, DEFAULT_BATCH * 4e-4, 1)  # 0.4 ms a replication: 10,000 fit in a batch
    sizes = [slow() for _ in range(10)]  # 98,000 left: 5 rounds of 2 equal batches under the cap
    assert sizes == [9_800] * 10 and slow.left == 0


def test_a_batchs_fixed_cost_is_fitted_from_a_small_and_a_large_batch():
    # taiwan_strait's shape: the CLI's first 64 take 0.5 s, most of it the per-day Python of any batch
    s = Sizes(None, todo=10_000 - 64 - DEFAULT_BATCH, workers=2)
    s.observe(64, 0.5, 64 * 1000)
    s.observe(DEFAULT_BATCH, 1.06, DEFAULT_BATCH * 1000)
    fixed, per = s.cost()
    assert fixed == pytest.approx(0.5 - 64 * per) and per == pytest.approx(0.56 / (DEFAULT_BATCH - 64))
    # the rest (7,936) fits two batches of (4 - fixed) / per = ~12,000 at most: one each, equal
    assert [s(), s()] == [3_968, 3_968]
    alone = Sizes(None, todo=10**6)
    alone.observe(64, 0.5, 1)
    alone.observe(DEFAULT_BATCH, 1.06, 1)
    assert alone() == int((TARGET_SECONDS - fixed) / per)  # not 4 / (1.06 / 2000) = 7,547: the fixed part is paid once
    noisy = Sizes(None, todo=10**6)
    noisy.observe(64, 1.0, 1)
    noisy.observe(DEFAULT_BATCH, 0.2, 1)  # faster than the small one: no slope to fit, all per replication
    assert noisy.cost() == (0.0, 0.2 / DEFAULT_BATCH)


def test_workers_started_mid_run_spread_the_batches_from_then_on():
    # executors.Auto starts its workers once the batches here say they pay: Sizes asks each time.
    workers = [1]
    s = Sizes(None, todo=40_000, workers=lambda: workers[0])
    assert s() == DEFAULT_BATCH
    s.observe(DEFAULT_BATCH, 1e-3, 1)
    assert s() == MAX_BATCH  # one process: as big as it may grow (the last task stops at the run's end)
    s = Sizes(None, todo=40_000, workers=lambda: workers[0])
    s()
    s.observe(DEFAULT_BATCH, 1e-3, 1)
    workers[0] = 2
    assert [s(), s()] == [19_000, 19_000]


def test_a_short_tail_joins_the_batch_before_it():
    s = Sizes(None, todo=8_000)
    assert s() == DEFAULT_BATCH
    s.observe(DEFAULT_BATCH, DEFAULT_BATCH * TARGET_SECONDS / 5_931, 1)  # 5,931 fit, 69 would be left
    assert s() == 6_000
    fixed = Sizes(5_931, todo=6_000)
    assert fixed() == 5_931  # a size the user fixed is kept


def test_nbytes_counts_nested_arrays():
    assert batching.nbytes({"a": np.zeros(3), "b": {"c": np.zeros((2, 2), dtype=np.int8)}, "d": 1}) == 24 + 4


def test_grown_batches_give_the_same_bits_as_fixed_ones():
    from wargame import kinds
    from wargame.execution import results
    from wargame.model import scenario

    loaded = scenario.load(CONFIGS / "duel.toml")
    sink = results.MemoryResults()
    stats = kinds.run(loaded, 7000, seed=3, sink=sink, batch_size=None)
    assert stats.batch_sizes[0] == DEFAULT_BATCH and sum(stats.batch_sizes) == 7000
    assert len(stats.batch_sizes) == 2  # the duel costs well under TARGET_SECONDS / 5000 a replication
    _same(sink.read(), run_memory(CONFIGS / "duel.toml", 7000, seed=3, batch_size=999))


def test_the_cli_grows_batches_by_default_and_a_grown_run_resumes(tmp_path):
    from wargame import kinds
    from wargame.execution.store import HDF5Store
    from wargame.model import scenario

    out = tmp_path / "grown.h5"
    p = cli("run", CONFIGS / "duel.toml", "--runs", 5000, "--seed", 4, "--workers", 1, "--out", out, "--quiet")
    assert p.returncode == 0, p.stderr
    with h5py.File(out, "r") as f:
        assert int(f.attrs["batch_size"]) == 0  # grown (docs/results-format.md)
        whole = f["replications/outcome"][()]
    # An interrupted run with grown batches (index and shards, no flat file) resumes with grown batches.
    part = tmp_path / "part.h5"
    store = HDF5Store(part)
    kinds.run(scenario.load(CONFIGS / "duel.toml"), 5000, seed=4, sink=store, batch_size=None,
              resume_ranges=None, first_batch=64)
    for shard in sorted(store.parts.glob("b*.h5"))[1:]:
        shard.unlink()  # only the first 64 replications survive
    p = cli("run", CONFIGS / "duel.toml", "--out", part, "--resume", "--quiet")
    assert p.returncode == 0, p.stderr
    with h5py.File(part, "r") as f:
        assert f.attrs["complete"] and int(f.attrs["batch_size"]) == 0
        np.testing.assert_array_equal(f["replications/outcome"][()], whole)


@pytest.mark.parametrize("bad", ["0", "-3"])
def test_a_bad_batch_size_is_one_line_and_exit_2(tmp_path, bad):
    p = cli("run", CONFIGS / "duel.toml", "--runs", 10, "--batch-size", bad, "--out", tmp_path / "x.h5")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert p.stderr.strip() == f"wargame: --batch-size {bad}: must be >= 1"
