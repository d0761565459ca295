"""Scenario schema of raids on layered air defence: weapon types, air-defence layers, raids.

The ``[weapons]``, ``[arsenal]``, ``[air_defence]`` and ``[[raids]]`` tables of a
scenario (docs/model.md section 9), validated like the rest of engine/model/scenario.py
(one line per problem). Every table defaults to empty, so scenarios without raids
are unchanged.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from wargame.model.params import Ids, Int, NonNeg, Number, Param, Share, Strict as _M, ranged as _ranged, shown




class Weapon(_M):
    """A type of projectile a raid launches."""

    name: str = ""
    reliability: Share = Field(1.0, description="Share launched that does not fail in flight.")
    damage_per_leaker: NonNeg = Field(1.0, description="Damage one projectile that gets through does "
                                      "(unit: raid_damage_unit).")


class Layer(_M):
    """One air-defence layer of a state: an interceptor type and the weapons it engages."""

    name: str
    stock: NonNeg = Field(description="Interceptors available at the start.")
    per_raid: NonNeg | None = Field(None, description="Most interceptors it can fire in one raid (ready "
                                    "launchers); none: no limit besides the stock.")
    shots_per_target: Annotated[Param, _ranged(1.0, 10.0)] = Field(1.0, description="Interceptors fired at each "
                                                                    "engaged projectile.")
    resupply_per_day: NonNeg = Field(0.0, description="Interceptors added per day (never above the starting stock).")
    cost_per_interceptor: NonNeg = Field(0.0, description="Unit cost, USD million (for the cost of defending).")
    kill_probability: Ids[Share] = Field(default_factory=dict, description="Single-shot kill probability "
                                                "against each weapon type; types left out are not engaged.")


class AirDefence(_M):
    layers: list[Layer] = Field(min_length=1, description="Outer to inner: a raid meets them in this order.")
    stock_weight: NonNeg = Field(1.0, description="Third parties: cost of firing the whole stock, in units of "
                                 "the survival value (doctrine formulas).")


class Observed(_M):
    """What happened, from public sources: the check the report and docs/validation.md make."""

    stopped_share: Share = Field(description="Share of launched projectiles that did not hit: 1 - leaked/launched.")
    low: Share = Field(description="Lowest value the public figures support.")
    high: Share = Field(description="Highest value the public figures support.")
    joined: list[str] | None = Field(None, description="Third parties that joined the defence.")
    source: str = ""


class Raid(_M):
    name: str = ""
    day: Annotated[Number, Field(ge=0, le=3650)] = Field(description="Day of the (first) raid.")
    attacker: str
    target: str
    weapons: Ids[NonNeg] = Field(description="Projectiles launched per weapon type.")
    repeat: Annotated[Int, Field(ge=1, le=1000)] = Field(1, description="Raids in the series.")
    interval_days: Annotated[Number, Field(gt=0, le=365)] = 1.0
    overflies: list[str] = Field(default_factory=list, description="States whose airspace the raid crosses.")
    observed: Observed | None = None


def check_raids(sc) -> list[str]:
    """Cross-references of the raid tables (called from Scenario._references)."""
    ids, errs = set(sc.states), []
    types = set(sc.weapons)
    for sid, ad in sc.air_defence.items():
        if sid not in ids:
            errs.append(f"air_defence.{sid}: not a state of this scenario (states: {', '.join(sorted(ids))})")
        for j, layer in enumerate(ad.layers):
            for k in layer.kill_probability:
                if k not in types:
                    errs.append(f"air_defence.{sid}.layers[{j}].kill_probability.{k}: not a weapon type "
                                f"(weapons: {', '.join(sorted(types)) or 'none declared'})")
    for sid, arsenal in sc.arsenal.items():
        if sid not in ids:
            errs.append(f"arsenal.{sid}: not a state of this scenario")
        for k in arsenal:
            if k not in types:
                errs.append(f"arsenal.{sid}.{k}: not a weapon type (weapons: {', '.join(sorted(types))})")
    for i, r in enumerate(sc.raids):
        for key, v in (("attacker", r.attacker), ("target", r.target)):
            if v not in ids:
                errs.append(f"raids[{i}].{key} = {shown(v)}: not a state of this scenario")
        if r.attacker == r.target:
            errs.append(f"raids[{i}].target = {shown(r.target)}: must differ from the raid's attacker")
        for k in r.weapons:
            if k not in types:
                known = ", ".join(sorted(types)) or "none declared"
                errs.append(f"raids[{i}].weapons.{k}: not a weapon type (weapons: {known})")
        for o in r.overflies + list((r.observed and r.observed.joined) or []):
            if o not in ids:
                errs.append(f"raids[{i}] names {shown(o)}: not a state of this scenario")
        if r.observed and not r.observed.low <= r.observed.stopped_share <= r.observed.high:
            errs.append(f"raids[{i}].observed: expected low <= stopped_share <= high")
    return errs
