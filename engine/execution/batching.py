"""How many replications each batch of a run holds: a fixed number when the user gives one,
otherwise grown from the first full batches' measured cost.

A batch's cost has a fixed part (one SimPy environment, each simulated day's Python
around the kernels, one shard written to the results file) and a part per replication.
For a cheap scenario the fixed part dominates at the old fixed size of 2,000:
configs/duel.toml ran at 96,000 replications/s into memory and 16,000 into HDF5 in
batches of 2,000 against 139,000 and 35,000 in one batch of 20,000; taiwan_strait at
1,300 against 1,900 in batches of 8,000 (2 cores, 2026-12-06). So, unless the user
fixes the size, the first full batch holds ``DEFAULT_BATCH`` and each later one as many
as the largest batch so far says fit in ``TARGET_SECONDS``, up to ``MAX_BATCH``
replications and ``MAX_BATCH_BYTES`` of results, and never fewer than ``DEFAULT_BATCH``;
a last few replications (under a quarter of a batch) join the batch before them.
A batch's time per replication falls as the batch grows (its fixed part is shared by
more), so a size measured on a smaller batch errs on the small side. With several workers a batch is also kept to at most 1 / (2 x workers) of the
replications left, so the last batches still spread over every worker.

Results do not depend on batch boundaries (replication i draws only from streams keyed
by (seed, i)), so growing the batches changes speed and memory, never a result.
"""

from __future__ import annotations

DEFAULT_BATCH = 2000  # the first full batch, and the smallest a grown batch gets
TARGET_SECONDS = 4.0  # a batch's wall time to grow towards: progress still moves every few seconds
MAX_BATCH = 100_000
MAX_BATCH_BYTES = 128 << 20  # a batch's results in memory (a worker holds a few batches at once)


def nbytes(tree) -> int:
    """Bytes of the arrays in a batch (nested dicts of arrays)."""
    if isinstance(tree, dict):
        return sum(nbytes(v) for v in tree.values())
    return int(getattr(tree, "nbytes", 0))


class Sizes:
    """The size of each next batch of a run (call it), from what finished batches cost (``observe``).

    ``fixed``: the user's batch size (every batch that size), or None to grow as the
    module docstring says. ``todo``: replications the run will issue; ``workers``: how
    many batches run at once, or a function saying it for each next batch (an executor that
    starts its workers mid-run, ``executors.Auto``).
    """

    def __init__(self, fixed: int | None, todo: int, workers=1):
        self.fixed, self.left = fixed, int(todo)
        self._workers = workers if callable(workers) else (lambda: workers)
        self.size = DEFAULT_BATCH
        self.rep_seconds: float | None = None  # per replication, from the largest batch observed
        self.rep_bytes = 0.0
        self._observed = 0

    @property
    def auto(self) -> bool:
        return self.fixed is None

    def __call__(self) -> int:
        if self.fixed is not None:
            size = self.fixed
        else:
            size = self._grown()
            if self.left - size < size // 4:  # no tail batch of a few replications: it costs a whole batch's overhead
                size = max(size, self.left)
        self.left -= size
        return size

    def _grown(self) -> int:
        if self.rep_seconds is not None:
            cap = MAX_BATCH
            if self.rep_seconds > 0:
                cap = min(cap, TARGET_SECONDS / self.rep_seconds)
            if self.rep_bytes > 0:
                cap = min(cap, MAX_BATCH_BYTES / self.rep_bytes)
            workers = max(1, int(self._workers()))
            if workers > 1:
                cap = min(cap, -(-max(self.left, 0) // (2 * workers)))
            self.size = max(DEFAULT_BATCH, int(cap))
        return self.size

    def observe(self, reps: int, seconds: float, nbytes: int) -> None:
        """A batch of ``reps`` replications took ``seconds`` (kernel loading left out) and ``nbytes``."""
        if reps <= 0 or reps < self._observed:
            return  # the smaller batch (e.g. the first, of 64) says more about fixed costs than per-replication ones
        self._observed = reps
        self.rep_seconds = max(seconds, 0.0) / reps
        self.rep_bytes = nbytes / reps
