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

from types import SimpleNamespace

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
        rec = tuple(cp(a) for a in args)
        if hasattr(fn, "world_fields"):  # a fused kernel on the World itself: keep its rows as they are now
            rec = (snapshot(args[0], args[1], fn.world_fields), np.arange(np.size(args[1]), dtype=np.int64), *rec[2:])
        self.log.append((fn, rec, {k: cp(v) for k, v in kw.items()}))
        out = super().__call__(fn, *args, **kw)
        if getattr(fn, "multi_day", False):  # a window (kernels/window.py): replay the days it fought
            f, a, k = self.log[-1]
            self.log[-1] = (f, a[:3] + (out[0],) + a[4:], k)
        return out


def snapshot(w, rows, fields) -> SimpleNamespace:
    """The arrays a fused kernel (kernels/step.py, kernels/thresholds.py, kernels/projection.py) uses, for ``rows``
    only (a row may come more than once: a stack of projection cases), copied
    now: the replay then runs it on replications 0..n-1 of this snapshot, the same values as the engine."""
    per_rep, per_front, scalars = fields
    ns = SimpleNamespace(**{k: getattr(w, k)[rows] for k in per_rep})
    ns.__dict__.update({k: getattr(w, k).copy() for k in per_front})
    ns.__dict__.update({k: getattr(w, k) for k in scalars})
    return ns


def batches(runs: int, batch_size) -> list:
    """[start, stop) of each batch: ``batch_size`` a number, or the sizes a run used (``RunStats.batch_sizes``)."""
    sizes = [batch_size] * -(-runs // batch_size) if isinstance(batch_size, int) else list(batch_size)
    edges = np.minimum(np.concatenate([[0], np.cumsum(sizes)]), runs)
    return [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:]) if b > a]


def record(loaded, runs: int, seed: int, batch_size=2000) -> list:
    """The kernel calls the engine makes for replications 0..runs-1, in its batches (``batches``)."""
    rec = Recorder()
    for a, b in batches(runs, batch_size):
        run_batch(World(loaded.scenario, seed, np.arange(a, b, dtype=np.int64)), rec)
    return rec.log


def replay(calls: list) -> None:
    for fn, args, kw in calls:
        if getattr(fn, "multi_day", False):
            # A window stops on the first day its rows may act, so its work depends on the
            # state it starts from: each replay starts from a fresh copy of the snapshot (a
            # replay in place would start from the previous replay's last day and stop at once).
            ns = args[0]
            args = (SimpleNamespace(**{k: v.copy() if isinstance(v, np.ndarray) else v for k, v in vars(ns).items()}),
                    *args[1:])
        fn(*args, **kw)


def front_days(calls: list) -> int:
    """Rows stepped by the ground-attrition calls: the (replication, front) days fought."""
    from wargame.kernels import streams

    def rows(fn, args):  # a fused ground day steps every front of its rows, a window on each of its days
        if getattr(fn, "multi_day", False):
            return np.size(args[1]) * args[0].F * (args[3] - args[2] + 1)
        return np.size(args[1]) * args[0].F if hasattr(fn, "world_fields") else np.size(args[0])

    return sum(rows(fn, args) for fn, args, kw in calls if kw.get("purpose") == streams.GROUND)
