"""`wargame run --compare-doctrines` for a system scenario: every doctrine with common random numbers.

One results file per doctrine (``OUT_<doctrine>.h5``), each written like any run
(crash-safe, in replication order, on the executor the options choose), then one
comparison table. It has no ``--resume``: ``wargame sweep --vary system.doctrine=...``
is the comparison that resumes (docs/sweep.md).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from wargame import kinds
from wargame.cli.support import Progress, UserError
from wargame.execution import executors, runner
from wargame.execution.store import HDF5Store
from wargame.model import scenario
from wargame.model.system import DOCTRINES
from wargame.system import summary


def _write(loaded, runs, seed, store: HDF5Store, batch_size, command, executor, progress=None) -> float:
    t0 = time.perf_counter()
    stats = kinds.run(loaded, runs, seed=seed, sink=store, batch_size=batch_size, command=command, progress=progress,
                      executor=executor, first_batch=runner.FIRST_BATCH)
    store.finish({"seconds": stats.seconds})
    return time.perf_counter() - t0


def compare(args, loaded, out: Path, runs: int, seed: int) -> int:
    """Run the loaded system scenario once per doctrine into OUT_<doctrine>.h5 and compare them."""
    if args.batch_size is not None and args.batch_size < 1:
        raise UserError(f"--batch-size {args.batch_size}: must be >= 1")
    if args.workers is not None and args.workers < 1:
        raise UserError(f"--workers {args.workers}: must be >= 1")
    paths = {doc: out.with_name(f"{out.stem}_{doc}{out.suffix}") for doc in DOCTRINES}
    for path in paths.values():
        if (path.exists() or HDF5Store(path).parts.exists()) and not args.overwrite:
            raise UserError(f"{path}: output exists; pass --overwrite to replace it or --out to choose another name")
    command = " ".join(sys.argv)
    rows = []
    progress = Progress(sys.stderr.isatty() and not args.quiet)
    nbatches = -(-max(0, runs - runner.FIRST_BATCH) // (args.batch_size or runner.DEFAULT_BATCH))
    try:
        executor = executors.make(args.workers, args.scheduler, args.dask_local, batches=nbatches)
    except (RuntimeError, OSError) as e:
        raise UserError(f"cannot start the executor: {e}") from None
    try:
        if executors.may_spread(executor) and not runner.kernels_cached():
            kinds.warm_up(loaded)
        for doc in DOCTRINES:
            ov = list(loaded.overrides) + [("system.doctrine", json.dumps(doc))]
            arm = scenario.loads(loaded.text, loaded.path, ov)
            sec = _write(arm, runs, seed, HDF5Store(paths[doc]), args.batch_size, command, executor, progress)
            rows.append((doc, summary.compute_file(paths[doc]), sec))
    except KeyboardInterrupt:
        done = ", ".join(str(paths[d]) for d, _, _ in rows) or "none"
        print(f"\ninterrupted: finished doctrine files: {done}; run again with --overwrite to compare", file=sys.stderr)
        return 130
    except OSError as e:
        raise UserError(f"cannot write results next to {out} ({e.strerror or e})") from None
    finally:
        executor.close()
    if not args.quiet:
        print(f"{loaded.scenario.scenario.name}: {runs} replications per doctrine, seed {seed}, the same random "
              f"numbers in every arm (states with their own doctrine keep it)\n")
        print(summary.format_comparison(rows))
        print(f"\nwrote {', '.join(str(p) for p in paths.values())}  (on {executors.describe(executor)})")
    return 0
