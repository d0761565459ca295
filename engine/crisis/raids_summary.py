"""The raids in the terms of the case: launched, intercepted, leaked, stocks left, who joined, history.

Reads the raid columns of a results file (or of results held in memory) a chunk of
replications at a time, reduces each replication to per-series totals (a series is
one ``[[raids]]`` entry, its repeats summed), and formats the summary lines and the
report's history table. The history check places each observed value (a raid's
``observed.stopped_share``, from public sources) in the engine's distribution as a
mid-rank percentile: 100 x (P(sim < obs) + P(sim = obs) / 2).
"""

from __future__ import annotations

from html import escape

import numpy as np

from wargame.crisis import reducing

REP_COLS = ("raid_launched", "raid_failed", "raid_intercepted", "raid_leaked", "raid_damage", "raid_joined",
            "interceptor_stock_start", "interceptor_stock_left")
STATE_COLS = ("interceptors_fired", "interceptor_cost_musd")


def _series(lay: dict) -> list[dict]:
    """Raid series in file order: name, day range, the instance indices, observed values."""
    out: dict[int, dict] = {}
    for n, inst in enumerate(lay["instances"]):
        s = out.setdefault(inst["series"], {"name": inst["name"], "idx": [], "observed": inst["observed"],
                                            "target": inst["target"], "days": []})
        s["idx"].append(n)
        s["days"].append(inst["day"])
    return [out[k] for k in sorted(out)]


class Reducer:
    """Per-replication series totals, gathered chunk by chunk (float32: what percentiles need)."""

    def __init__(self, layout: dict):
        self.lay = layout
        self.rl = layout["raids"]
        self.series = _series(self.rl)
        self.parts: dict[str, list] = {}

    def add(self, reps: dict, st: dict) -> None:
        keep = {}
        for i, s in enumerate(self.series):
            idx = s["idx"]
            for k in ("launched", "failed", "intercepted", "leaked"):
                keep[f"{k}{i}"] = reps[f"raid_{k}"][:, idx, :].sum(axis=1)  # (n, K)
            keep[f"damage{i}"] = reps["raid_damage"][:, idx].sum(axis=1)
            keep[f"joined{i}"] = reps["raid_joined"][:, idx, :].any(axis=1)  # (n, S)
        keep["stock_start"] = reps["interceptor_stock_start"]
        keep["stock_left"] = reps["interceptor_stock_left"]
        keep["fired"] = st["interceptors_fired"]
        keep["cost"] = st["interceptor_cost_musd"]
        for k, v in keep.items():
            self.parts.setdefault(k, []).append(np.asarray(v))

    def arrays(self) -> dict:
        return {k: np.concatenate(v) for k, v in self.parts.items()}


def percentile_of(sim: np.ndarray, obs: float) -> float:
    """Mid-rank percentile of obs among the simulated values (ties count half)."""
    sim = np.asarray(sim, dtype=float)
    return float(100.0 * (np.mean(sim < obs) + 0.5 * np.mean(sim == obs)))


