"""What a system batch writes: the arrays ``collect`` takes from a finished SystemWorld and
the layout ``describe`` stores once per file.

Batches have the crisis kind's shape (``reps``, ``replications``, ``states``,
``params``, ``events``, ``decisions``), so the execution layer's writers store and
read them unchanged; the layout carries ``kind = "system"`` so readers know which
summary applies, and the table of every column's dimensions and code labels (``table``)
that the store and ``wargame.analysis.labelled`` read.
"""

from __future__ import annotations

import numpy as np

from wargame.model.log import DECISION_DTYPE
from wargame.system.events import EVENT_TYPES
from wargame.model.system import DOCTRINES
from wargame.system.world import SystemWorld

R, RS = ["replication"], ["replication", "state"]
STATE_OR_NONE = {"labels": "states", "none": -1}  # a state index, -1 for none
COUNTS = ("survivors", "wars", "max_war_size", "conquests", "stalemates", "contests", "alliances_formed",
          "alliances_broken")
DIMS = {
    "replication": {"column": "replications/rep"},
    "state": {"labels": "states"},
    "war_size": {"start": 0, "step": 1},  # war_sizes[r, n]: wars with n participants, n = 0..S
    "event": {},
    "decision": {},
}
COLUMNS = {
    "replications/rep": {"dims": R},
    **{f"replications/{k}": {"dims": R} for k in COUNTS},
    "replications/endurance_years": {"dims": R},
    "replications/dominated": {"dims": R},
    "replications/dominant": {"dims": R, "codes": STATE_OR_NONE},  # -1: no state dominated
    "replications/strongest": {"dims": R, "codes": {"labels": "states"}},  # largest share at the end
    "replications/mean_war_size": {"dims": R},
    "replications/war_sizes": {"dims": ["replication", "war_size"]},
    "replications/power_destroyed": {"dims": R},
    "states/survived": {"dims": RS},
    "states/death_year": {"dims": RS},
    "states/absorbed_by": {"dims": RS, "codes": STATE_OR_NONE},  # -1: not absorbed
    "states/final_share": {"dims": RS},
    "states/wars_fought": {"dims": RS},
    "params/*": {"dims": R},
    # The log's ``day`` field holds the year; actor and target are state indices, -1 for none.
    "events": {"dims": ["event"], "rename": {"day": "year"},
               "fields": {"type": {"labels": "event_types"}, "actor": STATE_OR_NONE, "target": STATE_OR_NONE}},
    "decisions": {"dims": ["decision"], "fields": {"state": {"labels": "states"},
                                                   "doctrine": {"labels": "doctrine_names"}}},
}


def table(layout: dict) -> dict:
    """The label lists, dimensions and column table of a system layout (the same for every
    system file, so files written before the table existed get it when they are read)."""
    return {"doctrine_names": list(DOCTRINES), "dims": dict(DIMS), "columns": dict(COLUMNS)}


def collect(w: SystemWorld, log) -> dict:
    sizes = np.arange(w.S + 1)
    nwar = w.war_sizes.sum(axis=1)
    mean_size = np.where(nwar > 0, (w.war_sizes * sizes).sum(axis=1) / np.maximum(nwar, 1), np.nan)
    max_size = ((w.war_sizes > 0) * sizes).max(axis=1)  # 0 when there was no war
    share = w.shares()
    return {
        "reps": w.reps.copy(),
        "replications": {
            "survivors": w.alive.sum(axis=1).astype("<i2"),
            "endurance_years": w.endurance.astype("<f4"),
            "dominated": w.ended.copy(),
            "dominant": w.dominant.copy(),
            "strongest": share.argmax(axis=1).astype("<i2"),
            "wars": w.wars.copy(),
            "mean_war_size": mean_size.astype("<f4"),
            "max_war_size": max_size.astype("<i2"),
            "war_sizes": w.war_sizes.copy(),
            "conquests": w.conquests.copy(),
            "stalemates": w.stalemates.copy(),
            "contests": w.contests.copy(),
            "alliances_formed": w.alliances_formed.copy(),
            "alliances_broken": w.alliances_broken.copy(),
            "power_destroyed": w.power_destroyed.copy(),
        },
        "states": {
            "survived": w.alive.copy(),
            "death_year": w.death_year.astype("<f4"),
            "absorbed_by": w.absorbed_by.copy(),
            "final_share": share.astype("<f4"),
            "wars_fought": w.wars_fought.copy(),
        },
        "params": {k: v.copy() for k, v in w.params.items()},
        "events": log.events(),
        "decisions": np.empty(0, dtype=DECISION_DTYPE),
    }


def describe(w: SystemWorld) -> dict:
    """Static description of the system layout, stored once as an attribute."""
    lay = {
        "kind": "system",
        "states": w.ids,
        "state_names": [st.name or sid for sid, st in w.sc.states.items()],
        "doctrines": [DOCTRINES[d] for d in w.doctrine],
        "event_types": list(EVENT_TYPES),
        "horizon_years": w.horizon,
        "war_steps_per_year": int(round(1 / w.dt)),
    }
    return lay | table(lay)
