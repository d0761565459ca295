"""The reports' figures, drawn with matplotlib (Agg, no display) and embedded as inline SVG.

Every function returns a ``Chart``: the SVG text (a ``str``, so pages concatenate it), the
matplotlib figure (for PNG/PDF export at print resolution, ``Chart.save``) and ``data``, the
numbers the figure draws, so tests check the figure against the file rather than pixels.

Figures that do not mislead: axes fitted to the data with round ticks (MaxNLocator) and
units in the labels; distributions drawn as distributions (box plots with the mean marked);
colours fixed per state and per outcome for the whole report (``Palette``).
"""

from __future__ import annotations

import io
import re

import matplotlib

matplotlib.use("Agg")  # no display, no browser: the same figures on a server and a laptop
from matplotlib.figure import Figure  # noqa: E402  (after the backend is chosen)
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter  # noqa: E402
import numpy as np  # noqa: E402

matplotlib.rcParams["svg.hashsalt"] = "wargame"  # the same file gives the same SVG text
matplotlib.rcParams["svg.fonttype"] = "path"  # text as paths: no font needed to read the page
DPI = 300  # print resolution of PNG export
WIDTH = 7.2  # inches: the page's column
MIN_LIVE = 20  # trajectories: percentile bands are cut where fewer replications are still at war

STATE_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
                 "#7f7f7f", "#bcbd22")
EVENT_COLOURS = ("#332288", "#88ccee", "#44aa99", "#117733", "#999933", "#ddcc77", "#cc6677", "#882255",
                 "#aa4499", "#000000")  # event types: a palette apart from the states' and outcomes'
OUTCOME_COLOURS = ("#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377", "#bbbbbb", "#000000",
                   "#ee8866", "#44bb99")


class Palette:
    """One colour per state and one per outcome, from the file's layout order, for every figure."""

    def __init__(self, states=(), outcomes=()):
        self.states = {s: STATE_COLOURS[i % len(STATE_COLOURS)] for i, s in enumerate(states)}
        self.outcomes = {o: OUTCOME_COLOURS[i % len(OUTCOME_COLOURS)] for i, o in enumerate(outcomes)}

    def state(self, name: str) -> str:
        return self.states.get(name, "#555555")

    def outcome(self, name: str) -> str:
        return self.outcomes.get(name, "#555555")


class Chart(str):
    """The SVG text of a figure, with the figure itself and the data it draws."""

    fig: Figure
    data: dict

    def __new__(cls, fig: Figure, data: dict):
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
        text = buf.getvalue()
        text = text[text.index("<svg"):]  # drop the XML prolog: the SVG sits inside HTML
        text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
        self = super().__new__(cls, text)
        self.fig, self.data = fig, data
        return self

    def save(self, path, fmt: str, dpi: int = DPI) -> None:
        self.fig.savefig(path, format=fmt, dpi=dpi, metadata={"Creator": None} if fmt == "pdf" else None)


def _figure(title: str, height: float = 3.2, rows: int = 1, ratios=None):
    fig = Figure(figsize=(WIDTH, height), layout="constrained")
    axes = fig.subplots(rows, 1, sharex=True, gridspec_kw={"height_ratios": ratios} if ratios else None)
    fig.suptitle(title, fontsize=11)
    return fig, axes


def thousands(ax_axis) -> None:
    """Round ticks read at a glance: 150,000 rather than 1.5e5 or 159,034."""
    ax_axis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    ax_axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}" if abs(v) >= 10 or v == 0 else f"{v:g}"))


def bars(title: str, labels, values, lows=None, highs=None, ylabel: str = "", percent=False, colours=None) -> Chart:
    """Vertical bars with optional interval whiskers (e.g. 95% intervals); ``colours`` per bar."""
    values = np.nan_to_num(np.asarray(values, dtype=float))
    fig, ax = _figure(title)
    x = np.arange(len(labels))
    ax.bar(x, values, color=list(colours) if colours else "#4477aa")
    if lows is not None and highs is not None:
        lo, hi = np.asarray(lows, float), np.asarray(highs, float)
        ok = np.isfinite(lo) & np.isfinite(hi)
        ax.errorbar(x[ok], values[ok], yerr=[values[ok] - lo[ok], hi[ok] - values[ok]], fmt="none", ecolor="black",
                    capsize=4, lw=1)
    ax.set_xticks(x, labels, rotation=30 if len(labels) > 5 else 0, ha="right" if len(labels) > 5 else "center")
    ax.set_ylabel(ylabel)
    if percent:
        ax.set_ylim(0, 1)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    else:
        thousands(ax.yaxis)
    ax.grid(axis="y", color="#dddddd")
    ax.set_axisbelow(True)
    return Chart(fig, {"labels": list(labels), "values": values, "lows": lows, "highs": highs})


