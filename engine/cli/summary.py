"""`wargame summary FILE [--json | --csv]`: the summary of any file wargame writes.

Runs and exercise games of the crisis kind, system-kind runs (each through its kind's summary
table) and sweep files (engine/analysis/sweep_file.py). ``--json`` prints the summary as one
JSON object (NaN as null); ``--csv`` as long rows ``key,value`` whose key is the path in that
object (states and arms by name), for a spreadsheet or a join.
"""

from __future__ import annotations

import csv
import json
import math
import sys

import numpy as np

from wargame import kinds
from wargame.analysis import sweep_file
from wargame.cli.support import UserError
from wargame.execution.store import ResultsFileError, read_meta


def _plain(x):
    """JSON-ready: numpy scalars and arrays to Python, NaN and infinities to None."""
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple, np.ndarray)):
        return [_plain(v) for v in x]
    if isinstance(x, (np.integer, np.bool_)):
        return x.item()
    if isinstance(x, (float, np.floating)):
        return float(x) if math.isfinite(x) else None
    return x


def _rows(x, key: str = ""):
    """(key path, value) leaves; list items named by their 'state', 'metric'+'arm' or index."""
    if isinstance(x, dict):
        for k, v in x.items():
            yield from _rows(v, f"{key}.{k}" if key else str(k))
    elif isinstance(x, list) and x and all(isinstance(v, dict) for v in x):
        for i, v in enumerate(x):
            name = v.get("state") or (f"{v['metric']}.{v['arm']}" if "metric" in v and "arm" in v else None)
            yield from _rows({k: w for k, w in v.items() if k != "state"}, f"{key}.{name if name else i}")
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield from _rows(v, f"{key}.{i}")
    else:
        yield key, "" if x is None else x


def _sweep(path) -> tuple[str, dict]:
    d = sweep_file.read(path)
    names = [", ".join(f"{k}={v}" for k, v in arm["overrides"]) or arm["label"] for arm in d["arms"]]
    for r in d["estimates"]:
        r["arm_name"] = names[r["arm"]]
    for r in d["comparison"]:
        r["pair"] = f"({names[r['arm_b']]}) - ({names[r['arm_a']]})"
    a = d["attrs"]
    obj = {"kind": "sweep", "scenario": a.get("scenario"), "seed": a.get("seed"), "runs": a.get("runs"),
           "arms": [{"arm": i, "name": n, "overrides": arm["overrides"]} for i, (n, arm) in enumerate(zip(names, d["arms"]))],
           "metrics": d["metrics"], "estimates": d["estimates"], "comparison": d["comparison"]}
    return sweep_file.format_table(d), obj


def summarize(path) -> tuple[str, dict]:
    """The summary's text table and its object, for any file wargame writes; UserError otherwise."""
    try:
        if sweep_file.is_sweep(path):
            return _sweep(path)
        kind = read_meta(path)[1].get("kind")
        table = kinds.named(kind).summary
        res = table.compute_file(path)
    except ResultsFileError as e:  # already one line naming the file
        raise UserError(str(e)) from None
    except (OSError, KeyError, ValueError, json.JSONDecodeError) as e:
        raise UserError(f"{path}: not a wargame results or sweep file ({e.__class__.__name__}: {e})") from None
    return table.format_table(res), {"kind": kind or "crisis", **res}


def cmd_summary(args, path) -> int:
    text, obj = summarize(path)
    if args.json:
        print(json.dumps(_plain(obj), indent=1))
    elif args.csv:
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(["key", "value"])
        w.writerows(_rows(_plain(obj)))
    else:
        print(text)
    return 0
