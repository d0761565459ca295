"""Which uncertain parameters drive an outcome: partial rank correlation coefficients (PRCC).

For each outcome column y and each sampled parameter x_j (one value per replication,
the ``params`` group of a run), the PRCC is the correlation between the residuals of
rank(x_j) and of rank(y) after a least-squares fit of each on the ranks of all the
other parameters (Marino, Hogue, Ray & Kirschner 2008, J Theor Biol 254:178-196,
section 3.3.1). It measures a monotone effect of x_j with the others held fixed, and
is unaffected by any monotone transformation of a parameter or of the outcome.
Ties (every 0/1 outcome, clipped parameters) get average ranks.

Significance and interval: with k other parameters and n replications,
t = r sqrt((n - 2 - k) / (1 - r^2)) has n - 2 - k degrees of freedom (Marino et al.,
eq. 14), and the 95% interval is Fisher's z interval with standard error
1 / sqrt(n - 3 - k).
"""

from __future__ import annotations

import math

import numpy as np

from .stats import t_sf2
from .summary import Z95


def rankdata(x: np.ndarray) -> np.ndarray:
    """Ranks 1..n with ties given their average rank."""
    x = np.asarray(x)
    order = np.argsort(x, kind="stable")
    xs = x[order]
    start = np.r_[True, xs[1:] != xs[:-1]]
    idx = np.flatnonzero(start)
    ends = np.r_[idx[1:], xs.size]
    avg = (idx + ends + 1) / 2.0  # mean of ranks idx+1 .. ends
    out = np.empty(x.size)
    out[order] = np.repeat(avg, ends - idx)
    return out


def prcc(params: dict[str, np.ndarray], y: np.ndarray) -> list[dict]:
    """PRCC of outcome y on every parameter: [{param, prcc, low, high, p}] in the order given.

    Parameters that do not vary are dropped from the fit (they have no rank information);
    an outcome that does not vary gives NaN for every parameter.
    """
    names = list(params)
    y = np.asarray(y, dtype=float)
    n = y.size
    varying = [k for k in names if np.ptp(np.asarray(params[k], dtype=float)) > 0]
    rows = []
    if not varying or np.ptp(y) == 0 or n < len(varying) + 4:
        return [{"param": k, "prcc": float("nan"), "low": float("nan"), "high": float("nan"),
                 "p": float("nan")} for k in names]
    R = np.column_stack([rankdata(params[k]) for k in varying])
    ry = rankdata(y)
    k_other = len(varying) - 1
    df = n - 2 - k_other
    for name in names:
        if name not in varying:
            rows.append({"param": name, "prcc": float("nan"), "low": float("nan"), "high": float("nan"),
                         "p": float("nan")})
            continue
        j = varying.index(name)
        Z = np.column_stack([np.ones(n), np.delete(R, j, axis=1)])
        coef_x = np.linalg.lstsq(Z, R[:, j], rcond=None)[0]
        coef_y = np.linalg.lstsq(Z, ry, rcond=None)[0]
        ex, ey = R[:, j] - Z @ coef_x, ry - Z @ coef_y
        den = math.sqrt(float(ex @ ex) * float(ey @ ey))
        r = float(ex @ ey) / den if den > 0 else float("nan")
        if not np.isfinite(r):
            rows.append({"param": name, "prcc": r, "low": r, "high": r, "p": float("nan")})
            continue
        r = max(-1.0, min(1.0, r))
        t = r * math.sqrt(df / max(1e-300, 1 - r * r))
        z, se = math.atanh(min(r, 1 - 1e-15) if r > 0 else max(r, -1 + 1e-15)), 1 / math.sqrt(max(1, df - 1))
        rows.append({"param": name, "prcc": r, "low": math.tanh(z - Z95 * se), "high": math.tanh(z + Z95 * se),
                     "p": t_sf2(t, df)})
    return rows
