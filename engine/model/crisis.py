"""The crisis kind's schema: states, fronts, raids, doctrines, termination, injects (the case: model/case.py).

Frozen pydantic models (``Scenario`` at the top); ``wargame.model.scenario`` loads a
TOML file into them. Time is in days, distances in km, forces in personnel (manpower)
and combat-power units. Every figure's source is in the config's header
(docs/scenarios.md); the rules that refuse meaningless values are in docs/model.md §6.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from wargame.model.air_force import Air, AircraftType, check as check_air_force
from wargame.model.aims import WarAims, check as check_aims
from wargame.model.aid import AID_POLICIES, Aid, Sanction, check_aid
from wargame.model.arrivals import Arrival, check_arrivals
from wargame.model.battle import Battle
from wargame.model.case import CASE_METRICS, Case  # noqa: F401  (CASE_METRICS re-exported)
from wargame.model.casualties import Casualties, Cutoff
from wargame.model.fleet import ShipClass, check_fleets
from wargame.model.injects import check as check_inject
from wargame.model.params import (POWER_WEIGHT, Days, Exponent, Int, NonNeg, Number, Param, Personnel, Share, Weight,
                                  Strict as _M,
                                  Ids, ranged as _ranged, shown)
from wargame.model.prewar import Alert, Declare
from wargame.model.raids import AirDefence, Raid, Weapon, check_raids

DOCTRINES = ("self_help", "collective_security", "buck_passing", "bandwagon", "never")
DOMAINS = ("ground", "air", "naval")
# A batch costs about the same per step whatever the step's length (measured: ~21 ms per step for
# 1,000 replications of ukraine_2022 on a shared 2-core machine), so MAX_STEPS bounds a batch to
# about 7 minutes; MIN_STEP_DAYS (about 15 minutes) is the finest resolution any front law needs.
# Shipped scenarios take at most 3,650 steps. docs/model.md, "Validation rules".
MAX_STEPS = 20_000
MIN_STEP_DAYS = 0.01




class Forces(_M):
    """One domain of a state's forces."""

    manpower: Personnel = Field(description="Personnel in this domain.")
    combat_power: Personnel | None = Field(
        None,
        description="Combat power in the domain's unit (ground: personnel-equivalents; air: combat "
        "aircraft; naval: major combatants). Defaults to manpower.",
    )


_ZERO = Forces(manpower=0.0, combat_power=0.0)


class DomainForces(_M):
    ground: Forces
    air: Forces = _ZERO
    naval: Forces = _ZERO


class InPlace(_M):
    """Combat power a state keeps on one front before any war (garrison, forward presence, tripwire)."""

    ground: NonNeg = 0.0
    air: NonNeg = 0.0
    naval: NonNeg = 0.0


class Mobilisation(_M):
    reserve: Personnel = Field(description="Reservists that can be called up (personnel).")
    quality: Annotated[Param, _ranged(0.0, 10.0)] = Field(
        1.0, description="Combat power per reservist relative to the active ground force."
    )
    rate_per_day: Personnel = Field(description="Reservists made ready per day once mobilisation runs.")
    delay_days: Days = Field(0.0, description="Days from the state's warning to the start of call-up.")


class Commit(_M):
    """Shares of each domain sent to the war (primaries) or deployed to the theatre (interveners)."""

    ground: Share = 0.0
    air: Share = 0.0
    naval: Share = 0.0


class Strike(_M):
    reach_km: NonNeg = Field(description="Conventional strike reach.")
    missiles_per_day: NonNeg = Field(description="Missiles it can launch per day.")
    inventory: NonNeg = Field(description="Missiles available for the war.")
    escalation_propensity: Share = Field(
        0.5, description="Chance per decision point of climbing one rung, scaled by pressure."
    )
    nuclear_threshold: Share = Field(
        0.9, description="Pressure (own losses / casualty tolerance) needed before nuclear use or "
        "homeland strikes on a nuclear power are considered."
    )


