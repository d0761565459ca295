"""The default executor on one machine (execution/executors.py ``Auto``): batches in this process
until their cost says whether worker processes would finish sooner; the same bits either way."""

import os

import pytest

from conftest import CONFIGS, cli, run_memory
from test_reproducibility import _same

from wargame import kinds
from wargame.execution import executors, results
from wargame.model import scenario

TWO_CORES = pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the default is in-process on one core")


def test_workers_pay_only_when_the_work_left_outweighs_their_start():
    auto = executors.Auto(2, start_seconds=1.0)
    # taiwan_strait keeps one core busy here: two workers save 1 - 1.2 / 2 = 40% of what is left
    assert not auto.pays(2.4, par=1.0) and auto.pays(2.6, par=1.0)
    # the duel keeps 1.6 cores busy here: two workers would save 4%, which pays only after 25 s
    assert not auto.pays(20.0, par=1.6) and auto.pays(30.0, par=1.6)
    assert not auto.pays(1e9, par=2.0)  # nothing to gain where every core is busy already
    assert not executors.Auto(1).pays(1e9, par=1.0)


def test_the_default_is_auto_only_where_there_is_more_than_one_core_and_batch():
    assert isinstance(executors.make(1, batches=10), executors.InProcess)  # asked for one: one
    assert isinstance(executors.make(None, batches=0), executors.InProcess)  # nothing but the first batch
    two = executors.make(2, batches=10)
    assert isinstance(two, executors.LocalPool)  # asked for two: two, whatever it costs
    two.close()
    if (os.cpu_count() or 1) > 1:
        assert isinstance(executors.make(None, batches=10), executors.Auto)


def _run(executor, runs=6000, batch_size=None):
    loaded = scenario.load(CONFIGS / "duel.toml")
    sink = results.MemoryResults()
    stats = kinds.run(loaded, runs, seed=5, sink=sink, executor=executor, batch_size=batch_size, first_batch=64)
    return stats, sink.read()


def test_a_short_run_stays_in_this_process_with_the_same_bits():
    auto = executors.Auto(2)
    stats, res = _run(auto)
    assert auto.pool is None and stats.extra == {"executor": "in-process", "workers": 1}
    assert "would not have finished sooner" in executors.describe(auto)
    _same(res, run_memory(CONFIGS / "duel.toml", 6000, seed=5, batch_size=777))


def test_a_run_that_pays_moves_to_worker_processes_with_the_same_bits(monkeypatch):
    # Make every telling batch say that workers pay: no start cost, no slowdown, any batch tells.
    monkeypatch.setattr(executors, "DECIDE_SECONDS", 0.0)
    monkeypatch.setattr(executors, "WORKER_SLOWDOWN", 0.01)
    auto = executors.Auto(2, start_seconds=0.0)
    try:
        stats, res = _run(auto, runs=6000, batch_size=1000)
    finally:
        auto.close()
    assert auto.pool is not None and stats.extra == {"executor": "local processes", "workers": 2}
    assert stats.batch_sizes[0] == 64 and sum(stats.batch_sizes) == 6000  # the first here, the rest on workers
    assert executors.describe(auto) == "2 local worker processes"
    _same(res, run_memory(CONFIGS / "duel.toml", 6000, seed=5, batch_size=777))


def test_workers_started_by_a_slow_batch_are_dropped_when_the_rest_is_too_little(monkeypatch):
    # The first batch is "slow" (it starts the workers at once), but the rest never pays for them.
    monkeypatch.setattr(executors, "EARLY_SECONDS", 0.0)
    auto = executors.Auto(2, start_seconds=1e9)
    started = []
    monkeypatch.setattr(executors.LocalPool, "start", lambda self: started.append(self))
    try:
        stats, res = _run(auto, runs=3000)
    finally:
        auto.close()
    assert started and auto.pool is None and auto._early is None  # started, then let go
    assert stats.extra == {"executor": "in-process", "workers": 1}
    _same(res, run_memory(CONFIGS / "duel.toml", 3000, seed=5, batch_size=777))


def test_workers_started_by_a_slow_batch_take_the_rest_when_it_pays(monkeypatch):
    monkeypatch.setattr(executors, "EARLY_SECONDS", 0.0)
    monkeypatch.setattr(executors, "DECIDE_SECONDS", 0.0)
    monkeypatch.setattr(executors, "WORKER_SLOWDOWN", 0.01)
    auto = executors.Auto(2, start_seconds=0.0)
    started = []
    real_start = executors.LocalPool.start
    monkeypatch.setattr(executors.LocalPool, "start", lambda self: (started.append(self), real_start(self)))
    try:
        stats, res = _run(auto, runs=6000, batch_size=1000)
    finally:
        auto.close()
    assert auto.pool is started[0]  # the pool started while the first batch ran is the one used
    assert stats.extra == {"executor": "local processes", "workers": 2}
    _same(res, run_memory(CONFIGS / "duel.toml", 6000, seed=5, batch_size=777))


@TWO_CORES
def test_the_cli_default_says_where_the_batches_ran(tmp_path):
    p = cli("run", CONFIGS / "duel.toml", "--runs", 3000, "--out", tmp_path / "d.h5")
    assert p.returncode == 0, p.stderr
    assert "on 1 in-process worker (worker processes would not have finished sooner)" in p.stdout
