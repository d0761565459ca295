"""Feeding a summary's reducer from results in memory or from a file, a chunk at a time.

Concept owned: the one loop every per-table summary (casualties, ships, aircraft, raids,
strikes) shares. A reducer is built from the file's layout and fed ``add(reps, states)``
with the columns it names, so a file of any size is summarised in bounded memory. A
result without the table (a scenario without fleets, a file written before the columns
existed) gives None, which the summary prints as nothing.
"""

from __future__ import annotations

CHUNK = 16_384  # replications per read: a few MiB of columns at most


def in_memory(res: dict, make, table: str, column: str):
    """``make(layout)`` fed the whole of ``res``; None when the layout lacks ``table`` or the
    states lack ``column``."""
    if column not in res["states"] or table not in res["layout"]:
        return None
    r = make(res["layout"])
    r.add(res["replications"], res["states"])
    return r


def from_file(path, layout: dict, make, table: str, columns: dict, chunk: int = CHUNK):
    """``make(layout)`` fed ``path``'s ``columns`` ({group: names}) a chunk at a time; None
    when the layout lacks ``table`` or the file lacks a column (written before it existed)."""
    from wargame.execution.store import iter_columns

    if table not in layout:
        return None
    r = make(layout)
    try:
        for c in iter_columns(path, columns, chunk=chunk):
            r.add(c.get("replications", {}), c.get("states", {}))
    except KeyError:
        return None
    return r
