"""Scenario schema of the battle-outcome model: breakpoints drawn per side, decisive events, draws.

The ``[battle]`` table (docs/model.md section 3.3, "Battle outcomes"; the mechanism is engine/crisis/battle.py).
Its defaults switch the model off: breakpoints at the casualty tolerance, no decisive
event, no draw, i.e. the attrition race as before. ``FITTED`` holds the values fitted on
the fit half of CDB90 by ``wargame history cdb90`` (engine/history/outcomes.py;
docs/validation.md gives the fit and the held-out scores; ``tests/test_history.py``
checks them against the fit). They describe single battles of days, not campaigns, so
a scenario opts in by writing them (or its own) in its ``[battle]`` table.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from wargame.model.params import Param, Share, Strict as _M, ranged as _ranged

# Fitted on the CDB90 fit half (242 battles; `wargame history cdb90`), rounded to 3 digits.
FITTED = {"breakpoint_sd": 1.032, "decisive_share": 0.827, "attacker_favoured": 0.650,
          "rout_fraction": 0.028, "draw_pressure": 0.643}


class Battle(_M):
    """How a ground war's battles end, beyond attrition to a fixed breakpoint (stochastic runs only; off by default)."""

    breakpoint_sd: Annotated[Param, _ranged(0.0, 5.0)] = Field(
        0.0, description="Log spread of each side's breakpoint (its casualty tolerance times "
        "exp(sd Z)), drawn per replication.")
    decisive_share: Share = Field(0.0, description="Probability that a decisive event outside "
                                  "attrition (surprise, manoeuvre, collapse of morale) makes one side give way early.")
    attacker_favoured: Share = Field(0.5, description="Probability that a decisive event "
                                     "favours the attacker (the defender gives way).")
    rout_fraction: Annotated[Param, _ranged(0.001, 1.0)] = Field(
        FITTED["rout_fraction"], description="Share of its breakpoint at which the side a decisive event goes "
        "against gives way.")
    draw_pressure: Annotated[Param, _ranged(0.0, 1.0)] = Field(
        1.0, description="A winner that has used up this share of its own breakpoint when the "
        "loser gives way does not pursue: the war ends in a ceasefire (a draw). 1: never.")
