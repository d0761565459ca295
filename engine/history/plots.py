"""Figures of the validation: fitted against observed Ardennes series, CDB90 win rates.

Drawn with matplotlib through engine/report/figures.py, so they look like the report's and
share its axes (round ticks, units) and export (SVG files here).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from wargame.report import figures


def lines(title, x, series, ylabel, xlabel, xticks=None, percent=False, legend="top"):
    """figures.lines; ``legend`` is kept for the callers: matplotlib places it where the lines are not."""
    return figures.lines(title, x, series, ylabel, xlabel, xticks, percent)


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
    return figures.write(figs, out_dir, "svg")
