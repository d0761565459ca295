"""Small, dependency-free SVG charts for the HTML report: bars with intervals, bands, stacks.

Each function returns one self-contained ``<svg>`` element as a string: no scripts,
no external fonts or files, so the report renders offline in any browser.
"""

from __future__ import annotations

from html import escape

import numpy as np

W, H = 640, 300
M = dict(l=64, r=16, t=28, b=48)
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf")


def _open(title: str, height: int = H) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" width="{W}" height="{height}" '
            f'role="img" aria-label="{escape(title)}" font-family="sans-serif" font-size="11">',
            f'<title>{escape(title)}</title>',
            f'<text x="{W / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">{escape(title)}</text>']


def num(v: float) -> str:
    """Axis numbers people read at a glance: 134,000 rather than 1.34e+05."""
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def _yaxis(lo: float, hi: float, height: int, label: str, fmt=None) -> tuple[list[str], callable]:
    top, bot = M["t"], height - M["b"]
    span = hi - lo if hi > lo else 1.0

    def y(v):
        return bot - (v - lo) / span * (bot - top)

    out = [f'<line x1="{M["l"]}" y1="{top}" x2="{M["l"]}" y2="{bot}" stroke="#333"/>']
    for v in np.linspace(lo, hi, 5):
        out.append(f'<line x1="{M["l"] - 4}" y1="{y(v):.1f}" x2="{W - M["r"]}" y2="{y(v):.1f}" stroke="#ddd"/>')
        text = fmt.format(v) if fmt else num(v)
        out.append(f'<text x="{M["l"] - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{escape(text)}</text>')
    out.append(f'<text x="14" y="{(top + bot) / 2}" transform="rotate(-90 14 {(top + bot) / 2})" '
               f'text-anchor="middle">{escape(label)}</text>')
    return out, y