def compute_arrays(lay: dict, a: dict) -> dict:
    """The raid summary from reduced arrays: per series, per layer, per state, and the history checks."""
    rl = lay["raids"]
    series = _series(rl)
    out = {"weapons": rl["weapon_names"], "unit": rl["damage_unit"], "series": [], "layers": [], "states": [],
           "history": []}
    q = lambda x: tuple(float(v) for v in np.percentile(x, [50, 5, 95]))  # noqa: E731
    for i, s in enumerate(series):
        L, F, I, K = (a[f"{k}{i}"] for k in ("launched", "failed", "intercepted", "leaked"))
        tot = L.sum(axis=1)
        stopped = np.where(tot > 0, 1.0 - K.sum(axis=1) / np.maximum(tot, 1e-300), np.nan)
        row = {"name": s["name"], "days": (min(s["days"]), max(s["days"])), "raids": len(s["idx"]),
               "target": lay["states"][s["target"]],
               "launched": q(tot), "failed": q(F.sum(axis=1)), "intercepted": q(I.sum(axis=1)),
               "leaked": q(K.sum(axis=1)), "damage": q(a[f"damage{i}"]),
               "stopped": q(stopped[np.isfinite(stopped)]) if np.isfinite(stopped).any() else (np.nan,) * 3,
               "by_type": [(rl["weapons"][k], float(np.median(L[:, k])), float(np.median(I[:, k])),
                            float(np.median(K[:, k]))) for k in range(L.shape[1])],
               "joined": {lay["states"][t]: float(a[f"joined{i}"][:, t].mean())
                          for t in sorted(set(rl["layer_owner"])) if t != s["target"]}}
        out["series"].append(row)
        o = s["observed"]
        if o is not None:
            fin = stopped[np.isfinite(stopped)]
            pct = percentile_of(fin, o["stopped_share"])
            out["history"].append({
                "raid": s["name"], "observed": o["stopped_share"], "low": o["low"], "high": o["high"],
                "engine": row["stopped"], "percentile": pct,
                "percentile_range": (percentile_of(fin, o["low"]), percentile_of(fin, o["high"])),
                "inside": 5.0 <= pct <= 95.0,
                "joined": [(sid, row["joined"].get(sid, 0.0)) for sid in (o["joined"] or [])],
                "source": o["source"]})
    for l, name in enumerate(rl["layers"]):
        out["layers"].append({"layer": name, "start": float(np.median(a["stock_start"][:, l])),
                              "left": q(a["stock_left"][:, l]),
                              "empty": float(np.mean(a["stock_left"][:, l] < 1.0))})
    for t in sorted(set(rl["layer_owner"])):
        out["states"].append({"state": lay["states"][t], "fired": q(a["fired"][:, t]), "cost": q(a["cost"][:, t])})
    return out


def compute(res: dict) -> dict | None:
    """Raid summary of results held in memory; None when the scenario has no raids."""
    r = reducing.in_memory(res, Reducer, "raids", STATE_COLS[0])
    return None if r is None else compute_arrays(res["layout"], r.arrays())


def compute_file(path, layout: dict) -> dict | None:
    """Raid summary of a results file, read a chunk of replications at a time."""
    r = reducing.from_file(path, layout, Reducer, "raids", {"replications": REP_COLS, "states": STATE_COLS})
    return None if r is None else compute_arrays(layout, r.arrays())


def _n(x: float) -> str:
    return "-" if not np.isfinite(x) else f"{x:,.0f}"


def _d(x: float) -> str:
    return _n(x) if abs(x) >= 100 else f"{x:.1f}"


def _p(x: float) -> str:
    return "  -  " if not np.isfinite(x) else f"{100 * x:5.1f}%"


def format_lines(r: dict | None) -> list[str]:
    """Summary lines (80 columns) for the raids; [] when there are none."""
    if not r:
        return []
    L = ["", f"Raids: median [5%, 95%] over replications; damage in {r['unit']};",
         "by type: launched/intercepted/leaked",
         "  raid               day(s) launched failed intercepted leaked stopped [5-95%]"]
    for s in r["series"]:
        d0, d1 = s["days"]
        days = f"{d0:g}" if s["raids"] == 1 else f"{d0:g}-{d1:g}"
        lo, hi = s["stopped"][1], s["stopped"][2]
        band = f"[{100 * lo:.0f}-{100 * hi:.0f}%]" if np.isfinite(lo) else ""
        L.append(f"  {s['name'][:18]:<18} {days:>7} {_n(s['launched'][0]):>8} {_n(s['failed'][0]):>6} "
                 f"{_n(s['intercepted'][0]):>11} {_n(s['leaked'][0]):>6} {_p(s['stopped'][0]).strip()} {band}")
        L.append("    " + (f"{s['raids']} raids; " if s["raids"] > 1 else "")
                 + ", ".join(f"{w} {_n(a)}/{_n(i)}/{_n(k)}" for w, a, i, k in s["by_type"] if a > 0))
        joined = ", ".join(f"{sid} {100 * p:.0f}%" for sid, p in s["joined"].items())
        L.append(f"    damage {_d(s['damage'][0])} [{_d(s['damage'][1])}, {_d(s['damage'][2])}]")
        if joined:
            L.append(f"    joined the defence: {joined}")
    L += ["", "Interceptor stocks at the end: median left [5%, 95%] of the start; share run dry"]
    for ly in r["layers"]:
        m, lo, hi = ly["left"]
        L.append(f"  {ly['layer'][:32]:<32} {_n(m):>6} [{_n(lo)}, {_n(hi)}] of {_n(ly['start'])}, "
                 f"dry in {100 * ly['empty']:.0f}%")
    L.append("  interceptors fired (cost, USD million), median:")
    L.append("    " + "; ".join(f"{s['state']} {_n(s['fired'][0])} ({s['cost'][0]:,.0f})" for s in r["states"]))
    if r["history"]:
        L += ["", "History in the distribution: share stopped = 1 - leaked/launched, public range;",
              "the percentile of the value (of the range's ends) among the replications"]
    for h in r["history"]:
        lo, hi = h["percentile_range"]
        L.append(f"  {h['raid'][:18]:<18} {100 * h['observed']:.1f}% ({100 * h['low']:.1f}-{100 * h['high']:.1f}%): "
                 f"percentile {h['percentile']:.0f} ({lo:.0f}-{hi:.0f}), "
                 + ("inside 5-95" if h["inside"] else "OUTSIDE 5-95"))
        if h["joined"]:
            L.append("    joined in history; engine's share: "
                     + ", ".join(f"{sid} {100 * p:.0f}%" for sid, p in h["joined"]))
    return L


