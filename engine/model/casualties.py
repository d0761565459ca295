"""Casualties by kind and forces cut off ashore (crisis/casualties.py; docs/model.md §3.6).

``states.<s>.casualties``: how a state's personnel losses in each domain divide into killed,
wounded and captured (or missing). ``[cutoff]``: when an attacker's force ashore on an
amphibious front, cut off from the sea, starts to surrender. Sources and ranges are in
docs/model.md §3.6 ([C1]-[C7]); every default is sourced or an ASSUMPTION with a range.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from wargame.model.params import Days, Param, Strict as _M, ranged as _ranged

Ratio = Annotated[Param, _ranged(0.0, 50.0)]
Part = Annotated[Param, _ranged(0.0, 1.0)]


class ByDomain(_M):
    """Wounded per killed in each domain (sources in Casualties)."""

    ground: Ratio = 3.0
    air: Ratio = 1.0
    naval: Ratio = 1.0


class SharesByDomain(_M):
    """Share captured or missing in each domain (sources in Casualties)."""

    ground: Part = 0.1
    air: Part = 0.1
    naval: Part = 0.02


class Casualties(_M):
    """How a state's personnel losses divide into killed, wounded and captured or missing.

    Of the losses in a domain, ``captured_share`` are captured or missing; the rest divide
    into killed and wounded as 1 : ``wounded_per_killed``. Surrenders of a force cut off
    ashore ([cutoff]) are captured on top, whatever these shares.
    """

    wounded_per_killed: ByDomain = Field(
        ByDomain(),
        description="Wounded per killed, by domain. Ground 3.0: US Army WWII and Korea about 2.4-3.1 [C1][C2], "
        "Falklands 3.0 [F3]; Vietnam about 3.2 hospitalised [C3], Iraq and Afghanistan 7-10 with modern "
        "evacuation [C4][C5] (range 2-10). Air 1.0, naval 1.0: US Navy WWII about 1:1 [C6]; ASSUMPTION "
        "range 0.3-1.5 (aircrew and ships' companies die with their platform more often than soldiers).")
    captured_share: SharesByDomain = Field(
        SharesByDomain(),
        description="Share of losses captured or missing, by domain. Ground 0.1: US Army WWII about 13% "
        "captured or missing of battle casualties [C1], ASSUMPTION range 0-0.2 for a force that is not "
        "cut off; air 0.1 ASSUMPTION 0-0.3 (crews shot down over enemy ground); naval 0.02 ASSUMPTION "
        "0-0.1 (survivors picked up by the enemy).")


class Cutoff(_M):
    """A force ashore cut off from the sea surrenders over days (docs/model.md §3.6).

    On an amphibious front the attacker's ground force ashore is cut off on a day when its
    side's sea control is below ``sea_control`` or its lift is all destroyed; after
    ``days`` cut off in a row, ``surrender_per_day`` of it surrenders each day (captured).
    ASSUMPTION: no source gives a rate; encircled forces held out for weeks to months
    before capitulating at once (Bataan ~90 days, Stalingrad ~72, Dien Bien Phu ~56 [C7]).
    """

    sea_control: Part = Field(0.2, description="Sea control below which the force ashore is cut off (the lift "
                              "then carries at most 2x this share, crisis/combat.py). ASSUMPTION 0.1-0.3.")
    days: Days = Field(30.0, description="Days cut off in a row before surrenders begin. ASSUMPTION 14-90 "
                       "(Dien Bien Phu 56, Stalingrad 72, Bataan about 90 [C7]).")
    surrender_per_day: Part = Field(0.1, description="Share of the force still ashore that surrenders each day "
                                    "once they begin. ASSUMPTION 0.05-1 (history: whole garrisons at once, 1).")
