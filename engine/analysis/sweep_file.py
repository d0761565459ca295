"""The sweep file: one HDF5 file per sweep (docs/sweep.md), read back, and printed as a table.

Written aside, synced to disk and renamed into place, so a sweep file is either whole or
absent, and is on disk before the arms it was made from (engine/analysis/sweep_store.py)
are removed.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from pathlib import Path

import h5py
import numpy as np

from wargame.model import scenario
from wargame.execution.results import package_versions
from wargame.analysis.sweep import Sweep

SCHEMA_VERSION = "1.0"
FILE_KIND = "wargame-sweep"


def _records(rows: list[dict], fields: list[tuple[str, str]]) -> np.ndarray:
    arr = np.zeros(len(rows), dtype=[(k, t) for k, t in fields])
    for i, r in enumerate(rows):
        for k, _ in fields:
            arr[i][k] = r[k].encode() if isinstance(r[k], str) else r[k]
    return arr


EST_FIELDS = [("metric", "S48"), ("arm", "<i4"), ("estimate", "<f8"), ("low", "<f8"), ("high", "<f8")]
CMP_FIELDS = [("metric", "S48"), ("arm_a", "<i4"), ("arm_b", "<i4"), ("diff", "<f8"), ("low", "<f8"),
              ("high", "<f8"), ("test", "S16"), ("p", "<f8"), ("p_holm", "<f8"), ("significant", "?")]
SENS_FIELDS = [("arm", "<i4"), ("metric", "S48"), ("param", "S96"), ("prcc", "<f8"), ("low", "<f8"),
               ("high", "<f8"), ("p", "<f8"), ("p_holm", "<f8")]


def write(sw: Sweep, out: Path, command: str = "") -> None:
    """Write the sweep to one HDF5 file (written aside, synced, then renamed into place)."""
    out = Path(out)
    tmp = out.with_name(out.name + ".tmp")
    try:
        _fill(tmp, sw, command)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
    except BaseException:  # a full disk or Ctrl-C leaves no half-written file behind
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, out)
    fd = os.open(out.resolve().parent, os.O_RDONLY)
    try:
        os.fsync(fd)  # the rename itself is durable before the caller removes the arms
    finally:
        os.close(fd)


def _fill(tmp: Path, sw: Sweep, command: str) -> None:
    base = sw.arms[0].loaded
    with h5py.File(tmp, "w") as f:
        a = f.attrs
        a["kind"], a["schema_version"], a["scenario_kind"] = FILE_KIND, SCHEMA_VERSION, sw.kind
        a["scenario"], a["config_path"], a["config_text"] = base.scenario.scenario.name, sw.config, base.text
        a["config_sha256"] = scenario.loads(base.text, sw.config, sw.base).sha256
        a["base_overrides"] = json.dumps([list(o) for o in sw.base])
        a["varied"] = json.dumps([[k, v] for k, v in sw.varied])
        a["arms"] = json.dumps([{"label": arm.label, "overrides": [list(o) for o in arm.overrides]} for arm in sw.arms])
        a["seed"], a["runs"], a["seconds"] = sw.seed, sw.runs, sw.seconds
        a["metrics"] = json.dumps(sw.catalogue)
        a["varied_params"] = json.dumps(sw.varied_params)
        a["engine_version"], a["package_versions"] = package_versions()["wargame"], json.dumps(package_versions())
        a["created"] = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
        a["command"] = command
        for i, arm in enumerate(sw.arms):
            g = f.create_group(f"arms/{i}")
            g.attrs["label"], g.attrs["overrides"] = arm.label, json.dumps([list(o) for o in arm.overrides])
            g.attrs["config_sha256"], g.attrs["seconds"] = arm.loaded.sha256, arm.seconds
            for k, v in arm.metrics.items():
                g.create_dataset(f"metrics/{k}", data=v, dtype="?" if v.dtype == bool else "<f8", compression="gzip")
            for k, v in arm.params.items():
                g.create_dataset(f"params/{k}", data=v, dtype="<f8", compression="gzip")
        f.create_dataset("estimates", data=_records(sw.estimates, EST_FIELDS))
        f.create_dataset("comparison", data=_records(sw.comparisons, CMP_FIELDS))
        f.create_dataset("sensitivity", data=_records(sw.sensitivity, SENS_FIELDS))


def read(path) -> dict:
    """A sweep file's attributes and tables (strings decoded), plus each arm's columns."""
    with h5py.File(path, "r") as f:
        if f.attrs.get("kind") != FILE_KIND:
            raise ValueError("not a sweep file")
        attrs = {k: (v.item() if hasattr(v, "item") else v) for k, v in f.attrs.items()}
        out = {"attrs": attrs, "arms": json.loads(attrs["arms"]), "metrics": json.loads(attrs["metrics"])}
        for name in ("estimates", "comparison", "sensitivity"):
            arr = f[name][()]
            out[name] = [{k: (r[k].decode() if isinstance(r[k], bytes) else r[k].item()) for k in arr.dtype.names}
                         for r in arr]
        out["columns"] = [{g: {k: f[f"arms/{i}/{g}/{k}"][()] for k in f[f"arms/{i}"].get(g, {})}
                           for g in ("metrics", "params")} for i in range(len(out["arms"]))]
    return out


# Metrics in personnel (crisis/metrics.py): losses and casualties by kind, shown as whole numbers.
PERSONNEL = ("losses.", "killed.", "wounded.", "captured.")


def is_sweep(path) -> bool:
    try:
        with h5py.File(path, "r") as f:
            return f.attrs.get("kind") == FILE_KIND
    except OSError:
        return False


def fmt_value(name: str, v: float, prob: bool | None = None) -> str:
    """A probability as a percentage, losses as a whole number, other means with one decimal."""
    if not np.isfinite(v):
        return "-"
    if name.startswith(PERSONNEL):
        return f"{round(v):,}"  # an int: no "-0"
    return f"{100 * v:.1f}%" if prob or prob is None else f"{v:,.1f}"


def fmt_diff(name: str, v: float, prob: bool | None = None) -> str:
    if not np.isfinite(v):
        return "-"
    if name.startswith(PERSONNEL):
        return f"{round(v):+,}"
    return f"{100 * v:+.1f}pp" if prob or prob is None else f"{v:+,.1f}"


def probabilities(d: dict) -> set[str]:
    """The metrics that are 0/1 columns (compared by McNemar's test), as opposed to means."""
    return {r["metric"] for r in d["comparison"] if r["test"] == "mcnemar_midp"}


def format_table(d: dict, top: int = 3) -> str:
    """The comparison as plain text: arms' estimates, the paired differences, the main drivers."""
    a, arms, names = d["attrs"], d["arms"], list(d["metrics"])
    letters = [chr(65 + i) if i < 26 else f"#{i}" for i in range(len(arms))]
    L = [f"{a['scenario']}: {a['runs']} replications per arm, seed {a['seed']}, common random numbers"]
    L += [f"  arm {letters[i]}: {arm['label']}" for i, arm in enumerate(arms)]
    if json.loads(a.get("varied_params", "[]")):
        L.append(f"  note: arms sample different values of {', '.join(json.loads(a['varied_params']))} (varied)")
    L += ["", "Estimates (95% interval)"]
    est = {(r["metric"], r["arm"]): r for r in d["estimates"]}
    probs = probabilities(d)
    head = f"  {'metric':<26}" + "".join(f"{'arm ' + letters[i]:>30}" for i in range(len(arms)))
    L.append(head)
    for n in names:
        cells = []
        for i in range(len(arms)):
            r = est[(n, i)]
            pr = n in probs
            cells.append(f"{fmt_value(n, r['estimate'], pr)} [{fmt_value(n, r['low'], pr)}, {fmt_value(n, r['high'], pr)}]")
        L.append(f"  {n:<26}" + "".join(f"{c:>30}" for c in cells))
    L += ["", "Paired differences (95% interval); p: McNemar mid-p (probabilities) or paired t (means), "
          "Holm-adjusted over the table; * significant at 5%"]
    for r in d["comparison"]:
        pair = f"{letters[r['arm_b']]}-{letters[r['arm_a']]}"
        L.append(f"  {pair:<4} {r['metric']:<26} {fmt_diff(r['metric'], r['diff'], r['metric'] in probs):>10} "
                 f"[{fmt_diff(r['metric'], r['low'], r['metric'] in probs)}, {fmt_diff(r['metric'], r['high'], r['metric'] in probs)}]".ljust(72)
                 + (f"p={r['p_holm']:.2g}" if r["p_holm"] > 0 else "p<1e-300") + (" *" if r["significant"] else ""))
    if d["sensitivity"]:
        L += ["", f"Main drivers (partial rank correlation, top {top}; * Holm-significant at 5%)"]
        for i in range(len(arms)):
            for n in names[:2]:
                rows = [r for r in d["sensitivity"] if r["arm"] == i and r["metric"] == n and np.isfinite(r["prcc"])]
                rows.sort(key=lambda r: -abs(r["prcc"]))
                txt = ", ".join(f"{r['param']} {r['prcc']:+.2f}{'*' if r['p_holm'] < 0.05 else ''}" for r in rows[:top])
                L.append(f"  arm {letters[i]} {n}: {txt or '- (no variation)'}")
    return "\n".join(L)
