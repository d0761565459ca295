"""What a crisis batch writes: its columns, the arrays ``collect`` takes from a finished
World, and the layout ``describe`` stores once per file (docs/results-format.md)."""

from __future__ import annotations

import numpy as np

from wargame.crisis import raids
from wargame.model.log import ACTIONS, EVENT_TYPES
from wargame.crisis.world import CASUALTY_SHARE, OUTCOMES, RUNG_NAMES, World

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
