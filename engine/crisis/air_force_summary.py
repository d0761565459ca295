"""Aircraft lost by type, in the air and on the ground: the summary of ``states/aircraft_lost``
(crisis/air_force.py), and its sweep metrics.

Over the replications with a war: per state with a table and per type, the median [5%, 95%]
(a 90% interval) of the aircraft lost in all, the medians of those lost in the air and on the
ground, and the medians of those lost by days 7, 21 and 30 of the war (``states/aircraft_lost_by_day``;
files written before that column have no ``by_day``). Read a chunk of replications at a time into
histograms, so a file of any size is summarised in bounded memory.
"""

from __future__ import annotations

from html import escape

import numpy as np

from wargame.crisis import reducing
from wargame.estimate import Histogram

COLUMNS = {"replications": ("war_day",), "states": ("aircraft_lost", "aircraft_lost_by_day")}
TOTALS_ONLY = {"replications": ("war_day",), "states": ("aircraft_lost",)}  # a file written before the marks


class Reducer:
    """Per (state, type): histograms of aircraft lost in all, in the air and on the ground, over wars."""

    def __init__(self, layout: dict):
        self.lay = layout
        self.types = list(layout["aircraft_types"])
        S, C = len(layout["states"]), len(self.types)
        self.h = [[[Histogram() for _ in range(3)] for _ in range(C)] for _ in range(S)]  # all, air, ground
        self.present = np.zeros((S, C), dtype=bool)
        self.marks = list(layout.get("loss_mark_days", []))
        self.by = [[[Histogram() for _ in self.marks] for _ in range(C)] for _ in range(S)]
        self.marked = False  # the results hold aircraft_lost_by_day
        self.wars = 0

    def add(self, reps: dict, st: dict) -> None:
        war = np.isfinite(reps["war_day"])
        self.wars += int(war.sum())
        lost = np.asarray(st["aircraft_lost"], float)[war]  # (n, S, C, where)
        self.present |= (lost.sum(axis=3) > 0).any(axis=0)
        for s in range(lost.shape[1]):
            for c in range(lost.shape[2]):
                for k, x in enumerate((lost[:, s, c].sum(axis=1), lost[:, s, c, 0], lost[:, s, c, 1])):
                    self.h[s][c][k].add(x)
        if "aircraft_lost_by_day" not in st:
            return
        self.marked = True
        by = np.asarray(st["aircraft_lost_by_day"], float)[war]  # (n, S, C, mark)
        for s in range(by.shape[1]):
            for c in range(by.shape[2]):
                for k, h in enumerate(self.by[s][c]):
                    h.add(by[:, s, c, k])

    def result(self) -> dict | None:
        if self.wars == 0:
            return None
        rows = []
        for s, sid in enumerate(self.lay["states"]):
            for c, cid in enumerate(self.types):
                if not self.present[s, c]:
                    continue
                h = self.h[s][c]
                rows.append({"state": sid, "type": cid, "lost": tuple(h[0].percentile([50, 5, 95])),
                             "air": float(h[1].percentile([50])[0]), "ground": float(h[2].percentile([50])[0])})
                if self.marked:
                    rows[-1]["by_day"] = {m: float(b.percentile([50])[0]) for m, b in zip(self.marks, self.by[s][c])}
        return {"wars": self.wars, "rows": rows} | ({"marks": self.marks} if self.marked else {})


def compute(res: dict) -> dict | None:
    """Summary of results held in memory; None without aircraft by type."""
    r = reducing.in_memory(res, Reducer, "aircraft_types", "aircraft_lost")
    return None if r is None else r.result()


def compute_file(path, layout: dict) -> dict | None:
    """Summary of a results file, read a chunk of replications at a time."""
    r = reducing.from_file(path, layout, Reducer, "aircraft_types", COLUMNS)
    if r is None:  # written before states/aircraft_lost_by_day: the totals alone
        r = reducing.from_file(path, layout, Reducer, "aircraft_types", TOTALS_ONLY)
    return None if r is None else r.result()


def _n(x: float) -> str:
    return f"{x:.0f}" if np.isfinite(x) else "-"


def format_lines(s: dict | None) -> list[str]:
    """Summary lines (80 columns): aircraft lost by state and type, in all and in the air / on the ground."""
    if not s or not s["rows"]:
        return []
    L = ["", "Aircraft lost by type in wars   median [5%, 95%]     in the air / on the ground"]
    for r in s["rows"]:
        m, lo, hi = r["lost"]
        L.append(f"  {r['state']:<6}{r['type']:<16}{_n(m):>8} [{_n(lo)}, {_n(hi)}]".ljust(50)
                 + f"{_n(r['air']):>8} / {_n(r['ground'])}")
    if "marks" in s:
        L.append("Aircraft lost by type by day of the war, median (" + ", ".join(s["marks"]) + ")")
        for r in s["rows"]:
            L.append(f"  {r['state']:<6}{r['type']:<24}" + "".join(f"{_n(x):>8}" for x in r["by_day"].values()))
    return L


def report_section(s: dict | None) -> str:
    """The report's table "Aircraft lost by type (air / ground)" (HTML); "" without aircraft by type."""
    if not s or not s["rows"]:
        return ""
    marks = s.get("marks", [])  # lost by day 7, 21, 30 of the war: medians (absent in older files)
    body = "".join(f"<tr><td>{escape(r['state'])}</td><td>{escape(r['type'])}</td>"
                   f"<td>{r['lost'][0]:,.0f} [{r['lost'][1]:,.0f}, {r['lost'][2]:,.0f}]</td>"
                   f"<td>{r['air']:,.0f}</td><td>{r['ground']:,.0f}</td>"
                   + "".join(f"<td>{x:,.0f}</td>" for x in r.get("by_day", {}).values()) + "</tr>" for r in s["rows"])
    return ("<h2>Aircraft lost by type (air / ground)</h2><table><thead><tr><th>state</th><th>type</th>"
            "<th>lost, median [5%, 95%]</th><th>in the air, median</th><th>on the ground, median</th>"
            + "".join(f"<th>lost by {escape(m)}, median</th>" for m in marks) + "</tr></thead>"
            f"<tbody>{body}</tbody></table><p>Over the {s['wars']:,} replications with a war (crisis/air_force.py): "
            "shot down in the air battle, and destroyed at their bases by missile strikes"
            + ("; and lost by each day of the war (a war that ended earlier counts its final total)" if marks else "")
            + ".</p>")


def catalogue(layout: dict) -> dict[str, str]:
    """Sweep metrics ``aircraft_lost.<STATE>.<type>`` for a layout with aircraft types."""
    return {f"aircraft_lost.{sid}.{c}": f"E[{sid} {c} aircraft lost], in the air and on the ground "
            "(crisis/air_force.py)" for sid in layout["states"] for c in layout.get("aircraft_types", [])}


def metrics(columns: dict, layout: dict) -> dict[str, np.ndarray]:
    """Per-replication ``aircraft_lost.<STATE>.<type>`` columns."""
    st = columns["states"]
    if "aircraft_lost" not in st or "aircraft_types" not in layout:
        return {}
    lost = np.asarray(st["aircraft_lost"], float).sum(axis=3)
    return {f"aircraft_lost.{sid}.{c}": lost[:, s, k] for s, sid in enumerate(layout["states"])
            for k, c in enumerate(layout["aircraft_types"])}
