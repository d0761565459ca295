"""Lanchester laws fitted to the Ardennes campaign's daily data with the engine's own kernel.

Data: the Ardennes Campaign Simulation Data Base (ACSDB) as printed by Fricker (1998),
see data/validation/PROVENANCE.md. Forces are aggregated as Bracken (1995) did:
combat manpower + 20 x tanks + 5 x APCs + 40 x artillery (air sorties weight 0).

Model, in Bracken's notation (Blue = Allied, Red = German), for each day i:

    Blue losses:  dB/dt = -a R^p B^q        Red losses:  dR/dt = -b B^p R^q

Named laws (p, q): linear (1, 1), square (1, 0), logarithmic (0, 1), Hartley's
mixed law (0.4, 0.75) as quoted from Fricker; "free" fits p and q too (Bracken's
general form). The kernel ``kernels.lanchester_step`` writes the same system with
the exponents swapped (its p is on the side's own strength): kernel (p, q) =
Bracken (q, p), with the German side as the kernel's x and the Allied side as y.

Fit: each day of the window starts from the observed forces of that day, the
kernel integrates the law over one day, and its predicted losses are compared
with the observed killed; a, b (and p, q when free) minimise the sum of squared
residuals over both sides' daily losses (Nelder-Mead, ``fit.py``). This is the
one-day-ahead form both Bracken and Fricker fitted (they used each day's observed
forces); unlike Bracken we have no attack/defend parameter d.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from wargame import kernels

from wargame.history.data import DEFAULT_DIR, DataError, number, read_csv
from wargame.history.fit import goodness, nelder_mead

WEIGHTS = {"combat_manpower": 1.0, "tanks": 20.0, "apcs": 5.0, "artillery": 40.0}  # Bracken's
FILES = {"engaged": "ardennes_acsdb_daily_bracken.csv",
         "campaign": "ardennes_acsdb_daily_fricker_reformatted.csv"}
LAWS = {"linear": (1.0, 1.0), "square": (1.0, 0.0), "log": (0.0, 1.0), "hartley": (0.4, 0.75), "free": None}
WINDOWS = {"bracken": (1, 10), "full": (1, 32)}   # Bracken fitted days 1-10, Fricker 1-32
EXP_RANGE = (0.0, 2.5)  # free exponents: the kernel needs p, q >= 0


def load(kind: str = "engaged", data_dir: Path = DEFAULT_DIR) -> dict:
    """Daily series of one ACSDB file: day, blue, red (aggregated force), blue_killed, red_killed."""
    if kind not in FILES:
        raise DataError(f"ardennes dataset {kind!r}: expected one of {', '.join(FILES)}")
    path = Path(data_dir) / "ardennes" / FILES[kind]
    cols = ["day"] + [f"{s}_{r}{k}" for s in ("blue", "red") for r in WEIGHTS for k in ("", "_killed")]
    rows = read_csv(path, tuple(cols))
    out = {"day": np.array([number(path, i, "day", r["day"]) for i, r in enumerate(rows)], dtype=np.int64)}
    for side in ("blue", "red"):
        for k in ("", "_killed"):
            out[side + k] = np.array([sum(w * number(path, i, f"{side}_{r}{k}", row[f"{side}_{r}{k}"])
                                          for r, w in WEIGHTS.items()) for i, row in enumerate(rows)])
    if not np.array_equal(out["day"], np.arange(len(rows))):
        raise DataError(f"{path}: day = {out['day'].tolist()}: expected consecutive days 0, 1, 2, ...")
    return out


def _window(d: dict, window: tuple[int, int]) -> np.ndarray:
    lo, hi = window
    return np.flatnonzero((d["day"] >= lo) & (d["day"] <= hi))


def predict(d: dict, idx, a: float, b: float, p: float, q: float):
    """One-day predicted losses (blue, red) on days ``idx`` from that day's observed forces."""
    red, blue = d["red"][idx], d["blue"][idx]
    # Bracken's (p, q) are the kernel's (q, p): see the module docstring. No reinforcement, one day.
    x1, y1 = kernels.lanchester_step(red, blue, a=a, b=b, p=q, q=p, rx=0.0, ry=0.0, dt=1.0)
    return blue - y1, red - x1


