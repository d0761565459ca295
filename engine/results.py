"""Results: what a batch produces, and the in-memory writer.

Writers share one interface: ``create(attrs, layout)``, ``append(batch)`` for each
batch in replication order, ``finish(extra)``, ``read()``. ``MemoryResults`` keeps
batches in memory; ``engine.store.HDF5Store`` streams them to a crash-safe HDF5 file
(docs/results-format.md). A batch is the dictionary ``collect`` returns: plain arrays,
which is also what worker processes send back to the writer.
"""

from __future__ import annotations

import datetime as _dt
import json
import platform
from importlib import metadata

import numpy as np

from . import raids
from .log import ACTIONS, EVENT_TYPES
from .world import CASUALTY_SHARE, OUTCOMES, RUNG_NAMES, World

SCHEMA_VERSION = "1.0"

# name -> (group, dtype, trailing shape from the world)
REP_COLUMNS = {
    "outcome": ("i1", lambda w: ()),
    "winner": ("<i2", lambda w: ()),
    "war_day": ("<f4", lambda w: ()),
    "end_day": ("<f4", lambda w: ()),
}
STATE_COLUMNS = {
    "intervened": ("?", lambda w: (w.S,)),
    "intervention_day": ("<f4", lambda w: (w.S,)),
    "side": ("i1", lambda w: (w.S,)),
    "withdrew_day": ("<f4", lambda w: (w.S,)),
    "losses": ("<f8", lambda w: (w.S, 3)),
    "losses_cp": ("<f8", lambda w: (w.S, 3)),
    "escalation_level": ("i1", lambda w: (w.S,)),
    "struck_level": ("i1", lambda w: (w.S,)),
    "attacked": ("?", lambda w: (w.S,)),
}


def collect(w: World, log, ts=None) -> dict:
    """Everything a batch produced, as plain arrays (what workers would send to the writer)."""
    out = {
        "reps": w.reps.copy(),
        "replications": {
            "outcome": w.outcome.copy(),
            "winner": w.winner.copy(),
            "war_day": w.war_day.astype("<f4"),
            "end_day": w.end_day.astype("<f4"),
        },
        "states": {
            "intervened": w.intervened.copy(),
            "intervention_day": w.intervention_day.astype("<f4"),
            "side": np.where(w.intervened, w.joined, w.side).astype("i1"),
            "withdrew_day": w.withdrew_day.astype("<f4"),
            "losses": w.lost * w.mpc * CASUALTY_SHARE,
            "losses_cp": w.lost.copy(),
            "escalation_level": w.rung.max(axis=2).astype("i1"),
            "struck_level": w.rung.max(axis=1).astype("i1"),
            "attacked": w.attacked.copy(),
        },
        "params": {k: v.copy() for k, v in w.params.items()},
        "events": log.events(),
        "decisions": log.decisions(),
    }
    if w.raid is not None:  # raids on layered air defence (engine/raids.py)
        reps, states = raids.columns(w)
        out["replications"].update(reps)
        out["states"].update(states)
    if ts is not None:
        out["timeseries"] = ts.data
    return out


def describe(w: World) -> dict:
    """Static description of the scenario layout, stored once as attributes."""
    return {
        "states": w.state_ids,
        "state_names": [st.name for st in w.sc.states.values()],
        "fronts": w.front_ids,
        "domains": ["ground", "air", "naval"],
        "outcomes": list(OUTCOMES),
        "event_types": list(EVENT_TYPES),
        "actions": list(ACTIONS),
        "rungs": list(RUNG_NAMES),
        "doctrines": [int(d) for d in w.doctrine],
        "attacker": w.att,
        "defender": w.dfd,
        "horizon_days": w.horizon,
        "step_days": w.dt,
    } | ({"raids": raids.describe(w)} if w.raid is not None else {})


class MemoryResults:
    """Keeps batches in memory; ``read`` concatenates them."""

    def __init__(self):
        self.reset()

    def reset(self):
        self._batches: list[dict] = []
        self.attrs: dict = {}
        self.layout: dict = {}

    def create(self, attrs: dict, layout: dict):
        self.attrs, self.layout = dict(attrs), dict(layout)

    def append(self, batch: dict):
        self._batches.append(batch)

    def finish(self, extra: dict | None = None):
        self.attrs.update(extra or {})

    def read(self) -> dict:
        return concat(self._batches, self.attrs, self.layout)


def concat(batches: list[dict], attrs: dict, layout: dict) -> dict:
    if not batches:
        raise ValueError("no results")
    out = {"attrs": attrs, "layout": layout, "reps": np.concatenate([b["reps"] for b in batches])}
    for g in ("replications", "states", "params"):
        if g in batches[0]:
            out[g] = {k: np.concatenate([b[g][k] for b in batches]) for k in batches[0][g]}
    for k in ("events", "decisions", "timeseries"):
        if k in batches[0]:
            out[k] = np.concatenate([b[k] for b in batches])
    return out


def package_versions() -> dict:
    v = {"python": platform.python_version()}
    for p in ("wargame", "numpy", "numba", "simpy", "h5py", "pydantic"):
        try:
            v[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            v[p] = "not installed"
    return v


def run_attrs(loaded, seed: int, runs: int, doctrines: dict, command: str, batch_size: int, timeseries: bool) -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
        "engine_version": package_versions()["wargame"],
        "package_versions": json.dumps(package_versions()),
        "seed": int(seed),
        "runs": int(runs),
        "scenario": loaded.scenario.scenario.name,
        "config_path": loaded.path,
        "config_text": loaded.text,
        "config_sha256": loaded.sha256,
        "overrides": json.dumps([list(o) for o in loaded.overrides] + [[f"states.{k}.doctrine", v] for k, v in doctrines.items()]),
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "command": command,
        "batch_size": int(batch_size),
        "timeseries": bool(timeseries),
    }
