"""Where batches run: in this process, in spawned worker processes, or on a Dask cluster.

Every executor takes the same picklable tasks (a scenario's text, overrides, seed and
a replication range) and yields the batches' results in task order, keeping a bounded
number in flight so memory does not grow with the number of replications. Because a
replication's random streams depend only on (seed, replication index), the results
are the same bits whichever executor ran them.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from itertools import islice

from wargame.execution.batching import DEFAULT_BATCH


def run_task(task: dict) -> tuple[dict, dict]:
    """Run one batch task with the scenario kind's batch function it names; returns (arrays, timing).

    Top level so workers unpickle it; ``task["batch"]`` is a top-level function of the
    kind's package, pickled by reference.
    """
    if task.get("single_thread"):
        import numba

        numba.set_num_threads(1)  # one numba thread per worker: processes x threads never exceed cores
    return task["batch"](task)


def ordered(submit, tasks, in_flight: int, first=None):
    """Results in task order with at most ``in_flight`` tasks submitted at once.

    The first window is submitted before this returns, so workers are already busy
    while the caller runs ``first`` (a task for this process) and yields its result.
    """
    it = iter(tasks)
    pending = deque(submit(t) for t in islice(it, in_flight))

    def results():
        try:
            if first is not None:
                yield run_task(first)
            while pending:
                res = pending.popleft().result()
                for t in islice(it, 1):
                    pending.append(submit(t))
                yield res
        finally:
            for fut in pending:  # interrupted: drop what has not started
                fut.cancel()

    return results()


def describe(executor) -> str:
    """Where the work ran, for one line of output: '1 in-process worker', '2 local worker processes'."""
    if isinstance(executor, Auto) and executor.pool is None:
        return "1 in-process worker (worker processes would not have finished sooner)"
    n = executor.workers
    noun = {"in-process": "in-process worker", "local processes": "local worker process",
            "dask": "dask worker"}.get(executor.name, f"{executor.name} worker")
    if n == 1:
        return f"1 {noun}"
    return f"{n} {noun}es" if noun.endswith("process") else f"{n} {noun}s"


class InProcess:
    name = "in-process"
    workers = 1

    def map(self, tasks, first=None, todo=None):
        def results():
            if first is not None:
                yield run_task(first)
            for t in tasks:  # each task is made after the last result was used, so its size can follow it
                yield run_task(t)
        return results()

    def close(self):
        pass


def _start_worker(parent: int) -> None:
    """Initialise a spawned worker: numba's fast start (kernels._startup), then watch the parent."""
    from wargame.kernels._startup import skip_blas_probe

    skip_blas_probe()
    _watch_parent(parent)


def _watch_parent(parent: int) -> None:
    """Exit this worker when the process that started it is gone (e.g. killed with SIGKILL);
    otherwise spawned workers would wait on their task queue forever as orphans."""
    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="wargame-parent-watch").start()


class LocalPool:
    """Worker processes on this machine, started with spawn (fork after numba's threads can hang)."""

    name = "local processes"

    def __init__(self, workers: int):
        self.workers = workers
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"),
                                        initializer=_start_worker, initargs=(os.getpid(),))

    def map(self, tasks, first=None, todo=None):
        tasks = ({**t, "single_thread": True} for t in tasks)
        return ordered(lambda t: self.pool.submit(run_task, t), tasks, 2 * self.workers, first)

    def start(self):
        """Start the worker processes now (spawn starts one per task submitted): a no-op each."""
        for _ in range(self.workers):
            self.pool.submit(os.getpid)

    def close(self, wait: bool = True):
        self.pool.shutdown(wait=wait, cancel_futures=True)


class DaskExecutor:
    """Batches on a Dask distributed cluster: a client the caller holds, an existing scheduler,
    or a LocalCluster on loopback."""

    name = "dask"

    def __init__(self, scheduler: str | None = None, local_workers: int | None = None, client=None):
        self.cluster, self.own_client = None, client is None
        if client is not None:  # the caller's client (a notebook's): used, never closed here
            self.client = client
            self.workers = max(1, sum(self.client.nthreads().values()))
            return
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise RuntimeError("Dask is not installed: pip install 'wargame[dask]'") from None
        if scheduler:
            self.client = Client(scheduler, timeout="10s")
        else:
            # Dask does not set numba's thread count; one thread per worker process here, and
            # run_task pins numba to one thread, so the cores are never oversubscribed.
            self.cluster = LocalCluster(n_workers=local_workers, threads_per_worker=1, host="127.0.0.1",
                                        dashboard_address=None, processes=True)
            self.client = Client(self.cluster)
        self.workers = max(1, sum(self.client.nthreads().values()))

    def map(self, tasks, first=None, todo=None):
        tasks = ({**t, "single_thread": True} for t in tasks)
        return ordered(lambda t: self.client.submit(run_task, t, pure=False), tasks, 2 * self.workers, first)

    def close(self):
        if self.own_client:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


