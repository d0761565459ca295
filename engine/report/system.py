"""The HTML page of a system-kind run (engine/system): who survives, and how long the system lasts.

Figures (engine/report/figures.py): each state's survival curve over the years of the run,
the distribution of the system's endurance (years until one state dominates, the horizon
when none does), and each state's probability of surviving to the horizon with 95% intervals.
"""

from __future__ import annotations

from html import escape

import numpy as np

from wargame.execution.store import iter_columns, read_meta
from wargame.report import figures
from wargame.report.page import page, section, table
from wargame.system import summary

COLUMNS = {"replications": ("endurance_years", "dominated"), "states": ("survived", "death_year")}


def survival(path) -> tuple[np.ndarray, dict, dict]:
    """Years 0..horizon, each state's share of replications still alive at each year, and the
    endurance years with whether a state dominated, per replication."""
    _, layout = read_meta(path)
    cols = {"endurance_years": [], "dominated": [], "survived": [], "death_year": []}
    for c in iter_columns(path, COLUMNS):
        for g in COLUMNS:
            for k in COLUMNS[g]:
                cols[k].append(np.asarray(c[g][k]))
    col = {k: np.concatenate(v) for k, v in cols.items()}
    horizon = float(layout["horizon_years"])
    years = np.arange(int(np.ceil(horizon)) + 1)
    # A state that survived lives past the horizon; one that died is alive before its death year.
    death = np.where(col["survived"].astype(bool), np.inf, col["death_year"].astype(float))
    alive = {sid: (death[:, s][:, None] > years[None, :]).mean(axis=0) for s, sid in enumerate(layout["states"])}
    return years, alive, {"endurance_years": col["endurance_years"].astype(float),
                          "dominated": col["dominated"].astype(bool)}


def build(path) -> tuple[str, dict]:
    attrs, layout = read_meta(path)
    s = summary.compute_file(path)
    pal = figures.Palette(layout["states"])
    years, alive, end = survival(path)
    figs = {"survival": figures.survival("State survival: share of replications in which each state still exists",
                                         years, alive, pal.states),
            "endurance": figures.histogram("System endurance: years until one state dominates",
                                           end["endurance_years"], end["dominated"], float(layout["horizon_years"])),
            "survived": figures.bars("Probability of surviving to the horizon (95% intervals)",
                                     [r["state"] for r in s["per_state"]], [r["survived"][0] for r in s["per_state"]],
                                     [r["survived"][1] for r in s["per_state"]],
                                     [r["survived"][2] for r in s["per_state"]], "probability", percent=True,
                                     colours=[pal.state(r["state"]) for r in s["per_state"]])}
    prov = [(k, attrs.get(k)) for k in ("scenario", "config_path", "config_sha256", "overrides", "seed", "runs",
                                        "created", "engine_version", "command")]
    body = [f"<h1>System report: {escape(str(attrs.get('scenario')))}</h1>",
            f"<p>{s['runs']:,} replications over {s['horizon']} years; doctrine: {escape(s['doctrine'])}.</p>",
            section("Survival", figs["survival"] + figs["survived"]),
            section("Endurance", figs["endurance"]),
            section("Summary", f"<pre>{escape(summary.format_table(s))}</pre>"),
            section("Scenario and provenance", table(["item", "value"], prov))]
    return page(f"wargame system report: {attrs.get('scenario')}", body), figs
