"""What the subcommands share: the user-mistake error, --set/--doctrine overrides, the progress
bar, and how help and ``--version`` read.

A ``UserError`` is a mistake in the command line or the environment that the user
can fix; ``wargame.cli.main`` prints it on one line and exits 2.
"""

from __future__ import annotations

import argparse
import json
import platform
import os
import re
import sys
import time
import traceback
from importlib import metadata
from pathlib import Path

from wargame.model.scenario import DOCTRINES
from wargame.model.system import DOCTRINES as SYSTEM_DOCTRINES
from wargame.errors import WargameError
from wargame.api import check_seed
from wargame.execution import runner

CONFIG_HELP = "scenario name (see `wargame scenarios`) or TOML file"
DOCTRINE_HELP = (f"DOCTRINE is one of {', '.join(DOCTRINES)} (a system scenario's doctrine is set with "
                 f"--set system.doctrine=..., one of {', '.join(SYSTEM_DOCTRINES)})")


class UserError(WargameError):
    """A mistake in the command line or the environment that the user can fix."""


def seed(args, limit: int | None = None, why: str = "") -> int:
    """``--seed`` (default: runner.DEFAULT_SEED), checked against the seeds the streams take."""
    if args.seed is None:
        return runner.DEFAULT_SEED
    try:
        return check_seed(args.seed, "--seed", *((limit, why) if limit else ()))
    except WargameError as e:
        raise UserError(str(e)) from None


def at_least_one(*options) -> None:
    """Refuse a count below 1: ``at_least_one(("--runs", 0), ("--workers", None))`` (None: not given)."""
    for opt, v in options:
        if v is not None and v < 1:
            raise UserError(f"{opt} {v}: must be >= 1")


# A Dask scheduler address: [protocol://]host:port (an IPv6 host in brackets).
_ADDRESS = re.compile(r"^(?:(tcp|tls|ws|wss|ucx)://)?([A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$")


def check_executor(args) -> None:
    """--workers, --scheduler and --dask-local of `run` and `sweep`, before anything starts."""
    at_least_one(("--workers", args.workers), ("--dask-local", args.dask_local))
    if args.scheduler is not None:
        m = _ADDRESS.match(args.scheduler)
        if m is None or not 0 < int(m.group(3)) < 65536:
            raise UserError(f"--scheduler {args.scheduler}: expected a Dask scheduler address tcp://HOST:PORT "
                            "(port 1-65535), e.g. tcp://10.0.0.5:8786")
        if args.dask_local is not None:
            raise UserError("--scheduler and --dask-local: give one (an existing cluster, or a local one to start)")


def pairs(items, what):
    out = []
    for it in items or []:
        if "=" not in it:
            raise UserError(f"{what} {it!r}: expected KEY=VALUE")
        k, v = it.split("=", 1)
        out.append((k.strip(), v.strip()))
    return out


def overrides(args) -> list[tuple[str, str]]:
    ov = pairs(args.set, "--set")
    for state, doc in pairs(args.doctrine, "--doctrine"):
        if doc not in DOCTRINES:
            raise UserError(f"--doctrine {state}={doc}: doctrine must be one of {', '.join(DOCTRINES)}")
        ov.append((f"states.{state}.doctrine", json.dumps(doc)))
    return ov


def version() -> str:
    """``wargame 0.1.0 (Python 3.11.9, numba 0.60.0)``, from the installed distributions' metadata
    (numba's without importing it: ``--version`` answers at once)."""

    def of(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "not installed"

    return f"wargame {of('wargame')} (Python {platform.python_version()}, numba {of('numba')})"


class HelpFormatter(argparse.HelpFormatter):
    """Help that shows each option's default, so no help string has to repeat it by hand.

    An option whose help already says its default (``default: every core``) keeps its
    words; flags (``store_true``) and options without a default (None) get nothing added.
    A fixed set of values is listed by argparse itself from ``choices`` (``{a,b}``).
    """

    def __init__(self, prog, **kw):
        kw.setdefault("max_help_position", 32)
        super().__init__(prog, **kw)

    def _get_help_string(self, action):
        text = action.help or ""
        none = action.default is None or action.default is False or action.default == argparse.SUPPRESS
        if none or action.nargs == 0 or "default" in text:  # `is`: a default of 0 is shown
            return text
        return f"{text} (default: %(default)s)"


class Parser(argparse.ArgumentParser):
    """argparse with wargame's help formatter; subcommands' parsers are made with it too."""

    def __init__(self, *args, **kw):
        kw.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kw)


class Progress:
    """A one-line progress bar on a terminal, shown once a run has taken more than a second."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.t0 = time.perf_counter()
        self.shown = False

    def __call__(self, done: int, total: int):
        el = time.perf_counter() - self.t0
        if not self.enabled or (el < 1.0 and done < total and not self.shown):
            return
        self.shown = True
        rate = done / el if el > 0 else 0.0
        eta = (total - done) / rate if rate > 0 else 0.0
        bar = "#" * int(30 * done / total)
        sys.stderr.write(f"\r[{bar:<30}] {done}/{total} runs  {rate:,.0f} runs/s  ETA {eta:4.0f}s ")
        sys.stderr.flush()
        if done >= total:
            sys.stderr.write("\n")


def holding_output(out: Path, body):
    """Run ``body()`` holding ``out``'s lock (one run per output file, execution/lock.py); the
    output's folder must exist, and a lock another run holds is a UserError naming that run."""
    from wargame.execution.lock import OutputLock, OutputLocked

    if not out.resolve().parent.is_dir():
        raise UserError(f"{out}: directory {out.parent} does not exist")
    try:
        lock = OutputLock(out).acquire()  # before anything looks at or touches the output
    except OutputLocked as e:
        raise UserError(str(e)) from None
    try:
        return body()
    finally:
        lock.release()


def from_kernel_cache(e: BaseException) -> bool:
    """Whether an OSError came from numba saving a compiled kernel to its cache, not from the results.

    With a cold cache on a full disk the kernels' cache files (up to ~0.4 MB each) fail
    before any results file, and the error named the results file. A worker's error
    arrives with its traceback as text in ``__cause__`` (concurrent.futures).
    """
    mark = os.path.join("numba", "core", "caching.py")
    return (any(fr.filename.endswith(mark) for fr in traceback.extract_tb(e.__traceback__))
            or mark in str(e.__cause__ or ""))
