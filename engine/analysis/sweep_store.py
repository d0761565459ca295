"""Durable sweep arms: ``<out>.arms/``, the folder that lets a killed sweep resume.

While ``wargame sweep`` runs, ``<out>.arms/`` holds

- ``sweep.json``: what the sweep is (config, the hash of its text, common overrides,
  varied settings, runs, seed, batch size), so ``--resume`` can check that it finishes
  the same sweep. The folder is made under a temporary name with this file in it and
  then renamed, so a folder without it is never left behind;
- ``arm<i>.h5``: one crash-safe results store per arm
  (``wargame.execution.store.HDF5Store``: an atomic shard per finished batch, an
  index, then one flat file). It keeps only what the sweep reads, the
  per-replication and per-state columns and the sampled parameters; the event and
  decision logs are dropped as each batch arrives.

An arm's metrics are computed from its stored columns once the arm is complete,
whether it ran straight through or was read back after an interruption, so a resumed
sweep gives the same bits as an uninterrupted one. Once the sweep file is written
the folder is removed (docs/sweep.md says why).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import h5py

from wargame import kinds
from wargame.errors import WargameError
from wargame.execution import store as results_store
from wargame.execution.flat import GROUPS
from wargame.execution.store import HDF5Store

MANIFEST = "sweep.json"


class SweepError(WargameError):
    """A sweep the user can fix: its specification, or an arms folder that does not fit it (one line)."""


@dataclass(frozen=True)
class Spec:
    """What a sweep is; two sweeps with equal specs give the same sweep file."""

    config: str          # the config as given on the command line (shown, not compared)
    text_sha256: str     # SHA-256 of the config file's text
    overrides: list      # common overrides, [[key, value], ...]
    varied: list         # [[key, [values]], ...] in --vary order (it orders the arms)
    runs: int
    seed: int
    batch_size: int

    @classmethod
    def of(cls, config, text_sha256, overrides, varied, runs, seed, batch_size) -> "Spec":
        return cls(str(config), text_sha256, [list(o) for o in overrides], [[k, list(v)] for k, v in varied],
                   int(runs), int(seed), int(batch_size))


def _write_durably(path: Path, data: bytes) -> None:
    """Write a file under a temporary name, fsync it, rename it into place."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class _ColumnsOnly:
    """A writer that hands the store each batch without its logs (the metrics read none of them)."""

    def __init__(self, store: HDF5Store):
        self.store = store

    def create(self, attrs: dict, layout: dict) -> None:
        self.store.create(attrs, layout)

    def append(self, batch: dict) -> None:
        kept = {"reps": batch["reps"], **{g: batch[g] for g in GROUPS}}
        kept["events"], kept["decisions"] = batch["events"][:0], batch["decisions"][:0]  # empty, same dtype
        self.store.append(kept)


def _written(path: Path, runs: int) -> int:
    """Replications an arm store holds (0 when it is absent or unreadable)."""
    try:
        with h5py.File(path, "r") as f:
            return runs if f.attrs.get("complete", False) else int(f.attrs.get("replications_written", 0))
    except (OSError, KeyError, ValueError):
        return 0


class ArmsFolder:
    """``<out>.arms/``: the sweep's manifest and one results store per arm."""

    def __init__(self, out: str | Path):
        out = Path(out)
        self.path = out.with_name(out.name + ".arms")

    def exists(self) -> bool:
        return self.path.exists()

    def create(self, spec: Spec) -> None:
        """Start afresh: any old folder goes, the new one appears with its manifest in it."""
        tmp = self.path.with_name(self.path.name + ".tmp")
        for p in (tmp, self.path):
            if p.exists():
                shutil.rmtree(p)
        tmp.mkdir()
        _write_durably(tmp / MANIFEST, json.dumps(asdict(spec), indent=1).encode())
        os.replace(tmp, self.path)
        results_store._fsync_dir(self.path.parent)

    def spec(self) -> Spec:
        """The interrupted sweep's manifest; SweepError when it is missing or unreadable."""
        try:
            return Spec(**json.loads((self.path / MANIFEST).read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError) as e:
            raise SweepError(f"{self.path}: not the folder of an interrupted sweep ({MANIFEST}: "
                               f"{e.__class__.__name__}: {e}); start again with --overwrite") from None

    def store(self, i: int) -> HDF5Store:
        return HDF5Store(self.path / f"arm{i}.h5")

    def arm_written(self, i: int, runs: int) -> int:
        """Replications arm i holds on disk."""
        return _written(self.store(i).path, runs)

    def written(self, arms: int, runs: int) -> tuple[int, int]:
        """(replications finished over every arm, arms complete), read from the stores on disk."""
        counts = [self.arm_written(i, runs) for i in range(arms)]
        return sum(counts), sum(c == runs for c in counts)

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def arm_columns(self, i: int, loaded, runs: int, seed: int, **exec_opts) -> tuple[dict, dict, float]:
        """Run arm i into its store, or finish it, or read it back; return (columns, layout, seconds).

        A complete store is only read. A started one runs its missing replication
        ranges (its attributes must match the arm: same scenario, runs and seed). A
        missing one runs whole. ``exec_opts`` go to ``kinds.run``.
        """
        st = self.store(i)
        ranges = None
        if st.path.exists():
            try:
                st.open_existing()
            except (OSError, KeyError, ValueError) as e:
                raise SweepError(f"{st.path}: not a readable arm store ({e.__class__.__name__}: {e}); "
                                   "start again with --overwrite") from None
            a = st.attrs
            if (a.get("config_sha256"), int(a.get("runs", -1)), int(a.get("seed", -1))) != (loaded.sha256, runs, seed):
                arm = ", ".join("=".join(o) for o in loaded.overrides)
                raise SweepError(f"{st.path}: holds another arm than {arm} with runs = {runs} and seed = {seed}; "
                                 "start again with --overwrite")
            if st.is_complete():
                shutil.rmtree(st.parts, ignore_errors=True)  # killed after the flat file was in place
                cols = results_store.read(st.path)
                return cols, cols["layout"], float(cols["attrs"].get("seconds", 0.0))
            ranges = st.missing(runs)
        t0 = time.perf_counter()
        if ranges != []:
            kinds.run(loaded, runs, seed=seed, sink=_ColumnsOnly(st), resume_ranges=ranges, **exec_opts)
        seconds = time.perf_counter() - t0
        st.finish({"seconds": seconds})
        cols = results_store.read(st.path)
        return cols, cols["layout"], seconds
