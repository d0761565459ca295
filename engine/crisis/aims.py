"""War aims: how far each primary is from what it fights for (docs/model.md §2.7.2).

Concept owned: the line each primary measures a ceasefire against. Consent
(crisis/termination.py) asks each side whether accepting the current line is worth
as much as fighting on; this module says what accepting is worth to it.

* The attacker's **attainment** is the weighted share of the way to its aim lines it
  holds: Σ_f w_f · clip(position_f / aim_f, 0, 1) / Σ_f w_f. Accepting is worth
  value · attainment − shortfall_cost · (1 − attainment).
* The defender's **shortfall** is the weighted share of the way from its aim line to its
  objective that the attacker holds: Σ_f w_f · clip((position_f − aim_f) / (depth_f − aim_f), 0, 1)
  / Σ_f w_f. Accepting is worth −shortfall_cost · shortfall. An aim behind the start line
  (territory occupied before the war) makes the start line itself a shortfall.

Without ``[war_aims]`` the attacker aims at depth_km and the defender at the start line on
the decisive fronts, weight 1 each, shortfall costs 0 and 1: the terms §2.7.1 has always
used, with the same arithmetic, so those scenarios' results keep their bits.
"""

from __future__ import annotations

import numpy as np

from wargame.crisis.world import World

ATT, DEF = 0, 1


def attach(w: World, paused: World | None = None) -> None:
    """Aim lines ``w.aim_line`` (R, 2, F), weights ``w.aim_weight`` (R, 2, F), costs ``w.aim_cost`` (R, 2).

    Index 0 is the attacker, 1 the defender. Parameters only (no state), so a look-ahead
    copy (``paused``) draws them as any batch does.
    """
    R, F = w.R, w.F
    dec = np.broadcast_to(w.decisive.astype(float), (R, F))
    w.aim_line = np.stack([w.depth.copy(), np.zeros((R, F))], axis=1)
    w.aim_weight = np.stack([dec.copy(), dec.copy()], axis=1)
    w.aim_cost = np.tile(np.array([0.0, 1.0]), (R, 1))
    aims = w.sc.war_aims
    if aims is None:
        return
    fidx = {k: i for i, k in enumerate(w.front_ids)}
    for j, side in ((ATT, "attacker"), (DEF, "defender")):
        a = getattr(aims, side)
        if a is None:
            continue
        p = f"war_aims.{side}"
        w.aim_line[:, j, :] = w.depth if j == ATT else 0.0  # fronts left out: no aim (weight 0)
        w.aim_weight[:, j, :] = 0.0
        for key, v in a.line_km.items():
            f = fidx[key]
            w.aim_line[:, j, f] = w.sample(v, f"{p}.line_km.{key}")
            w.aim_weight[:, j, f] = w.sample(a.weight.get(key, 1.0), f"{p}.weight.{key}")
        if a.shortfall_cost is not None:
            w.aim_cost[:, j] = w.sample(a.shortfall_cost, f"{p}.shortfall_cost")


def _mean(weight: np.ndarray, share: np.ndarray) -> np.ndarray:
    """Weighted mean over fronts (axis 1); 0 where no front carries weight."""
    total = weight.sum(axis=1)
    return np.where(total > 0, (weight * share).sum(axis=1) / np.where(total > 0, total, 1.0), 0.0)


def attainment(w: World, rows) -> np.ndarray:
    """(n,) the attacker's weighted share of the way to its aim lines."""
    share = np.clip(w.position[rows] / w.aim_line[rows, ATT], 0.0, 1.0)
    return _mean(w.aim_weight[rows, ATT], share)


def shortfall(w: World, rows) -> np.ndarray:
    """(n,) the defender's weighted share of the way from its aim lines to its objectives the attacker holds."""
    aim = w.aim_line[rows, DEF]
    share = np.clip((w.position[rows] - aim) / (w.depth[rows] - aim), 0.0, 1.0)
    return _mean(w.aim_weight[rows, DEF], share)


def accept_values(w: World, rows) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(attacker's, defender's) utility of accepting the current line, with attainment and shortfall."""
    h, s = attainment(w, rows), shortfall(w, rows)
    att = w.value[rows] * h - w.aim_cost[rows, ATT] * (1.0 - h)
    dfd = -(w.aim_cost[rows, DEF] * s)
    return att, dfd, h, s
