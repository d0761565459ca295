"""The ``[case]`` schema: a historical case and the values the engine's distribution is checked
against (the metrics themselves: engine/crisis/cases.py; docs/validation.md)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from wargame.model.params import Strict as _M, check_number


def _observed(v):
    """A historical value: a number, where +inf (never happened) is meaningful and nothing else infinite is."""
    return v if isinstance(v, float) and v == float("inf") else check_number(v)


CASE_METRICS = ("days_to_capital", "days_to_first_fall", "days_first_fall_to_capital", "capital_taken",
                "direct_intervention", "days_to_attacker_breaks", "war_ongoing", "war",
                "attacker_ships_lost", "defender_ships_lost", "attacker_aircraft_lost", "defender_aircraft_lost",
                "attacker_casualties", "defender_casualties")


class HistoryCheck(_M):
    """One historical value the engine's distribution is checked against (engine/crisis/cases.py)."""

    metric: Literal[CASE_METRICS] = Field(
        description="What is compared (engine/crisis/cases.py defines each).")
    value: Annotated[float, BeforeValidator(_observed)] = Field(
        description="What happened (days, platforms or people, or 1/0 for yes/no metrics); inf: it never happened (a metric's "
        "value for a replication where it never happens).")
    what: str = Field("", description="The historical event in words.")
    source: str = Field(description="Public source of the value.")


class Case(_M):
    """A historical case: which front is the capital, and what happened."""

    capital_front: str = Field(description="Front whose objective is the defender's capital.")
    front_word: str = Field("fronts", description="What a front stands for in this case (regions, provinces).")
    history: list[HistoryCheck] = Field(default_factory=list)
