"""The HTML page of a sweep file: the arms' estimates, their paired differences, tornado charts.

``wargame report`` hands a sweep file (engine/analysis/sweep.py) here. Figures are drawn with
matplotlib as inline SVG (engine/report/figures.py): the headline probabilities against the
swept parameter (or per arm) with 95% intervals, forest plots of the paired differences
labelled by arm, and the partial rank correlations of each headline outcome on the sampled
parameters, per arm. Arms are named by their values, never by letters alone.
"""

from __future__ import annotations

import json
from html import escape

import numpy as np

from wargame.report import figures as svg
from wargame.report.page import page, section, table as _table
from wargame.analysis.sweep_file import PERSONNEL, fmt_diff, fmt_value, probabilities, read

HEADLINE = ("defender_survives", "great_power_war")
TORNADO_TOP = 12



def _v(name: str, v: float, signed: bool = False, probs: set | None = None) -> str:
    prob = None if probs is None else name in probs
    return fmt_diff(name, v, prob) if signed else fmt_value(name, v, prob)


def arm_names(arms) -> list[str]:
    """Each arm by the values it sets (the key's last part: USA.doctrine=x -> doctrine=x)."""
    names = []
    for arm in arms:
        ov = arm["overrides"]
        names.append(", ".join(f"{k.rsplit('.', 1)[-1]}={v}" for k, v in ov) if ov else arm["label"])
    return names


def _swept_axis(arms) -> tuple[str, np.ndarray] | None:
    """The one numeric parameter every arm sets, with its values: the x axis of a response curve."""
    keys = {tuple(k for k, _ in arm["overrides"]) for arm in arms}
    if len(keys) != 1 or len(next(iter(keys))) != 1:
        return None
    try:
        x = np.array([float(arm["overrides"][0][1]) for arm in arms])
    except (TypeError, ValueError):
        return None
    return next(iter(keys))[0], x


