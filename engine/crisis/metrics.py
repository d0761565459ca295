"""Sweep metrics of the crisis kind: per-replication columns for ``wargame sweep``
(the defender's survival, great-power war, escalation, interventions, losses)."""

from __future__ import annotations

import numpy as np

from wargame.crisis import aid_results, fleet
from wargame.crisis import air_force_summary
from wargame.crisis.air_force import types_of
from wargame.crisis.casualties import KINDS
from wargame.crisis.world import OUTCOMES

RUNGS = ("forces", "bases", "homeland", "nuclear")


def battle_catalogue(layout: dict, great_powers: list[str]) -> dict[str, str]:
    """Metric name -> description for an invasion scenario with this layout."""
    att, dfd = layout["states"][layout["attacker"]], layout["states"][layout["defender"]]
    cat = {"defender_survives": f"P({dfd} survives): the war ends other than by {att} winning or by nuclear use"}
    if "deterred" in layout["outcomes"]:  # files written before the outcome existed have no such column
        cat["deterred"] = f"P({att} deterred): it stood down, and without the third parties it expected it would have attacked"
        cat["war"] = f"P(war): {att} invades"
    if great_powers:
        cat["great_power_war"] = ("P(great-power war): a great power fights on each side (primary, or intervened); "
                                  f"great powers: {', '.join(great_powers)}")
    for k, rung in enumerate(RUNGS, 1):
        cat[f"escalation_{rung}"] = f"P(some state strikes at rung >= {k}, {rung})"
    for s, sid in enumerate(layout["states"]):
        if s not in (layout["attacker"], layout["defender"]):
            cat[f"intervened.{sid}"] = f"P({sid} intervenes)"
    for sid in layout["states"]:
        cat[f"losses.{sid}"] = f"E[{sid} personnel casualties], all domains"
    if "casualty_kinds" in layout:  # files written before the casualties column have no such metrics
        for sid in layout["states"]:
            for kind in layout["casualty_kinds"]:
                cat[f"{kind}.{sid}"] = f"E[{sid} personnel {kind}], all domains (crisis/casualties.py)"
    for sid, own in zip(layout["states"], _own_classes(layout)):  # fleets by class (crisis/fleet.py)
        for c in own:
            cat[f"ships_lost.{sid}.{c}"] = f"E[{sid} {c} ships put out of action] (crisis/fleet.py)"
    return cat


def _own_classes(layout: dict) -> list[list[str]]:
    """Each state's own ship classes (none without fleets; all of the union in a layout without the per-state list)."""
    if not layout.get("ship_classes"):
        return [[] for _ in layout["states"]]
    return layout.get("state_ship_classes") or [list(layout["ship_classes"]) for _ in layout["states"]]


def _metrics(columns: dict, layout: dict, great_power: np.ndarray) -> dict[str, np.ndarray]:
    """Per-replication metric columns of an invasion scenario (see ``battle_catalogue``)."""
    reps, st = columns["replications"], columns["states"]
    outcomes = layout["outcomes"]
    att, dfd = layout["attacker"], layout["defender"]
    oc = reps["outcome"]
    m = {"defender_survives": (oc != outcomes.index("attacker_wins")) & (oc != outcomes.index("nuclear_use"))}
    if "deterred" in outcomes:
        m["deterred"] = oc == outcomes.index("deterred")
        m["war"] = np.isfinite(reps["war_day"])
    if great_power.any():
        war = np.isfinite(reps["war_day"])
        side = st["side"].astype(int)
        fighting = st["intervened"].copy()
        fighting[:, att] |= war
        fighting[:, dfd] |= war
        gp_att = (fighting & (side == 1) & great_power).any(axis=1)
        gp_dfd = (fighting & (side == -1) & great_power).any(axis=1)
        m["great_power_war"] = gp_att & gp_dfd
    top = st["escalation_level"].max(axis=1)
    for k, rung in enumerate(RUNGS, 1):
        m[f"escalation_{rung}"] = top >= k
    for s, sid in enumerate(layout["states"]):
        if s not in (att, dfd):
            m[f"intervened.{sid}"] = st["intervened"][:, s].astype(bool)
    loss = st["losses"].sum(axis=2)
    for s, sid in enumerate(layout["states"]):
        m[f"losses.{sid}"] = loss[:, s].astype(float)
    if "casualties" in st and "casualty_kinds" in layout:
        cas = np.asarray(st["casualties"], float).sum(axis=2)  # (n, S, kind)
        for s, sid in enumerate(layout["states"]):
            for k, kind in enumerate(layout["casualty_kinds"]):
                m[f"{kind}.{sid}"] = cas[:, s, k]
    if "ships_lost" in st and "ship_classes" in layout:
        lost = np.asarray(st["ships_lost"], float)
        for s, (sid, own) in enumerate(zip(layout["states"], _own_classes(layout))):
            for cls in own:
                m[f"ships_lost.{sid}.{cls}"] = lost[:, s, layout["ship_classes"].index(cls)]
    return m


def metrics(columns: dict, layout: dict, loaded) -> dict[str, np.ndarray]:
    """Per-replication metric columns (see ``catalogue``) from a run's columns."""
    gp = np.array([st.great_power for st in loaded.scenario.states.values()], dtype=bool)
    return _metrics(columns, layout, gp) | aid_results.metrics(columns, layout) | air_force_summary.metrics(columns, layout)


def catalogue(loaded) -> dict[str, str]:
    """Metric name -> description for this scenario."""
    sc = loaded.scenario
    ids = list(sc.states)
    layout = {"states": ids, "attacker": ids.index(sc.scenario.attacker),
              "defender": ids.index(sc.scenario.defender), "outcomes": list(OUTCOMES),
              "casualty_kinds": list(KINDS), "aircraft_types": types_of(sc),
              "ship_classes": fleet.classes(sc), "state_ship_classes": [list(st.fleet) for st in sc.states.values()]}
    return (battle_catalogue(layout, [k for k, st in sc.states.items() if st.great_power]) | aid_results.catalogue(sc)
            | air_force_summary.catalogue(layout))
