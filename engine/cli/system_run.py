"""`wargame run --compare-doctrines` for a system scenario: every doctrine with common random numbers.

One results file per doctrine (``OUT_<doctrine>.h5``), each written like any run
(crash-safe, in replication order), then one comparison table.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from wargame import kinds
from wargame.cli.support import Progress, UserError
from wargame.execution.store import HDF5Store
from wargame.model import scenario
from wargame.model.system import DOCTRINES
from wargame.system import summary


def _write(loaded, runs, seed, out: Path, batch_size, command, progress=None) -> float:
    store = HDF5Store(out)
    t0 = time.perf_counter()
    stats = kinds.run(loaded, runs, seed=seed, sink=store, batch_size=batch_size, command=command, progress=progress)
    store.finish({"seconds": stats.seconds})
    return time.perf_counter() - t0


def compare(args, loaded, out: Path, runs: int, seed: int) -> int:
    """Run the loaded system scenario once per doctrine into OUT_<doctrine>.h5 and compare them."""
    if args.resume or args.timeseries or args.scheduler or args.dask_local:
        raise UserError("--compare-doctrines: runs in this process; leave out --resume, --timeseries, "
                        "--scheduler and --dask-local")
    if args.batch_size < 1:
        raise UserError(f"--batch-size {args.batch_size}: must be >= 1")
    command = " ".join(sys.argv)
    rows = []
    progress = Progress(sys.stderr.isatty() and not args.quiet)
    for doc in DOCTRINES:
        ov = list(loaded.overrides) + [("system.doctrine", json.dumps(doc))]
        arm = scenario.loads(loaded.text, loaded.path, ov)
        path = out.with_name(f"{out.stem}_{doc}{out.suffix}")
        if (path.exists() or HDF5Store(path).parts.exists()) and not args.overwrite:
            raise UserError(f"{path}: output exists; pass --overwrite to replace it or --out to choose another name")
        sec = _write(arm, runs, seed, path, args.batch_size, command, progress)
        rows.append((doc, summary.compute_file(path), sec))
    if not args.quiet:
        print(f"{loaded.scenario.scenario.name}: {runs} replications per doctrine, seed {seed}, the same random "
              f"numbers in every arm (states with their own doctrine keep it)\n")
        print(summary.format_comparison(rows))
        print("\nwrote " + ", ".join(str(out.with_name(f"{out.stem}_{d}{out.suffix}")) for d in DOCTRINES))
    return 0