class Exposure(_M):
    """Where this state can be struck, in km from the opposing primary's territory."""

    theatre_km: NonNeg = 0.0
    bases_km: NonNeg = 1e9
    homeland_km: NonNeg = 1e9
    base_hosts: list[str] = Field(default_factory=list, description="States whose territory hosts its bases.")


# --------------------------------------------------------------------------- irregular war (engine/crisis/irregular.py)


class Morale(_M):
    """Cohesion of a state's forces: falls with losses, fallen fronts and a patron's withdrawal.

    Below ``threshold`` its forces desert and surrender; its fire and its weight in the
    movement ratio scale with morale (docs/model.md, "Irregular war and morale").
    """

    initial: Share = Field(1.0, description="Morale at the start of the war (1 = full cohesion).")
    loss_weight: NonNeg = Field(1.0, description="Morale lost per unit of combat loss fraction (ground cp lost in "
                                "combat / ground cp committed).")
    fall_shock: Share = Field(0.0, description="Morale lost each time one of its fronts falls (the cascade).")
    isolation_per_day: NonNeg = Field(0.0, description="Morale lost per day, times the share of its fronts "
                                      "already fallen (cut-off garrisons).")
    patron_day: Days | None = Field(None, description="Day (from day 0) a patron withdraws its support; none = no "
                                    "patron.")
    patron_shock: Share = Field(0.0, description="Morale lost when the patron withdraws.")
    threshold: Share = Field(0.5, description="Morale below which its forces desert and surrender.")
    desertion_per_day: Share = Field(0.0, description="Share of its ground cp on the fronts lost per day at morale "
                                     "0, rising linearly from 0 at the threshold.")
    flee_regions_held: Share | None = Field(None, description="Political collapse: the defender's government gives "
                                            "up its capital once the share of its side's `falls` fronts still held is "
                                            "at or below this; none: never.")


class State(_M):
    name: str
    doctrine: Literal["self_help", "collective_security", "buck_passing", "bandwagon", "never"] = "self_help"
    forces: DomainForces
    mobilisation: Mobilisation | None = None
    commit: Commit = Commit()
    deploy_delay_days: Days = Field(0.0, description="Days from a decision to intervene to arrival in theatre.")
    casualty_tolerance: Annotated[Param, _ranged(0.001, 1.0)] = Field(
        description="Share of committed personnel lost at which it sues for peace, capitulates or withdraws."
    )
    perception_error: Annotated[Param, _ranged(0.0, 3.0)] = Field(
        0.1, description="Standard deviation of the log error in its estimate of each front's balance."
    )
    nuclear: bool = False
    great_power: bool = Field(False, description="A great power (used by sweeps to define a great-power war).")
    strike: Strike | None = None
    exposure: Exposure = Exposure()
    morale: Morale | None = Field(None, description="Cohesion that can collapse (irregular war); none = constant.")
    treaties: list[str] = Field(default_factory=list, description="States it is committed to defend.")
    credibility: Ids[Share] = Field(
        default_factory=dict, description="How far an attacker believes its commitment to each treaty partner "
        "(0..1; default 1). Used by the attacker's decision to invade (invasion.decision).")
    alert: Alert = Field(Alert(), description="Alert and forward deployment after the warning (crisis/prewar.py).")
    declare: Declare = Field(Declare(), description="A declared commitment to the defender after the warning "
                             "(crisis/prewar.py).")
    casualties: Casualties = Field(Casualties(), description="How its losses divide into killed, wounded and "
                                   "captured (crisis/casualties.py).")
    fleet: Ids[ShipClass] = Field(default_factory=dict, description="Its navy by ship class (crisis/fleet.py); "
                                  "none: one aggregate naval force with the [naval] salvo parameters.")
    air_force: Ids[AircraftType] = Field(default_factory=dict, description="Its aircraft by type "
                                         "(crisis/air_force.py, docs/model.md §3.1.1); none: the aggregate air rule.")
    forces_in_place: Ids[InPlace] = Field(
        default_factory=dict, description="Combat power stationed on each front before the war (keyed by front); "
        "it fights on the host's (defender's) side from the war's first step, whatever the doctrine.")
    interests: Ids[Share] = Field(default_factory=dict, description="Stake in each state's survival, 0..1.")
    trade: Ids[NonNeg] = Field(
        default_factory=dict, description="Bilateral trade with each state as a share of own GDP."
    )
    aid_policy: Literal[AID_POLICIES] = Field(
        "aid_and_intervene", description="What its [[aid]] and its forces do (docs/model.md §10.3): "
        "aid_and_intervene (aid and intervention each as its doctrine decides), aid_only (never sends forces), "
        "aid_then_intervene (aids; sends forces only once the side it backs is losing), intervene_only (no aid).")


