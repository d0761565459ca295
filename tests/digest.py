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


def record(names=None) -> dict:
    """Re-record tests/data/digests.json (all shipped configs, or ``names``) the way
    tests/test_digests.py checks it. For a change that alters results on purpose; say why
    in the commit that carries the new file."""
    import json
    from pathlib import Path

    from wargame import kinds
    from wargame.execution.results import MemoryResults
    from wargame.model import scenario

    root = Path(__file__).resolve().parent
    path = root / "data" / "digests.json"
    configs = root.parent / "configs"
    out = json.loads(path.read_text()) if path.exists() else {}
    for p in sorted(configs.glob("*.toml")):
        if names and p.stem not in names:
            continue
        loaded = scenario.load(p)
        sink = MemoryResults()
        kinds.run(loaded, 40, seed=2026, sink=sink, batch_size=16, timeseries=kinds.of(loaded).timeseries)
        out[p.stem] = digest(sink.read())
    out = {k: out[k] for k in sorted(out) if (configs / f"{k}.toml").exists()}
    path.write_text(json.dumps(out, indent=1) + "\n")
    return out


if __name__ == "__main__":  # python tests/digest.py [name ...]
    import sys

    for k, v in record(sys.argv[1:] or None).items():
        print(k, v)