def build(path) -> tuple[str, dict]:
    """The sweep page's HTML and its figures by name (figures.Chart: SVG text with its data)."""
    d = read(path)
    a, arms, cat = d["attrs"], d["arms"], d["metrics"]
    letters = arm_names(arms)
    figs: dict = {}
    est = {(r["metric"], r["arm"]): r for r in d["estimates"]}
    heads = [n for n in HEADLINE if n in cat]
    colours = {n: svg.OUTCOME_COLOURS[i] for i, n in enumerate(HEADLINE)}
    axis = _swept_axis(arms)
    if heads and axis is not None:  # a response curve: the probability against the swept value
        key, x = axis
        order = np.argsort(x)
        series = {}
        for n in heads:
            rows = [est[(n, i)] for i in order]
            series[n] = tuple(np.array([r[k] for r in rows]) for k in ("estimate", "low", "high"))
        figs["response"] = svg.against("Headline probabilities against the swept parameter", x[order], series,
                                       colours, key)
    for name in heads:
        rows = [est[(name, i)] for i in range(len(arms))]
        figs[f"arms_{name}"] = svg.bars(f"{cat[name].split(':')[0]} by arm (95% intervals)", letters,
                                        [r["estimate"] for r in rows], [r["low"] for r in rows],
                                        [r["high"] for r in rows], "probability", percent=True,
                                        colours=[colours[name]] * len(rows))
    pairs = sorted({(r["arm_a"], r["arm_b"]) for r in d["comparison"]})
    for i, j in pairs:
        rows = [r for r in d["comparison"] if (r["arm_a"], r["arm_b"]) == (i, j)]
        for group, sel, unit in (("prob", lambda n: not n.startswith(PERSONNEL), "difference (percentage points)"),
                                 ("losses", lambda n: n.startswith(PERSONNEL), "difference (personnel)")):
            rs = [r for r in rows if sel(r["metric"])]
            if rs:
                figs[f"diff_{group}_{j}_{i}"] = svg.forest(
                    f"({letters[j]}) minus ({letters[i]}): paired differences\n(95% intervals; * Holm p < 0.05)",
                    [r["metric"] + (" *" if r["significant"] else "") for r in rs], [r["diff"] for r in rs],
                    [r["low"] for r in rs], [r["high"] for r in rs], unit, percent=group == "prob")
    for i in range(len(arms)):
        for name in heads:
            rs = [r for r in d["sensitivity"] if r["arm"] == i and r["metric"] == name and np.isfinite(r["prcc"])]
            if not rs:
                continue
            rs = sorted(rs, key=lambda r: -abs(r["prcc"]))[:TORNADO_TOP]
            figs[f"tornado_{name}_{i}"] = svg.forest(
                f"{letters[i]}: what drives {name}\n(PRCC, 95% intervals; * Holm p < 0.05)",
                [r["param"] + (" *" if r["p_holm"] < 0.05 else "") for r in rs], [r["prcc"] for r in rs],
                [r["low"] for r in rs], [r["high"] for r in rs], "partial rank correlation", lim=1.0)

    arm_rows = [(letters[i], arm["label"], json.dumps(arm["overrides"])) for i, arm in enumerate(arms)]
    pr = probabilities(d)
    est_rows = [(n, cat[n], *(f"{_v(n, est[(n, i)]['estimate'], probs=pr)} [{_v(n, est[(n, i)]['low'], probs=pr)}, "
                              f"{_v(n, est[(n, i)]['high'], probs=pr)}]" for i in range(len(arms)))) for n in cat]
    cmp_rows = [(f"{letters[r['arm_b']]} - {letters[r['arm_a']]}", r["metric"], _v(r["metric"], r["diff"], True, pr),
                 f"[{_v(r['metric'], r['low'], True, pr)}, {_v(r['metric'], r['high'], True, pr)}]", r["test"],
                 f"{r['p']:.3g}", f"{r['p_holm']:.3g}", "yes" if r["significant"] else "no") for r in d["comparison"]]
    prov = [("scenario", a.get("scenario")), ("config file", a.get("config_path")),
            ("config SHA-256 (with the common overrides)", a.get("config_sha256")),
            ("common overrides", a.get("base_overrides")), ("varied", a.get("varied")), ("seed", a.get("seed")),
            ("replications per arm", a.get("runs")), ("wall time (s)", f"{float(a.get('seconds', 0)):.1f}"),
            ("created", a.get("created")), ("engine version", a.get("engine_version")),
            ("packages", a.get("package_versions")), ("command", a.get("command"))]
    tornado = [v for k, v in figs.items() if k.startswith("tornado_")]
    body = [
        f"<h1>Sweep report: {escape(str(a.get('scenario')))}</h1>",
        f"<p>{len(arms)} arms x {int(a['runs']):,} replications, seed {a['seed']}. Every arm sees the same random "
        "numbers for the same replication (common random numbers), so differences are paired.</p>",
        section("Arms", _table(["arm", "label", "overrides"], arm_rows)),
        section("Estimates", "".join(v for k, v in figs.items() if k.startswith(("response", "arms_")))
                + _table(["metric", "meaning", *(f"arm {x} (95% interval)" for x in letters)], est_rows)),
        section("Differences", "".join(v for k, v in figs.items() if k.startswith("diff_"))
                + "<p>Probabilities: McNemar's mid-p test on the discordant pairs; means: paired t test. "
                  "p-values are Holm-adjusted over the whole table.</p>"
                + _table(["pair", "metric", "difference", "95% interval", "test", "p", "p (Holm)",
                          "significant at 5%"], cmp_rows)),
        section("Sensitivity", "".join(tornado) + "<p>Partial rank correlation coefficients of each outcome on each "
                "sampled parameter, with Fisher-z 95% intervals (docs/sweep.md).</p>" if tornado else
                "<p>No sampled parameter or no varying headline outcome.</p>"),
        section("Scenario and provenance", _table(["item", "value"], prov)
                + f"<details><summary>Scenario file</summary><pre>{escape(str(a.get('config_text')))}</pre></details>"),
    ]
    html = page(f"wargame sweep: {a.get('scenario')}", body)
    return html, figs
