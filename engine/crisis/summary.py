"""The end-of-run summary: outcome probabilities with 95% intervals, interventions, losses.

Works on the dictionary that ``results.read`` (or ``MemoryResults.read``) returns, so
the same table can be printed for a finished file with ``wargame summary``.
"""

from __future__ import annotations

import numpy as np

from wargame.crisis import aid_results
from wargame.crisis import cases
from wargame.crisis import air_force_summary
from wargame.crisis import casualties_summary
from wargame.crisis import fleet_summary
from wargame.crisis import raids_summary
from wargame.crisis import strikes_summary
from wargame.estimate import Histogram, wilson

# The columns the summary reads: a small part of a results file.
COLUMNS = {"replications": ("outcome", "war_day", "end_day"),
           "states": ("intervened", "intervention_day", "side", "withdrew_day", "losses", "losses_cp",
                      "escalation_level")}


class Accumulator:
    """Summary statistics over chunks of replications, so a file of any size is summarised in
    bounded memory: counts are summed, and percentiles come from histograms (``Histogram``)."""

    def __init__(self, attrs: dict, layout: dict):
        self.attrs, self.lay = attrs, layout
        S = len(layout["states"])
        step = float(layout.get("step_days", 1.0))
        self.n = 0
        self.outcomes = np.zeros(len(layout["outcomes"]), dtype=np.int64)
        self.durations = Histogram(step)
        self.iv = np.zeros(S, dtype=np.int64)
        self.iv_days = [Histogram(step) for _ in range(S)]
        self.side = np.zeros((S, 2), dtype=np.int64)  # joined defender, joined attacker
        self.withdrew = np.zeros(S, dtype=np.int64)
        self.losses = [Histogram() for _ in range(S)]
        # platforms lost in wars: aircraft (air cp) and ships (naval cp), per state
        self.platforms = [[Histogram(), Histogram()] for _ in range(S)]
        self.esc = np.zeros((S, 4), dtype=np.int64)

    def add(self, reps: dict, st: dict) -> None:
        self.n += reps["outcome"].size
        self.outcomes += np.bincount(reps["outcome"], minlength=self.outcomes.size)
        war = np.isfinite(reps["war_day"])
        self.durations.add((reps["end_day"] - reps["war_day"])[war])
        for s in range(self.iv.size):
            iv = st["intervened"][:, s]
            self.iv[s] += int(iv.sum())
            self.iv_days[s].add(st["intervention_day"][iv, s] - reps["war_day"][iv])
            self.side[s] += [(st["side"][iv, s] == -1).sum(), (st["side"][iv, s] == 1).sum()]
            self.withdrew[s] += int(np.isfinite(st["withdrew_day"][:, s]).sum())
            self.losses[s].add(st["losses"][war, s, :].sum(axis=1))
            for i in (0, 1):
                self.platforms[s][i].add(st["losses_cp"][war, s, 1 + i])
            self.esc[s] += [(st["escalation_level"][:, s] >= k).sum() for k in (1, 2, 3, 4)]

    def result(self) -> dict:
        lay, n = self.lay, self.n
        out = {"runs": n, "scenario": self.attrs.get("scenario", ""), "seed": self.attrs.get("seed")}
        out["outcomes"] = {name: wilson(int(self.outcomes[i]), n) for i, name in enumerate(lay["outcomes"])}
        out["wars"] = self.durations.n
        out["duration"] = self.durations.percentile([50, 5, 95])
        rows = []
        for s, sid in enumerate(lay["states"]):
            rows.append({
                "state": sid,
                "role": "attacker" if s == lay["attacker"] else "defender" if s == lay["defender"] else "third party",
                "intervened": wilson(int(self.iv[s]), n),
                "joined_defender": int(self.side[s, 0]),
                "joined_attacker": int(self.side[s, 1]),
                "median_day": self.iv_days[s].percentile([50])[0],
                "withdrew": int(self.withdrew[s]),
                "losses": self.losses[s].percentile([50, 5, 95]),
                "aircraft_lost": self.platforms[s][0].percentile([50, 5, 95]),
                "ships_lost": self.platforms[s][1].percentile([50, 5, 95]),
                "escalation": [wilson(int(self.esc[s, k]), n) for k in range(4)],
            })
        out["states"] = rows
        return out


def compute(res: dict) -> dict:
    """Summary of results held in memory (the dictionary ``read`` returns)."""
    acc = Accumulator(res["attrs"], res["layout"])
    acc.add(res["replications"], res["states"])
    return {**acc.result(), "case": cases.compute(res), "raids": raids_summary.compute(res),
            "strikes": strikes_summary.compute(res), "casualties": casualties_summary.compute(res),
            "ships_by_class": fleet_summary.compute(res), "aircraft": air_force_summary.compute(res),
            "aid": aid_results.compute(res)}  # case lines: engine/crisis/cases.py


