"""Paired comparisons of two arms that share random numbers: tests, intervals, Holm's correction.

Arms of a sweep see the same draws for the same replication index (common random
numbers), so replication i of arm A and replication i of arm B form a pair and the
tests here are paired ones:

- a probability (a 0/1 outcome per replication): McNemar's test on the discordant
  pairs, mid-p version (exact binomial, half the probability of the observed count;
  Fagerland, Lydersen & Laake 2013, BMC Med Res Methodol 13:91, recommend it over the
  conservative exact test);
- a mean (a float per replication): the paired t test.

The interval of a difference is the t interval of the per-replication differences
(for 0/1 outcomes that is the Wald interval of paired proportions). Holm's step-down
procedure (Holm 1979, Scand J Statist 6:65-70) controls the family-wise error over a
whole comparison table. Everything is numpy and the standard library, so scipy is not
a runtime dependency; tests/test_sweep.py holds these against scipy.
"""

from __future__ import annotations

import math

import numpy as np

from wargame.estimate import Z95, wilson


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz, Numerical Recipes 6.4)."""
    tiny, qab, qap, qam = 1e-300, a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c if abs(1.0 + aa / c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c if abs(1.0 + aa / c) > tiny else tiny
        de = d * c
        h *= de
        if abs(de - 1.0) < 1e-15:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    lbt = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1.0) / (a + b + 2.0):  # the fraction converges fast on this side; use symmetry otherwise
        return math.exp(lbt) * _betacf(a, b, x) / a
    return 1.0 - math.exp(lbt) * _betacf(b, a, 1.0 - x) / b


def t_sf2(t: float, df: float) -> float:
    """Two-sided tail probability P(|T| >= |t|) of Student's t with df degrees of freedom."""
    if not np.isfinite(t):
        return 0.0 if not np.isnan(t) else float("nan")
    return betainc(0.5 * df, 0.5, df / (df + t * t))


def t_ppf(q: float, df: float) -> float:
    """Quantile of Student's t (q > 0.5), by bisection on the tail probability."""
    lo, hi = 0.0, 1.0
    while t_sf2(hi, df) > 2 * (1 - q):
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if t_sf2(mid, df) > 2 * (1 - q) else (lo, mid)
        if hi - lo < 1e-13 * max(1.0, hi):
            break
    return 0.5 * (lo + hi)


def _binom_logpmf(k: np.ndarray, n: int) -> np.ndarray:
    return (math.lgamma(n + 1) - np.array([math.lgamma(i + 1) + math.lgamma(n - i + 1) for i in k])
            + n * math.log(0.5))


def mcnemar_midp(b: int, c: int) -> float:
    """Two-sided mid-p McNemar test from the discordant counts b (A yes, B no) and c (A no, B yes)."""
    n, k = b + c, min(b, c)
    if n == 0:
        return 1.0
    pmf = np.exp(_binom_logpmf(np.arange(k + 1), n))
    p = 2.0 * pmf[:k].sum() + pmf[k]  # 2 * (P(X < k) + P(X = k) / 2)
    return float(min(1.0, p))


def mean_ci(x: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean of x with its t interval."""
    x = np.asarray(x, dtype=float)
    n = x.size
    if n == 0:
        return (float("nan"),) * 3
    m = float(x.mean())
    if n < 2:
        return m, float("nan"), float("nan")
    half = t_ppf(0.5 + level / 2, n - 1) * float(x.std(ddof=1)) / math.sqrt(n)
    return m, m - half, m + half


def estimate(x: np.ndarray) -> tuple[float, float, float]:
    """One arm's estimate with a 95% interval: Wilson for a 0/1 column, t for a float column."""
    x = np.asarray(x)
    if x.dtype == bool:
        return wilson(int(x.sum()), int(x.size), Z95)
    return mean_ci(x)


def paired(a: np.ndarray, b: np.ndarray) -> dict:
    """Difference b - a of two paired columns: estimate, 95% interval, test and its p-value."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"paired columns need the same 1-d shape, got {a.shape} and {b.shape}")
    d = b.astype(float) - a.astype(float)
    diff, lo, hi = mean_ci(d)
    if a.dtype == bool:
        n_ab, n_ba = int((a & ~b).sum()), int((~a & b).sum())
        return {"diff": diff, "low": lo, "high": hi, "test": "mcnemar_midp", "p": mcnemar_midp(n_ab, n_ba)}
    n = d.size
    sd = float(d.std(ddof=1)) if n > 1 else float("nan")
    if n < 2 or not sd > 0:  # identical columns (an A/A comparison), or a constant shift
        p = 1.0 if diff == 0 or not np.isfinite(diff) else 0.0
        return {"diff": diff, "low": lo if sd > 0 else diff, "high": hi if sd > 0 else diff,
                "test": "paired_t", "p": p}
    t = diff / (sd / math.sqrt(n))
    return {"diff": diff, "low": lo, "high": hi, "test": "paired_t", "p": t_sf2(t, n - 1)}


def holm(p) -> np.ndarray:
    """Holm's step-down adjusted p-values (NaN entries are left out of the family and stay NaN)."""
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    m = ok.size
    if m == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    adj = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out[order] = adj
    return out