class Front(_M):
    name: str = ""
    law: Literal["square", "linear", "log", "helmbold", "deitchman"] = "square"
    guerrilla: Literal["attacker", "defender"] = Field(
        "attacker", description="deitchman law: which side is the guerrilla (aimed fire; hit by area fire).")
    falls: bool = Field(False, description="Non-decisive front: when the line reaches depth_km the defender's "
                        "forces there surrender and the attacker's move to the fronts still held.")
    helmbold_weight: Share = Field(0.5, description="Helmbold mixing weight w (1 = square, 0 = log).")
    attacker_lethality: NonNeg = Field(description="Defender losses per attacker unit per day (before modifiers).")
    defender_lethality: NonNeg = Field(description="Attacker losses per defender unit per day (before modifiers).")
    posture: Literal["hasty", "prepared", "fortified"] = "prepared"
    terrain: Annotated[Param, _ranged(0.1, 10.0)] = Field(1.0, description="Terrain multiplier for the defender.")
    air_lethality: NonNeg = Field(0.02, description="Air-to-air exchange coefficient per day (square law).")
    air_weight: Share = Field(0.3, description="How much air control scales the attacker's lethality.")
    amphibious: bool = False
    lift_per_day: NonNeg = Field(0.0, description="Ground combat power the attacker can land per day.")
    amphibious_penalty: Annotated[Param, _ranged(1.0, 20.0)] = 3.0
    assault_days: Days = Field(7.0, description="Days the amphibious penalty applies after the first landing.")
    transit_loss: Share = Field(0.1, description="Share of a day's lift lost at sea with no sea control.")
    sea_weight: Share = 0.5
    naval: bool = Field(False, description="Fleets fight a salvo exchange on this front.")
    breakthrough_ratio: Annotated[Param, _ranged(1.0, 100.0)] = 3.0
    advance_km_per_day: NonNeg = 10.0
    depth_km: Annotated[Param, _ranged(0.001)] = Field(description="Distance to the objective whose loss decides the war.")
    counter_depth_km: NonNeg | None = Field(None, description="Defender counter-advance that collapses the attacker.")
    decisive: bool = True
    attacker_share: NonNeg = 1.0
    defender_share: NonNeg = 1.0
    intervener_share: NonNeg = 1.0


class Naval(_M):
    """Hughes salvo parameters shared by every naval engagement of the scenario."""

    attacker_missiles_per_ship: NonNeg = 4.0
    defender_missiles_per_ship: NonNeg = 4.0
    attacker_hits_to_kill: Annotated[Param, _ranged(0.1)] = 2.0
    defender_hits_to_kill: Annotated[Param, _ranged(0.1)] = 2.0
    attacker_interceptions_per_ship: NonNeg = 2.0
    defender_interceptions_per_ship: NonNeg = 2.0
    sea_control_exponent: Exponent = 2.0
    engaged_share: Annotated[Param, _ranged(0.0, 1.0)] = Field(
        0.25, description="Share of each fleet on a front that finds the enemy and fires in a day (detection "
        "and engagement opportunities). ASSUMPTION 0.1-0.5; 1 is one full salvo by every ship each day.")


