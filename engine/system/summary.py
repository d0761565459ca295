"""Summary of a system-kind run: state survival, system endurance, wars; and the doctrine comparison.

Reads the per-replication and per-state columns a chunk of rows at a time, so a
file of any size is summarised in bounded memory.
"""

from __future__ import annotations

import numpy as np

from wargame.estimate import wilson

COLUMNS = {"replications": ("survivors", "endurance_years", "dominated", "wars", "war_sizes", "conquests",
                            "contests", "alliances_formed"),
           "states": ("survived", "final_share")}


class Accumulator:
    def __init__(self, attrs: dict, layout: dict):
        self.attrs, self.lay = attrs, layout
        S = len(layout["states"])
        self.n = 0
        self.all_survived = self.dominated = 0
        self.survivors = self.endurance = self.wars = self.conquests = self.contests = self.blocs = 0.0
        self.dom_years: list = []
        self.sizes = np.zeros(S + 1, dtype=np.int64)
        self.alive = np.zeros(S, dtype=np.int64)
        self.share = np.zeros(S)

    def add(self, rp: dict, st: dict) -> None:
        self.n += rp["survivors"].size
        self.all_survived += int(st["survived"].all(axis=1).sum())
        self.dominated += int(rp["dominated"].sum())
        self.dom_years.append(rp["endurance_years"][rp["dominated"]].astype(np.float32))
        self.survivors += float(rp["survivors"].sum())
        self.endurance += float(rp["endurance_years"].sum())
        self.wars += float(rp["wars"].sum())
        self.conquests += float(rp["conquests"].sum())
        self.contests += float(rp["contests"].sum())
        self.blocs += float(rp["alliances_formed"].sum())
        self.sizes += rp["war_sizes"].sum(axis=0)
        self.alive += st["survived"].sum(axis=0)
        self.share += st["final_share"].sum(axis=0)

    def result(self) -> dict:
        n, lay = self.n, self.lay
        dom = np.concatenate(self.dom_years) if self.dom_years else np.empty(0)
        nw = int(self.sizes.sum())
        sizes = np.arange(self.sizes.size)
        docs = sorted(set(lay["doctrines"]))
        return {
            "runs": n, "scenario": self.attrs.get("scenario", ""), "seed": self.attrs.get("seed"),
            "doctrine": ", ".join(docs), "states": len(lay["states"]), "horizon": lay["horizon_years"],
            "all_survived": wilson(self.all_survived, n),
            "survivors": self.survivors / n,
            "dominated": wilson(self.dominated, n),
            "endurance_mean": self.endurance / n,
            "endurance_dominated": tuple(np.percentile(dom, [50, 5, 95])) if dom.size else (np.nan,) * 3,
            "wars": self.wars / n,
            "war_size_mean": float((self.sizes * sizes).sum() / nw) if nw else float("nan"),
            "war_size_max": int(sizes[self.sizes > 0].max()) if nw else 0,
            "war_size_counts": {int(k): int(v) for k, v in enumerate(self.sizes) if v},
            "conquests": self.conquests / n,
            "contests": self.contests / n,
            "blocs": self.blocs / n,
            "per_state": [{"state": sid, "doctrine": lay["doctrines"][s], "survived": wilson(int(self.alive[s]), n),
                           "final_share": self.share[s] / n} for s, sid in enumerate(lay["states"])],
        }


def compute(res: dict) -> dict:
    acc = Accumulator(res["attrs"], res["layout"])
    acc.add(res["replications"], res["states"])
    return acc.result()


def compute_file(path) -> dict:
    from wargame.execution.store import iter_columns, read_meta

    attrs, layout = read_meta(path)
    acc = Accumulator(attrs, layout)
    for chunk in iter_columns(path, COLUMNS):
        acc.add(chunk["replications"], chunk["states"])
    if acc.n == 0:
        raise ValueError("no finished replication yet")
    return acc.result()


def _pct(p) -> str:
    return f"{100 * p:5.1f}%"


def format_table(s: dict) -> str:
    """A plain-text summary in 80 columns."""
    p, lo, hi = s["all_survived"]
    d, dlo, dhi = s["dominated"]
    med, a, b = s["endurance_dominated"]
    L = [f"{s['scenario']} (system, {s['states']} states, {s['horizon']} years, doctrine {s['doctrine']}): "
         f"{s['runs']} replications, seed {s['seed']}", "",
         f"All states survive       {_pct(p)}  [{_pct(lo)}, {_pct(hi)}]   survivors per run {s['survivors']:.2f}",
         f"One state dominates      {_pct(d)}  [{_pct(dlo)}, {_pct(dhi)}]   "
         + (f"year median {med:.0f} (5-95%: {a:.0f}-{b:.0f})" if np.isfinite(med) else "never"),
         f"System endurance         mean {s['endurance_mean']:.1f} years (the horizon when never dominated)",
         f"Wars per run             {s['wars']:.2f}; states per war mean {s['war_size_mean']:.2f}, "
         f"max {s['war_size_max']}",
         f"Conquests per run        {s['conquests']:.2f}; balancing blocs formed {s['blocs']:.2f}; "
         f"contests for control {s['contests']:.2f}",
         "", "State    doctrine              survives (95% CI)          mean final share"]
    for r in s["per_state"]:
        q, ql, qh = r["survived"]
        L.append(f"  {r['state']:<6} {r['doctrine']:<20} {_pct(q)} [{_pct(ql)}, {_pct(qh)}]   {_pct(r['final_share'])}")
    return "\n".join(L)


def format_comparison(rows: list[tuple[str, dict, float]]) -> str:
    """One line per doctrine: (doctrine, summary, wall seconds)."""
    L = ["doctrine              all survive  survivors  dominated  endurance  wars  size  wall s"]
    for name, s, sec in rows:
        L.append(f"{name:<21} {_pct(s['all_survived'][0]):>11}  {s['survivors']:>9.2f}  {_pct(s['dominated'][0]):>9}"
                 f"  {s['endurance_mean']:>9.1f}  {s['wars']:>4.1f}  {s['war_size_mean']:>4.2f}  {sec:>6.1f}")
    return "\n".join(L)
