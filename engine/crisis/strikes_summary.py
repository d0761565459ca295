"""Who struck whom, how often, and what it cost: the summary of the ``states/strikes`` column.

One row per striker -> target pair that struck in at least one replication: the share
of replications in which it struck, and, over those replications, the median days
struck and missiles fired and the median [5%, 95%] of ships, aircraft and lift
destroyed, production lost and aid destroyed in transit (strikes on a supplier's deliveries,
§10.6) (engine/crisis/strikes.py MEASURES; docs/model.md §5).
The column is read a chunk of replications at a time, and each pair's values are kept
only for the replications in which it struck.
"""

from __future__ import annotations

from html import escape

import numpy as np

from wargame.crisis import reducing
from wargame.estimate import wilson



class Reducer:
    """Per-pair values of the replications in which the pair struck, gathered chunk by chunk."""

    def __init__(self, layout: dict):
        self.lay = layout
        S = len(layout["states"])
        self.measures = list(layout["strike_measures"])  # the column's last axis (strikes.MEASURES)
        self.rungs = list(layout["rungs"])
        self.n = 0
        self.parts: dict[tuple[int, int], list[np.ndarray]] = {}
        self.rung = np.zeros((S, S, len(self.rungs)), dtype=np.int64)  # replications ending at each rung

    def add(self, reps: dict, st: dict) -> None:  # noqa: ARG002 (the per-replication columns: none needed)
        x = np.asarray(st["strikes"], dtype=float)  # (n, S, S, measure)
        self.n += x.shape[0]
        days = x[..., self.measures.index("days_struck")]
        top = x[..., self.measures.index("highest_rung")].astype(np.int64)
        for k in range(len(self.rungs)):
            self.rung[:, :, k] += (top == k).sum(axis=0)
        for a, i in zip(*np.nonzero((days > 0).any(axis=0))):
            self.parts.setdefault((int(a), int(i)), []).append(x[days[:, a, i] > 0, a, i, :])


def compute_arrays(lay: dict, r: Reducer) -> list[dict]:
    """One row per pair that struck, in striker then target order."""
    ids, n = lay["states"], r.n
    q = lambda v: tuple(float(y) for y in np.percentile(v, [50, 5, 95]))  # noqa: E731
    rows = []
    for (a, i) in sorted(r.parts):
        v = np.concatenate(r.parts[(a, i)])
        col = {m: v[:, k] for k, m in enumerate(r.measures)}
        rows.append({
            "striker": ids[a], "target": ids[i], "struck": wilson(int(v.shape[0]), n), "runs": int(v.shape[0]),
            "days": float(np.median(col["days_struck"])), "missiles": float(np.median(col["missiles_fired"])),
            "ships": q(col["ships_destroyed"]), "aircraft": q(col["aircraft_destroyed"]),
            "lift": q(col["lift_destroyed"]), "production": q(col["production_lost"]),
            "aid": q(col["aid_destroyed"]) if "aid_destroyed" in col else (0.0, 0.0, 0.0),  # older files: none
            "highest_rung": {r.rungs[k]: int(r.rung[a, i, k]) for k in range(1, len(r.rungs))},
        })
    return rows


def compute(res: dict) -> list[dict] | None:
    """Strike summary of results held in memory; None for files written before the column existed."""
    r = reducing.in_memory(res, Reducer, "strike_measures", "strikes")
    return None if r is None else compute_arrays(res["layout"], r)


def compute_file(path, layout: dict) -> list[dict] | None:
    """Strike summary of a results file, read a chunk of replications at a time (None for a file
    without the column: the layout alone cannot say, schema 1.0 has no table)."""
    r = reducing.from_file(path, layout, Reducer, "strike_measures", {"states": ("strikes",)})
    return None if r is None else compute_arrays(layout, r)


def _n(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 10 or x == 0 else f"{x:.1f}"


def format_lines(rows: list[dict] | None) -> list[str]:
    """Summary lines (80 columns): one per striker -> target pair; [] when nobody struck."""
    if not rows:
        return []
    L = ["", "Strikes by striker -> target: share of runs struck; over those runs, median days",
         "and missiles, and destroyed median [5%, 95%]: ships, aircraft, lift (cp/day)",
         "  pair          struck   days missiles  ships          aircraft        lift"]
    for r in rows:
        pair = f"{r['striker']}->{r['target']}"
        s, a, lf = r["ships"], r["aircraft"], r["lift"]
        L.append(f"  {pair[:12]:<12} {100 * r['struck'][0]:5.1f}% {r['days']:6.0f} {_n(r['missiles']):>8}  "
                 f"{_n(s[0]):>4} [{_n(s[1])}, {_n(s[2])}]".ljust(46)
                 + f"{_n(a[0]):>4} [{_n(a[1])}, {_n(a[2])}]".ljust(16) + f"{_n(lf[0])} [{_n(lf[1])}, {_n(lf[2])}]")
        top = ", ".join(f"{k} {v}" for k, v in r["highest_rung"].items() if v)
        L.append(f"    rung reached (runs): {top}")  # counts runs that climbed but had no missiles left too
        prod = r["production"]
        if prod[2] > 0:
            L.append(f"    mobilisation rate lost {100 * prod[0]:.1f}% [{100 * prod[1]:.1f}, {100 * prod[2]:.1f}]")
        aid = r.get("aid", (0.0, 0.0, 0.0))
        if aid[2] > 0:
            L.append(f"    aid destroyed in transit {_n(aid[0])} [{_n(aid[1])}, {_n(aid[2])}] (arms cp, rounds)")
    return L


def report_section(rows: list[dict] | None) -> str:
    """The report's strikes table (HTML); "" when nobody struck."""
    if not rows:
        return ""
    body = "".join(
        f"<tr><td>{escape(r['striker'])} &rarr; {escape(r['target'])}</td><td>{100 * r['struck'][0]:.1f}%</td>"
        f"<td>{r['days']:.0f}</td><td>{r['missiles']:,.0f}</td>"
        + "".join(f"<td>{r[k][0]:,.1f} [{r[k][1]:,.1f}, {r[k][2]:,.1f}]</td>" for k in ("ships", "aircraft", "lift"))
        + f"<td>{100 * r['production'][0]:.1f}%</td></tr>" for r in rows)
    return ("<table><thead><tr><th>striker &rarr; target</th><th>runs struck</th><th>median days</th>"
            "<th>median missiles</th><th>ships destroyed</th><th>aircraft destroyed</th>"
            "<th>lift destroyed (cp/day)</th><th>mobilisation rate lost</th></tr></thead><tbody>" + body
            + "</tbody></table><p>Medians over the replications in which the pair struck; destroyed: median "
              "[5%, 95%].</p>")
