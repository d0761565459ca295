"""The deterministic projection a decision weighs (docs/model.md §4.1), two ways that give the same bits.

``project_numpy`` is the projection as it was written first: one case (one hypothetical
world: a front allocation, afloat forces and sides) at a time, some sixty numpy passes
and three kernel calls. ``project_stack`` does a stack of cases at once -- every third
party's "with" and "without" worlds at a decision point -- with the arithmetic in two
kernel calls (kernels/projection.py) and only the log/exp/pow of control shares and
survival probabilities left in numpy, vectorised over the stack: numpy's and numba's
transcendental functions may differ in the last bit, everything else is the same
operations in the same order (tests/test_fused_projection.py). crisis/doctrines.py picks
one (``doctrines.FUSED``).

A case is a tuple ``(cp, afloat, side, eps_sigma)`` or ``(cp, afloat, side, eps_sigma, att_leth,
def_leth)``: cp (n, F, S, 3), afloat (n, F, S), side (n, S), eps_sigma (n,) the perceiver's
log perception error, and optionally the lethalities (n, F) this case assumes instead of
the World's (crisis/aid_decision.py weighs intelligence that way).
"""

from __future__ import annotations

import numpy as np

from wargame import kernels
from wargame.kernels.projection import (AIR_ATT, AIR_DEF, NAVAL_ATT, NAVAL_DEF, PAIRWISE_BLOCK, projection_fronts,
                                        projection_totals)

from wargame.crisis.combat import AIR, GROUND, NAVAL, KernelClock, control
from wargame.crisis.world import World, side_sum


