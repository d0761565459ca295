"""The after-action report: one self-contained HTML file (no network) from a results file.

Sections: scenario and provenance, outcome distribution with 95% intervals,
interventions and escalation per state, losses, the timeline of events by day of
the war, and force trajectories with percentile bands (when the run stored daily
series). Figures are drawn with matplotlib and embedded as inline SVG
(engine/report/figures.py); ``write_figures`` also writes them as PNG (300 dpi) or PDF files.
"""

from __future__ import annotations

import json
import shutil
import warnings
from html import escape
from pathlib import Path

import h5py
import numpy as np

from wargame.crisis import raids_summary
from wargame.crisis import air_force_summary
from wargame.crisis import casualties_summary
from wargame.crisis import fleet_summary
from wargame.crisis import strikes_summary
from wargame.report import figures as svg
from wargame.report.page import page, section, table as _table
from wargame.execution.store import iter_columns, read_meta
from wargame.crisis.summary import compute_file
from wargame.errors import WargameError

TIMELINE = ("intervene", "arrive", "escalate", "attacked", "withdraw", "front_falls", "capitulate", "sue_for_peace",
            "ceasefire", "nuclear_use")
BAND_SAMPLE = 2000  # replications used for percentile bands: enough for the 5th-95th percentiles


class ReportError(WargameError):
    """The input is not a results file this report can read."""


def _timeline(path, layout, horizon: int) -> tuple[np.ndarray, dict]:
    """Counts of the timeline's event types per acting state and day of the war (days since the
    invasion): {state: {event type: counts over days}}; events with no actor under "no single state"."""
    names = layout["event_types"]
    chunks = list(iter_columns(path, {"replications": ("rep", "war_day")}))
    reps = np.concatenate([c["replications"]["rep"] for c in chunks])
    war_day = np.full(int(reps.max()) + 1 if reps.size else 0, np.nan)  # by replication index: an
    war_day[reps] = np.concatenate([c["replications"]["war_day"] for c in chunks])  # interrupted run has gaps
    days = np.arange(horizon + 1)
    actors = list(layout["states"]) + ["no single state"]  # actor -1 indexes the last
    types = [n for n in TIMELINE if n in names]
    counts = np.zeros((len(actors), len(types), horizon + 1))
    with h5py.File(path, "r") as f:
        groups = [f["batches"][k] for k in sorted(f["batches"])] if "batches" in f else [f]
        for g in groups:
            ev = g["events"]
            for a in range(0, ev.shape[0], 500_000):
                e = ev[a:a + 500_000]
                rel = np.floor(e["day"] - war_day[e["rep"]])
                for t, n in enumerate(types):
                    sel = (e["type"] == names.index(n)) & np.isfinite(rel)
                    day = np.clip(rel[sel], 0, horizon).astype(int)
                    np.add.at(counts, (e["actor"][sel].astype(int), t, day), 1)
    out = {}
    for s, sid in enumerate(actors):
        per = {n: counts[s, t] for t, n in enumerate(types) if counts[s, t].any()}
        if per:
            out[sid] = per
    return days, out


def _war_aligned(ts: np.ndarray, war_day: np.ndarray) -> np.ndarray:
    """Daily series (n, T, ...) indexed by day of the simulation, shifted to the day of the war
    (day 0 = the invasion); replications without a war drop out."""
    n, T = ts.shape[:2]
    out = np.full_like(ts, np.nan)
    for r in np.flatnonzero(np.isfinite(war_day[:n])):
        shift = int(np.floor(war_day[r]))  # series row t is the end of simulation day t + 1
        src = ts[r, shift:]
        out[r, :src.shape[0]] = src
    return out


def trajectory_data(path) -> tuple[np.ndarray, np.ndarray] | None:
    """The sampled daily series by day of the war, (n, D, F, 3), and the war days; None without series."""
    with h5py.File(path, "r") as f:
        g = f if "timeseries" in f else (f["batches"][sorted(f["batches"])[0]] if "batches" in f else None)
        if g is None or "timeseries" not in g:
            return None
        ts = g["timeseries/fronts"][:BAND_SAMPLE]  # (n, T, F, 3), rows in the batch's replication order
        war_day = g["replications/war_day"][:ts.shape[0]]
    return _war_aligned(ts, war_day), war_day


