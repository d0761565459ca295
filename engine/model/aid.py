"""Scenario schema of aid short of war and of sanctions: ``[[aid]]``, ``[[sanctions]]`` and the
states' ``aid_policy`` (docs/model.md §10).

An aid entry is a flow from a supplier to one of the two primaries, of one kind:

- ``arms``: combat power of one domain per day, to a front or (no ``front``) to the
  recipient's forces, which send it on as they send their call-ups;
- ``munitions``: missiles per day into the recipient's strike inventory;
- ``interceptors``: interceptors per day into one of the recipient's air-defence layers;
- ``money``: USD million per day, raising the recipient's mobilisation rate by
  ``personnel_per_musd`` reservists made ready per USD million;
- ``intelligence``: the recipient's lethality on every front times (1 + ``lethality_gain``).

Flows run from ``start_day`` for ``duration_days``: a ``given = "decided"`` entry (the default)
while the supplier's doctrine decides to aid (crisis/aid_decision.py), a ``given = "scheduled"``
entry (the historical record) on its schedule whatever the supplier's calculus. They reach the recipient ``delay_days`` after they leave, and
never exceed the supplier's ``stock`` (plus ``production_per_day``). The mechanism is
engine/crisis/aid.py; sanctions are engine/crisis/sanctions.py. No entries by default, so
scenarios without them are unchanged.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from wargame.model.params import Days, NonNeg, Param, Share, Strict as _M, ranged as _ranged, shown

AID_KINDS = ("arms", "munitions", "interceptors", "money", "intelligence")
AID_POLICIES = ("aid_and_intervene", "aid_only", "aid_then_intervene", "intervene_only")
FLOW_KINDS = ("arms", "munitions", "interceptors", "money")
MAX_DELAY_DAYS = 365.0  # the delivery pipeline holds at most a year of shipments (crisis/aid.py)


class Aid(_M):
    """One flow of aid from a supplier to a primary (attacker or defender)."""

    supplier: str = Field(description="The state that gives.")
    recipient: str = Field(description="The state that receives: the scenario's attacker or defender.")
    kind: Literal["arms", "munitions", "interceptors", "money", "intelligence"]
    domain: Literal["ground", "air", "naval"] = Field("ground", description="arms: the domain of the combat power.")
    front: str | None = Field(None, description="arms: the front it reaches; none: the recipient's forces, "
                              "which send it to the fronts as they send call-ups.")
    layer: str | None = Field(None, description="interceptors: the recipient's air-defence layer (its name); "
                              "none: its first layer.")
    per_day: NonNeg | None = Field(None, description="arms: cp per day; munitions: missiles per day; "
                                   "interceptors: interceptors per day; money: USD million per day.")
    lethality_gain: Annotated[Param, _ranged(0.0, 1.0)] | None = Field(
        None, description="intelligence: the recipient's lethality on every front is multiplied by 1 + this.")
    start_day: Days = Field(0.0, description="First day it may flow (from day 0 of the crisis).")
    duration_days: Days = Field(3650.0, description="Days it may flow from start_day.")
    delay_days: Annotated[Param, _ranged(0.0, MAX_DELAY_DAYS)] = Field(
        0.0, description="Days from leaving the supplier to reaching the recipient.")
    stock: NonNeg | None = Field(None, description="What the supplier can give in all (the flow's unit); none: "
                                 "no limit besides per_day.")
    production_per_day: NonNeg = Field(0.0, description="Added to the supplier's stock per day.")
    personnel_per_musd: NonNeg = Field(0.0, description="money: reservists made ready per USD million.")
    given: Literal["decided", "scheduled"] = Field(
        "decided", description="decided: it flows while the supplier's doctrine decides to aid (§10.3); "
        "scheduled: it flows on its schedule (the historical record), still limited by stock, production and delay.")
    interdicted_share: Share = Field(0.0, description="Share of each shipment lost on the way to causes other than "
                                     "missile strikes (sabotage, accidents, air or partisan interdiction); missile "
                                     "strikes on deliveries are the striker's rung 1 against the supplier (§10.6).")
    text: str = ""


class Sanction(_M):
    """A sanctioner cuts a share of its trade with the target from a day on."""

    sanctioner: str
    target: str
    start_day: Days = Field(0.0, description="Day the cut takes effect.")
    trade_cut: Share = Field(description="Share of the bilateral trade cut.")
    pressure_per_day: Annotated[Param, _ranged(0.0, 1.0)] = Field(
        0.0, description="Pressure (losses / tolerance units) added to the target per day per unit of its "
        "exposure cut (share of GDP).")
    wear_per_day: Annotated[Param, _ranged(0.0, 1.0)] = Field(
        0.0, description="Fall of the target's sustainment (the factor on its mobilisation flow) per day per "
        "unit of its exposure cut.")
    text: str = ""


def check_aid(sc) -> list[str]:
    """One line per problem in ``sc.aid``, ``sc.sanctions`` (unknown states, fronts, layers; missing amounts)."""
    errs, ids = [], list(sc.states)
    prim = (sc.scenario.attacker, sc.scenario.defender)
    for k, a in enumerate(sc.aid):
        p = f"aid[{k}]"
        if a.supplier not in ids:
            errs.append(f"{p}.supplier = {shown(a.supplier)}: not a state of this scenario ({', '.join(ids)})")
        if a.recipient not in prim:
            errs.append(f"{p}.recipient = {shown(a.recipient)}: expected the attacker or the defender "
                        f"({', '.join(prim)})")
        elif a.supplier == a.recipient:
            errs.append(f"{p}.recipient = {shown(a.recipient)}: must differ from the supplier")
        if a.kind in FLOW_KINDS and a.per_day is None:
            errs.append(f"{p}.per_day: missing; {a.kind} aid needs an amount per day")
        if a.kind == "intelligence" and a.lethality_gain is None:
            errs.append(f"{p}.lethality_gain: missing; intelligence aid needs the lethality gain (0..1)")
        if a.kind != "intelligence" and a.lethality_gain is not None:
            errs.append(f"{p}.lethality_gain: only for kind = \"intelligence\" (this is {a.kind!r})")
        if a.kind == "intelligence" and a.per_day is not None:
            errs.append(f"{p}.per_day: not for kind = \"intelligence\" (give lethality_gain)")
        if a.front is not None and (a.kind != "arms" or a.front not in sc.fronts):
            errs.append(f"{p}.front = {shown(a.front)}: expected a front of this scenario for arms "
                        f"({', '.join(sc.fronts) or 'none'}); leave it out for the recipient's forces")
        if a.kind == "money" and a.personnel_per_musd == 0.0:
            errs.append(f"{p}.personnel_per_musd: missing or 0; money aid needs reservists per USD million")
        if a.kind == "interceptors":
            ad = sc.air_defence.get(a.recipient)
            names = [ly.name for ly in ad.layers] if ad else []
            if not names:
                errs.append(f"{p}.recipient = {shown(a.recipient)}: interceptors need the recipient's "
                            "[air_defence] layers; it has none")
            elif a.layer is not None and a.layer not in names:
                errs.append(f"{p}.layer = {shown(a.layer)}: not a layer of {a.recipient} ({', '.join(names)})")
        if a.kind == "munitions" and (a.recipient not in sc.states or sc.states[a.recipient].strike is None):
            errs.append(f"{p}.recipient = {shown(a.recipient)}: munitions need the recipient's [strike] "
                        "table (its inventory); it has none")
    for k, s in enumerate(sc.sanctions):
        p = f"sanctions[{k}]"
        for key, v in (("sanctioner", s.sanctioner), ("target", s.target)):
            if v not in ids:
                errs.append(f"{p}.{key} = {shown(v)}: not a state of this scenario ({', '.join(ids)})")
        if s.sanctioner == s.target:
            errs.append(f"{p}.target = {shown(s.target)}: must differ from the sanctioner")
    return errs
