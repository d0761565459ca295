"""Ships lost by class per state: the summary of ``states/ships_lost`` and
``states/ships_lost_by_day`` (crisis/fleet.py).

Over the replications with a war: per state with a fleet and per class, the median
[5%, 95%] (a 90% interval) of the ships put out of action, and the median of those lost by
days 7, 21 and 30 of the war (files written before that column have no ``by_day``). Read a chunk of replications
at a time into histograms, so a file of any size is summarised in bounded memory.
"""

from __future__ import annotations

from html import escape

import numpy as np

from wargame.crisis import reducing
from wargame.estimate import Histogram

COLUMNS = {"replications": ("war_day",), "states": ("ships_lost", "ships_lost_by_day")}
TOTALS_ONLY = {"replications": ("war_day",), "states": ("ships_lost",)}  # a file written before the marks


class Reducer:
    """Per (state, class): a histogram of ships lost, over wars."""

    def __init__(self, layout: dict):
        self.lay = layout
        self.classes = list(layout["ship_classes"])
        S = len(layout["states"])
        self.lost = [[Histogram() for _ in self.classes] for _ in range(S)]
        self.had = np.zeros((S, len(self.classes)), dtype=bool)  # a class some war saw it lose
        self.marks = list(layout.get("loss_mark_days", []))
        self.by = [[[Histogram() for _ in self.marks] for _ in self.classes] for _ in range(S)]
        self.marked = False  # the results hold ships_lost_by_day
        self.wars = 0

    def add(self, reps: dict, st: dict) -> None:
        war = np.isfinite(reps["war_day"])
        self.wars += int(war.sum())
        lost = np.asarray(st["ships_lost"], float)[war]  # (n, S, C)
        self.had |= (lost > 0).any(axis=0)
        for s, row in enumerate(self.lost):
            for c, h in enumerate(row):
                h.add(lost[:, s, c])
        if "ships_lost_by_day" not in st:
            return
        self.marked = True
        by = np.asarray(st["ships_lost_by_day"], float)[war]  # (n, S, C, mark)
        for s, row in enumerate(self.by):
            for c, hs in enumerate(row):
                for k, h in enumerate(hs):
                    h.add(by[:, s, c, k])

    def result(self) -> dict | None:
        if self.wars == 0:
            return None
        rows = [{"state": sid, "classes": {c: tuple(self.lost[s][k].percentile([50, 5, 95]))
                                           for k, c in enumerate(self.classes) if self.had[s, k]}}
                for s, sid in enumerate(self.lay["states"])]
        if self.marked:
            for s, r in enumerate(rows):
                r["by_day"] = {c: {m: float(self.by[s][k][j].percentile([50])[0]) for j, m in enumerate(self.marks)}
                               for k, c in enumerate(self.classes) if self.had[s, k]}
        out = {"wars": self.wars, "classes": self.classes, "states": [r for r in rows if r["classes"]]}
        return out | ({"marks": self.marks} if self.marked else {})


def compute(res: dict) -> dict | None:
    """Ships-by-class summary of results held in memory; None without fleets."""
    r = reducing.in_memory(res, Reducer, "ship_classes", "ships_lost")
    return None if r is None else r.result()


def compute_file(path, layout: dict) -> dict | None:
    """Ships-by-class summary of a results file, read a chunk of replications at a time."""
    r = reducing.from_file(path, layout, Reducer, "ship_classes", COLUMNS)
    if r is None:  # written before states/ships_lost_by_day: the totals alone
        r = reducing.from_file(path, layout, Reducer, "ship_classes", TOTALS_ONLY)
    return None if r is None else r.result()


def _n(x: float) -> str:
    return "-" if not np.isfinite(x) else f"{x:.1f}" if abs(x) < 10 else f"{x:.0f}"


def format_lines(s: dict | None) -> list[str]:
    """Summary lines (80 columns): per state, the classes it lost ships of."""
    if not s or not s["states"]:
        return []
    L = ["", "Ships lost by class in wars: median [5%, 95%]"]
    for r in s["states"]:
        cells = [f"{c} {_n(q[0])} [{_n(q[1])}, {_n(q[2])}]" for c, q in r["classes"].items()]
        line = f"  {r['state']:<6}"
        for cell in cells:  # wrap at 80 columns
            if len(line) + len(cell) + 2 > 80 and line.strip():
                L.append(line.rstrip())
                line = " " * 8
            line += cell + "  "
        L.append(line.rstrip())
    if "marks" in s:
        L.append("Ships lost by class by day of the war, median (" + ", ".join(s["marks"]) + ")")
        for r in s["states"]:
            for c, v in r["by_day"].items():
                L.append(f"  {r['state']:<6}{c:<24}" + "".join(f"{_n(x):>8}" for x in v.values()))
    return L


def report_section(s: dict | None) -> str:
    """The report's "Ships lost by class" table (HTML); "" without fleets."""
    if not s or not s["states"]:
        return ""
    cls = [c for c in s["classes"] if any(c in r["classes"] for r in s["states"])]
    cell = lambda q: f"<td>{q[0]:,.1f} [{q[1]:,.1f}, {q[2]:,.1f}]</td>" if q else "<td>-</td>"  # noqa: E731
    body = "".join(f"<tr><td>{escape(r['state'])}</td>" + "".join(cell(r["classes"].get(c)) for c in cls) + "</tr>"
                   for r in s["states"])
    return ("<h3>Ships lost by class</h3><table><thead><tr><th>state</th>"
            + "".join(f"<th>{escape(c)}</th>" for c in cls) + "</tr></thead><tbody>" + body
            + f"</tbody></table><p>Ships put out of action over the {s['wars']:,} replications with a war: median "
              "[5%, 95%] per class (crisis/fleet.py).</p>" + _by_day_table(s))


def _by_day_table(s: dict) -> str:
    """The report's "Ships lost by day of the war" table (HTML): medians per state and class."""
    if "marks" not in s:
        return ""
    body = "".join(f"<tr><td>{escape(r['state'])}</td><td>{escape(c)}</td>"
                   + "".join(f"<td>{x:,.1f}</td>" for x in v.values()) + "</tr>"
                   for r in s["states"] for c, v in r["by_day"].items())
    return ("<h3>Ships lost by day of the war</h3><table><thead><tr><th>state</th><th>class</th>"
            + "".join(f"<th>by {escape(m)}</th>" for m in s["marks"]) + "</tr></thead><tbody>" + body
            + "</tbody></table><p>Median ships put out of action by each day of the war; a war that ended earlier "
              "counts its final total (states/ships_lost_by_day).</p>")
