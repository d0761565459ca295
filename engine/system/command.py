"""`wargame run` for a system scenario: one run, or every doctrine with common random numbers.

Called by engine/run_command.py once the scenario is loaded; raises the CLI's UserError for
mistakes the user can fix. Runs in this process (a batch of 2,000 replications of a
10-state system over 200 years takes seconds; see docs/system.md).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from .. import scenario
from ..cli_support import UserError
from ..store import HDF5Store
from . import results, summary
from .schema import DOCTRINES


def _write(loaded, runs, seed, out: Path, batch_size, command, progress=None) -> float:
    store = HDF5Store(out)
    t0 = time.perf_counter()
    stats = results.run(loaded, runs, seed, store, batch_size, command, progress)
    store.finish({"seconds": stats["seconds"]})
    return time.perf_counter() - t0


def run(args, loaded, out: Path, runs: int, seed: int, progress) -> int:
    """Run the loaded system scenario into ``out`` (or each doctrine into OUT_<doctrine>.h5)."""
    if args.resume or args.timeseries or args.workers not in (None, 1) or args.scheduler or args.dask_local:
        raise UserError("--resume, --timeseries, --workers, --scheduler and --dask-local are not available "
                        "for a system scenario (it runs in this process)")
    command = " ".join(sys.argv)
    if not args.compare_doctrines:
        sec = _write(loaded, runs, seed, out, args.batch_size, command, progress)
        if not args.quiet:
            print(summary.format_table(summary.compute_file(out)))
            print(f"\nwrote {out}  ({runs} runs in {sec:.2f} s)")
        return 0
    rows = []
    for doc in DOCTRINES:
        ov = list(loaded.overrides) + [("system.doctrine", json.dumps(doc))]
        arm = scenario.loads(loaded.text, loaded.path, ov)
        path = out.with_name(f"{out.stem}_{doc}{out.suffix}")
        if path.exists() and not args.overwrite:
            raise UserError(f"{path}: output exists; pass --overwrite to replace it or --out to choose another name")
        sec = _write(arm, runs, seed, path, args.batch_size, command)
        rows.append((doc, summary.compute_file(path), sec))
    if not args.quiet:
        print(f"{loaded.scenario.scenario.name}: {runs} replications per doctrine, seed {seed}, the same random "
              f"numbers in every arm (states with their own doctrine keep it)\n")
        print(summary.format_comparison(rows))
        print("\nwrote " + ", ".join(str(out.with_name(f"{out.stem}_{d}{out.suffix}")) for d in DOCTRINES))
    return 0
