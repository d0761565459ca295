"""SVG figures of the validation: fitted against observed Ardennes series, CDB90 win rates.

Built on engine/report/svg.py's frame and axis helpers, so the figures look like the report's
and need nothing to render (no scripts, fonts or files).
"""

from __future__ import annotations

import math
from html import escape
from pathlib import Path

import numpy as np

from wargame.report import svg
from wargame.report.svg import M, PALETTE, W, H


def _nice(v: float) -> float:
    """Round an axis top up so its four intervals are round numbers (e.g. 4,536 -> 4,800)."""
    if v <= 0:
        return 1.0
    step = 10 ** math.floor(math.log10(v / 4))
    return math.ceil(v / (4 * step)) * 4 * step


def lines(title: str, x, series: dict, ylabel: str, xlabel: str, xticks=None, percent=False,
          legend: str = "top") -> str:
    """Lines over x. series: label -> (y, lo, hi, style); lo/hi (or None) draw whiskers; style
    'line', 'dots' (observations) or 'dash'. legend: 'top' (left) or 'bottom' (right), where the
    lines are not."""
    x = np.asarray(x, dtype=float)
    ys = [np.asarray(v[0], float) for v in series.values()]
    his = [np.asarray(v[2], float) for v in series.values() if v[2] is not None]
    top = max(float(np.nanmax(a)) for a in ys + his)
    hi = 1.0 if percent else _nice(top * 1.05)
    out = svg._open(title)
    axis, y = svg._yaxis(0.0, hi, H, ylabel, "{:.0%}" if percent else None)
    out += axis
    x0, x1 = M["l"] + 10, W - M["r"] - 10
    xmin, xmax = float(x.min()), float(x.max())

    def px(v):
        return x0 + (v - xmin) / ((xmax - xmin) or 1.0) * (x1 - x0)

    ticks = xticks if xticks is not None else [(v, f"{v:g}") for v in np.linspace(xmin, xmax, 7).round()]
    for v, lab in ticks:
        out.append(f'<text x="{px(v):.1f}" y="{H - M["b"] + 14}" text-anchor="middle">{escape(lab)}</text>')
    out.append(f'<text x="{(x0 + x1) / 2}" y="{H - 8}" text-anchor="middle">{escape(xlabel)}</text>')
    for i, (lab, (yv, lo, hi_, style)) in enumerate(series.items()):
        c = PALETTE[i % len(PALETTE)]
        yv = np.asarray(yv, float)
        if lo is not None:
            for a, l_, h_ in zip(x, lo, hi_):
                out.append(f'<path d="M{px(a):.1f},{y(l_):.1f}V{y(h_):.1f}" stroke="{c}" fill="none"/>')
        if style == "dots":
            out += [f'<circle cx="{px(a):.1f}" cy="{y(b):.1f}" r="3" fill="{c}"/>' for a, b in zip(x, yv)]
        else:
            dash = ' stroke-dasharray="6,3"' if style == "dash" else ""
            pts = " ".join(f"{px(a):.1f},{y(b):.1f}" for a, b in zip(x, yv))
            out.append(f'<polyline points="{pts}" fill="none" stroke="{c}" stroke-width="2"{dash}/>')
        if legend == "top":
            out.append(f'<text x="{M["l"] + 8}" y="{M["t"] + 14 * (i + 1)}" fill="{c}">{escape(lab)}</text>')
        else:
            ly = H - M["b"] - 8 - 14 * (len(series) - 1 - i)
            out.append(f'<text x="{W - M["r"] - 8}" y="{ly}" text-anchor="end" fill="{c}">{escape(lab)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def ardennes_figures(data: dict, fits: dict, campaign: dict, runs: dict) -> dict:
    """name -> SVG. data: the 'engaged' series; fits: law -> fit on it (days 1-32);
    campaign: the 'campaign' series; runs: law -> (days, blue, red) free runs on it."""
    figs = {}
    days = fits["linear"]["days"]
    for side, key in (("Allied (Blue)", "blue"), ("German (Red)", "red")):
        series = {f"observed {side} losses": (data[key + "_killed"][days], None, None, "dots")}
        for law, f in fits.items():
            series[f"{law} law, fitted"] = (f["pred_" + key], None, None, "line")
        figs[f"ardennes_daily_{key}"] = lines(
            f"Ardennes: {side} daily losses, observed and fitted (days 1-32)", days, series,
            "killed + wounded per day (aggregated force)", "day (1 = 16 Dec 1944)")
    # Cumulative losses since the morning of day 1 (the campaign-long series is a closed
    # system, so forces = day-1 forces - these): differences show, unlike on the forces.
    obs_days = campaign["day"][1:]
    for side, key in (("Allied (Blue)", "blue"), ("German (Red)", "red")):
        series = {f"observed {side}": (campaign[key][1] - campaign[key][1:], None, None, "dots")}
        for law, (d, blue, red) in runs.items():
            f = blue if key == "blue" else red
            series[f"{law} law, run from day 1"] = (f[0] - np.interp(obs_days, d, f), None, None, "line")
        figs[f"ardennes_campaign_{key}"] = lines(
            f"Ardennes: {side} cumulative losses, observed vs fitted laws run forward", obs_days, series,
            "cumulative losses since day 1 (aggregated force)", "day (1 = 16 Dec 1944)")
    return figs


def cdb90_figures(res: dict) -> dict:
    """name -> SVG: the stronger side's win rate by ratio, and the attacker's by posture."""
    figs = {}
    rows = res["stronger"]
    x = np.arange(len(rows))
    ticks = [(i, r["bin"]) for i, r in enumerate(rows)]

    def s(rs, key, style):
        return (np.array([r[key][0] for r in rs]), np.array([r[key][1] for r in rs]),
                np.array([r[key][2] for r in rs]), style)

    def b(rs):
        return np.array([r["belief"] for r in rs]), None, None, "dash"

    figs["cdb90_stronger"] = lines("CDB90: how often the stronger side won, history vs engine", x,
                                   {"history (CDB90)": s(rows, "hist", "dots"), "engine battle": s(rows, "engine", "line"),
                                    "engine states' belief": b(rows)},
                                   "stronger side wins (95% Wilson)", "force ratio, larger : smaller", ticks, True, "bottom")
    for post in ("hasty", "prepared", "fortified"):
        rs = [r for r in res["by_posture"] if r["posture"] == post]
        if not rs:
            continue
        figs[f"cdb90_{post}"] = lines(
            f"CDB90: attacker win rate against a {post} defence", np.arange(len(rs)),
            {"history (CDB90)": s(rs, "hist", "dots"), "engine battle": s(rs, "engine", "line"),
             "engine states' belief": b(rs)},
            "attacker wins (95% Wilson)", "force ratio, attacker : defender",
            [(i, r["bin"]) for i, r in enumerate(rs)], True, "bottom")
    return figs


def write(figs: dict, out_dir: Path) -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in figs.items():
        p = out_dir / f"{name}.svg"
        p.write_text(text + "\n", encoding="utf-8")
        paths.append(p)
    return paths