def _trajectories(path, layout, pal) -> list:
    got = trajectory_data(path)
    if got is None:
        return []
    ts, _ = got
    days = np.arange(ts.shape[1])
    with warnings.catch_warnings():  # days no sampled replication is at war are all-NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        pct = np.nanpercentile(ts, [5, 50, 95], axis=0)  # (3, D, F, 3)
    att, dfd = layout["states"][layout["attacker"]], layout["states"][layout["defender"]]
    figs = []
    for fi, fid in enumerate(layout["fronts"]):
        live = np.isfinite(ts[:, :, fi, 0]).sum(axis=0)
        figs.append(svg.trajectory(f"Front {fid}: ground combat power", days,
                                   {f"{att} side": pct[:, :, fi, 0], f"{dfd} side": pct[:, :, fi, 1]}, live,
                                   {f"{att} side": pal.state(att), f"{dfd} side": pal.state(dfd)},
                                   "combat power (index)"))
        live = np.isfinite(ts[:, :, fi, 2]).sum(axis=0)
        figs.append(svg.trajectory(f"Front {fid}: line position", days, {"attacker's gain": pct[:, :, fi, 2]},
                                   live, {"attacker's gain": pal.state(att)}, "km gained by the attacker"))
    return figs


def loss_samples(path, layout) -> dict:
    """Each state's losses per replication that fought a war (personnel)."""
    vals, wars = [], []
    for c in iter_columns(path, {"replications": ("war_day",), "states": ("losses",)}):
        vals.append(np.asarray(c["states"]["losses"], float).sum(axis=2))
        wars.append(np.isfinite(c["replications"]["war_day"]))
    v = np.concatenate(vals)[np.concatenate(wars)]
    return {sid: v[:, s] for s, sid in enumerate(layout["states"])}


def _class_game(path, attrs, layout) -> tuple[str, str | None]:
    """For an exercise file: where the class's game falls among the engine-played games it stores.

    ``wargame exercise --out`` runs them and stores them in the group ``comparison``
    (wargame.play.comparison documents it); the report only reads them. Returns (html,
    figure); a file written before they were stored gets a note instead of the figure.
    """
    from wargame.execution.store import read

    game = read(path, logs=False)
    with h5py.File(path, "r") as f:
        if "comparison" not in f:
            return (f"<p>This exercise file holds no engine-played games to compare the class's game with "
                    f"(it was written by an older version); regenerate it with <code>wargame exercise --load "
                    f"{escape(Path(path).name)} --out NEW.h5</code>.</p>" + _decisions(attrs), None)
        g = f["comparison"]
        runs = int(g.attrs["runs"])
        out, dur, losses, intervened = (g[k][()] for k in ("outcome", "duration", "losses", "intervened"))
    names = layout["outcomes"]
    probs = np.bincount(out, minlength=len(names)) / runs
    g_out = int(game["replications"]["outcome"][0])
    rows = [("outcome", names[g_out], f"{100 * probs[g_out]:.1f}% of engine-played games end this way")]
    g_dur = float(game["replications"]["end_day"][0] - game["replications"]["war_day"][0])
    if np.isfinite(g_dur):
        ok = np.isfinite(dur)
        rows.append(("war duration (days)", f"{g_dur:.0f}", f"percentile {100 * np.mean(dur[ok] <= g_dur):.0f} "
                     f"(engine median {np.median(dur[ok]):.0f})"))
    played = json.loads(attrs.get("exercise_play", "[]"))
    for s, sid in enumerate(layout["states"]):
        loss = losses[:, s]
        g_loss = float(game["states"]["losses"][0, s, :].sum())
        if loss.max() > 0 or g_loss > 0:
            rows.append((f"{sid} losses", f"{g_loss:,.0f}", f"percentile {100 * np.mean(loss <= g_loss):.0f} "
                         f"(engine median {np.median(loss):,.0f})"))
        if sid in played:
            rows.append((f"{sid} intervened", "yes" if game["states"]["intervened"][0, s] else "no",
                         f"the engine's doctrine intervened in {100 * intervened[:, s].mean():.1f}%"))
    pal = svg.Palette(layout["states"], names)
    fig = svg.bars(f"The class's game ({names[g_out]}) among {runs:,} engine-played games", names, probs,
                   ylabel="probability", percent=True, colours=[pal.outcome(n) for n in names])
    note = (f"<p>The same scenario and seed played {runs:,} times with every state following its doctrine "
            f"(the class's states included) and the scenario's scheduled injects, but not the ones the "
            f"facilitator typed: where the class's game falls.</p>")
    return note + _table(["measure", "the class's game", "in the engine's distribution"], rows) + _decisions(attrs), fig


