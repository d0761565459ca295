"""numpy peer of the stochastic attrition kernel: the same model, vectorised across engagements.

Square-law expected losses from the exact (hyperbolic) solution, exactly as
kernels/lanchester.py ``_square`` computes them, then binomial losses
Binomial(round(x), L / round(x)) drawn with numpy's Generator(Philox).binomial:
the idiomatic way to write this model in numpy.  numpy's BTPE binomial is exact
where the kernel switches to a normal approximation at variance >= 20, and its
stream is numpy's sequential Philox, not our keyed blocks, so the numbers differ
draw by draw but agree in distribution; speed is what is compared.
Single-threaded, as numpy is.
"""

from __future__ import annotations

import numpy as np


def expected_square(x, y, a, b, t):
    """Deterministic square-law strengths after t days (a, b > 0), vectorised."""
    g = np.sqrt(a * b)
    s = np.sqrt(b / a)
    yy = s * y
    lo = np.minimum(x, yy)
    hi = np.maximum(x, yy)
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.sqrt((hi - lo) * (hi + lo))
        tstar = 0.5 * np.log((hi + lo) / (hi - lo)) / g
        tau = np.maximum(g * (tstar - t), 0.0)
        win = np.where(t >= tstar, k, k * np.cosh(tau))
        lose = np.where(t >= tstar, 0.0, k * np.sinh(tau))
        parity = np.exp(-g * t)
        x1 = np.where(x < yy, lose, win)
        y1 = np.where(x < yy, win / s, lose / s)
    x1 = np.where(x == yy, x * parity, x1)
    y1 = np.where(x == yy, y * parity, y1)
    done = (x <= 0) | (y <= 0)  # a side at zero: the battle is over
    return np.where(done, x, x1), np.where(done, y, y1)


def draw(rng: np.random.Generator, s, s1):
    """Drawn strengths: s minus Binomial(round(s), clip(s - s1, 0, s) / round(s))."""
    loss = np.clip(s - s1, 0.0, s)
    m = np.floor(s + 0.5)
    p = np.where(m > 0, np.minimum(loss / np.where(m > 0, m, 1.0), 1.0), 0.0)
    return np.maximum(s - rng.binomial(m.astype(np.int64), p), 0.0)


def run(x, y, a, b, dt, days: int, seed: int):
    """Advance the engagements ``days`` steps; returns the final (x, y)."""
    rng = np.random.Generator(np.random.Philox(seed))
    for _ in range(days):
        x1, y1 = expected_square(x, y, a, b, dt)
        x, y = draw(rng, x, x1), draw(rng, y, y1)
    return x, y
