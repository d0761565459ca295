"""What aid and sanctions write (docs/results-format.md), and their lines in the summary and sweeps.

Per replication: what each supplier delivered to each recipient, by kind (the kind's unit:
arms combat power, munitions missiles, interceptors, money USD million, intelligence days of
support), the day it first decided to aid, and each state's sanction cost (GDP-years of
trade forgone, crisis/sanctions.py). Written only for scenarios with ``[[aid]]`` or
``[[sanctions]]`` (the layout then has an ``aid`` entry), so other files are unchanged.
"""

from __future__ import annotations

import numpy as np

from wargame.crisis.world import World
from wargame.model.aid import AID_KINDS

UNITS = ("cp", "missiles", "interceptors", "USD M", "days")
DIMS = {"recipient": {"labels": "states"}, "aid_kind": {"labels": "aid.kinds"}}
COLUMNS = {
    "states/aid_delivered": {"dims": ["replication", "state", "recipient", "aid_kind"]},
    "states/aid_lost": {"dims": ["replication", "state", "recipient", "aid_kind"]},
    "states/aid_day": {"dims": ["replication", "state"]},
    "states/sanction_cost": {"dims": ["replication", "state"]},
}
STATE_COLS = ("aid_delivered", "aid_day", "sanction_cost")


def present(w: World) -> bool:
    return bool(w.sc.aid or w.sc.sanctions)


def columns(w: World) -> dict:
    """The per-state aid and sanction columns of a finished batch."""
    out = np.zeros((w.R, w.S, w.S, len(AID_KINDS)))
    lost = np.zeros_like(out)
    for i in range(w.aid_kind.size):
        s, r = w.aid_pairs[w.aid_pair[i]]
        out[:, s, r, w.aid_kind[i]] += w.aid_delivered[:, i]
        lost[:, s, r, w.aid_kind[i]] += w.aid_lost[:, i]
    day = np.full((w.R, w.S), np.nan)
    for p, (s, _) in enumerate(w.aid_pairs):
        day[:, s] = np.fmin(day[:, s], w.aid_since[:, p])
    return {"aid_delivered": out.astype("<f4"), "aid_lost": lost.astype("<f4"), "aid_day": day.astype("<f4"),
            "sanction_cost": w.sanction_cost.astype("<f4")}


def describe(w: World) -> dict:
    """The aid layout: kinds, their units, the entries and sanctions in words."""
    sc = w.sc
    return {"kinds": list(AID_KINDS), "units": list(UNITS),
            "entries": [{"supplier": a.supplier, "recipient": a.recipient, "kind": a.kind, "text": a.text}
                        for a in sc.aid],
            "sanctions": [{"sanctioner": s.sanctioner, "target": s.target, "text": s.text} for s in sc.sanctions]}


class Reducer:
    """The aid columns, gathered chunk by chunk (float32 is what the percentiles need)."""

    def __init__(self):
        self.parts: dict[str, list] = {}

    def add(self, st: dict) -> None:
        for k in STATE_COLS:
            self.parts.setdefault(k, []).append(np.asarray(st[k]))

    def result(self, lay: dict) -> dict | None:
        if not self.parts:
            return None
        got = np.concatenate(self.parts["aid_delivered"]).astype(float)  # (n, S, S, K)
        day = np.concatenate(self.parts["aid_day"]).astype(float)
        ids, kinds, units = lay["states"], lay["aid"]["kinds"], lay["aid"]["units"]
        rows = []
        pairs = {(e["supplier"], e["recipient"], e["kind"]) for e in lay["aid"]["entries"]}
        for s, r, kind in sorted(pairs):
            v = got[:, ids.index(s), ids.index(r), kinds.index(kind)]
            rows.append({"supplier": s, "recipient": r, "kind": kind, "unit": units[kinds.index(kind)],
                         "aided": float(np.mean(v > 0)),
                         "delivered": tuple(float(x) for x in np.percentile(v, [50, 5, 95]))})
        aided = {sid: float(np.mean(np.isfinite(day[:, s]))) for s, sid in enumerate(ids)
                 if any(e["supplier"] == sid for e in lay["aid"]["entries"])}
        cost = np.concatenate(self.parts["sanction_cost"]).astype(float)
        sanctions = {sid: float(np.median(cost[:, s])) for s, sid in enumerate(ids)
                     if any(sid in (x["sanctioner"], x["target"]) for x in lay["aid"]["sanctions"])}
        return {"rows": rows, "decided": aided, "sanction_cost": sanctions, "runs": int(got.shape[0])}


def compute(res: dict) -> dict | None:
    if "aid" not in res["layout"]:
        return None
    r = Reducer()
    r.add(res["states"])
    return r.result(res["layout"])


def compute_file(path, layout: dict) -> dict | None:
    if "aid" not in layout:
        return None
    from wargame.execution.store import iter_columns

    r = Reducer()
    for chunk in iter_columns(path, {"states": STATE_COLS}):
        r.add(chunk["states"])
    return r.result(layout)


def _n(x: float) -> str:
    return "-" if not np.isfinite(x) else f"{x:,.0f}" if abs(x) >= 10 else f"{x:.1f}"


def format_lines(a: dict | None) -> list[str]:
    """Summary lines (80 columns): delivered by supplier and kind, median [5%, 95%]."""
    if not a:
        return []
    L = []
    if a.get("sanction_cost"):
        L += ["", "Sanctions: trade forgone, median GDP-years (share of GDP x years)",
              "  " + ", ".join(f"{sid} {v:.2g}" for sid, v in a["sanction_cost"].items())]
    if not a["rows"]:
        return L
    L += ["", "Aid delivered by supplier and kind: median [5%, 95%] over replications;",
         "share of replications it flowed",
         "  supplier -> recipient kind          unit          median [5%, 95%]        flowed"]
    for r in a["rows"]:
        m, lo, hi = r["delivered"]
        L.append(f"  {r['supplier']:<5} -> {r['recipient']:<5} {r['kind']:<13} {r['unit']:<12} "
                 f"{_n(m):>9} [{_n(lo)}, {_n(hi)}]".ljust(70) + f"{100 * r['aided']:5.1f}%")
    L.append("  decided to aid at least once: "
             + ", ".join(f"{sid} {100 * p:.0f}%" for sid, p in a["decided"].items()))
    return L


def catalogue(sc) -> dict[str, str]:
    """Sweep metrics of aid: P(the supplier aids) for every supplier of the scenario."""
    return {f"aided.{sid}": f"P({sid} decides to aid at least once)" for sid in dict.fromkeys(a.supplier for a in sc.aid)}


def metrics(columns: dict, layout: dict) -> dict[str, np.ndarray]:
    if "aid" not in layout or "aid_day" not in columns["states"]:
        return {}
    day = columns["states"]["aid_day"]
    sups = dict.fromkeys(e["supplier"] for e in layout["aid"]["entries"])
    return {f"aided.{sid}": np.isfinite(day[:, layout["states"].index(sid)]) for sid in sups}
