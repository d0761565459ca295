"""`wargame run`: a fresh or resumed run of any scenario kind, checked, batched into HDF5.

Checks the output and options before anything runs, picks the executor (local
workers or Dask), warms the kernels once, streams the batches into the results
file, and keeps every finished batch on Ctrl-C (exit 130) or a write error (a
one-line error saying how to resume). ``--compare-doctrines`` (system kind) runs one
such file per doctrine (``wargame.cli.system_run``).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from wargame import kinds
from wargame.cli.support import (Progress, UserError, at_least_one, check_executor, from_kernel_cache, holding_output,
                                 overrides, seed as seed_of)
from wargame.execution import executors, runner
from wargame.execution.store import HDF5Store, ResultsFileError
from wargame.model import scenario


def resume_plan(args, out: Path, store: "HDF5Store"):
    """Check an interrupted run can be resumed with this command; return (loaded, runs, seed, batch, ts)."""
    if not out.exists() and not store.parts.exists():
        raise UserError(f"{out}: nothing to resume (no such file)")
    try:
        for note in store.open_existing():  # repairs made, one line each
            print(f"wargame: {note}", file=sys.stderr)
    except ResultsFileError as e:  # says what is wrong and what to do
        raise UserError(str(e)) from None
    except (OSError, KeyError, ValueError) as e:
        raise UserError(f"{out}: not a wargame results file ({e.__class__.__name__}: {e})") from None
    a = store.attrs
    if not {"config_sha256", "runs", "seed", "batch_size", "timeseries"} <= set(a):
        raise UserError(f"{out}: not a resumable wargame run (its attributes are incomplete); start again with --overwrite")
    given = overrides(args)
    stored = [tuple(o) for o in json.loads(a.get("overrides", "[]"))]
    loaded = scenario.load(args.config, given or stored)
    if loaded.sha256 != a["config_sha256"]:
        raise UserError(f"{args.config}: differs from the scenario (or overrides) of the run in {out}; "
                        "resume needs the same ones")
    for opt, val, key in (("--runs", args.runs, "runs"), ("--seed", args.seed, "seed")):
        if val is not None and int(val) != int(a[key]):
            raise UserError(f"{opt} {val}: the run in {out} has {key} = {a[key]}; leave it out to resume")
    # batch_size 0: the run grew its batches (execution/batching.py); the resumed part does too
    return loaded, int(a["runs"]), int(a["seed"]), int(a["batch_size"]) or None, bool(a["timeseries"])


def run(args) -> int:
    """`wargame run`: exit code 0, or 130 when interrupted; UserError for a mistake the user can fix."""
    out = Path(args.out) if args.out else Path(Path(args.config).stem + ".h5")
    return holding_output(out, lambda: _run(args, out))


def _run(args, out: Path) -> int:
    store = HDF5Store(out)
    seed_of(args)  # before anything is read or written: a seed out of range is refused at once
    at_least_one(("--runs", args.runs), ("--batch-size", args.batch_size))
    check_executor(args)
    if args.resume:
        loaded, runs, seed, batch_size, timeseries = resume_plan(args, out, store)
        if store.is_complete():
            print(f"{out}: already complete ({runs} replications); nothing to resume", file=sys.stderr)
            return 0
        ranges = store.missing(runs)
    else:
        loaded = scenario.load(args.config, overrides(args))
        runs = args.runs if args.runs is not None else loaded.scenario.scenario.default_runs
        seed = seed_of(args)
        batch_size, timeseries, ranges = args.batch_size, args.timeseries, None
        if runs < 1:
            raise UserError(f"--runs {runs}: must be >= 1")
        if timeseries and not kinds.of(loaded).timeseries:
            raise UserError(f"--timeseries: {args.config} is a {loaded.kind} scenario, which has no daily front series")
        if args.compare_doctrines:
            if loaded.kind != "system":
                raise UserError(f"--compare-doctrines: {args.config} is not a system scenario (kind = \"system\")")
            from wargame.cli import system_run

            return system_run.compare(args, loaded, out, runs, seed)
        if (out.exists() or store.parts.exists()) and not args.overwrite:
            raise UserError(f"{out}: output exists; pass --overwrite to replace it, --resume to finish "
                            "an interrupted run, or --out to choose another name")
    if batch_size is not None and batch_size < 1:
        raise UserError(f"--batch-size {batch_size}: must be >= 1")
    if args.workers is not None and args.workers < 1:
        raise UserError(f"--workers {args.workers}: must be >= 1")
    parent = out.resolve().parent
    if not parent.is_dir():
        raise UserError(f"{out}: directory {out.parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise UserError(f"{out}: directory {out.parent} is not writable")
    todo = runs if ranges is None else sum(b - a for a, b in ranges)
    nbatches = -(-max(0, todo - runner.FIRST_BATCH) // (batch_size or runner.DEFAULT_BATCH))  # at most; besides the first
    resume_cmd = f"wargame run {args.config} --out {out} --resume"
    try:
        executor = executors.make(args.workers, args.scheduler, args.dask_local, batches=nbatches)
    except (RuntimeError, OSError) as e:
        raise UserError(f"cannot start the executor: {e}") from None
    progress = Progress(sys.stderr.isatty() and not args.quiet)
    kind = kinds.of(loaded)
    try:
        if executors.may_spread(executor) and not runner.kernels_cached():
            kinds.warm_up(loaded)  # compile once here, or every worker would compile too
        stats = kinds.run(loaded, runs, seed=seed, sink=store, batch_size=batch_size, timeseries=timeseries,
                          progress=progress, command=" ".join(sys.argv), executor=executor,
                          resume_ranges=ranges, first_batch=runner.FIRST_BATCH)
        store.finish({"seconds": stats.seconds, "kernel_seconds": stats.kernel_seconds})
    except KeyboardInterrupt:
        done = sum(b - a for a, b in store.shards)
        print(f"\ninterrupted: {out} keeps the {done} replications finished so far; resume with: {resume_cmd}",
              file=sys.stderr)
        return 130
    except OSError as e:
        done = sum(b - a for a, b in store.shards)
        if from_kernel_cache(e):
            raise UserError(f"cannot write numba's compiled-kernel cache in {os.environ.get('NUMBA_CACHE_DIR')} "
                            f"({e.strerror or e}); the {done} replications finished so far are kept in {out}; free "
                            f"space there (or set NUMBA_CACHE_DIR to another directory) and resume with: "
                            f"{resume_cmd}") from None
        raise UserError(f"cannot write results to {out} ({e.strerror or e}); the {done} replications finished "
                        f"so far are kept; fix it and resume with: {resume_cmd}") from None
    finally:
        executor.close()
    if not args.quiet:
        print(kind.summary.format_table(kind.summary.compute_file(out)))
        share = kernel_share(stats) if stats.kernel_calls else ""  # the system kind times none
        print(f"\nwrote {out}  ({stats.runs} runs in {stats.seconds:.2f} s, {stats.runs_per_second:,.0f} runs/s on "
              f"{executors.describe(executor)}{share})")
    return 0


def kernel_share(stats) -> str:
    """'; 21% of simulation time in kernels', leaving out the kernels' first calls (loading them)."""
    ks = 100 * stats.kernel_seconds / max(stats.batch_seconds - stats.kernel_first_seconds, 1e-9)
    out = f"; {ks:.0f}% of simulation time in kernels"
    if stats.kernel_first_seconds >= 0.05:
        out += f", after {stats.kernel_first_seconds:.1f} s loading them"
    return out
