"""Scenario schema of war aims: what each primary fights for before it accepts a ceasefire.

The ``[war_aims]`` table (docs/model.md §2.7.2; the mechanism is engine/crisis/aims.py).
Without it the aims are those consent has always used (§2.7.1): the attacker fights for
its objectives on the decisive fronts, the defender for the start line there, and a
side's ceasefire value is measured against them exactly as before (so results of
scenarios without ``[war_aims]`` are unchanged, bit for bit).

A side's aim is a line per front, in km along the front's axis from the start line
(positive towards the defender's objective, as ``position``), with a value weight per
front. The defender's line may lie behind the start line (negative): territory occupied
before the war that it fights to restore.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from wargame.model.params import Ids, NonNeg, Param, Strict as _M, Weight, ranged as _ranged, shown

# ASSUMPTION: no front's aim lies more than 10,000 km from its start line (the longest front
# of any shipped scenario is under 1,000 km).
AIM_KM = 10_000.0


class Aim(_M):
    """What one primary fights for (docs/model.md §2.7.2)."""

    line_km: Ids[Annotated[Param, _ranged(-AIM_KM, AIM_KM)]] = Field(
        default_factory=dict, description="Line it fights for on each named front, km from the start line "
        "towards the defender's objective (attacker: > 0 and at most the front's depth_km; defender: <= 0, "
        "negative where it fights to restore territory occupied before the war). Fronts left out are no aim.")
    weight: Ids[NonNeg] = Field(
        default_factory=dict, description="Value weight of each front's aim (default 1 for every front in "
        "line_km); the side's attainment is the weighted mean over its fronts.")
    shortfall_cost: Weight | None = Field(
        None, description="Utility a ceasefire short of its aims costs, per unit of shortfall (the weighted "
        "share of the way to its aims it has not got). Default: 0 for the attacker, whose accepting is worth "
        "value x attainment, and 1 for the defender, whose accepting is worth -shortfall (§2.7.1).")


class WarAims(_M):
    """Each primary's war aims; a side left out keeps the default aims of §2.7.1."""

    attacker: Aim | None = Field(None, description="The attacker's aims (default: the objective, depth_km, on "
                                 "every decisive front, weight 1, shortfall_cost 0).")
    defender: Aim | None = Field(None, description="The defender's aims (default: the start line on every "
                                 "decisive front, weight 1, shortfall_cost 1).")


def check(aims: WarAims | None, fronts: dict) -> list[str]:
    """Errors in the aims' references: unknown fronts, lines on the wrong side, weights without a line."""
    if aims is None:
        return []
    errs = []
    for side in ("attacker", "defender"):
        a = getattr(aims, side)
        if a is None:
            continue
        p = f"war_aims.{side}"
        for key in list(a.line_km) + list(a.weight):
            if key not in fronts:
                errs.append(f"{p} front {key!r}: not a front of this scenario (fronts: {', '.join(fronts)})")
        for key in a.weight:
            if key in fronts and key not in a.line_km:
                errs.append(f"{p}.weight.{key}: front {key!r} has no line in {p}.line_km (a weight needs an aim)")
        for key, v in a.line_km.items():
            if key not in fronts:
                continue
            lo, hi = _bounds(v)
            depth = _bounds(fronts[key].depth_km)[0]
            if side == "attacker" and not (lo > 0 and hi <= depth):
                errs.append(f"{p}.line_km.{key} = {shown(v)}: expected a line beyond the start line and at most "
                            f"the front's depth_km ({depth:g} km), i.e. 0 < line_km <= {depth:g}")
            if side == "defender" and hi > 0:
                errs.append(f"{p}.line_km.{key} = {shown(v)}: expected 0 or less (the start line, or km of "
                            "territory behind it the defender fights to restore)")
        if a.line_km and not any(_bounds(a.weight.get(k, 1.0))[1] > 0 for k in a.line_km):
            errs.append(f"{p}.weight: every weight is 0; at least one front's aim must count")
    return errs


def _bounds(v) -> tuple[float, float]:
    """(low, high) of a number or a distribution."""
    if isinstance(v, (int, float)):
        return float(v), float(v)
    return v.bounds()