def report_section(r: dict | None, svg) -> tuple[str, dict]:
    """The report's raids section (HTML) and its figure; ("", {}) when there are no raids."""
    if not r:
        return "", {}
    figs = {}
    hist = r["history"]
    if hist:
        labels, vals, lo, hi = [], [], [], []
        for h in hist:
            labels += [f"{h['raid']}: engine", f"{h['raid']}: history"]
            vals += [h["engine"][0], h["observed"]]
            lo += [h["engine"][1], h["low"]]
            hi += [h["engine"][2], h["high"]]
        figs["raids_history"] = svg.bars("Share of projectiles stopped: engine (median, 5-95%) and history "
                                         "(public range)", labels, vals, lo, hi, "share stopped", percent=True)
    rows = "".join(
        f"<tr><td>{escape(h['raid'])}</td><td>{100 * h['observed']:.1f}% ({100 * h['low']:.1f}-{100 * h['high']:.1f}%)"
        f"</td><td>{100 * h['engine'][0]:.1f}% [{100 * h['engine'][1]:.1f}, {100 * h['engine'][2]:.1f}]</td>"
        f"<td>{h['percentile']:.0f} ({h['percentile_range'][0]:.0f}-{h['percentile_range'][1]:.0f})</td>"
        f"<td>{'inside' if h['inside'] else 'OUTSIDE'}</td><td>"
        + escape(", ".join(f"{sid}: engine {100 * p:.0f}%" for sid, p in h["joined"])) + f"</td>"
        f"<td>{escape(h['source'])}</td></tr>" for h in hist)
    table = ("<table><thead><tr><th>raid</th><th>history: stopped share (range)</th><th>engine median [5%, 95%]"
             "</th><th>percentile of history (of its range)</th><th>central 90%</th><th>joined in history: "
             "engine's share</th><th>sources</th></tr></thead><tbody>" + rows + "</tbody></table>") if hist else ""
    series = "".join(
        f"<tr><td>{escape(s['name'])}</td><td>{_n(s['launched'][0])}</td><td>{_n(s['failed'][0])}</td>"
        f"<td>{_n(s['intercepted'][0])}</td><td>{_n(s['leaked'][0])} [{_n(s['leaked'][1])}, {_n(s['leaked'][2])}]"
        f"</td><td>{s['damage'][0]:.1f}</td></tr>" for s in r["series"])
    layers = "".join(f"<tr><td>{escape(ly['layer'])}</td><td>{_n(ly['start'])}</td><td>{_n(ly['left'][0])} "
                     f"[{_n(ly['left'][1])}, {_n(ly['left'][2])}]</td><td>{100 * ly['empty']:.0f}%</td></tr>"
                     for ly in r["layers"])
    html = (figs.get("raids_history", "") + table
            + "<p>Percentile: where the historical value falls among the replications (mid-rank); inside the "
              "central 90% means between the 5th and 95th.</p>"
            + f"<table><thead><tr><th>raid</th><th>launched</th><th>failed</th><th>intercepted</th><th>leaked "
              f"[5%, 95%]</th><th>damage ({escape(r['unit'])})</th></tr></thead><tbody>{series}</tbody></table>"
            + "<table><thead><tr><th>layer</th><th>stock at start</th><th>left at the end [5%, 95%]</th>"
              f"<th>run dry</th></tr></thead><tbody>{layers}</tbody></table>")
    return html, figs