def losses(title: str, samples: dict, colours: dict, unit: str = "personnel") -> Chart:
    """Losses per state as distributions: box (quartiles), whiskers 5-95%, the mean as a diamond,
    and the share of replications with any loss written beside each box."""
    names = list(samples)
    fig, ax = _figure(title, height=0.6 + 0.45 * max(len(names), 2))
    data = {"states": names, "share_any": [], "mean": [], "q": []}
    for i, n in enumerate(names):
        v = np.asarray(samples[n], float)
        v = v[np.isfinite(v)]
        if not v.size:
            v = np.zeros(1)
        q = np.percentile(v, [5, 25, 50, 75, 95])
        share, mean = float(np.mean(v > 0)), float(v.mean())
        data["share_any"].append(share)
        data["mean"].append(mean)
        data["q"].append(q)
        ax.bxp([{"whislo": q[0], "q1": q[1], "med": q[2], "q3": q[3], "whishi": q[4], "fliers": [], "mean": mean,
                 "label": n}], positions=[i], orientation="horizontal", widths=0.6, showmeans=True, patch_artist=True,
               boxprops={"facecolor": colours.get(n, "#555555"), "alpha": 0.5},
               meanprops={"marker": "D", "markerfacecolor": "black", "markeredgecolor": "black", "markersize": 5},
               medianprops={"color": "black"})
        ax.annotate(f"any loss in {share:.0%}", (1.0, i), xycoords=("axes fraction", "data"), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize=8)
    ax.set_yticks(range(len(names)), names)
    ax.set_ylim(-0.6, len(names) - 0.4)
    ax.invert_yaxis()
    ax.set_xlim(left=0)
    thousands(ax.xaxis)
    ax.set_xlabel(f"losses per replication ({unit}); box: 25-75%, whiskers 5-95%, line: median, diamond: mean")
    ax.grid(axis="x", color="#dddddd")
    return Chart(fig, data)


def trajectory(title: str, days, series: dict, live, colours: dict, ylabel: str) -> Chart:
    """Median lines and 5-95% bands over the day of the war, with the number of replications still
    at war drawn beneath; lines and bands are cut where fewer than MIN_LIVE remain.

    series: label -> array (3, D) of the 5th, 50th, 95th percentiles; live: (D,) counts."""
    days, live = np.asarray(days, float), np.asarray(live, int)
    fig, (ax, axn) = _figure(title, height=4.0, rows=2, ratios=[3, 1])
    keep = live >= MIN_LIVE
    drawn = {}
    for lab, v in series.items():
        v = np.where(keep, np.asarray(v, float), np.nan)
        drawn[lab] = v
        c = colours.get(lab, "#555555")
        ax.fill_between(days, v[0], v[2], color=c, alpha=0.2, lw=0)
        ax.plot(days, v[1], color=c, lw=2, label=f"{lab} (median, 5-95%)")
    last = days[keep].max() if keep.any() else days.max()
    ax.set_xlim(0, max(last, 1))
    ax.set_ylabel(ylabel)
    thousands(ax.yaxis)
    ax.legend(fontsize=8, loc="best")
    ax.grid(color="#eeeeee")
    axn.fill_between(days, live, step="mid", color="#999999")
    axn.axhline(MIN_LIVE, color="black", lw=0.8, ls="--")
    axn.set_ylabel("still at war", fontsize=8)
    axn.set_ylim(bottom=0)
    thousands(axn.yaxis)
    axn.xaxis.set_major_locator(MaxNLocator(nbins=8, integer=True))
    axn.set_xlabel(f"day of the war (bands drawn while at least {MIN_LIVE} replications are still at war)")
    return Chart(fig, {"days": days, "live": live, "series": drawn, "min_live": MIN_LIVE})


def timeline(title: str, days, counts: dict, colours: dict) -> Chart:
    """Stacked event counts per day of the war, one panel per acting state (counts: state ->
    {event type: counts over days}); the axis ends a little after the last event."""
    days = np.asarray(days, float)
    total = sum(np.asarray(c, float) for per in counts.values() for c in per.values())
    last = float(days[np.flatnonzero(total)[-1]]) if np.any(total) else 1.0
    fig, axes = _figure(title, height=1.0 + 1.1 * max(len(counts), 1), rows=max(len(counts), 1))
    axes = np.atleast_1d(axes)
    seen = {}
    for ax, (state, per) in zip(axes, counts.items()):
        base = np.zeros(days.size)
        for lab, c in per.items():
            c = np.asarray(c, float)
            seen[lab] = ax.bar(days, c, bottom=base, width=1.0, color=colours.get(lab, "#555555"), align="edge")
            base += c
        ax.set_ylabel(state, rotation=0, ha="right", va="center")
        ax.yaxis.set_major_locator(MaxNLocator(nbins=3, integer=True))
        ax.grid(axis="y", color="#eeeeee")
        ax.set_axisbelow(True)
    axes[-1].set_xlim(0, np.ceil((last + 1) * 1.05))
    axes[-1].xaxis.set_major_locator(MaxNLocator(nbins=10, integer=True))
    axes[-1].set_xlabel("day of the war (bar height: events summed over all replications)")
    fig.legend(list(seen.values()), list(seen), loc="outside lower center", ncols=min(5, max(1, len(seen))),
               fontsize=7)
    return Chart(fig, {"days": days, "counts": counts, "last_day": last, "xlim": axes[-1].get_xlim()})


