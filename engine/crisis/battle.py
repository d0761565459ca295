"""How a ground war's battles end: breakpoints drawn per side, decisive events, draws.

Attrition is the front's Lanchester law as before (combat.py). What this module
changes is when a side gives way (docs/model.md section 3.3, "Battle outcomes"; parameters in the
scenario's ``[battle]`` table, defaults fitted on half of CDB90 by
engine/history/outcomes.py):

* **Breakpoints per side and battle.** Each state's breakpoint is its casualty
  tolerance times exp(breakpoint_sd Z), Z standard normal, drawn once per
  replication (at most 1: a side cannot lose more than all).
* **Decisive event.** With probability decisive_share a decisive event outside
  attrition (surprise, manoeuvre, leadership, a collapse of morale) makes one side
  give way early, at rout_fraction of its breakpoint: the defender with probability
  attacker_favoured (the attacker chooses where and when to attack), else the attacker.
* **Draws.** When the loser gives way while the winner has itself used up
  draw_pressure (< 1) of its breakpoint, the winner does not pursue: a ceasefire
  (``events.terminate``).

The ``[battle]`` defaults switch all three off (engine/model/battle.py); the values fitted
on CDB90 are ``model.battle.FITTED``.

All of it only in stochastic runs: with ``stochastic = false`` every breakpoint is
the tolerance, no decisive event happens and no draw is called, so the deterministic
path is exactly the Lanchester race to the tolerances as before. The draws come from
Philox streams (purpose BATTLE, key (seed, replication)), so a replication's
breakpoints do not depend on the batch it runs in.
"""

from __future__ import annotations

import numpy as np

from wargame import kernels
from wargame.kernels import streams

from wargame.crisis.world import World


def attach(w: World, paused: World | None = None) -> None:
    """Per replication: ``w.breakpoint`` (R, S) multipliers of the tolerances and ``w.draw_pressure`` (R,)."""
    R, S = w.R, w.S
    w.breakpoint = np.ones((R, S))
    w.draw_pressure = np.full(R, np.inf)  # no draws
    w.decisive_event = np.zeros(R, dtype=np.int8)  # 0 none, 1 the defender gives way early, -1 the attacker
    if not w.stochastic or R == 0:
        return
    b = w.sc.battle
    sd = w.sample(b.breakpoint_sd, "battle.breakpoint_sd")
    share = w.sample(b.decisive_share, "battle.decisive_share")
    favoured = w.sample(b.attacker_favoured, "battle.attacker_favoured")
    rout = w.sample(b.rout_fraction, "battle.rout_fraction")
    z = kernels.normals(w.seed, w.reps, streams.BATTLE, 0, S)
    u = kernels.uniforms(w.seed, w.reps, streams.BATTLE, 1, 2)
    w.breakpoint = np.exp(sd[:, None] * z)
    w.decisive_event = np.where(u[:, 0] < share, np.where(u[:, 1] < favoured, 1, -1), 0).astype(np.int8)
    w.breakpoint[:, w.dfd] *= np.where(w.decisive_event == 1, rout, 1.0)
    w.breakpoint[:, w.att] *= np.where(w.decisive_event == -1, rout, 1.0)
    dp = w.sample(b.draw_pressure, "battle.draw_pressure")
    w.draw_pressure = np.where(dp >= 1.0, np.inf, dp)  # 1: never a draw (both breaking is settled as before)


def breaking_point(w: World, rows: np.ndarray, s: int) -> np.ndarray:
    """State s's breakpoint (loss fraction at which it gives way) in replications ``rows``."""
    return np.minimum(w.tolerance[rows, s] * w.breakpoint[rows, s], 1.0)
