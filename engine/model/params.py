"""Uncertain parameters: a number, or a distribution sampled once per replication.

Any numeric field of a scenario may be written either as a plain number or as a
table naming a distribution::

    lift_per_day = 20000
    lift_per_day = { dist = "pert", low = 15000, mode = 25000, high = 60000 }

Supported: fixed, uniform, normal (with optional bounds, i.e. truncated),
triangular and PERT (a Beta on [low, high] with the usual shape 4). Sampling
itself lives in ``engine.sampling``; this module only describes and validates.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Fixed(_Dist):
    dist: Literal["fixed"]
    value: float

    def bounds(self) -> tuple[float, float]:
        return self.value, self.value


class Uniform(_Dist):
    dist: Literal["uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _order(self):
        if not self.low <= self.high:
            raise ValueError(f"low ({self.low}) must be <= high ({self.high})")
        return self

    def bounds(self):
        return self.low, self.high


class Normal(_Dist):
    dist: Literal["normal"]
    mean: float
    sd: float = Field(ge=0)
    low: float | None = None
    high: float | None = None

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
    low: float
    mode: float
    high: float

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
Param = Union[float, Dist]


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


# ---- building blocks of every schema (engine/scenario.py, raids_schema.py, system/schema.py)
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
