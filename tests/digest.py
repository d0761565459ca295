"""A SHA-256 over every result array of a run, to pin results bit for bit across refactors."""

import hashlib

import numpy as np


def digest(res: dict) -> str:
    """Digest of a results dictionary (``MemoryResults.read``): names, dtypes, shapes and bytes."""
    h = hashlib.sha256()

    def add(name, a):
        a = np.asarray(a)
        h.update(f"{name}|{a.dtype.str}|{a.shape}|".encode())
        h.update(np.ascontiguousarray(a).tobytes())

    add("reps", res["reps"])
    for g in ("replications", "states", "params"):
        for k in sorted(res.get(g, {})):
            add(f"{g}/{k}", res[g][k])
    for k in ("events", "decisions", "timeseries"):
        if k in res:
            add(k, res[k])
    return h.hexdigest()
