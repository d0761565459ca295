"""What a crisis batch writes: its columns, the arrays ``collect`` takes from a finished
World, and the layout ``describe`` stores once per file (docs/results-format.md).

``table`` is the one source of every column's dimension names and code labels: the
store turns it into HDF5 dimension scales and enum types, ``wargame.analysis.labelled``
into xarray dimensions and pandas categories.
"""

from __future__ import annotations

import numpy as np

from wargame.crisis import aid_results
from wargame.crisis import air_force
from wargame.crisis import casualties
from wargame.crisis import fleet
from wargame.crisis import raids
from wargame.crisis import strikes
from wargame.model.log import ACTIONS, EVENT_TYPES
from wargame.model.scenario import DOCTRINES
from wargame.crisis.world import OUTCOMES, RUNG_NAMES, World

# The side a state ended on: World.side is +1 attacker, -1 defender, 0 neither (a third
# party that stayed out); ``collect`` stores the side an intervener joined.
SIDES = ("defender", "none", "attacker")  # codes -1, 0, +1
SERIES = ("attacker_ground_cp", "defender_ground_cp", "position_km")  # timeseries/fronts, last axis
DOMAINS = ("ground", "air", "naval")

# Dimensions: where each one's coordinate comes from (results.dim_values).
DIMS = {
    "replication": {"column": "replications/rep"},
    "state": {"labels": "states"},
    "domain": {"labels": "domains"},
    "front": {"labels": "fronts"},
    "series": {"labels": "series"},
    "event": {},  # a record of the event log: no coordinate
    "decision": {},
    "target": {"labels": "states"},  # the state struck (states/strikes)
    "measure": {"labels": "strike_measures"},
    "kind": {"labels": "casualty_kinds"},  # killed, wounded, captured (crisis/casualties.py)
    "mark": {"labels": "loss_mark_days"},  # days of the war: 7, 21, 30
}
R, RS, RSD = ["replication"], ["replication", "state"], ["replication", "state", "domain"]
STATE_OR_NONE = {"labels": "states", "none": -1}  # a state index, -1 for none
RUNG = {"labels": "rungs"}  # 0 none, 1 forces, 2 bases, 3 homeland, 4 nuclear

# Every stored column: its dimensions and, for coded ones, the layout list naming its codes.
COLUMNS = {
    "replications/rep": {"dims": R},
    "replications/outcome": {"dims": R, "codes": {"labels": "outcomes"}},
    "replications/winner": {"dims": R, "codes": STATE_OR_NONE},
    "replications/war_day": {"dims": R},
    "replications/end_day": {"dims": R},
    "states/intervened": {"dims": RS},
    "states/intervention_day": {"dims": RS},
    "states/side": {"dims": RS, "codes": {"labels": "sides", "first": -1}},
    "states/withdrew_day": {"dims": RS},
    "states/losses": {"dims": RSD},
    "states/losses_cp": {"dims": RSD},
    "states/casualties": {"dims": RSD + ["kind"]},  # personnel; sums over kind to states/losses
    "states/losses_by_day": {"dims": RSD + ["kind", "mark"]},  # personnel lost by day 7, 21, 30 of the war
    "states/daily_casualties": {"dims": ["replication", "state", "day", "domain", "kind"]},  # --timeseries
    "states/breakoffs": {"dims": RSD},
    "states/escalation_level": {"dims": RS, "codes": RUNG},
    "states/struck_level": {"dims": RS, "codes": RUNG},
    "states/attacked": {"dims": RS},
    "states/strikes": {"dims": ["replication", "state", "target", "measure"]},  # [striker, target]: strikes.MEASURES
    "params/*": {"dims": R},
    # "wide": tables give each series its own column (rows: replication, day, front).
    "timeseries/fronts": {"dims": ["replication", "day", "front", "series"], "wide": "series"},
    # Log records: fields with codes (``value`` means something different for each type).
    "events": {"dims": ["event"], "fields": {"type": {"labels": "event_types"}, "actor": STATE_OR_NONE,
                                             "target": STATE_OR_NONE}},
    "decisions": {"dims": ["decision"], "fields": {"state": {"labels": "states"},
                                                   "doctrine": {"labels": "doctrine_names"},
                                                   "action": {"labels": "actions"}}},
}


