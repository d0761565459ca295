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

from wargame.analysis.stats import t_sf2
from wargame.estimate import Z95


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


def _corr(M: np.ndarray) -> np.ndarray:
    """Correlation matrix of M's columns. einsum, not a BLAS product: a multi-threaded BLAS on cores
    busy with simulation workers measured 0.3-1.2 s for this 10,000 x 20 product, einsum 0.02 s."""
    X = M - M.mean(axis=0)
    G = np.einsum("ij,ik->jk", X, X)
    d = np.sqrt(np.diag(G))
    return G / np.outer(d, d)


def _nan_rows(names):
    return [{"param": k, "prcc": float("nan"), "low": float("nan"), "high": float("nan"), "p": float("nan")}
            for k in names]


def prcc_many(params: dict[str, np.ndarray], outcomes: dict[str, np.ndarray]) -> dict[str, list[dict]]:
    """PRCC of every outcome on every parameter: {outcome: [{param, prcc, low, high, p}]}.

    The parameters are ranked once. The partial correlation of x_j and y given the
    others is read off the inverse of the rank correlation matrix P of (x_1..x_k, y):
    -P[j, y] / sqrt(P[j, j] P[y, y]), the same number as correlating the two regression
    residuals (tests/test_sweep.py checks it against the residuals), at the cost of
    one small matrix inverse per outcome instead of 2k regressions over n rows.
    Parameters that do not vary are left out of the fit and get NaN; so does every
    parameter for an outcome that does not vary.
    """
    names = list(params)
    varying = [k for k in names if np.ptp(np.asarray(params[k], dtype=float)) > 0]
    R = np.column_stack([rankdata(params[k]) for k in varying]) if varying else None
    out = {}
    for oname, y in outcomes.items():
        y = np.asarray(y, dtype=float)
        n = y.size
        if not varying or np.ptp(y) == 0 or n < len(varying) + 4:
            out[oname] = _nan_rows(names)
            continue
        C = _corr(np.column_stack([R, rankdata(y)]))
        P = np.linalg.pinv(C)
        df = n - 2 - (len(varying) - 1)
        rows = []
        for name in names:
            if name not in varying:
                rows += _nan_rows([name])
                continue
            j = varying.index(name)
            r = float(np.clip(-P[j, -1] / np.sqrt(P[j, j] * P[-1, -1]), -1.0, 1.0))
            t = r * math.sqrt(df / max(1e-300, 1 - r * r))
            z = math.atanh(float(np.clip(r, -1 + 1e-15, 1 - 1e-15)))
            se = 1 / math.sqrt(max(1, df - 1))  # Fisher z: 1 / sqrt(n - 3 - k)
            rows.append({"param": name, "prcc": r, "low": math.tanh(z - Z95 * se), "high": math.tanh(z + Z95 * se),
                         "p": t_sf2(t, df)})
        out[oname] = rows
    return out


def prcc(params: dict[str, np.ndarray], y: np.ndarray) -> list[dict]:
    """PRCC of one outcome y on every parameter: [{param, prcc, low, high, p}] in the order given."""
    return prcc_many(params, {"y": y})["y"]
