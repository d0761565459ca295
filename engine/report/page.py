"""The self-contained HTML page every report is written into: tables, sections, the page.

No network, no script but the figure self-check that the browser tests read
(``data-figures``: how many SVG figures; ``data-rendered``: how many drew with a size).
"""

from __future__ import annotations

from html import escape


def table(head, rows) -> str:
    h = "".join(f"<th>{escape(str(x))}</th>" for x in head)
    b = "".join("<tr>" + "".join(f"<td>{escape(str(x))}</td>" for x in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{h}</tr></thead><tbody>{b}</tbody></table>"


def section(title: str, body: str) -> str:
    return f"<section><h2>{escape(title)}</h2>{body}</section>"


def page(title: str, body: list[str]) -> str:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>body{{font-family:sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}}
table{{border-collapse:collapse;margin:1em 0;font-size:13px}}td,th{{border:1px solid #ccc;padding:3px 6px;text-align:left}}
svg{{display:block;margin:1em 0;max-width:100%;height:auto}}pre{{background:#f6f6f6;padding:1em;overflow:auto}}</style>
</head><body>
{''.join(body)}
<script>
// Self-check for people and for the tests: how many figures actually rendered with a size.
const figs = Array.from(document.querySelectorAll('svg'));
const ok = figs.filter(s => s.getBBox().width > 0 && s.getBoundingClientRect().height > 0).length;
document.body.dataset.figures = figs.length;
document.body.dataset.rendered = ok;
</script>
</body></html>
"""
