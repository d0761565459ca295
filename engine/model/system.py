"""The schema of a `kind = "system"` scenario: many states over decades.

A system scenario lists states with their initial power and growth, and one
``[system]`` table of the rules every state follows (docs/system.md gives each
formula). Time is in years, power in the config's own unit (e.g. CINC x 1000).
Validation errors use the crisis kind's one-line format (``engine.scenario.format_errors``).
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationError, model_validator

from wargame.model.params import Ids, Int, Param, Share, Strict as _M, ranged as _ranged

DOCTRINES = ("realpolitik", "collective_security", "laissez_faire", "central_authority")
Doctrine = Literal["realpolitik", "collective_security", "laissez_faire", "central_authority"]
MAX_LOG_POWER = 300.0  # ASSUMPTION: e^300 ~ 1e130; squared, summed over 200 states, still finite




class Meta(_M):
    name: str
    title: str = ""
    description: str = ""
    horizon_years: Annotated[Int, Field(ge=1, le=2000)] = 200
    stochastic: bool = Field(True, description="Binomial attrition around the square law's losses.")
    default_runs: Annotated[Int, Field(ge=1, le=10**9)] = 2000


class Rules(_M):
    """The rules of the system (docs/system.md, section 'Model')."""

    doctrine: Doctrine = Field("realpolitik", description="Doctrine of every state without its own.")
    growth_mean: Annotated[Param, _ranged(-0.5, 0.5)] = Field(0.02, description="Mean log growth of power per year.")
    growth_sd: Annotated[Param, _ranged(0.0, 1.0)] = Field(0.05, description="SD of a state's yearly log growth shock.")
    decision_interval_years: Annotated[Int, Field(ge=1, le=100)] = 1
    war_propensity: Share = Field(0.2, description="Chance a state that sees an opportunity acts on it in a year.")
    attack_ratio: Annotated[Param, _ranged(1.0, 100.0)] = Field(
        1.5, description="Perceived own/opposing strength needed to start a war.")
    perception_sd: Annotated[Param, _ranged(0.0, 3.0)] = Field(
        0.2, description="SD of the log error of a state's estimate of the force ratio.")
    commit: Share = Field(0.8, description="Share of its power a primary (initiator or target) fights with.")
    joiner_commit: Share = Field(0.5, description="Share of its power an ally or collective-security member sends.")
    lethality: Annotated[Param, _ranged(0.0, 50.0)] = Field(
        0.6, description="Square-law attrition coefficient per year (losses per unit of enemy strength).")
    defence_multiplier: Annotated[Param, _ranged(0.1, 10.0)] = Field(
        1.2, description="Lethality of the defending side relative to the attacker's.")
    chance_sd: Annotated[Param, _ranged(0.0, 3.0)] = Field(
        0.3, description="SD of each side's log lethality 'fortune', drawn once per war.")
    breakpoint: Annotated[Param, _ranged(0.01, 0.99)] = Field(
        0.3, description="Share of its committed strength a side loses before it gives up.")
    war_steps_per_year: Annotated[Int, Field(ge=1, le=365)] = 4
    max_war_years: Annotated[Param, _ranged(0.0, 100.0)] = Field(
        5.0, description="A war not decided by then ends in a stalemate.")
    absorption_share: Share = Field(
        1.0, description="Share of a conquered state's remaining power the conqueror gains.")
    dominance_share: Annotated[Param, _ranged(0.0, 1.0)] = Field(
        0.5, description="Share of the system's power at which one state dominates: the system ends.")
    balance_share: Share = Field(
        0.3, description="Realpolitik: the others ally against the strongest state once it holds this share.")
    pool_share: Share = Field(0.3, description="Central authority: share of each member's power pooled.")
    contest_ratio: Annotated[Param, _ranged(0.0, 10.0)] = Field(
        0.9, description="Central authority: a member contests control once its power reaches this "
        "multiple of the controller's.")


def _positive(v):
    """Power > 0 everywhere its distribution reaches: a state with no power never lives, so it has
    neither a death year nor a share (the fuzz test found NaN death years from ``power = 0``)."""
    low = float(v) if isinstance(v, (int, float)) else v.bounds()[0]
    if not low > 0:
        raise ValueError("must be > 0 (a state with no power does not exist; leave it out)")
    return v


class State(_M):
    name: str = ""
    power: Annotated[Param, AfterValidator(_positive)] = Field(
        description="Initial power (capability) in the scenario's unit; > 0 (a state with none does not exist).")
    growth_mean: Annotated[Param, _ranged(-0.5, 0.5)] | None = Field(
        None, description="This state's mean yearly log growth (default: system.growth_mean).")
    doctrine: Doctrine | None = Field(None, description="This state's doctrine (default: system.doctrine).")


class SystemScenario(_M):
    kind: Literal["system"]
    scenario: Meta
    system: Rules = Rules()
    states: Ids[State]

    @model_validator(mode="after")
    def _enough(self):
        if not 1 <= len(self.states) <= 200:
            raise ValueError(f"states: {len(self.states)} states given; a system needs 1 to 200")
        # Power grows as exp(growth x years + shocks): keep its log (power, then growth over the
        # horizon, plus 6 sd of the shocks) under MAX_LOG_POWER so that power, its square in the
        # square law and sums over 200 states stay finite in float64 (growth_mean = 0.5 over 2000
        # years gave inf power and NaN shares).
        years = self.scenario.horizon_years
        sd = _upper(self.system.growth_sd)
        for sid, st in self.states.items():
            g = _upper(self.system.growth_mean if st.growth_mean is None else st.growth_mean)
            log_p = math.log(max(_upper(st.power), 1.0)) + max(g, 0.0) * years + 6 * sd * math.sqrt(years)
            if log_p > MAX_LOG_POWER:
                raise ValueError(f"states.{sid}: power {_upper(st.power):g} growing at up to {g:g} a year "
                                 f"(sd {sd:g}) for {years} years would overflow (log power {log_p:.0f} > "
                                 f"{MAX_LOG_POWER:g}): lower growth_mean or scenario.horizon_years")
        return self


def _upper(p) -> float:
    """The largest value a number or a distribution can take."""
    return float(p) if isinstance(p, (int, float)) else p.bounds()[1]


def validate(raw: dict, source: str):
    """Validate a parsed system scenario; raise ScenarioError with one line per problem."""
    from wargame.model.scenario import ScenarioError, format_errors

    try:
        return SystemScenario.model_validate(raw)
    except ValidationError as e:
        raise ScenarioError(format_errors(source, raw, e)) from None