def compute_file(path) -> dict:
    """Summary of a results file (complete or interrupted), read a chunk of rows at a time."""
    from wargame.execution.store import iter_columns, read_meta

    attrs, layout = read_meta(path)
    acc = Accumulator(attrs, layout)
    # Chunks of 16,384 rows (4 HDF5 chunks): the summary of a million replications then needs
    # no more memory than the summary of ten thousand.
    for chunk in iter_columns(path, COLUMNS, chunk=16_384):
        acc.add(chunk["replications"], chunk["states"])
    if acc.n == 0:
        raise ValueError("no finished replication yet")
    return {**acc.result(), "case": cases.compute_file(path), "raids": raids_summary.compute_file(path, layout),
            "strikes": strikes_summary.compute_file(path, layout),
            "casualties": casualties_summary.compute_file(path, layout),
            "ships_by_class": fleet_summary.compute_file(path, layout),
            "aid": aid_results.compute_file(path, layout),
            "aircraft": air_force_summary.compute_file(path, layout)}


def _pct(p) -> str:
    return f"{100 * p:5.1f}%"


def _num(x: float) -> str:
    if not np.isfinite(x):
        return "-"
    for unit, div in (("M", 1e6), ("k", 1e3)):
        if abs(x) >= div:
            return f"{x / div:.1f}{unit}"
    return f"{x:.0f}"


def format_table(s: dict) -> str:
    """A plain-text summary that fits in 80 columns."""
    L = [f"{s['scenario']}: {s['runs']} replications, seed {s['seed']}", "",
         "Outcome              probability   95% interval"]
    for name, (p, lo, hi) in s["outcomes"].items():
        L.append(f"  {name:<18} {_pct(p):>9}     [{_pct(lo)}, {_pct(hi)}]")
    med, lo, hi = s["duration"]
    L.append("")
    L.append(f"Wars fought: {s['wars']}; duration median {med:.0f} days (5-95%: {lo:.0f}-{hi:.0f})"
             if s["wars"] else "Wars fought: 0")
    L += ["", "State   role         intervened (95% CI)      day  withdrew  losses median [5%, 95%]"]
    for r in s["states"]:
        p, lo_, hi_ = r["intervened"]
        iv = f"{_pct(p)} [{_pct(lo_)},{_pct(hi_)}]" if r["role"] == "third party" else "-"
        day = f"{r['median_day']:.0f}" if np.isfinite(r["median_day"]) else "-"
        m, a, b = r["losses"]
        L.append(f"  {r['state']:<5} {r['role']:<12} {iv:<24} {day:>4} {r['withdrew']:>9}  "
                 f"{_num(m)} [{_num(a)}, {_num(b)}]")
    L += casualties_summary.format_lines(s.get("casualties"))
    plat = [r for r in s["states"] if np.nanmax([*r.get("aircraft_lost", [0.0]), *r.get("ships_lost", [0.0])]) > 0]
    if plat:
        L += ["", "Platforms lost in wars   aircraft median [5%, 95%]   ships median [5%, 95%]"]
        for r in plat:
            (am, al, ah), (sm, sl, sh) = r["aircraft_lost"], r["ships_lost"]
            L.append(f"  {r['state']:<22} {_num(am):>8} [{_num(al)}, {_num(ah)}]".ljust(55)
                     + f"{_num(sm):>6} [{_num(sl)}, {_num(sh)}]")
    L += fleet_summary.format_lines(s.get("ships_by_class"))
    L += air_force_summary.format_lines(s.get("aircraft"))
    esc = [r for r in s["states"] if r["escalation"][0][0] > 0]
    if esc:
        L += ["", "Escalation by actor, share reaching at least: forces   bases  homeland  nuclear"]
        for r in esc:
            L.append(f"  {r['state']:<42}" + "".join(f"{_pct(e[0]):>8}" for e in r["escalation"]))
    L += strikes_summary.format_lines(s.get("strikes"))
    sides = [r for r in s["states"] if r["joined_attacker"]]
    for r in sides:
        L.append(f"  note: {r['state']} joined the attacker's side in {r['joined_attacker']} replications")
    if s.get("case"):
        L += cases.format_lines(s["case"])
    L += raids_summary.format_lines(s.get("raids"))
    L += aid_results.format_lines(s.get("aid"))
    return "\n".join(L)
