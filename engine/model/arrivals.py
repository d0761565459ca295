"""Scenario schema of scheduled arrivals: reinforcements that reach a front or a home pool on a schedule.

``[[arrivals]]`` entries (docs/model.md section 2.10), validated like the rest of the
crisis schema (one line per problem). Either a lump (``amount`` on ``day``) or a flow
(``rate_per_day`` from ``from_day`` to ``to_day``); every number may be a distribution.
The mechanism is engine/crisis/arrivals.py. No entries by default, so scenarios without
them are unchanged.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from wargame.model.params import Days, Personnel, Strict as _M, shown


class Arrival(_M):
    """Combat power of one state and domain that arrives at a front (or at home) on a schedule."""

    state: str = Field(description="The state whose forces arrive.")
    front: str | None = Field(None, description="The front they reach; none: the state's home pool.")
    domain: Literal["ground", "air", "naval"] = "ground"
    amount: Personnel | None = Field(None, description="Combat power arriving at once on `day`.")
    day: Days | None = Field(None, description="Day the lump `amount` arrives.")
    rate_per_day: Personnel | None = Field(None, description="Combat power arriving per day, from_day to to_day.")
    from_day: Days | None = Field(None, description="First day of the flow.")
    to_day: Days | None = Field(None, description="Last day of the flow (>= from_day).")
    text: str = ""


def _support(p) -> tuple[float, float]:
    return (float(p), float(p)) if isinstance(p, (int, float)) else p.bounds()


def check_arrivals(sc) -> list[str]:
    """One line per problem in ``sc.arrivals`` (unknown state or front, neither or both forms, days out of order)."""
    errs = []
    for k, a in enumerate(sc.arrivals):
        p = f"arrivals[{k}]"
        if a.state not in sc.states:
            errs.append(f"{p}.state = {shown(a.state)}: not a state of this scenario ({', '.join(sc.states)})")
        if a.front is not None and a.front not in sc.fronts:
            errs.append(f"{p}.front = {shown(a.front)}: not a front of this scenario "
                        f"({', '.join(sc.fronts) or 'none'}); leave it out for the home pool")
        lump = (a.amount is not None, a.day is not None)
        flow = (a.rate_per_day is not None, a.from_day is not None, a.to_day is not None)
        if any(lump) and any(flow):
            errs.append(f"{p}: both a lump (amount, day) and a flow (rate_per_day, from_day, to_day); expected one")
        elif any(lump) and not all(lump):
            errs.append(f"{p}.{'day' if lump[0] else 'amount'}: missing; a lump needs amount and day")
        elif any(flow) and not all(flow):
            miss = [n for n, v in zip(("rate_per_day", "from_day", "to_day"), flow) if not v]
            errs.append(f"{p}.{miss[0]}: missing; a flow needs rate_per_day, from_day and to_day")
        elif not any(lump) and not any(flow):
            errs.append(f"{p}: neither amount + day nor rate_per_day + from_day + to_day; expected one of them")
        elif all(flow) and _support(a.from_day)[1] > _support(a.to_day)[0]:
            errs.append(f"{p}.to_day = {shown(a.to_day)}: must be >= from_day ({shown(a.from_day)}) over the "
                        "whole distribution")
    return errs
