"""What a third party can do after the warning, before any war (crisis/prewar.py; docs/model.md §2.6.2).

``states.<s>.alert``: alert and deploy forward. ``states.<s>.declare``: declare a commitment to
the defender, which the attacker believes more (``credibility_gain``) and which costs the
declarer reputation should it later stay out (``reputation_cost``). Both default to off.
"""

from __future__ import annotations

from pydantic import Field

from wargame.model.params import Days, Share, Strict as _M, Weight


class Alert(_M):
    """Alert and forward deployment after the warning."""

    days_saved: Days = Field(0.0, description="Days cut from its deploy_delay_days when it alerts and deploys "
                             "forward (0: it cannot).")
    cost: Weight = Field(0.05, description="Utility an alert costs it, weighed against its expected gain.")


class Declare(_M):
    """A public commitment to the defender after the warning (both 0: it cannot declare)."""

    credibility_gain: Share = Field(0.0, description="Added to the credibility the attacker gives its commitment "
                                    "to the defender (capped at 1).")
    reputation_cost: Weight = Field(0.0, description="Utility it loses if, declared, it stays out of the war or "
                                    "withdraws; weighed when it decides whether to declare.")