def _decisions(attrs) -> str:
    """The class's decisions and the facilitator's injects, turn by turn, for the review."""
    rows = []
    for d in json.loads(attrs.get("exercise_decisions", "[]")):
        if "inject" in d:
            effects = "; ".join(f"{e['target']} {'x' if e['op'] == 'scale' else '='}{e['value']}"
                                + (f" for {e['days']:g} days" if e.get("days") else "") for e in d["inject"]["effects"])
            rows.append((f"{d['day']:.0f}", "facilitator", f"inject: {d['inject']['text']}", effects or "news only"))
        else:
            rows.append((f"{d['day']:.0f}", d["state"], d["action"], ""))
    if not rows:
        return ""
    return "<h3>The class's decisions</h3>" + _table(["day", "who", "decision", "effect"], rows)


def _history(c: dict) -> str:
    """The case's lines and one row per historical check (engine/crisis/cases.py)."""
    from wargame.crisis.cases import case_lines, shown, where

    lines = "".join(f"<li>{escape(x.strip())}</li>" for x in case_lines(c) if x.strip())
    rows = [(k["metric"], escape(k["what"]), shown(k["metric"], k["value"]),
             f"{shown(k['metric'], k['median'])} [{shown(k['metric'], k['q05'])}, {shown(k['metric'], k['q95'])}]",
             where(k), "yes" if k["inside"] else "NO", escape(k["source"])) for k in c["checks"]]
    return (f"<ul>{lines}</ul>" + _table(["metric", "what happened", "historical value",
                                           "engine median [5%, 95%]", "where history falls", "inside the central 90%",
                                           "source"], rows))



def _pct(p) -> str:
    return f"{100 * p:.1f}%" if np.isfinite(p) else "-"


