"""Killed, wounded and captured per state, and losses in the first week against the first
month: the summary of ``states/casualties`` and ``states/losses_by_day`` (crisis/casualties.py).

Over the replications with a war: per state, the median [5%, 95%] (a 90% interval) of its
killed, wounded and captured (all domains), and the median of its losses by each mark day
of the war (day 7, 21, 30), all kinds and killed. Read a chunk of replications at a time into histograms, so a
file of any size is summarised in bounded memory.
"""

from __future__ import annotations

from html import escape

import numpy as np

from wargame.crisis import reducing
from wargame.estimate import Histogram

COLUMNS = {"replications": ("war_day",), "states": ("casualties", "losses_by_day")}


class Reducer:
    """Per state: histograms of each kind's total and of the losses by each mark day, over wars."""

    def __init__(self, layout: dict):
        self.lay = layout
        S = len(layout["states"])
        self.kinds, self.marks = list(layout["casualty_kinds"]), list(layout["loss_mark_days"])
        self.kind = [[Histogram() for _ in self.kinds] for _ in range(S)]
        self.mark = [[Histogram() for _ in self.marks] for _ in range(S)]  # all kinds
        self.killed = [[Histogram() for _ in self.marks] for _ in range(S)]
        self.wars = 0

    def add(self, reps: dict, st: dict) -> None:
        war = np.isfinite(reps["war_day"])
        self.wars += int(war.sum())
        cas = np.asarray(st["casualties"], float)[war].sum(axis=2)  # (n, S, kind): all domains
        by = np.asarray(st["losses_by_day"], float)[war].sum(axis=2)  # (n, S, kind, mark): all domains
        for s in range(len(self.kind)):
            for k in range(len(self.kinds)):
                self.kind[s][k].add(cas[:, s, k])
            for k in range(len(self.marks)):
                self.mark[s][k].add(by[:, s, :, k].sum(axis=1))
                self.killed[s][k].add(by[:, s, self.kinds.index("killed"), k])

    def result(self) -> dict | None:
        if self.wars == 0:
            return None
        rows = [{"state": sid,
                 **{kd: tuple(self.kind[s][k].percentile([50, 5, 95])) for k, kd in enumerate(self.kinds)},
                 "by_day": {m: float(self.mark[s][k].percentile([50])[0]) for k, m in enumerate(self.marks)},
                 "killed_by_day": {m: float(self.killed[s][k].percentile([50])[0]) for k, m in enumerate(self.marks)}}
                for s, sid in enumerate(self.lay["states"])]
        return {"wars": self.wars, "kinds": self.kinds, "marks": self.marks, "states": rows}


def compute(res: dict) -> dict | None:
    """Casualty summary of results held in memory; None for files written before the columns existed."""
    r = reducing.in_memory(res, Reducer, "casualty_kinds", "casualties")
    return None if r is None else r.result()


def compute_file(path, layout: dict) -> dict | None:
    """Casualty summary of a results file, read a chunk of replications at a time."""
    r = reducing.from_file(path, layout, Reducer, "casualty_kinds", COLUMNS)
    return None if r is None else r.result()


def _k(x: float) -> str:
    if not np.isfinite(x):
        return "-"
    return f"{x / 1e3:.1f}k" if abs(x) >= 1e3 else f"{x:.0f}"


def _cell(q) -> str:
    return f"{_k(q[0])} [{_k(q[1])}, {_k(q[2])}]"


def format_lines(s: dict | None) -> list[str]:
    """Summary lines (80 columns): per state with losses, its casualties by kind and by day."""
    if not s:
        return []
    rows = [r for r in s["states"] if r["killed"][2] + r["wounded"][2] + r["captured"][2] > 0]
    if not rows:
        return []
    L = ["", "Casualties in wars: median [5%, 95%]   killed / wounded / captured or missing"]
    for r in rows:
        L.append(f"  {r['state']:<6}" + "  ".join(_cell(r[k]).ljust(21) for k in s["kinds"]).rstrip())
    L.append("By day of the war, median: all kinds (" + ", ".join(s["marks"]) + "), then killed")
    for r in rows:
        L.append(f"  {r['state']:<6}" + "".join(f"{_k(v):>10}" for v in r["by_day"].values()) + "  "
                 + "".join(f"{_k(v):>10}" for v in r["killed_by_day"].values()))
    return L


def report_section(s: dict | None) -> str:
    """The report's casualty table (HTML); "" without casualties."""
    if not s:
        return ""
    body = "".join(
        f"<tr><td>{escape(r['state'])}</td>"
        + "".join(f"<td>{r[k][0]:,.0f} [{r[k][1]:,.0f}, {r[k][2]:,.0f}]</td>" for k in s["kinds"])
        + "".join(f"<td>{v:,.0f}</td>" for v in r["by_day"].values())
        + "".join(f"<td>{v:,.0f}</td>" for v in r["killed_by_day"].values()) + "</tr>" for r in s["states"])
    return ("<table><thead><tr><th>state</th>" + "".join(f"<th>{escape(k)}</th>" for k in s["kinds"])
            + "".join(f"<th>lost by {escape(m)}</th>" for m in s["marks"])
            + "".join(f"<th>killed by {escape(m)}</th>" for m in s["marks"]) + "</tr></thead><tbody>" + body
            + f"</tbody></table><p>Personnel over the {s['wars']:,} replications with a war: median [5%, 95%] "
              "by kind (captured includes missing and forces that surrendered cut off ashore); lost (all kinds) and "
              "killed by each day of the war, median.</p>")
