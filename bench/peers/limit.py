"""The limit peer: the engine's kernel calls alone, replayed back to back, for the same replications.

``record`` runs the engine's batches (``World`` + ``run_batch``, as a batch task does)
with a clock that keeps every kernel call it times: the function and a copy of its
arguments. ``replay`` makes those calls again, in order, with nothing in between:
the same kernels on the same front-days and the same values (so the same binomial
walks and RK4 substeps), without the SimPy processes, the numpy orchestration around
them, the log or the store. An engine with no orchestration overhead would run this
fast; the engine's time over this is the price of everything that is not a kernel.
"""

from __future__ import annotations

import numpy as np

from wargame.crisis.combat import KernelClock
from wargame.crisis.events import run_batch
from wargame.crisis.world import World


class Recorder(KernelClock):
    """A KernelClock that also keeps (fn, args, kwargs) of each call, arrays copied."""

    def __init__(self):
        super().__init__()
        self.log: list = []

    def __call__(self, fn, *args, **kw):
        cp = lambda v: v.copy() if isinstance(v, np.ndarray) else v  # noqa: E731  (callers may reuse them)
        self.log.append((fn, tuple(cp(a) for a in args), {k: cp(v) for k, v in kw.items()}))
        return super().__call__(fn, *args, **kw)


def record(loaded, runs: int, seed: int, batch_size: int = 2000) -> list:
    """The kernel calls the engine makes for replications 0..runs-1, in its batches."""
    rec = Recorder()
    for b0 in range(0, runs, batch_size):
        w = World(loaded.scenario, seed, np.arange(b0, min(b0 + batch_size, runs), dtype=np.int64))
        run_batch(w, rec)
    return rec.log


def replay(calls: list) -> None:
    for fn, args, kw in calls:
        fn(*args, **kw)


def front_days(calls: list) -> int:
    """Rows stepped by the ground-attrition calls: the (replication, front) days fought."""
    from wargame.kernels import streams

    return sum(np.size(args[0]) for fn, args, kw in calls if kw.get("purpose") == streams.GROUND)
