"""How many replications each batch of a run holds: a fixed number when the user gives one,
otherwise grown from the first full batches' measured cost.

A batch's cost has a fixed part (one SimPy environment, each simulated day's Python
around the kernels, one shard written to the results file) and a part per replication.
For a cheap scenario the fixed part dominates at the old fixed size of 2,000:
configs/duel.toml ran at 96,000 replications/s into memory and 16,000 into HDF5 in
batches of 2,000 against 139,000 and 35,000 in one batch of 20,000; taiwan_strait at
1,300 against 1,900 in batches of 8,000 (2 cores, 2026-12-06). So, unless the user
fixes the size, the first full batch holds ``DEFAULT_BATCH`` and each later one as many
as fit in ``TARGET_SECONDS`` by the batches so far, up to ``MAX_BATCH`` replications and
``MAX_BATCH_BYTES`` of results, and never fewer than ``DEFAULT_BATCH``; a last few
replications (under a quarter of a batch) join the batch before them. The cost of a
batch is fitted as fixed + per replication through the smallest and the largest batch
seen (the CLI's first batch of 64 and a full one); with one size seen it is all taken
per replication, which errs on the small side.

With several workers the rest is split into equal batches, as few rounds of one batch per
worker as keep each within those limits (but none under ``DEFAULT_BATCH`` only to fill a
round): every batch pays the fixed part once, and equal ones end together. taiwan_strait's
10,000 runs by default (workers started after the CLI's first 64; its fixed part, the
per-day Python, is ~0.5 s a batch) now run as four batches of 2,484 instead of four of
2,000 and one of 1,936: 5.20-6.56 s (median 5.52) against 5.55-6.83 s (median 6.17) with
the old sizes, four alternating runs each on a shared 2-core machine.

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

    A batch's cost is taken as fixed + per replication (``cost``): fitted through the smallest
    and the largest batch observed when they differ enough, else all per replication (which
    errs on the small side, as the module docstring says).
    """

    def __init__(self, fixed: int | None, todo: int, workers=1):
        self.fixed, self.left = fixed, int(todo)
        self._workers = workers if callable(workers) else (lambda: workers)
        self.size = DEFAULT_BATCH
        self.rep_bytes = 0.0
        self._small: tuple[int, float] | None = None  # (replications, seconds) of the smallest batch observed
        self._large: tuple[int, float] | None = None  # ... and of the largest
        self._plan: list[int] = []  # with several workers: the sizes still to issue of the current round(s)

    @property
    def auto(self) -> bool:
        return self.fixed is None

    def cost(self) -> tuple[float, float] | None:
        """(fixed seconds, seconds per replication) of a batch, or None before any observation."""
        if self._large is None:
            return None
        (n0, t0), (n1, t1) = self._small, self._large
        if n1 >= 4 * n0:  # e.g. the CLI's first 64 and a full batch: the difference is the per-replication part
            per = (t1 - t0) / (n1 - n0)
            if per > 0:
                return max(t0 - per * n0, 0.0), per
        return 0.0, t1 / n1

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
        c = self.cost()
        if c is None:
            return self.size
        fixed, per = c
        cap = MAX_BATCH
        if per > 0:
            cap = min(cap, (TARGET_SECONDS - fixed) / per) if TARGET_SECONDS > fixed else DEFAULT_BATCH
        if self.rep_bytes > 0:
            cap = min(cap, MAX_BATCH_BYTES / self.rep_bytes)
        self.size = max(DEFAULT_BATCH, int(cap))
        workers = max(1, int(self._workers()))
        if workers == 1:
            return self.size
        if not self._plan:
            # The fewest rounds of one batch per worker that keep every batch within the cap, in
            # equal batches: each batch pays the fixed cost once, and equal ones end together;
            # but none under DEFAULT_BATCH only to fill a round (a few left go in one batch).
            left = max(self.left, 1)
            k = workers * -(-left // (workers * self.size))
            k = min(k, max(1, left // DEFAULT_BATCH))
            self._plan = [-(-left // k)] * k
        return self._plan.pop()

    def observe(self, reps: int, seconds: float, nbytes: int) -> None:
        """A batch of ``reps`` replications took ``seconds`` (kernel loading left out) and ``nbytes``."""
        if reps <= 0:
            return
        point = (reps, max(seconds, 0.0))
        if self._small is None or reps < self._small[0]:
            self._small = point
        if self._large is None or reps > self._large[0]:
            self._plan = []  # a larger batch tells the cost better: the rest is planned again
        if self._large is None or reps >= self._large[0]:
            self._large = point
            self.rep_bytes = nbytes / reps