def fit_law(d: dict, window: tuple[int, int], law: str) -> dict:
    """Least-squares a, b (and p, q for 'free') over the window's days; goodness of fit."""
    idx = _window(d, window)
    obs = np.concatenate([d["blue_killed"][idx], d["red_killed"][idx]])
    rs, bs = d["red"][idx].mean(), d["blue"][idx].mean()  # scales: the search runs on O(1) numbers

    def coeffs(v):
        p, q = LAWS[law] if LAWS[law] is not None else (v[2], v[3])
        return math.exp(v[0]) / (rs ** p * bs ** q), math.exp(v[1]) / (bs ** p * rs ** q), p, q

    def ssr(v):
        if LAWS[law] is None and not (EXP_RANGE[0] <= v[2] <= EXP_RANGE[1] and EXP_RANGE[0] <= v[3] <= EXP_RANGE[1]):
            return math.inf
        pb, pr = predict(d, idx, *coeffs(v))
        return float(np.sum((obs - np.concatenate([pb, pr])) ** 2))

    def start(p, q):
        # Euler estimate: mean observed loss over the mean of the law's scaled term
        gb = (d["red"][idx] / rs) ** p * (d["blue"][idx] / bs) ** q
        gr = (d["blue"][idx] / bs) ** p * (d["red"][idx] / rs) ** q
        return [math.log(d["blue_killed"][idx].mean() / gb.mean()), math.log(d["red_killed"][idx].mean() / gr.mean())]

    if LAWS[law] is None:
        # Start the free search from the best named law, so it can only improve on it.
        best = min((fit_law(d, window, n) for n in LAWS if LAWS[n] is not None), key=lambda r: r["ssr"])
        v0 = start(best["p"], best["q"]) + [best["p"], best["q"]]
        v, _, iters = nelder_mead(ssr, v0, [0.1, 0.1, 0.1, 0.1])
    else:
        v, _, iters = nelder_mead(ssr, start(*LAWS[law]), [0.1, 0.1])
    a, b, p, q = coeffs(v)
    pb, pr = predict(d, idx, a, b, p, q)
    g = goodness(obs, np.concatenate([pb, pr]))
    return {"law": law, "window": window, "a": a, "b": b, "p": p, "q": q, "iterations": iters,
            "days": d["day"][idx], "pred_blue": pb, "pred_red": pr, **g,
            "mape_blue": goodness(d["blue_killed"][idx], pb)["mape"],
            "mape_red": goodness(d["red_killed"][idx], pr)["mape"]}


def free_run(d: dict, fit: dict, first: int = 1, last: int = 32):
    """Forces (blue, red) from day ``first``'s observed ones, stepped by the kernel with no
    reinforcement: meaningful for the campaign-long ('campaign') series, a closed system."""
    n = last - first + 1
    blue, red = np.empty(n + 1), np.empty(n + 1)
    i0 = int(np.flatnonzero(d["day"] == first)[0])
    blue[0], red[0] = d["blue"][i0], d["red"][i0]
    for k in range(n):
        x1, y1 = kernels.lanchester_step(red[k:k + 1], blue[k:k + 1], a=fit["a"], b=fit["b"], p=fit["q"], q=fit["p"],
                                         rx=0.0, ry=0.0, dt=1.0)  # Bracken's (p, q) swapped, as in predict
        red[k + 1], blue[k + 1] = x1[0], y1[0]
    return np.arange(first, last + 2), blue, red


def fit_all(data_dir: Path = DEFAULT_DIR) -> list[dict]:
    """Every (dataset, window, law) fit, in table order."""
    out = []
    for kind in FILES:
        d = load(kind, data_dir)
        for wname, window in WINDOWS.items():
            for law in LAWS:
                r = fit_law(d, window, law)
                r.update(dataset=kind, window_name=wname)
                out.append(r)
    return out


def format_table(fits: list[dict]) -> str:
    """The fits as a fixed-width table (what ``wargame history ardennes`` prints)."""
    head = (f"{'data':<9} {'days':<6} {'law':<8} {'a (Blue loss)':>13} {'b (Red loss)':>13} {'p':>5} {'q':>5} "
            f"{'SSR':>10} {'R^2':>6} {'MAPE B':>7} {'MAPE R':>7}")
    lines = [head, "-" * len(head)]
    for r in fits:
        lo, hi = r["window"]
        lines.append(f"{r['dataset']:<9} {f'{lo}-{hi}':<6} {r['law']:<8} {r['a']:>13.4e} {r['b']:>13.4e} "
                     f"{r['p']:>5.2f} {r['q']:>5.2f} {r['ssr']:>10.4g} {r['r2']:>6.3f} "
                     f"{r['mape_blue']:>6.1f}% {r['mape_red']:>6.1f}%")
    lines.append("")
    lines.append("Blue loss/day = a R^p B^q, Red loss/day = b B^p R^q (Bracken's notation); forces = manpower + "
                 "20 tanks + 5 APCs + 40 artillery.")
    lines.append("SSR, R^2 over both sides' daily losses; MAPE = mean |error| / observed per side. Published "
                 "fitted values (Bracken 1995, Fricker 1998) are not reproduced: see docs/validation.md.")
    return "\n".join(lines)


def report(data_dir: Path = DEFAULT_DIR, plot_dir: Path | None = None) -> tuple[str, list[Path]]:
    """The table of every fit and, with plot_dir, its SVG figures: what the CLI prints and writes."""
    from wargame.history import plots

    fits = fit_all(data_dir)
    paths = []
    if plot_dir is not None:
        full = {r["law"]: r for r in fits if r["dataset"] == "engaged" and r["window_name"] == "full"}
        camp = load("campaign", data_dir)
        runs = {r["law"]: free_run(camp, r) for r in fits if r["dataset"] == "campaign"
                and r["window_name"] == "full" and r["law"] in ("linear", "square", "log")}
        paths = plots.write(plots.ardennes_figures(load("engaged", data_dir), full, camp, runs), plot_dir)
    return format_table(fits), paths
