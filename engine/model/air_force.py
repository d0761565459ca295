"""Air forces by aircraft type (crisis/air_force.py; docs/model.md §3.1.1).

``states.<s>.air_force.<type>``: a state's aircraft by type, each with its count, its air
combat power per aircraft and what the air battle and strikes on bases need to know about
it. ``[air]``: the scenario-wide engaged share of sorties and the protection a hardened
shelter gives. A state without a table keeps the aggregate air rule (docs/model.md §3.1).
Every default is an ASSUMPTION with the range given in its description.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from wargame.model.params import Param, Share, Strict as _M, point_value, ranged as _ranged

# ASSUMPTION: no aircraft type flies more than 10 sorties a day (Israeli turnarounds in 1967 and
# 1973 reached 4-6 a day for short missions); beyond it the engaged share is 1 for any figure.
MAX_SORTIES = 10.0
# A table and forces.air.combat_power may disagree by rounding; beyond this they describe two forces.
CP_TOLERANCE = 0.01


class AircraftType(_M):
    """One aircraft type of a state's air force (sources in the config header)."""

    count: Annotated[Param, _ranged(0.0, 1e6)] = Field(description="Aircraft of this type (cited).")
    combat_power: Annotated[Param, _ranged(1e-6, 1e3)] = Field(
        1.0, description="Air combat power per aircraft (the unit of forces.air.combat_power: one combat "
        "aircraft = 1).")
    air_to_air: Annotated[Param, _ranged(0.0, 10.0)] = Field(
        1.0, description="Weight in the air battle per unit of combat power (fighters 1; bombers, strike and "
        "support aircraft about 0: ASSUMPTION 0-0.2).")
    sorties_per_day: Annotated[Param, _ranged(0.0, MAX_SORTIES)] = Field(
        1.5, description="Sorties an aircraft of this type flies per day. ASSUMPTION 0.5-3: Desert Storm about "
        "1.2-1.6 for USAF fighters, Sea Harriers in 1982 up to 3 (docs/model.md §3.1.1).")
    exposure: Annotated[Param, _ranged(0.0, 100.0)] = Field(
        1.0, description="Relative chance, per engaged aircraft, of being the one shot down in air combat. "
        "ASSUMPTION 0.5-2.")
    sheltered_share: Share = Field(
        0.0, description="Share of the type in hardened shelters at its bases (0 = all in the open).")
    crew: Annotated[Param, _ranged(0.0, 50.0)] = Field(1.0, description="Aircrew per aircraft.")


class Air(_M):
    """Scenario-wide parameters of the air battle by type (docs/model.md §3.1.1)."""

    engaged_share: Share = Field(
        0.25, description="Share of a day's sorties that meet enemy aircraft; an aircraft type's engaged share "
        "is min(1, sorties_per_day x this). ASSUMPTION 0.1-0.5 (as naval.engaged_share).")
    shelter_protection: Share = Field(
        0.9, description="Share of the aircraft in hardened shelters that a missile reaching the base does not "
        "destroy. ASSUMPTION 0.8-0.95 (1991: shelters were built to survive near misses, and a few were "
        "penetrated by guided bombs; docs/model.md §3.1.1).")


def check(states: dict) -> list[str]:
    """One line per state whose table and forces.air.combat_power describe different forces."""
    errs = []
    for sid, st in states.items():
        if not st.air_force:
            continue
        total = sum(point_value(a.count) * point_value(a.combat_power) for a in st.air_force.values())
        given = st.forces.air.combat_power
        if given is None or "combat_power" not in st.forces.air.model_fields_set:
            continue
        cp = point_value(given)
        if abs(total - cp) > CP_TOLERANCE * max(abs(cp), 1e-9):
            errs.append(f"states.{sid}.forces.air.combat_power = {cp:g}: differs by more than 1 % from "
                        f"states.{sid}.air_force (sum of count x combat_power = {total:g}); give one or make "
                        "them agree")
    return errs
