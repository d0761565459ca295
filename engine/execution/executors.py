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
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from itertools import islice

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
    n = executor.workers
    noun = {"in-process": "in-process worker", "local processes": "local worker process",
            "dask": "dask worker"}.get(executor.name, f"{executor.name} worker")
    if n == 1:
        return f"1 {noun}"
    return f"{n} {noun}es" if noun.endswith("process") else f"{n} {noun}s"


class InProcess:
    name = "in-process"
    workers = 1

    def map(self, tasks, first=None):
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
    import threading

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

    def map(self, tasks, first=None):
        tasks = ({**t, "single_thread": True} for t in tasks)
        return ordered(lambda t: self.pool.submit(run_task, t), tasks, 2 * self.workers, first)

    def close(self):
        self.pool.shutdown(wait=True, cancel_futures=True)


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

    def map(self, tasks, first=None):
        tasks = ({**t, "single_thread": True} for t in tasks)
        return ordered(lambda t: self.client.submit(run_task, t, pure=False), tasks, 2 * self.workers, first)

    def close(self):
        if self.own_client:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make(workers: int | None = None, scheduler: str | None = None, dask_local: int | None = None, batches: int = 1):
    # ``batches`` counts the tasks besides the first, which always runs in this process.
    """Pick the executor: Dask when asked, else local workers (default: every core)."""
    if scheduler or dask_local:
        return DaskExecutor(scheduler, dask_local)
    n = workers if workers is not None else (os.cpu_count() or 1)
    n = max(1, min(n, batches))
    return InProcess() if n == 1 else LocalPool(n)
