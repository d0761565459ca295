"""What the subcommands share: the user-mistake error, --set/--doctrine overrides, the progress bar.

A ``UserError`` is a mistake in the command line or the environment that the user
can fix; ``wargame.cli.main`` prints it on one line and exits 2.
"""

from __future__ import annotations

import json
import sys
import time

from wargame.model.scenario import DOCTRINES
from wargame.errors import WargameError


class UserError(WargameError):
    """A mistake in the command line or the environment that the user can fix."""


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