# Starting two worker processes (spawn, imports, loading the compiled kernels) and running a
# small batch on each took 0.81-0.89 s on our 2-core machines (2026-12-06, warm numba cache),
# and while they start they take the cores from this process.
START_SECONDS = 1.0
# A worker (numba on one thread, beside the others, its results pickled to this process) runs a
# batch about this much slower than one core here: taiwan_strait's 2,000-run batch took
# 1.21-1.30 s in each of two processes at once against 1.1-1.3 s alone (noisy: a round figure).
WORKER_SLOWDOWN = 1.2
# A batch at least this long says what a replication costs (taiwan_strait's first 64 take
# ~0.5 s); a faster one is mostly its fixed cost, so the decision waits for a full batch.
DECIDE_SECONDS = 0.25
# A first batch still running at this age starts the workers, in case they will pay: they then
# start while it runs, as they always did before this class (taiwan_strait's 10,000 runs took
# 0.6 s longer when they started only after its first batch). The duel's first 64 take ~5 ms.
EARLY_SECONDS = 0.1


class Auto:
    """The default on one machine: batches run in this process until their cost says whether
    ``most`` worker processes would finish the rest sooner, counting their start; then they do.

    Here numba may already use every core: a batch's CPU time over its wall time (``par``)
    says how many it kept busy (the duel's 20,000-run batch 1.6 of 2, taiwan_strait's 1.0).
    W workers then take about ``START_SECONDS + P * par * WORKER_SLOWDOWN / W`` for what takes
    P seconds here, so they pay only when P (1 - par * WORKER_SLOWDOWN / W) > START_SECONDS:
    taiwan_strait past ~2.5 s of work, the duel practically never (20,000 duel runs took
    1.5-1.9 s on two workers against 0.3-0.4 s here; docs/scale.md). The results are the same
    bits either way; ``name`` and ``workers`` say where the batches ran.
    """

    def __init__(self, most: int, start_seconds: float = START_SECONDS):
        self.most, self.start_seconds = most, start_seconds
        self.pool: LocalPool | None = None  # in use
        self._early: LocalPool | None = None  # started by a slow batch, not yet in use

    @property
    def name(self) -> str:
        return self.pool.name if self.pool is not None else InProcess.name

    @property
    def workers(self) -> int:
        return self.pool.workers if self.pool is not None else 1

    def pays(self, seconds_left: float, par: float) -> bool:
        """Whether ``most`` workers would finish what takes ``seconds_left`` here (keeping ``par``
        cores busy) sooner, counting their start."""
        gain = 1.0 - par * WORKER_SLOWDOWN / self.most
        return gain > 0 and seconds_left * gain > self.start_seconds

    def map(self, tasks, first=None, todo=None):
        if self.pool is not None:  # started for an earlier run of the same executor (a sweep's arms)
            return self.pool.map(tasks, first)

        def results():
            it = iter(tasks)
            done, largest, rate, par = 0, 0, None, 1.0  # rate, par: of the largest telling batch so far
            t = first if first is not None else next(it, None)
            while t is not None:
                cpu = time.process_time()
                batch, timing = self._here(t, early=done == 0)
                cpu = time.process_time() - cpu
                n, wall = batch["reps"].size, timing["batch_seconds"]
                secs = wall - timing.get("kernel_first_seconds", 0.0)
                done += n
                if n >= largest and (n >= DEFAULT_BATCH or secs >= DECIDE_SECONDS):
                    largest, rate, par = n, max(secs, 0.0) / n, min(max(cpu / max(wall, 1e-9), 1.0), self.most)
                yield batch, timing
                if todo is not None and rate is not None and self.pays(rate * (todo - done), par):
                    self.pool, self._early = self._early or LocalPool(self.most), None
                    yield from self.pool.map(it)
                    return
                if rate is not None:  # decided: the rest is too little for workers a slow batch started
                    self._drop_early()
                t = next(it, None)
        return results()

    def _here(self, task, early: bool):
        """run_task here; with ``early``, a batch still running after EARLY_SECONDS starts the workers meanwhile."""
        if not early or self._early is not None:
            return run_task(task)
        timer = threading.Timer(EARLY_SECONDS, self._start_early)
        timer.daemon = True
        timer.start()
        try:
            return run_task(task)
        finally:
            timer.cancel()
            timer.join()

    def _start_early(self):
        early = LocalPool(self.most)
        early.start()
        self._early = early

    def _drop_early(self):
        if self._early is not None:  # not waited for: they exit once started (and if this process dies)
            self._early.close(wait=False)
            self._early = None

    def close(self):
        self._drop_early()
        if self.pool is not None:
            self.pool.close()


def may_spread(executor) -> bool:
    """Whether batches may run in other processes (then the kernels are compiled once first, here)."""
    return executor.workers > 1 or executor.name == "dask" or isinstance(executor, Auto)


def make(workers: int | None = None, scheduler: str | None = None, dask_local: int | None = None, batches: int = 1,
         auto: bool = True):
    # ``batches`` counts the tasks besides the first, which always runs in this process.
    """Pick the executor: Dask when asked, ``workers`` local processes when given, else every core
    once the run proves long enough for them to pay (``Auto``; ``auto=False``: every core at once,
    for a sweep, whose arms are each too short to tell but together are not)."""
    if scheduler or dask_local:
        return DaskExecutor(scheduler, dask_local)
    n = workers if workers is not None else (os.cpu_count() or 1)
    n = max(1, min(n, batches))
    if n == 1:
        return InProcess()
    return LocalPool(n) if workers is not None or not auto else Auto(n)