class BreakOff(_M):
    """When a side pulls its aircraft or ships back from a front, and when it returns (crisis/breakoff.py).

    A side stops fighting in a domain on a front once it has lost ``*_loss`` of the most it
    had there since it last (re)entered the fight; it comes back ``return_days`` later with
    what it has left. ASSUMPTION (no source gives one figure): naval 0.1-0.4, air 0.1-0.3,
    return 3-14 days; docs/model.md §3.2. A threshold of 1 fights to the last platform.
    """

    air_loss: Annotated[Param, _ranged(0.0, 1.0)] = Field(
        0.2, description="Share of its peak air force on a front a side loses before it pulls back.")
    naval_loss: Annotated[Param, _ranged(0.0, 1.0)] = Field(
        0.25, description="Share of its peak fleet on a front a side loses before it pulls back.")
    return_days: Days = Field(7.0, description="Days a side stays out of a domain before it may return.")
    naval_return_ratio: NonNeg = Field(
        0.0, description="A fleet that pulled back returns (after return_days) only while its side has at least "
        "this ratio x the other side's naval cp on the front (0: returns whatever the balance, the former rule; "
        "ASSUMPTION 0.5-1.5).")
    withdrawn_exposure: Annotated[Param, _ranged(0.0, 1.0)] = Field(
        1.0, description="Share of a fleet that has pulled back which strikes on ships at sea still reach "
        "(1: as if it were fighting, the former rule; ASSUMPTION 0-0.5 for a fleet out of the fight).")


class Invasion(_M):
    mode: Literal["scheduled", "conditional"] = "scheduled"
    day: Days = Field(30.0, description="Invasion day (scheduled) or earliest day (conditional).")
    min_readiness: Share = Field(0.8, description="Conditional: share of reserves mobilised.")
    min_force_ratio: NonNeg = Field(1.5, description="Conditional: perceived attacker/defender ratio needed.")
    deadline_day: Days = Field(365.0, description="Conditional: no invasion after this day (outcome no_war).")
    decision: Literal["fixed", "expected_utility"] = Field(
        "fixed", description="fixed: invade on the day (scheduled) or by the ratio rule (conditional); "
        "expected_utility: the attacker first weighs its prospects with the third parties it expects "
        "(docs/model.md §2.3.1) and may wait or stand down (outcome deterred).")
    value: Weight = Field(1.0, description="expected_utility: the attacker's utility of winning, in the "
                          "doctrine weights' units (the status quo is 0).")
    defeat_cost: Weight = Field(1.0, description="expected_utility: the attacker's utility lost if it is defeated "
                                "(1 = value: symmetric stakes, as in The War Trap's basic form).")
    postpone_days: Days = Field(0.0, description="expected_utility, scheduled: how long after the planned "
                                "day the attacker may wait while its build-up continues.")


