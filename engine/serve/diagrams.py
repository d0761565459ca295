"""Schematic SVG pictures for the live pages: the fronts and the timeline of events.

Plain generated SVG (no chart library): the pages refresh every turn and the shapes are
few. The charts of the after-action report are the report package's.
"""

from __future__ import annotations

from html import escape

STRIKES = ("escalate", "attacked")  # events drawn as strikes on the fronts' picture


def fronts(sit: dict) -> str:
    """One band per front: the line's position on the way to the objective, air and sea
    control (the attacker's share), each side's ground forces there, and the strikes so far."""
    rows, width = sit["fronts"], 640
    h = 40 + 96 * len(rows)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{h}" viewBox="0 0 {width} {h}" '
           'role="img" aria-label="the fronts" font-family="sans-serif" font-size="12">']
    strikes = sum(1 for e in sit["events"] if e["kind"] in STRIKES)
    out.append(f'<text x="8" y="18" font-weight="bold">Fronts, day {sit["day"]:.0f}</text>'
               f'<text x="{width - 8}" y="18" text-anchor="end">strikes so far: {strikes}</text>')
    for i, f in enumerate(rows):
        y = 34 + 96 * i
        x0, x1 = 110, width - 20
        share = min(max(f["position"] / f["depth"], 0.0), 1.0) if f["depth"] > 0 else 0.0
        xl = x0 + share * (x1 - x0)
        out.append(f'<text x="8" y="{y + 22}" font-weight="bold">{escape(f["id"])}</text>')
        out.append(f'<rect x="{x0}" y="{y + 8}" width="{xl - x0:.1f}" height="22" fill="#d9534f" opacity="0.8"/>'
                   f'<rect x="{xl:.1f}" y="{y + 8}" width="{x1 - xl:.1f}" height="22" fill="#428bca" opacity="0.8"/>'
                   f'<line x1="{xl:.1f}" x2="{xl:.1f}" y1="{y + 2}" y2="{y + 36}" stroke="black" stroke-width="3"/>'
                   f'<text x="{x1}" y="{y + 48}" text-anchor="end">objective at {f["depth"]:.0f} km</text>'
                   f'<text x="{x0}" y="{y + 48}">line at {f["position"]:.0f} km; ground: attacker side '
                   f'{_k(f["attacker"])}, defender side {_k(f["defender"])}</text>')
        for j, (name, v) in enumerate((("air", f["air"]), ("sea", f["sea"]))):
            yy = y + 56 + 14 * j
            out.append(f'<text x="8" y="{yy + 9}">{name} control</text>'
                       f'<rect x="{x0}" y="{yy}" width="{v * (x1 - x0):.1f}" height="10" fill="#d9534f"/>'
                       f'<rect x="{x0 + v * (x1 - x0):.1f}" y="{yy}" width="{(1 - v) * (x1 - x0):.1f}" height="10" '
                       f'fill="#428bca"/><text x="{x1 + 2}" y="{yy + 9}" font-size="10">{v:.0%}</text>')
    out.append("</svg>")
    return "".join(out)


def timeline(sit: dict) -> str:
    """The events on a day axis, one row per kind of event, strikes and injects marked."""
    ev, width = sit["events"], 640
    kinds = list(dict.fromkeys(e["kind"] for e in ev)) or ["crisis"]
    h = 40 + 18 * len(kinds)
    end = max([sit["day"], 1.0] + [e["day"] for e in ev])
    x0, x1 = 100, width - 20
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{h}" viewBox="0 0 {width} {h}" '
           'role="img" aria-label="timeline of events" font-family="sans-serif" font-size="11">',
           f'<line x1="{x0}" x2="{x1}" y1="{h - 14}" y2="{h - 14}" stroke="#888"/>'
           f'<text x="{x0}" y="{h - 2}">day 0</text><text x="{x1}" y="{h - 2}" text-anchor="end">day {end:.0f}</text>']
    for r, kind in enumerate(kinds):
        y = 14 + 18 * r
        colour = "#d9534f" if kind in STRIKES else "#f0ad4e" if kind == "inject" else "#555"
        out.append(f'<text x="8" y="{y + 4}">{escape(kind)}</text>')
        for e in ev:
            if e["kind"] == kind:
                x = x0 + e["day"] / end * (x1 - x0)
                out.append(f'<circle cx="{x:.1f}" cy="{y}" r="4" fill="{colour}">'
                           f'<title>day {e["day"]:.0f}: {escape(kind)} {escape(e["text"])}</title></circle>')
    out.append("</svg>")
    return "".join(out)


def _k(x: float) -> str:
    return f"{x / 1000:,.1f}k" if abs(x) >= 1000 else f"{x:,.0f}"
