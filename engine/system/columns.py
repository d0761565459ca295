"""What a system batch writes: the arrays ``collect`` takes from a finished SystemWorld and
the layout ``describe`` stores once per file.

Batches have the crisis kind's shape (``reps``, ``replications``, ``states``,
``params``, ``events``, ``decisions``), so the execution layer's writers store and
read them unchanged; the layout carries ``kind = "system"`` so readers know which
summary applies.
"""

from __future__ import annotations

import numpy as np

from wargame.model.log import DECISION_DTYPE
from wargame.system.events import EVENT_TYPES
from wargame.model.system import DOCTRINES
from wargame.system.world import SystemWorld


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
    return {
        "kind": "system",
        "states": w.ids,
        "state_names": [st.name or sid for sid, st in w.sc.states.items()],
        "doctrines": [DOCTRINES[d] for d in w.doctrine],
        "event_types": list(EVENT_TYPES),
        "horizon_years": w.horizon,
        "war_steps_per_year": int(round(1 / w.dt)),
    }