def build(path: str | Path) -> tuple[str, dict]:
    """The report's HTML and its figures by name (SVG text); a sweep file gets the sweep page."""
    from wargame.analysis import sweep_file
    from wargame.report import sweep as sweep_report

    if sweep_file.is_sweep(path):
        try:
            return sweep_report.build(path)
        except (OSError, KeyError, ValueError, json.JSONDecodeError) as e:
            raise ReportError(f"{path}: not a complete sweep file ({e.__class__.__name__}: {e})") from None
    try:
        attrs, layout = read_meta(path)
        if layout.get("kind") == "system":
            from wargame.report import system as system_report

            return system_report.build(path)
        s = compute_file(path)
    except (OSError, KeyError, ValueError, json.JSONDecodeError) as e:
        raise ReportError(f"{path}: not a wargame results file ({e.__class__.__name__}: {e})") from None
    figs: dict[str, svg.Chart] = {}
    out = s["outcomes"]
    pal = svg.Palette(layout["states"], layout["outcomes"])  # the file's own labels, in its order
    figs["outcomes"] = svg.bars("Outcome probabilities (95% intervals)", list(out),
                                [v[0] for v in out.values()], [v[1] for v in out.values()],
                                [v[2] for v in out.values()], "probability", percent=True,
                                colours=[pal.outcome(k) for k in out])
    third = [r for r in s["states"] if r["role"] == "third party"]
    if third:
        figs["interventions"] = svg.bars("Probability of intervening (95% intervals)", [r["state"] for r in third],
                                         [r["intervened"][0] for r in third], [r["intervened"][1] for r in third],
                                         [r["intervened"][2] for r in third], "probability", percent=True,
                                         colours=[pal.state(r["state"]) for r in third])
    rungs = ("forces", "bases", "homeland", "nuclear")
    esc = [(f"{r['state']} {rungs[k]}", r["escalation"][k]) for r in s["states"] for k in range(4)
           if r["escalation"][0][0] > 0]
    if esc:
        figs["escalation"] = svg.bars("Escalation: share of replications reaching each rung", [e[0] for e in esc],
                                      [e[1][0] for e in esc], [e[1][1] for e in esc], [e[1][2] for e in esc],
                                      "probability", percent=True,
                                      colours=[pal.state(e[0].rsplit(" ", 1)[0]) for e in esc])
    if s["wars"]:  # no war (e.g. a scenario of raids only): no losses to draw
        figs["losses"] = svg.losses("Losses per state, replications with a war", loss_samples(path, layout),
                                    pal.states)
    days, counts = _timeline(path, layout, int(layout["horizon_days"]))
    if counts:
        ev = {n: svg.EVENT_COLOURS[i % len(svg.EVENT_COLOURS)] for i, n in enumerate(TIMELINE)}
        figs["timeline"] = svg.timeline("Events by day of the war, per acting state (all replications)", days,
                                        counts, ev)
    for i, fig in enumerate(_trajectories(path, layout, pal)):
        figs[f"trajectory_{i}"] = fig
    raids_html, raids_figs = raids_summary.report_section(s.get("raids"), svg)
    figs.update(raids_figs)
    class_html, class_fig = _class_game(path, attrs, layout) if "exercise_play" in attrs else ("", None)
    if class_fig is not None:
        figs["class_game"] = class_fig

    prov = [("scenario", attrs.get("scenario")), ("config file", attrs.get("config_path")),
            ("config SHA-256", attrs.get("config_sha256")), ("overrides", attrs.get("overrides")),
            ("seed", attrs.get("seed")), ("replications", f"{s['runs']} of {attrs.get('runs')}"),
            ("complete", attrs.get("complete")), ("created", attrs.get("created")),
            ("engine version", attrs.get("engine_version")), ("packages", attrs.get("package_versions")),
            ("command", attrs.get("command"))]
    states = _table(["state", "role", "intervened", "95% interval", "median day", "joined defender",
                     "joined attacker", "withdrew", "losses median", "5%", "95%"],
                    [(r["state"], r["role"], _pct(r["intervened"][0]), f"{_pct(r['intervened'][1])} - "
                      f"{_pct(r['intervened'][2])}", "-" if not np.isfinite(r["median_day"]) else f"{r['median_day']:.0f}",
                      r["joined_defender"], r["joined_attacker"], r["withdrew"],
                      *(f"{x:,.0f}" if np.isfinite(x) else "-" for x in r["losses"])) for r in s["states"]])
    med, lo, hi = s["duration"]
    body = [
        f"<h1>After-action report: {escape(str(attrs.get('scenario')))}</h1>",
        section("The class's game", figs.get("class_game", "") + class_html) if class_html else "",
        f"<p>{s['runs']:,} replications; wars fought: {s['wars']:,}; duration median {med:.0f} days "
        f"(5-95%: {lo:.0f}-{hi:.0f}).</p>" if s["wars"] else f"<p>{s['runs']:,} replications; no war was fought.</p>",
        section("Outcomes", figs["outcomes"] + _table(["outcome", "probability", "95% interval"],
                [(k, _pct(v[0]), f"{_pct(v[1])} - {_pct(v[2])}") for k, v in out.items()])),
        section("States: interventions and losses", "".join(figs.get(k, "") for k in ("interventions", "losses"))
                + states + casualties_summary.report_section(s.get("casualties"))
                + fleet_summary.report_section(s.get("ships_by_class"))
                + air_force_summary.report_section(s.get("aircraft"))),
    ]
    if s.get("case"):  # a historical case (engine/crisis/cases.py): where what happened falls
        body.append(section("History: where what happened falls in the engine's distribution", _history(s["case"])))
    if raids_html:
        body.append(section("Missile and drone raids: where history falls", raids_html))
    if s.get("aid") and s["aid"]["rows"]:  # aid short of war (engine/crisis/aid_results.py)
        body.append(section("Aid delivered by supplier and kind", _table(
            ["supplier", "recipient", "kind", "unit", "median", "5%", "95%", "flowed in"],
            [(r["supplier"], r["recipient"], r["kind"], r["unit"], *(f"{x:,.0f}" for x in r["delivered"]),
              _pct(r["aided"])) for r in s["aid"]["rows"]])))
    if "escalation" in figs or s.get("strikes"):  # who struck whom: engine/crisis/strikes_summary.py
        body.append(section("Escalation and strikes", figs.get("escalation", "")
                            + strikes_summary.report_section(s.get("strikes"))))
    if "timeline" in figs:
        body.append(section("Timeline", figs["timeline"]))
    traj = [v for k, v in figs.items() if k.startswith("trajectory_")]
    body.append(section("Force trajectories", "".join(traj) if traj else
                        "<p>This run stored no daily series; run with <code>--timeseries</code> to see them.</p>"))
    body.append(section("Scenario and provenance", _table(["item", "value"], prov)
                        + f"<details><summary>Scenario file</summary><pre>{escape(str(attrs.get('config_text')))}"
                          "</pre></details>"))
    html = page(f"wargame report: {attrs.get('scenario')}", body)
    return html, figs


def chromium() -> str | None:
    """A Chromium for the browser tests and screenshots (the report itself needs none)."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


HEADLESS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def write_figures(figs: dict, out_dir: Path, fmt: str, dpi: int = svg.DPI) -> list[Path]:
    """Each figure as its own PNG (300 dpi unless told), PDF or SVG file in out_dir; no browser."""
    return svg.write(figs, out_dir, fmt, dpi)