class Doctrine(_M):
    """Weights of the doctrine formulas (docs/model.md)."""

    decision_interval_days: Annotated[Param, _ranged(0.5, 365.0)] = 7.0
    projection_days: Annotated[Param, _ranged(1.0, 3650.0)] = 30.0
    sharpness: Exponent = Field(2.0, description="Slope of the perceived hold probability in the log ratio.")
    survival_value: Weight = Field(1.0, description="Utility of the defender's survival per unit of stake.")
    loss_weight: Weight = 0.1
    retaliation_weight: Weight = 0.5
    trade_weight: Weight = 5.0
    power_weight: Annotated[Param, _ranged(0.0, POWER_WEIGHT)] = 0.5
    buck_pass_days: Days = 21.0
    bandwagon_threshold: Annotated[Param, _ranged(0.5, 1.0)] = 0.75
    severity: list[Number] = Field(
        default_factory=lambda: [0.1, 0.3, 0.6, 1.0],
        description="Cost of suffering rung 1..4 (forces, bases, homeland, nuclear).",
        min_length=4,
        max_length=4,
    )
    aircraft_per_leaker: NonNeg = Field(0.5, description="Aircraft destroyed per missile leaking through at bases.")
    homeland_cost_per_day: NonNeg = Field(0.01, description="Pressure added per day of homeland strikes.")
    lift_per_leaker: NonNeg = Field(400.0, description="Amphibious lift (ground cp per day, the unit of "
                                    "fronts.<id>.lift_per_day) destroyed per missile leaking through at the "
                                    "attacker's ports (crisis/strikes.py).")
    production_per_leaker: Share = Field(0.0005, description="Share of the mobilisation rate lost per missile "
                                         "leaking through on the homeland (crisis/strikes.py).")
    arms_per_leaker: NonNeg = Field(30.0, description="Arms in transit (cp) destroyed per missile leaking through on "
                                    "deliveries (rung 1 against a supplier, §10.6). ASSUMPTION 10-100.")
    rounds_per_leaker: NonNeg = Field(20.0, description="Missiles or interceptors in transit destroyed per missile "
                                      "leaking through on deliveries (§10.6). ASSUMPTION 5-50.")
    aid_weight: Weight = Field(0.1, description="Aid (§10.3): cost of giving a whole stock (or a year of an "
                               "unlimited flow), in units of the survival value. ASSUMPTION 0.02-0.5 (as loss_weight).")
    aid_retaliation_share: Share = Field(0.2, description="Aid (§10.3, §10.6): a striker climbs against a supplier "
                                         "that is not fighting with this share of its escalation propensity, and the "
                                         "supplier expects that much of the rungs 1-3 open against it. "
                                         "ASSUMPTION 0.05-0.5.")
    losing_threshold: Share = Field(0.5, description="aid_then_intervene (§10.3): it may send forces once the "
                                    "perceived survival of the side it backs, without its forces, is below this. "
                                    "ASSUMPTION 0.3-0.7.")


class Termination(_M):
    stalemate_days: Annotated[Param, _ranged(1.0, 3650.0)] = 30.0
    stalemate_km: NonNeg = Field(2.0, description="Movement below which a window of days counts as stalemate.")


class Meta(_M):
    name: str
    title: str = ""
    description: str = ""
    attacker: str
    defender: str
    horizon_days: Annotated[Number, Field(gt=0, le=3650)] = 180.0
    step_days: Annotated[Number, Field(ge=MIN_STEP_DAYS, le=30)] = Field(
        1.0, description=f"Days per step; at least {MIN_STEP_DAYS:g}, and at most {MAX_STEPS} steps to the horizon.")
    warning_days: Days = Field(0.0, description="Days after the crisis starts when the defender and others are warned.")
    stochastic: bool = True
    default_runs: Annotated[Int, Field(ge=1, le=10**9)] = 10000


class Effect(_M):
    """One model change of an inject (engine/crisis/injects.py lists the targets)."""

    target: str = Field(description="Key path, e.g. fronts.landing.lift_per_day or states.TWN.forces.air.")
    op: Literal["scale", "set"] = "scale"
    value: Number | str = Field(description="Factor (scale), new value (set), or a doctrine's name.")
    days: Annotated[Number, Field(gt=0, le=3650)] | None = Field(None, description="Undo after this many days.")


class Inject(_M):
    day: Annotated[Number, Field(ge=0, le=3650)] = Field(description="Day of the crisis it happens.")
    text: str = Field(description="What players are told.")
    effects: list[Effect] = Field(default_factory=list, description="Model changes; none for news only.")


