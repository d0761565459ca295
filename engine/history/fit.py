"""Nelder-Mead minimisation (no scipy at run time) and goodness-of-fit measures.

The fits have two to four parameters and a smooth objective, where the simplex
method of Nelder & Mead (Computer Journal 7 (1965) 308-313) is reliable and short.
Coefficients (standard reflection 1, expansion 2, contraction 0.5, shrink 0.5) and
the stopping rule (spread of the simplex's values and points) are those of the
usual textbook statement, e.g. Lagarias et al., SIAM J. Optim. 9 (1998) 112-147.
"""

from __future__ import annotations

import numpy as np


def nelder_mead(f, x0, step, xtol: float = 1e-10, ftol: float = 1e-12, max_iter: int = 5000):
    """Minimise f from x0 (simplex edges ``step``) -> (x_best, f_best, iterations).

    Deterministic: the same f and start give the same result bit for bit.
    """
    x0 = np.asarray(x0, dtype=float)
    n = x0.size
    pts = [x0] + [x0 + np.eye(n)[i] * np.broadcast_to(step, n)[i] for i in range(n)]
    pts = np.array(pts)
    vals = np.array([f(p) for p in pts])
    it = 0
    for it in range(1, max_iter + 1):
        order = np.argsort(vals, kind="stable")
        pts, vals = pts[order], vals[order]
        if (np.max(np.abs(pts[1:] - pts[0])) <= xtol
                and abs(vals[-1] - vals[0]) <= ftol * max(1.0, abs(vals[0]))):
            break
        centre = pts[:-1].mean(axis=0)
        xr = centre + (centre - pts[-1])
        fr = f(xr)
        if fr < vals[0]:
            xe = centre + 2.0 * (centre - pts[-1])
            fe = f(xe)
            pts[-1], vals[-1] = (xe, fe) if fe < fr else (xr, fr)
        elif fr < vals[-2]:
            pts[-1], vals[-1] = xr, fr
        else:
            outside = fr < vals[-1]
            xc = centre + 0.5 * ((xr if outside else pts[-1]) - centre)
            fc = f(xc)
            if fc < (fr if outside else vals[-1]):
                pts[-1], vals[-1] = xc, fc
            else:  # shrink towards the best point
                pts[1:] = pts[0] + 0.5 * (pts[1:] - pts[0])
                vals[1:] = [f(p) for p in pts[1:]]
    best = int(np.argmin(vals))
    return pts[best], float(vals[best]), it


def goodness(observed, predicted) -> dict:
    """SSR, R^2 = 1 - SSR/SST and mean absolute percentage error (days with observed > 0)."""
    o = np.asarray(observed, dtype=float)
    p = np.asarray(predicted, dtype=float)
    ssr = float(np.sum((o - p) ** 2))
    sst = float(np.sum((o - o.mean()) ** 2))
    pos = o > 0
    mape = float(np.mean(np.abs(o[pos] - p[pos]) / o[pos]) * 100) if pos.any() else float("nan")
    return {"ssr": ssr, "r2": 1.0 - ssr / sst if sst > 0 else float("nan"), "mape": mape}
