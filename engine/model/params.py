"""Uncertain parameters: a number, or a distribution sampled once per replication.

Any numeric field of a scenario may be written either as a plain number or as a
table naming a distribution::

    lift_per_day = 20000
    lift_per_day = { dist = "pert", low = 15000, mode = 25000, high = 60000 }

Supported: fixed, uniform, normal (with optional bounds, i.e. truncated),
triangular and PERT (a Beta on [low, high] with the usual shape 4). Sampling
itself lives in ``engine.sampling``; this module only describes and validates.

Every number is strict and finite: a boolean or a string is not a number (``true`` is
not 1.0, ``"6e4"`` is not 60000), NaN and +-inf are refused, and so is anything beyond
``LIMIT`` in magnitude (docs/model.md, "Validation rules").
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Literal, TypeVar, Union

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator

# ASSUMPTION: no quantity of the model is meaningful beyond 1e12 in its own unit (personnel,
# km, days, missiles, coefficients per day); exposure defaults of 1e9 km ("out of reach")
# stay inside. Beyond it, products of two quantities approach float32 limits of the results
# file and exponentials overflow (`manpower = 1e308` gave infinite decision costs).
LIMIT = 1e12
# ASSUMPTION: personnel (manpower, reserves, call-up per day, combat power) above 1e10,
# more than the world's population, describes no state.
PERSONNEL = 1e10
# ASSUMPTION: exponents (sea_control_exponent, sharpness) above 20 make every ratio a step
# function; a ratio of 1e10 to the 20th power still fits a float64.
EXPONENT = 20.0
# ASSUMPTION: power_weight above 3 says nothing a step function does not; its factor pf = (power
# ratio)^w, up to (3e10)^3 ~ 3e31, times weights <= WEIGHT and loss/tolerance <= 1e3 stays under
# the float32 maximum (3.4e38) of the decision log. With w = 20, pf reached 1e200 and the log inf.
POWER_WEIGHT = 3.0
# ASSUMPTION: the doctrine's utility weights are relative to survival_value (1 by default; shipped
# values are at most 5); a weight beyond 1e3 makes every other term irrelevant.
WEIGHT = 1e3


def _kind(v) -> str:
    return "a boolean" if isinstance(v, bool) else "a string" if isinstance(v, str) else type(v).__name__


def check_number(v):
    """A plain number: finite, within +-LIMIT; booleans and strings refused (before pydantic coerces them)."""
    if isinstance(v, (bool, str)):
        raise ValueError(f"expected a number, got {_kind(v)}")
    if isinstance(v, (int, float)):
        if isinstance(v, float) and not math.isfinite(v):
            raise ValueError("expected a finite number")
        if abs(v) > LIMIT:
            raise ValueError(f"must be between -{LIMIT:g} and {LIMIT:g} (larger values overflow the model)")
        return float(v)
    return v  # a table or a list: pydantic says what was expected


def _integer(v):
    """A whole number: booleans, strings and non-finite floats refused."""
    if isinstance(v, (bool, str)):
        raise ValueError(f"expected a whole number, got {_kind(v)}")
    if isinstance(v, float) and not math.isfinite(v):
        raise ValueError("expected a finite number")
    return v


Number = Annotated[float, BeforeValidator(check_number)]
Int = Annotated[int, BeforeValidator(_integer)]

# ids become HDF5 column names, key paths of --set and inject targets: plain identifiers only
# (every shipped scenario's states, fronts, weapons pass).
ID_RULE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,31}")
ID_TEXT = "expected a plain identifier (a letter or _, then letters, digits or _; at most 32 characters)"


def _id(k: str) -> str:
    if not ID_RULE.fullmatch(k):
        raise ValueError(ID_TEXT)
    return k


Id = Annotated[str, AfterValidator(_id), WithJsonSchema({"type": "string", "pattern": f"^{ID_RULE.pattern}$"})]
_T = TypeVar("_T")
Ids = dict[Id, _T]  # a table keyed by ids: Ids[State]; a bad key is reported at its path (errors.py)


def shown(v, width: int = 60) -> str:
    """A value as echoed in an error line: its repr cut to ``width`` characters, with its size when cut."""
    r = repr(v)
    if len(r) <= width:
        return r
    size = f"{len(v)} items" if isinstance(v, (list, dict, tuple)) else f"{len(r)} characters"
    return f"{r[:width]}... ({size})"


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Fixed(_Dist):
    dist: Literal["fixed"]
    value: Number

    def bounds(self) -> tuple[float, float]:
        return self.value, self.value


class Uniform(_Dist):
    dist: Literal["uniform"]
    low: Number
    high: Number

    @model_validator(mode="after")
    def _order(self):
        if not self.low <= self.high:
            raise ValueError(f"low ({self.low}) must be <= high ({self.high})")
        return self

    def bounds(self):
        return self.low, self.high


class Normal(_Dist):
    dist: Literal["normal"]
    mean: Number
    sd: Annotated[Number, Field(gt=0)]  # sd = 0 is a plain number
    low: Number | None = None
    high: Number | None = None

    @model_validator(mode="after")
    def _order(self):
        lo = -float("inf") if self.low is None else self.low
        hi = float("inf") if self.high is None else self.high
        if not lo < hi:
            raise ValueError(f"low ({self.low}) must be < high ({self.high})")
        if self.sd > 0 and (hi < self.mean - 3 * self.sd or lo > self.mean + 3 * self.sd):
            raise ValueError(
                f"bounds [{self.low}, {self.high}] lie more than 3 sd from the mean {self.mean}: "
                "the truncated normal would be almost empty"
            )
        return self

    def bounds(self):
        lo = -float("inf") if self.low is None else self.low
        hi = float("inf") if self.high is None else self.high
        return lo, hi


class Triangular(_Dist):
    dist: Literal["triangular"]
    low: Number
    mode: Number
    high: Number

    @model_validator(mode="after")
    def _order(self):
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(
                f"needs low <= mode <= high and low < high, got low={self.low}, mode={self.mode}, high={self.high}"
            )
        return self

    def bounds(self):
        return self.low, self.high


class Pert(Triangular):
    dist: Literal["pert"]  # type: ignore[assignment]


Dist = Annotated[Union[Fixed, Uniform, Normal, Triangular, Pert], Field(discriminator="dist")]

# A scenario number: either a plain float or a distribution table.
Param = Union[Number, Dist]


def is_uncertain(p) -> bool:
    return isinstance(p, (Uniform, Normal, Triangular, Pert))


def point_value(p) -> float:
    """A representative value (the mean, or the mode for triangular/PERT) for display."""
    if isinstance(p, (int, float)):
        return float(p)
    if isinstance(p, Fixed):
        return p.value
    if isinstance(p, Uniform):
        return 0.5 * (p.low + p.high)
    if isinstance(p, Normal):
        return p.mean
    return p.mode


def check_range(p, lo: float | None, hi: float | None) -> str | None:
    """Return an error text when a number or a distribution's support leaves [lo, hi]."""
    if isinstance(p, (int, float)):
        a = b = float(p)
    else:
        a, b = p.bounds()
    if lo is not None and a < lo:
        return f"must be >= {lo:g}" + ("" if isinstance(p, (int, float)) else " over the whole distribution (set low)")
    if hi is not None and b > hi:
        return f"must be <= {hi:g}" + ("" if isinstance(p, (int, float)) else " over the whole distribution (set high)")
    return None


# ---- building blocks of every schema (engine/model/scenario.py, raids_schema.py, system/schema.py)
class Strict(BaseModel):
    """A schema table: unknown keys are errors, and a parsed scenario cannot change."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def ranged(lo=None, hi=None):
    """A validator that keeps a number, or every value a distribution can take, in [lo, hi]."""

    def check(v):
        msg = check_range(v, lo, hi)
        if msg:
            raise ValueError(msg)
        return v

    return AfterValidator(check)


NonNeg = Annotated[Param, ranged(0.0)]
Share = Annotated[Param, ranged(0.0, 1.0)]
Days = Annotated[Param, ranged(0.0, 3650.0)]
Personnel = Annotated[Param, ranged(0.0, PERSONNEL)]
Exponent = Annotated[Param, ranged(0.0, EXPONENT)]
Weight = Annotated[Param, ranged(0.0, WEIGHT)]
