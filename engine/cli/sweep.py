"""`wargame sweep`: a fresh or resumed sweep, checked, each arm durable on disk, then one sweep file.

Mirrors `wargame run` (wargame.cli.run): the output and options are checked before
anything runs; every arm's batches go to ``OUT.arms/`` as they finish
(wargame.analysis.sweep_store), so Ctrl-C (exit 130), a write error or ``kill -9``
keeps them and ``--resume`` finishes the sweep; the sweep file is written when every
arm is complete, and the arms folder is then removed.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import sys
from pathlib import Path

from wargame import kinds
from wargame.analysis import sweep, sweep_file
from wargame.analysis.sweep_store import ArmsFolder, Spec, SweepError
from wargame.cli.support import (Progress, UserError, at_least_one, check_executor, from_kernel_cache, holding_output,
                                 overrides, seed as seed_of)
from wargame.execution import executors, runner
from wargame.model import scenario


def _vary_text(varied) -> str:
    return " ".join(f"--vary {k}={','.join(v)}" for k, v in varied) or "no --vary"


def _set_text(ov) -> str:
    return " ".join(f"--set {k}={v}" for k, v in ov) or "none"


def resume_plan(args, out: Path, folder: ArmsFolder) -> Spec | None:
    """Check an interrupted sweep can be resumed with this command; return its spec (None: complete).

    Left-out --vary, --set/--doctrine, --runs and --seed are taken from the interrupted
    sweep; given ones must equal its own, and the config must have the same text.
    """
    if not folder.exists():
        if sweep_file.is_sweep(out):
            return None
        what = "no such file" if not out.exists() else "not a sweep file"
        raise UserError(f"{out}: nothing to resume ({what}, and no {folder.path.name} folder of an interrupted sweep)")
    try:
        spec = folder.spec()
    except SweepError as e:
        raise UserError(str(e)) from None
    text = scenario.load(args.config).text
    if hashlib.sha256(text.encode()).hexdigest() != spec.text_sha256:
        raise UserError(f"{args.config}: its text differs from the scenario of the interrupted sweep in {folder.path} "
                        f"({spec.config}); resume needs the same one")
    given = [list(o) for o in overrides(args)]
    if given and given != spec.overrides:
        raise UserError(f"{_set_text(given)}: the interrupted sweep in {folder.path} has overrides "
                        f"{_set_text(spec.overrides)}; resume needs the same ones (or leave them out)")
    if args.vary:
        try:
            varied = [[k, v] for k, v in sweep.parse_vary(args.vary)]
        except SweepError as e:
            raise UserError(str(e)) from None
        if varied != spec.varied:
            raise UserError(f"{_vary_text(varied)}: the interrupted sweep in {folder.path} has "
                            f"{_vary_text(spec.varied)}; resume needs the same (or leave --vary out)")
    for opt, val, have in (("--runs", args.runs, spec.runs), ("--seed", args.seed, spec.seed)):
        if val is not None and int(val) != have:
            raise UserError(f"{opt} {val}: the interrupted sweep in {folder.path} has {opt[2:]} = {have}; "
                            "resume needs the same (or leave it out)")
    return spec


def resume_command(config: str, out: Path, spec: Spec) -> str:
    """The command that finishes this sweep, every setting spelled out."""
    words = ["wargame", "sweep", config]
    for k, v in spec.varied:
        words += ["--vary", f"{k}={','.join(v)}"]
    for k, v in spec.overrides:
        words += ["--set", f"{k}={v}"]
    words += ["--runs", str(spec.runs), "--seed", str(spec.seed), "--out", str(out), "--resume"]
    return " ".join(shlex.quote(w) for w in words)


def run(args) -> int:
    """`wargame sweep`: exit code 0, or 130 when interrupted; UserError for a mistake the user can fix."""
    out = Path(args.out) if args.out else Path(Path(args.config).stem + "_sweep.h5")
    return holding_output(out, lambda: _run(args, out))


def _run(args, out: Path) -> int:
    folder = ArmsFolder(out)
    seed_of(args)  # before anything is read or written
    at_least_one(("--runs", args.runs), ("--batch-size", args.batch_size))
    check_executor(args)
    if args.resume:
        spec = resume_plan(args, out, folder)
        if spec is None:
            print(f"{out}: already complete; nothing to resume", file=sys.stderr)
            return 0
        base, varied = [tuple(o) for o in spec.overrides], [(k, list(v)) for k, v in spec.varied]
        runs, seed = spec.runs, spec.seed
        batch_size = args.batch_size if args.batch_size is not None else spec.batch_size
    else:
        if (out.exists() or folder.exists()) and not args.overwrite:
            raise UserError(f"{out}: output exists; pass --overwrite to replace it, --resume to finish "
                            "an interrupted sweep, or --out to choose another name")
        base = overrides(args)
        try:
            varied = sweep.parse_vary(args.vary)
        except SweepError as e:
            raise UserError(str(e)) from None
        loaded = scenario.load(args.config, base)
        runs = args.runs if args.runs is not None else loaded.scenario.scenario.default_runs
        seed = seed_of(args)
        batch_size = args.batch_size if args.batch_size is not None else runner.DEFAULT_BATCH
    workers = 1 if args.workers is None else args.workers
    for opt, v in (("--runs", runs), ("--batch-size", batch_size), ("--workers", workers)):
        if v < 1:
            raise UserError(f"{opt} {v}: must be >= 1")
    try:
        arms = sweep.make_arms(args.config, base, varied)  # every arm is valid before anything runs
    except SweepError as e:
        raise UserError(str(e)) from None
    parent = out.resolve().parent
    if not parent.is_dir():
        raise UserError(f"{out}: directory {out.parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise UserError(f"{out}: directory {out.parent} is not writable")
    loaded = arms[0].loaded
    if not args.resume:
        text_sha = hashlib.sha256(loaded.text.encode()).hexdigest()
        spec = Spec.of(args.config, text_sha, base, varied, runs, seed, batch_size)
    resume_cmd = resume_command(args.config, out, spec)
    nbatches = -(-max(0, runs - runner.FIRST_BATCH) // batch_size)  # per arm, besides the first, run here
    try:
        executor = executors.make(args.workers, args.scheduler, args.dask_local, batches=nbatches, auto=False)
    except (RuntimeError, OSError) as e:
        raise UserError(f"cannot start the executor: {e}") from None
    try:
        if not args.resume:
            out.unlink(missing_ok=True)  # --overwrite: the old file goes now, as `wargame run` replaces it now
            folder.create(spec)
        if executors.may_spread(executor) and not runner.kernels_cached():
            kinds.warm_up(loaded)  # compile once here, or every worker would compile too
        sw = sweep.run(args.config, base, varied, runs, seed, executor=executor, batch_size=batch_size,
                       progress=Progress(sys.stderr.isatty() and not args.quiet), folder=folder)
        sweep_file.write(sw, out, " ".join(sys.argv))
        folder.remove()
    except KeyboardInterrupt:
        done, whole = folder.written(len(arms), runs)
        print(f"\ninterrupted: {folder.path} keeps the {done} replications finished so far ({whole} of {len(arms)} "
              f"arms complete); resume with: {resume_cmd}", file=sys.stderr)
        return 130
    except SweepError as e:
        raise UserError(str(e)) from None
    except OSError as e:
        done = folder.written(len(arms), runs)[0]
        if from_kernel_cache(e):
            raise UserError(f"cannot write numba's compiled-kernel cache in {os.environ.get('NUMBA_CACHE_DIR')} "
                            f"({e.strerror or e}); the {done} replications finished so far are kept in {folder.path}; "
                            f"free space there (or set NUMBA_CACHE_DIR to another directory) and resume with: "
                            f"{resume_cmd}") from None
        raise UserError(f"cannot write the sweep to {out} ({e.strerror or e}); the {done} replications finished "
                        f"so far are kept in {folder.path}; fix it and resume with: {resume_cmd}") from None
    finally:
        executor.close()
    if not args.quiet:
        print(sweep_file.format_table(sweep_file.read(out)))
        print(f"\nwrote {out}  ({len(sw.arms)} arms x {runs} runs in {sw.seconds:.1f} s on "
              f"{executors.describe(executor)})")
    return 0