def forest(title: str, labels, values, lows=None, highs=None, xlabel: str = "", percent=False,
           lim: float | None = None) -> Chart:
    """Points with interval lines around zero: paired differences, or PRCCs (``lim`` fixes ±lim)."""
    values = np.asarray(values, float)
    n = len(labels)
    fig, ax = _figure(title, height=0.9 + 0.28 * max(n, 3))
    y = np.arange(n)
    if lows is not None and highs is not None:
        lo, hi = np.asarray(lows, float), np.asarray(highs, float)
        ax.hlines(y, lo, hi, color="black", lw=1.2)
    ax.plot(values, y, "o", color="#4477aa")
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_ylim(-0.6, n - 0.4)
    ax.invert_yaxis()
    if lim:
        ax.set_xlim(-lim, lim)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=8, steps=[1, 2, 2.5, 5, 10], symmetric=True))
    if percent:  # differences of probabilities are percentage points, not percent
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{100 * v:+.0f} pp" if v else "0"))
    elif not lim:
        thousands(ax.xaxis)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", color="#eeeeee")
    return Chart(fig, {"labels": list(labels), "values": values, "lows": lows, "highs": highs})


def against(title: str, x, series: dict, colours: dict, xlabel: str, ylabel: str = "probability") -> Chart:
    """Probabilities against a swept parameter: label -> (estimate, low, high) arrays over x."""
    x = np.asarray(x, float)
    fig, ax = _figure(title)
    for lab, (v, lo, hi) in series.items():
        v, lo, hi = (np.asarray(a, float) for a in (v, lo, hi))
        c = colours.get(lab, "#555555")
        ax.errorbar(x, v, yerr=[v - lo, hi - v], color=c, marker="o", capsize=3, label=lab)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(f"{ylabel} (95% intervals)")
    ax.legend(fontsize=8)
    ax.grid(color="#eeeeee")
    return Chart(fig, {"x": x, "series": series})


def lines(title: str, x, series: dict, ylabel: str, xlabel: str, xticks=None, percent=False) -> Chart:
    """Lines over x, for the validation figures. series: label -> (y, lo, hi, style), lo/hi (or
    None) draw whiskers; style 'line', 'dots' (observations) or 'dash'."""
    x = np.asarray(x, float)
    fig, ax = _figure(title)
    for i, (lab, (yv, lo, hi, style)) in enumerate(series.items()):
        c = OUTCOME_COLOURS[i % len(OUTCOME_COLOURS)]
        yv = np.asarray(yv, float)
        if lo is not None:
            lo, hi = np.asarray(lo, float), np.asarray(hi, float)
            ax.errorbar(x, yv, yerr=[yv - lo, hi - yv], fmt="none", ecolor=c, capsize=2, lw=1)
        fmt = {"dots": "o", "dash": "--"}.get(style, "-")
        ax.plot(x, yv, fmt, color=c, label=lab, ms=4)
    if xticks is not None:
        ax.set_xticks([v for v, _ in xticks], [t for _, t in xticks], fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if percent:
        ax.set_ylim(0, 1)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    else:
        ax.set_ylim(bottom=0)
        thousands(ax.yaxis)
    ax.legend(fontsize=8)
    ax.grid(color="#eeeeee")
    return Chart(fig, {"x": x, "series": series})


def write(figs: dict, out_dir, fmt: str, dpi: int = DPI) -> list:
    """Each figure as its own file (png at ``dpi``, pdf or svg) in out_dir."""
    from pathlib import Path

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, chart in figs.items():
        p = out_dir / f"{name}.{fmt}"
        chart.save(p, fmt, dpi)
        paths.append(p)
    return paths


def survival(title: str, years, alive: dict, colours: dict) -> Chart:
    """Step curves: label -> share of replications still alive at each year."""
    fig, ax = _figure(title)
    for lab, v in alive.items():
        ax.step(years, v, where="post", color=colours.get(lab, "#555555"), label=lab)
    ax.set_ylim(0, 1.02)
    ax.set_xlim(0, years[-1])
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=10, integer=True))
    ax.set_xlabel("year of the run")
    ax.set_ylabel("replications with the state alive")
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax.grid(color="#eeeeee")
    return Chart(fig, {"years": np.asarray(years), "alive": alive})


def histogram(title: str, values, dominated, horizon: float) -> Chart:
    """Endurance per replication: years until a state dominated, and the share that reached the horizon."""
    values, dominated = np.asarray(values, float), np.asarray(dominated, bool)
    fig, ax = _figure(title)
    edges = np.histogram_bin_edges(values[dominated] if dominated.any() else values, bins="auto", range=(0, horizon))
    ax.hist([values[dominated], values[~dominated]], bins=edges, stacked=True, color=["#ee6677", "#4477aa"],
            label=["a state dominated", f"no state dominated ({np.mean(~dominated):.0%}): horizon"])
    ax.set_xlim(0, horizon)
    ax.set_xlabel("system endurance (years)")
    ax.set_ylabel("replications")
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    ax.legend(fontsize=8)
    return Chart(fig, {"values": values, "dominated": dominated, "never_dominated": float(np.mean(~dominated))})