def bars(title: str, labels: list[str], values, lows=None, highs=None, ylabel: str = "", percent=False) -> str:
    """Vertical bars with optional interval whiskers (e.g. 95% confidence intervals)."""
    values = np.asarray(values, dtype=float)
    hi = float(np.nanmax(highs if highs is not None else values)) if values.size else 1.0
    hi = 1.0 if percent and hi <= 1.0 else (hi * 1.1 if hi > 0 else 1.0)
    out = _open(title)
    axis, y = _yaxis(0.0, hi, H, ylabel, "{:.0%}" if percent else None)
    out += axis
    n = max(1, len(labels))
    slot = (W - M["l"] - M["r"]) / n
    for i, (lab, v) in enumerate(zip(labels, values)):
        x = M["l"] + i * slot + slot * 0.15
        w = slot * 0.7
        v0 = 0.0 if not np.isfinite(v) else v
        out.append(f'<rect x="{x:.1f}" y="{y(v0):.1f}" width="{w:.1f}" height="{y(0) - y(v0):.1f}" '
                   f'fill="{PALETTE[i % len(PALETTE)]}"><title>{escape(lab)}: {v0:.4g}</title></rect>')
        if lows is not None and highs is not None and np.isfinite(lows[i]) and np.isfinite(highs[i]):
            cx = x + w / 2
            out.append(f'<path d="M{cx:.1f},{y(lows[i]):.1f}V{y(highs[i]):.1f}M{cx - 6:.1f},{y(lows[i]):.1f}'
                       f'h12M{cx - 6:.1f},{y(highs[i]):.1f}h12" stroke="#000" fill="none"/>')
        out.append(f'<text x="{x + w / 2:.1f}" y="{H - M["b"] + 14}" text-anchor="middle">{escape(lab)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def bands(title: str, days, series: dict, ylabel: str, xlabel: str = "day") -> str:
    """Median lines with 5-95% bands: series maps a label to an array (3, T) of p5, p50, p95."""
    days = np.asarray(days, dtype=float)
    vals = [v for v in series.values() if np.isfinite(v).any()]
    lo = min(0.0, min(float(np.nanmin(v)) for v in vals)) if vals else 0.0
    hi = max(float(np.nanmax(v)) for v in vals) * 1.05 if vals else 1.0
    out = _open(title)
    axis, y = _yaxis(lo, hi if hi > lo else lo + 1, H, ylabel)
    out += axis
    x0, x1 = M["l"], W - M["r"]
    dmax = float(days.max()) if days.size else 1.0

    def x(d):
        return x0 + d / dmax * (x1 - x0)

    out.append(f'<text x="{(x0 + x1) / 2}" y="{H - 8}" text-anchor="middle">{escape(xlabel)}</text>')
    for d in np.linspace(0, dmax, 7):
        out.append(f'<text x="{x(d):.1f}" y="{H - M["b"] + 14}" text-anchor="middle">{d:.0f}</text>')
    for i, (lab, v) in enumerate(series.items()):
        ok = np.isfinite(v).all(axis=0)
        if not ok.any():
            continue
        c = PALETTE[i % len(PALETTE)]
        d, p5, p50, p95 = days[ok], v[0, ok], v[1, ok], v[2, ok]
        poly = " ".join(f"{x(a):.1f},{y(b):.1f}" for a, b in zip(d, p95)) + " " + \
            " ".join(f"{x(a):.1f},{y(b):.1f}" for a, b in zip(d[::-1], p5[::-1]))
        out.append(f'<polygon points="{poly}" fill="{c}" fill-opacity="0.2" stroke="none"/>')
        line = " ".join(f"{x(a):.1f},{y(b):.1f}" for a, b in zip(d, p50))
        out.append(f'<polyline points="{line}" fill="none" stroke="{c}" stroke-width="2"><title>{escape(lab)} '
                   f'(median, 5-95% band)</title></polyline>')
        out.append(f'<text x="{x1 - 4}" y="{M["t"] + 14 * (i + 1)}" text-anchor="end" fill="{c}">{escape(lab)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def stacked(title: str, days, counts: dict, ylabel: str) -> str:
    """Stacked columns per day: counts maps a label to an array over days."""
    days = np.asarray(days)
    total = np.sum([np.asarray(c, dtype=float) for c in counts.values()], axis=0) if counts else np.zeros(1)
    out = _open(title, H + 56)
    axis, y = _yaxis(0.0, float(total.max()) * 1.05 if total.size and total.max() > 0 else 1.0, H, ylabel)
    out += axis
    n = max(1, days.size)
    slot = (W - M["l"] - M["r"]) / n
    base = np.zeros(n)
    for i, (lab, c) in enumerate(counts.items()):
        c = np.asarray(c, dtype=float)
        col = PALETTE[i % len(PALETTE)]
        for j in np.flatnonzero(c > 0):
            out.append(f'<rect x="{M["l"] + j * slot:.1f}" y="{y(base[j] + c[j]):.1f}" width="{max(slot, 0.5):.1f}" '
                       f'height="{y(base[j]) - y(base[j] + c[j]):.1f}" fill="{col}"><title>day {days[j]}: '
                       f'{escape(lab)} {c[j]:.0f}</title></rect>')
        base += c
        lx, ly = M["l"] + 112 * (i % 5), H + 10 + 18 * (i // 5)  # legend: rows of five
        out.append(f'<rect x="{lx}" y="{ly}" width="10" height="10" fill="{col}"/>'
                   f'<text x="{lx + 14}" y="{ly + 9}">{escape(lab)}</text>')
    for d in np.linspace(0, n - 1, 7):
        out.append(f'<text x="{M["l"] + (d + 0.5) * slot:.1f}" y="{H - M["b"] + 14}" text-anchor="middle">'
                   f'{days[int(d)] if days.size else 0}</text>')
    out.append(f'<text x="{W / 2}" y="{H - 8}" text-anchor="middle">day of the war</text>')
    out.append("</svg>")
    return "\n".join(out)


def hbars(title: str, labels: list[str], values, lows=None, highs=None, xlabel: str = "", percent=False,
          lim: float | None = None) -> str:
    """Horizontal bars from zero, with optional interval whiskers: a forest plot of differences,
    or a tornado chart when the labels come sorted by |value|. ``lim`` fixes the axis at [-lim, lim]."""
    values = np.asarray(values, dtype=float)
    ends = [values] + ([np.asarray(lows, float), np.asarray(highs, float)] if lows is not None else [])
    span = lim if lim else max([float(np.nanmax(np.abs(e))) for e in ends if np.isfinite(e).any()] or [1.0]) * 1.1
    span = span if span > 0 else 1.0
    row, left = 18, 230
    height = M["t"] + 10 + row * max(1, len(labels)) + M["b"]
    out = _open(title, height)
    x0, x1 = left, W - M["r"]

    def x(v):
        return x0 + (v + span) / (2 * span) * (x1 - x0)

    bot = height - M["b"]
    for v in np.linspace(-span, span, 5):
        text = f"{v:+.0%}" if percent else (num(v) if abs(v) >= 100 else f"{v:+.2g}")
        out.append(f'<line x1="{x(v):.1f}" y1="{M["t"]}" x2="{x(v):.1f}" y2="{bot}" stroke="#ddd"/>')
        out.append(f'<text x="{x(v):.1f}" y="{bot + 14}" text-anchor="middle">{escape(text)}</text>')
    out.append(f'<line x1="{x(0):.1f}" y1="{M["t"]}" x2="{x(0):.1f}" y2="{bot}" stroke="#333"/>')
    out.append(f'<text x="{(x0 + x1) / 2}" y="{height - 10}" text-anchor="middle">{escape(xlabel)}</text>')
    for i, (lab, v) in enumerate(zip(labels, values)):
        yc = M["t"] + 10 + row * i + row / 2
        v0 = 0.0 if not np.isfinite(v) else float(np.clip(v, -span, span))
        c = PALETTE[0] if v0 >= 0 else PALETTE[1]
        out.append(f'<rect x="{min(x(0), x(v0)):.1f}" y="{yc - row * 0.35:.1f}" width="{abs(x(v0) - x(0)):.1f}" '
                   f'height="{row * 0.7:.1f}" fill="{c}"><title>{escape(lab)}: {v0:.4g}</title></rect>')
        if lows is not None and highs is not None and np.isfinite(lows[i]) and np.isfinite(highs[i]):
            a, b = x(float(np.clip(lows[i], -span, span))), x(float(np.clip(highs[i], -span, span)))
            out.append(f'<path d="M{a:.1f},{yc:.1f}H{b:.1f}M{a:.1f},{yc - 4:.1f}v8M{b:.1f},{yc - 4:.1f}v8" '
                       f'stroke="#000" fill="none"/>')
        out.append(f'<text x="{x0 - 6}" y="{yc + 4:.1f}" text-anchor="end">{escape(lab)}</text>')
    out.append("</svg>")
    return "\n".join(out)