def survival(w: World, rows, x0, y0, xh, yh, eps_sigma):
    """(p_def, p_att, loss_def, loss_att), each (n,), from the strengths now and after the projection (n, F)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.where(yh > 0, xh / np.maximum(yh, 1e-300), np.where(xh > 0, 1e12, 1.0)) * np.exp(eps_sigma)[:, None]
        m = np.clip(m, 1e-12, 1e12)
        kappa = w.doc["sharpness"][rows][:, None]
        theta = w.breakthrough[rows]
        hold = 1.0 / (1.0 + (m / theta) ** kappa)  # defender holds this front
        collapse = 1.0 / (1.0 + (theta * m) ** kappa)  # defender breaks through the other way
    p_def = np.prod(np.where(w.decisive[None, :], hold, 1.0), axis=1)
    p_att = np.prod(np.where(w.counter_depth[rows] > 0, 1.0 - collapse, 1.0), axis=1)
    loss_def = 1.0 - yh.sum(1) / np.maximum(y0.sum(1), 1e-300)
    loss_att = 1.0 - xh.sum(1) / np.maximum(x0.sum(1), 1e-300)
    return p_def, p_att, np.clip(loss_def, 0, 1), np.clip(loss_att, 0, 1)


def project_numpy(w: World, rows, case, clock: KernelClock):
    """One case, step by step in numpy (the reference the stacked path is tested against)."""
    cp, afloat, side, eps_sigma = case[:4]
    leth = case[4:] if len(case) > 4 else None
    x0, y0, xh, yh = projected_fronts(w, rows, cp, afloat, side, clock, leth)
    return survival(w, rows, x0, y0, xh, yh, eps_sigma)


def projected_fronts(w: World, rows, cp, afloat, side, clock: KernelClock, leth=None):
    """Ground strengths now and after ``projection_days``, each (n, F): (x0, y0, xh, yh), true, unblurred.

    One deterministic step of each front's own law (docs/model.md §4.1): the (p, q)
    Lanchester law, or Deitchman's guerrilla law on ``law = "deitchman"`` fronts
    (``guerrilla_projection``). ``leth``: (att_leth, def_leth), each (n, F), instead of the World's.
    """
    n, F = rows.size, w.F
    att_leth, def_leth = leth if leth is not None else (w.att_leth[rows], w.def_leth[rows])

    def tot(d, sgn):
        return side_sum(cp[:, :, :, d], side, sgn)

    air = control(tot(AIR, 1), tot(AIR, -1), 2.0)
    sea = control(tot(NAVAL, 1), tot(NAVAL, -1), w.nav["sea_control_exponent"][rows][:, None])
    sea = np.where(w.naval[None, :], sea, 0.5)
    afl = side_sum(afloat, side, 1)
    delivered = afl * np.minimum(1.0, 2.0 * sea) * (1.0 - w.transit_loss[rows] * (1.0 - sea))
    x0 = tot(GROUND, 1) + delivered
    y0 = tot(GROUND, -1)
    in_assault = w.amphibious[None, :] & (np.isinf(w.landing_day[rows]) | (x0 < 2 * y0))
    factor = clock(kernels.front_modifiers, posture=np.tile(w.posture, n), terrain=w.terrain[rows].ravel(),
                   amphibious=in_assault.ravel(), amphib_penalty=w.penalty[rows].ravel(), air_control=air.ravel(),
                   air_weight=w.air_weight[rows].ravel(), sea_control=sea.ravel(),
                   sea_weight=w.sea_weight[rows].ravel())
    H = w.doc["projection_days"][rows].repeat(F)
    a, b = att_leth.ravel() * factor, def_leth.ravel()
    xh, yh = clock(kernels.lanchester_step, x0.ravel(), y0.ravel(), a=a, b=b, p=w.law_p[rows].ravel(),
                   q=w.law_q[rows].ravel(), rx=0.0, ry=0.0, dt=H, stochastic=False)
    if w.guerrilla.any():
        xh, yh = guerrilla_projection(w, n, x0.ravel(), y0.ravel(), a, b, H, xh, yh, clock)
    return x0, y0, xh.reshape(n, F), yh.reshape(n, F)


def guerrilla_projection(w: World, n: int, x0, y0, a, b, H, xh, yh, clock: KernelClock):
    """Deitchman fronts projected with their own law (flattened (n*F,) arrays) -> (xh, yh).

    The same exact solution the combat step uses (irregular.guerrilla, kernels/guerrilla.py),
    deterministic, over H days: the guerrilla loses to area fire in proportion to its own
    numbers, the conventional side to aimed fire. The (p, q) step's placeholder result
    for these fronts (square law, LAW_PQ) is discarded.
    """
    side = np.tile(w.guerrilla, n)
    on = side > 0
    gx, gy = clock(kernels.deitchman_step, x0[on], y0[on], a=a[on], b=b[on], side=side[on], dt=H[on],
                   stochastic=False)
    xh, yh = xh.copy(), yh.copy()
    xh[on], yh[on] = gx, gy
    return xh, yh


def project_stack(w: World, rows, cases: list, clock: KernelClock) -> list:
    """Every case at once -> a list of (p_def, p_att, loss_def, loss_att), one per case, each (n,)."""
    K, n = len(cases), rows.size
    st = np.tile(rows, K)
    cp = np.concatenate([c[0] for c in cases]) if K > 1 else cases[0][0]
    afloat = np.concatenate([c[1] for c in cases]) if K > 1 else cases[0][1]
    side = np.concatenate([c[2] for c in cases]) if K > 1 else cases[0][2]
    eps = np.concatenate([c[3] for c in cases]) if K > 1 else cases[0][3]
    if all(len(c) == 4 for c in cases):  # the World's lethalities throughout
        att_leth, def_leth = w.att_leth[st], w.def_leth[st]
    else:
        att_leth = np.concatenate([c[4] if len(c) > 4 else w.att_leth[rows] for c in cases])
        def_leth = np.concatenate([c[5] if len(c) > 4 else w.def_leth[rows] for c in cases])
    if w.S <= PAIRWISE_BLOCK:
        tot = clock(projection_totals, cp, afloat, side)
    else:  # numpy splits a longer axis in halves; its own sums
        tot = np.stack([side_sum(cp[:, :, :, AIR], side, 1), side_sum(cp[:, :, :, AIR], side, -1),
                        side_sum(cp[:, :, :, NAVAL], side, 1), side_sum(cp[:, :, :, NAVAL], side, -1),
                        side_sum(cp[:, :, :, GROUND], side, 1), side_sum(cp[:, :, :, GROUND], side, -1),
                        side_sum(afloat, side, 1)])
    # The transcendental part in numpy (see the module docstring), over the whole stack.
    air = control(tot[AIR_ATT], tot[AIR_DEF], 2.0)
    sea = control(tot[NAVAL_ATT], tot[NAVAL_DEF], w.nav["sea_control_exponent"][st][:, None])
    sea = np.where(w.naval[None, :], sea, 0.5)
    x0, y0, xh, yh = clock(projection_fronts, w, st, tot, air, sea, att_leth, def_leth, w.doc["projection_days"][st])
    out = survival(w, st, x0, y0, xh, yh, eps)
    return [tuple(v[k * n:(k + 1) * n] for v in out) for k in range(K)]
