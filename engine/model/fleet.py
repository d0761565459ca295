"""Fleets by ship class (crisis/fleet.py; docs/model.md §3.2.2 "Fleets by class").

``states.<s>.fleet.<class>``: a state's navy as classes of ships, each with a count and
the per-ship figures the salvo exchange needs (offence, defence, staying power, how
often it is targeted) and its crew. With a fleet table the state's naval combat power
is sum(count x combat_power); a ``forces.naval.combat_power`` given beside it must
agree within 1 %, so a config cannot say two things about one navy.

Every figure is a Param (a number or a distribution sampled per replication); the
sources and ASSUMPTION ranges of the shipped values are in each config's header.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from wargame.model.params import NonNeg, Param, Personnel, Share, Strict as _M, point_value, ranged as _ranged

# ASSUMPTION: relative targeting weights beyond 1e3 : 1 mean one class is never targeted;
# a weight of 0 would make a fleet of only that class impossible to hit at all.
Signature = Annotated[Param, _ranged(0.001, 1000.0)]


class ShipClass(_M):
    """One class of ship of a state's navy."""

    count: Annotated[Param, _ranged(0.0, 1e5)] = Field(description="Ships of the class (platforms).")
    combat_power: Annotated[Param, _ranged(0.0, 100.0)] = Field(
        1.0, description="Naval combat power per ship (the salvo's unit: one major combatant = 1).")
    missiles: NonNeg = Field(description="Anti-ship missiles (or torpedoes) per ship per salvo (offence).")
    interceptions: NonNeg = Field(description="Incoming missiles one ship defeats per salvo (defence).")
    hits_to_kill: Annotated[Param, _ranged(0.1, 100.0)] = Field(description="Hits that put one ship out of action.")
    signature: Signature = Field(1.0, description="Relative chance of being targeted (submarines << 1).")
    crew: Personnel = Field(description="Ship's company (personnel per ship).")
    crew_loss_share: Share = Field(description="Share of the crew killed, wounded or captured when a ship is "
                                   "put out of action.")
    commit: Share | None = Field(None, description="Share of the class committed to the theatre; the rest stays "
                                 "in port or elsewhere (absent: the state's commit.naval, as for every class).")


def check_fleets(states: dict) -> list[str]:
    """One error per state whose fleet disagrees with its naval combat power or cannot fight."""
    errs = []
    for sid, st in states.items():
        if not st.fleet:
            continue
        total = sum(point_value(c.count) * point_value(c.combat_power) for c in st.fleet.values())
        given = st.forces.naval.combat_power
        if given is not None and abs(point_value(given) - total) > 0.01 * max(abs(total), 1e-12):
            errs.append(f"states.{sid}.forces.naval.combat_power = {point_value(given):g}: differs by more than "
                        f"1 % from its fleet's sum of count x combat_power ({total:g}); give one or make them agree")
        if total <= 0:
            errs.append(f"states.{sid}.fleet: sum of count x combat_power is 0; expected at least one ship "
                        "with combat power (or no fleet table)")
    return errs


def naval_cp(fleet: dict, sample, path: str):
    """Per-replication naval cp of a fleet: sum over classes of count x combat_power (``sample(value, path)``)."""
    total = 0.0
    for cid, c in fleet.items():
        total = total + sample(c.count, f"{path}.{cid}.count") * sample(c.combat_power, f"{path}.{cid}.combat_power")
    return total


def by_class(fleet: dict) -> bool:
    """Whether some class of the fleet gives its own ``commit`` (crisis/fleet.py then keeps two pools)."""
    return any(c.commit is not None for c in fleet.values())


def committed_share(fleet: dict, sample, path: str, naval_commit):
    """Per-replication naval commit share of a fleet with commitment by class:
    sum_c commit_c n_c cp_c / sum_c n_c cp_c (a class without ``commit`` takes ``naval_commit``)."""
    num = den = 0.0
    for cid, c in fleet.items():
        cp = sample(c.count, f"{path}.{cid}.count") * sample(c.combat_power, f"{path}.{cid}.combat_power")
        share = naval_commit if c.commit is None else sample(c.commit, f"{path}.{cid}.commit")
        num, den = num + share * cp, den + cp
    return num / den  # den > 0: check_fleets refuses a fleet without combat power
