"""One run per output file: an OS lock on ``<out>.lock`` held while a run writes ``<out>``.

The lock is ``fcntl.flock`` on ``<out>.lock``: the kernel releases it when the holding
process exits, however it exits (``kill -9`` included), so a lock file left behind by
a killed run is simply unheld and the next run takes it over. The file records who
holds it (pid, host, start time) so a refused run can say whose run is in the way.
Only the writing process holds the lock: worker processes (started with ``spawn``)
and Dask workers never see its descriptor.
"""

from __future__ import annotations

import datetime as _dt
import fcntl
import json
import os
import socket
from pathlib import Path

from wargame.errors import WargameError


class OutputLocked(WargameError):
    """Another live run is writing the same output; the message names it."""


def lock_path(out: str | Path) -> Path:
    out = Path(out)
    return out.with_name(out.name + ".lock")


class OutputLock:
    """``with OutputLock(out):`` holds ``<out>.lock`` for the block; OutputLocked if another run does."""

    def __init__(self, out: str | Path):
        self.out = Path(out)
        self.path = lock_path(out)
        self.fd: int | None = None

    def acquire(self) -> "OutputLock":
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as e:
                raise OutputLocked(f"cannot write results to {self.out} (cannot create its lock file {self.path}: "
                                   f"{e.strerror or e})") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _holder(fd)
                os.close(fd)
                raise OutputLocked(f"{self.out}: another run is writing it ({holder}); wait for it to finish, "
                                   "or choose another --out") from None
            # The holder before us may have unlinked the file between our open and our lock
            # (it removes the file on release): then we locked an orphan; start again.
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        info = {"pid": os.getpid(), "host": socket.gethostname(),
                "started": _dt.datetime.now().astimezone().isoformat(timespec="seconds")}
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(info).encode(), 0)
        except OSError:  # a full disk: the lock holds all the same, only unnamed
            pass
        self.fd = fd
        return self

    def release(self) -> None:
        if self.fd is None:
            return
        try:
            self.path.unlink(missing_ok=True)  # while still held: nobody else can be holding this file
        finally:
            os.close(self.fd)  # closing the last descriptor releases the flock
            self.fd = None

    def __enter__(self) -> "OutputLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def _holder(fd: int) -> str:
    """Who holds the lock, from what it wrote into the file (it may be mid-write: say so)."""
    try:
        info = json.loads(os.pread(fd, 4096, 0).decode() or "{}")
        return f"pid {info['pid']} on host {info['host']}, started {info['started']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "a process that is just starting"
