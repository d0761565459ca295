"""Estimates every summary shares: Wilson intervals for proportions, and percentiles streamed
from histograms in memory that does not grow with the number of replications."""

from __future__ import annotations

import math

import numpy as np

Z95 = 1.959963984540054


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float, float]:
    """Proportion k/n with its Wilson score interval (good near 0 and 1, unlike the normal one)."""
    if n == 0:
        return float("nan"), float("nan"), float("nan")
    p = k / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    # k = 0 and k = n give exactly 0 and 1 (rounding leaves ~1e-18 otherwise)
    return p, 0.0 if k == 0 else max(0.0, mid - half), 1.0 if k == n else min(1.0, mid + half)


class Histogram:
    """Counts of values in bins, from which percentiles are read as ``np.percentile`` reads them
    from the values (linear interpolation between order statistics), in memory that does not
    grow with the number of values.

    ``step`` > 0: values on a grid (days: every event is on the step grid); bins are grid
    points, so percentiles are exact. ``step`` = 0: positive continuous values (losses) in
    logarithmic bins of relative width REL; a value is represented by its bin's geometric
    middle, so a percentile is within REL/2 of the exact one (zeros are counted exactly).
    """

    REL = 1e-3

    def __init__(self, step: float = 0.0):
        self.step, self.counts = float(step), {}
        self._log = np.log1p(self.REL)

    def add(self, x: np.ndarray) -> None:
        x = np.asarray(x, dtype=float)
        x = x[np.isfinite(x)]
        if x.size == 0:
            return
        if self.step > 0:
            keys = np.rint(x / self.step).astype(np.int64)
        else:  # key 0 below every positive bin holds the zeros
            pos = x > 0
            keys = np.full(x.size, np.iinfo(np.int64).min)
            keys[pos] = np.floor(np.log(x[pos]) / self._log).astype(np.int64)
        u, c = np.unique(keys, return_counts=True)
        for k, n in zip(u.tolist(), c.tolist()):
            self.counts[k] = self.counts.get(k, 0) + n

    @property
    def n(self) -> int:
        return sum(self.counts.values())

    def _value(self, k: np.ndarray) -> np.ndarray:
        if self.step > 0:
            return k * self.step
        v = np.exp((k.astype(float) + 0.5) * self._log)
        return np.where(k == np.iinfo(np.int64).min, 0.0, v)

    def percentile(self, qs) -> tuple:
        n = self.n
        if n == 0:
            return (np.nan,) * len(qs)
        keys = np.array(sorted(self.counts), dtype=np.int64)
        cum = np.cumsum([self.counts[k] for k in keys.tolist()])
        out = []
        for q in qs:
            h = (n - 1) * q / 100.0
            lo, hi = int(np.floor(h)), int(np.ceil(h))
            v = self._value(keys[np.searchsorted(cum, [lo + 1, hi + 1])])  # the lo-th and hi-th order statistics
            out.append(float(v[0] + (h - lo) * (v[1] - v[0])))
        return tuple(out)