class Scenario(_M):
    scenario: Meta
    states: Ids[State]
    fronts: Ids[Front] = Field(default_factory=dict)
    invasion: Invasion = Invasion()
    naval: Naval = Naval()
    breakoff: BreakOff = BreakOff()
    cutoff: Cutoff = Field(Cutoff(), description="Forces ashore cut off from the sea surrender (crisis/casualties.py).")
    air: Air = Field(Air(), description="The air battle by aircraft type (crisis/air_force.py).")
    doctrine: Doctrine = Doctrine()
    termination: Termination = Termination()
    war_aims: WarAims | None = Field(None, description="What each primary fights for before it accepts a "
                                     "ceasefire (engine/crisis/aims.py); none: the aims of docs/model.md §2.7.1.")
    battle: Battle = Battle()
    injects: list[Inject] = Field(default_factory=list, description="Scheduled injects (engine/crisis/injects.py).")
    arrivals: list[Arrival] = Field(default_factory=list, description="Scheduled arrivals (engine/crisis/arrivals.py).")
    aid: list[Aid] = Field(default_factory=list, description="Aid short of war (engine/crisis/aid.py).")
    sanctions: list[Sanction] = Field(default_factory=list, description="Trade sanctions (engine/crisis/sanctions.py).")
    case: Case | None = None
    # raids (engine/crisis/raids.py): all empty by default, so scenarios without raids are unchanged
    weapons: Ids[Weapon] = Field(default_factory=dict)
    air_defence: Ids[AirDefence] = Field(default_factory=dict)
    arsenal: Ids[Ids[NonNeg]] = Field(default_factory=dict, description="Projectiles each state "
                                                  "holds per weapon type; types left out are unlimited.")
    raids: list[Raid] = Field(default_factory=list)
    raid_damage_unit: str = "projectile hits"

    @model_validator(mode="after")
    def _references(self):
        ids = set(self.states)
        errs = []
        m = self.scenario
        if m.horizon_days / m.step_days > MAX_STEPS:
            errs.append(f"scenario.step_days = {m.step_days:g}: {m.horizon_days:g} days would take "
                        f"{m.horizon_days / m.step_days:.0f} steps; at most {MAX_STEPS} are allowed "
                        f"(step_days >= {m.horizon_days / MAX_STEPS:g})")
        for key, v in (("scenario.attacker", m.attacker), ("scenario.defender", m.defender)):
            if v not in ids:
                errs.append(f"{key} = {shown(v)}: not a state of this scenario (states: {', '.join(sorted(ids))})")
        if m.attacker == m.defender:
            errs.append(f"scenario.defender = {shown(m.defender)}: must differ from scenario.attacker")
        for sid, st in self.states.items():
            for t in st.treaties:
                if t not in ids or t == sid:
                    errs.append(f"states.{sid}.treaties = {shown(t)}: expected another state id ({', '.join(sorted(ids - {sid}))})")
            for k in list(st.interests) + list(st.trade):
                if k not in ids or k == sid:
                    errs.append(f"states.{sid}.interests/trade key {k!r}: expected another state id")
            for k in st.credibility:
                if k not in st.treaties:
                    errs.append(f"states.{sid}.credibility key {k!r}: not one of its treaties "
                                f"({', '.join(st.treaties) or 'none'})")
            for k in st.forces_in_place:
                if k not in self.fronts:
                    errs.append(f"states.{sid}.forces_in_place key {k!r}: not a front of this scenario "
                                f"(fronts: {', '.join(self.fronts)})")
            for h in st.exposure.base_hosts:
                if h not in ids:
                    errs.append(f"states.{sid}.exposure.base_hosts = {shown(h)}: not a state of this scenario")
        if not self.fronts and not self.raids:
            errs.append("fronts: at least one front is required (or a raid)")
        for k, inj in enumerate(self.injects):
            why = check_inject(inj.model_dump(), list(self.states), list(self.fronts), DOCTRINES)
            if why:
                errs.append(f"injects[{k}].effects: {why}")
        if self.case is not None and self.case.capital_front not in self.fronts:
            errs.append(f"case.capital_front = {shown(self.case.capital_front)}: not a front of this scenario "
                        f"(fronts: {', '.join(self.fronts)})")
        errs += check_raids(self)
        errs += check_arrivals(self)
        errs += check_aims(self.war_aims, self.fronts)
        errs += check_aid(self)
        errs += check_fleets(self.states)
        errs += check_air_force(self.states)
        if errs:
            raise ValueError("\n".join(errs))
        return self
