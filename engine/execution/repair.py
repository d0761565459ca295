"""What ``--resume`` checks before it trusts a results store, and what it rebuilds from.

An interrupted run is ``<out>`` (the index, or the flat file once complete) plus
``<out>.parts/``: one shard per finished batch and ``run.json``, the run's attributes
and layout, written when the run starts. The shards and ``run.json`` are the truth;
the index is a view of them, so a damaged index is rebuilt from them. Every shard is
read through before it is trusted (a shard cut short or with damaged chunks is
dropped and its replications run again), and a complete file is read through before
``--resume`` calls it complete.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import h5py
import numpy as np

MANIFEST = "run.json"
SHARD = re.compile(r"b(\d{12})-(\d{12})\.h5")
ROWS = 1 << 16  # rows read at a time while checking


def write_manifest(parts: Path, attrs: dict, layout: dict) -> None:
    """``run.json``: what the index would say, so a damaged index can be rebuilt (written atomically)."""
    path, tmp = parts / MANIFEST, parts / (MANIFEST + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(json.dumps({"attrs": attrs, "layout": layout}).encode())
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def read_manifest(parts: Path) -> tuple[dict, dict] | None:
    """(attrs, layout) from ``run.json``; None when it is absent or unreadable."""
    try:
        m = json.loads((parts / MANIFEST).read_text(encoding="utf-8"))
        return dict(m["attrs"]), dict(m["layout"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def shards_on_disk(parts: Path) -> list[tuple[int, int]]:
    """The (start, stop) of every shard file in ``parts`` (temporary files left out)."""
    out = []
    for p in parts.iterdir() if parts.is_dir() else ():
        m = SHARD.fullmatch(p.name)
        if m:
            out.append((int(m[1]), int(m[2])))
    return sorted(out)


def _read_through(f: h5py.File) -> None:
    """Read every dataset of an open file, a slab at a time: damaged chunks raise here."""
    names: list[str] = []
    f.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
    for n in names:
        ds = f[n]
        if ds.shape == () or ds.shape is None:
            ds[()]
            continue
        for a in range(0, ds.shape[0], ROWS):
            ds[a:a + ROWS]


def check_rows(f: h5py.Group, a: int, b: int, groups=("replications", "states", "params")) -> None:
    """Raise ValueError unless the group holds replications a..b-1, one row each, in order."""
    rep = f["replications/rep"][()]
    if not np.array_equal(rep, np.arange(a, b)):
        raise ValueError(f"its replication index is not {a}..{b - 1}")
    for g in groups:
        for k, ds in f[g].items() if g in f else ():
            if isinstance(ds, h5py.Dataset) and not ds.is_scale and ds.shape[0] != b - a:
                raise ValueError(f"{g}/{k} has {ds.shape[0]} rows, not {b - a}")


def damage(path: Path, a: int, b: int) -> str | None:
    """Why the file at path (a shard of replications a..b-1, or a complete flat file of 0..b-1)
    cannot be trusted; None when it reads through and holds exactly those rows."""
    try:
        with h5py.File(path, "r") as f:
            check_rows(f, a, b)
            _read_through(f)
    except FileNotFoundError:
        return "it is missing"
    except Exception as e:  # h5py raises OSError, KeyError, ValueError, RuntimeError... on damage
        return f"{e.__class__.__name__}: {str(e)[:200]}"
    return None