def table(layout: dict) -> dict:
    """The label lists, dimensions and column table for a crisis layout (describe's labels
    and sizes). A function of the layout alone, so files written before the table existed
    (schema 1.0) get the same one when they are read."""
    step = float(layout.get("step_days", 1.0))
    dims = DIMS | {"day": {"start": step, "step": step}}  # timeseries day k+1 is (k+1) x step
    cols = dict(COLUMNS)
    if "raids" in layout:
        dims, cols = dims | raids.DIMS, cols | raids.COLUMNS
    if "ship_classes" in layout:  # fleets by class (crisis/fleet.py)
        dims = dims | {"ship_class": {"labels": "ship_classes"}}
        cols = cols | {"states/ships_lost": {"dims": RS + ["ship_class"]},  # platforms put out of action
                       "states/ships_lost_by_day": {"dims": RS + ["ship_class", "mark"]},  # by day 7, 21, 30
                       "states/daily_ships_lost": {"dims": ["replication", "state", "day", "ship_class"]}}
    if "aid" in layout:  # aid short of war and sanctions (crisis/aid_results.py)
        dims, cols = dims | aid_results.DIMS, cols | aid_results.COLUMNS
    if "aircraft_types" in layout:  # aircraft by type (crisis/air_force.py)
        dims = dims | {"aircraft_type": {"labels": "aircraft_types"}, "where": {"labels": "aircraft_where"}}
        cols = cols | {"states/aircraft_lost": {"dims": RS + ["aircraft_type", "where"]},
                       "states/aircraft_lost_by_day": {"dims": RS + ["aircraft_type", "mark"]},  # air and ground
                       "states/daily_aircraft_lost": {"dims": ["replication", "state", "day", "aircraft_type"]}}
    return {"sides": list(SIDES), "series": list(SERIES), "doctrine_names": list(DOCTRINES),
            "strike_measures": list(strikes.MEASURES),
            "casualty_kinds": list(casualties.KINDS), "loss_mark_days": [f"day {d}" for d in casualties.MARK_DAYS],
            "dims": dims, "columns": cols}


def breakoffs(w: World) -> np.ndarray:
    """(R, S, 3) int32: times the side each state fought on pulled a domain back from a front
    (crisis/breakoff.py); ground is always 0, a state on neither side 0."""
    out = np.zeros((w.R, w.S, 3), dtype=np.int32)
    for i, sgn in enumerate((1, -1)):
        on = (w.side == sgn)[:, :, None]
        out[:, :, 1:] = np.where(on, w.breakoffs[:, i, None, :], out[:, :, 1:])
    return out


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
            "losses": casualties.personnel(w),
            "losses_cp": w.lost.copy(),
            "breakoffs": breakoffs(w),
            "escalation_level": w.rung.max(axis=2).astype("i1"),
            "struck_level": w.rung.max(axis=1).astype("i1"),
            "attacked": w.attacked.copy(),
            "strikes": strikes.record(w),
        },
        "params": {k: v.copy() for k, v in w.params.items()},
        "events": log.events(),
        "decisions": log.decisions(),
    }
    if w.raid is not None:  # raids on layered air defence (engine/crisis/raids.py)
        reps, states = raids.columns(w)
        out["replications"].update(reps)
        out["states"].update(states)
    if aid_results.present(w):
        out["states"].update(aid_results.columns(w))
    out["states"].update(casualties.columns(w))
    out["states"].update(fleet.columns(w))
    out["states"].update(air_force.columns(w))  # aircraft lost by type, when some state has a table
    if ts is not None:
        out["timeseries"] = ts.data
        out["states"]["daily_casualties"] = ts.casualties
        ts.platforms(w)
        if ts.ships is not None:  # --timeseries with fleets by class / aircraft by type
            out["states"]["daily_ships_lost"] = ts.ships
        if ts.aircraft is not None:
            out["states"]["daily_aircraft_lost"] = ts.aircraft
    return out


def describe(w: World) -> dict:
    """Static description of the scenario layout, stored once as attributes."""
    lay = {
        "states": w.state_ids,
        "state_names": [st.name for st in w.sc.states.values()],
        "fronts": w.front_ids,
        "domains": list(DOMAINS),
        "outcomes": list(OUTCOMES),
        "event_types": list(EVENT_TYPES),
        "actions": list(ACTIONS),
        "rungs": list(RUNG_NAMES),
        "doctrines": [int(d) for d in w.doctrine],
        "attacker": w.att,
        "defender": w.dfd,
        "horizon_days": w.horizon,
        "step_days": w.dt,
    } | ({"raids": raids.describe(w)} if w.raid is not None else {}) \
      | ({"aid": aid_results.describe(w)} if aid_results.present(w) else {}) \
      | ({"ship_classes": list(w.ship_classes),  # and each state's own classes (sweep metrics, crisis/metrics.py)
          "state_ship_classes": [list(st.fleet) for st in w.sc.states.values()]} if fleet.columns(w) else {})
    if w.typed:  # aircraft by type (crisis/air_force.py)
        lay |= {"aircraft_types": list(w.aircraft_types), "aircraft_where": list(air_force.WHERE)}
    return lay | table(lay)
