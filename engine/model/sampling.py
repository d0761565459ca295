"""Sampling of uncertain parameters, one value per replication, from counter-based streams.

Every parameter has its own stream step (a hash of its key path), so a replication's
draw for ``states.USA.casualty_tolerance`` depends only on the seed, the replication
index and that key path: not on batch size, worker count, or which other parameters
the scenario has. Adding a parameter to a scenario leaves the others' draws unchanged,
which is what common random numbers across the arms of a sweep need.
"""

from __future__ import annotations

import math
import zlib

import numpy as np

from wargame.kernels import normals, uniforms
from wargame.kernels import streams
from wargame.kernels.variates import _A, _B, _C, _D, _P_LOW

from wargame.model.params import Fixed, Normal, Pert, Triangular, Uniform, is_uncertain

_ROUNDS = 48  # gamma rejection rounds; P(no acceptance) < 0.05**48


def param_step(path: str) -> int:
    # 24 bits of the key path's CRC, times 128 sub-steps: two gamma draws of _ROUNDS (< 64) rounds each.
    return (zlib.crc32(path.encode()) & 0xFFFFFF) * 128


_erfc = np.vectorize(math.erfc, otypes=[float])


def _ndtr(x):
    return 0.5 * _erfc(-x / math.sqrt(2.0))


def _ndtri(p):
    """Inverse standard normal CDF: Acklam's rational approximation plus one Halley step (full precision)."""
    p = np.asarray(p, dtype=float)
    a, b, c, d = _A, _B, _C, _D  # the kernels' coefficients (kernels/variates.py)
    p = np.clip(p, 1e-300, 1 - 1e-16)
    x = np.empty_like(p)
    lo, hi = p < _P_LOW, p > 1 - _P_LOW
    mid = ~(lo | hi)
    q = np.sqrt(-2 * np.log(p[lo]))
    x[lo] = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    q = np.sqrt(-2 * np.log(1 - p[hi]))
    x[hi] = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    q = p[mid] - 0.5
    r = q * q
    x[mid] = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    e = _ndtr(x) - p
    u = e * math.sqrt(2 * math.pi) * np.exp(x * x / 2)
    return x - u / (1 + x * u / 2)


def _gamma(shape: float, seed: int, reps: np.ndarray, step: int) -> np.ndarray:
    """Marsaglia-Tsang gamma(shape >= 1) by rounds of (normal, uniform) pairs per replication."""
    d = shape - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    out = np.full(reps.shape, d, dtype=float)  # fallback: the mode-ish value, reached with prob ~0
    todo = np.ones(reps.shape, dtype=bool)
    for r in range(_ROUNDS):
        idx = np.flatnonzero(todo)
        if idx.size == 0:
            break
        z = normals(seed, reps[idx], streams.PARAM, step + r, 1)[:, 0]
        u = uniforms(seed, reps[idx], streams.PARAM, step + r, 4)[:, 3]  # slot 0 lanes 0-1 feed the normal
        v = (1 + c * z) ** 3
        ok = (v > 0) & (np.log(np.maximum(u, 1e-300)) < 0.5 * z * z + d - d * np.where(v > 0, v, 1) + d * np.log(np.where(v > 0, v, 1)))
        out[idx[ok]] = d * v[ok]
        todo[idx[ok]] = False
    return out


def sample(p, path: str, seed: int, reps: np.ndarray) -> np.ndarray:
    """Values of parameter ``p`` (a number or a distribution) for the given replication indices."""
    n = reps.shape[0]
    if isinstance(p, (int, float)):
        return np.full(n, float(p))
    if isinstance(p, Fixed):
        return np.full(n, p.value)
    step = param_step(path)
    if isinstance(p, Uniform):
        u = uniforms(seed, reps, streams.PARAM, step, 1)[:, 0]
        return p.low + (p.high - p.low) * u
    if isinstance(p, Normal):
        u = uniforms(seed, reps, streams.PARAM, step, 1)[:, 0]
        lo, hi = p.bounds()
        if p.sd == 0:
            return np.full(n, p.mean)
        plo = _ndtr(np.float64((lo - p.mean) / p.sd)) if np.isfinite(lo) else 0.0
        phi = _ndtr(np.float64((hi - p.mean) / p.sd)) if np.isfinite(hi) else 1.0
        x = p.mean + p.sd * _ndtri(plo + u * (phi - plo))
        return np.clip(x, lo, hi)
    if isinstance(p, Pert):
        span = p.high - p.low
        alpha = 1 + 4 * (p.mode - p.low) / span
        beta = 1 + 4 * (p.high - p.mode) / span
        g1 = _gamma(alpha, seed, reps, step)
        g2 = _gamma(beta, seed, reps, step + 64)
        return p.low + span * g1 / (g1 + g2)
    if isinstance(p, Triangular):
        u = uniforms(seed, reps, streams.PARAM, step, 1)[:, 0]
        a, m, b = p.low, p.mode, p.high
        fc = (m - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (m - a))
        right = b - np.sqrt((1 - u) * (b - a) * (b - m))
        return np.where(u < fc, left, right)
    raise TypeError(f"unknown parameter type {type(p).__name__} at {path}")


def sample_recorded(p, path: str, seed: int, reps: np.ndarray, params: dict) -> np.ndarray:
    """``sample``, keeping the draws in ``params[path]`` when p is uncertain (they go to the results file)."""
    x = sample(p, path, seed, reps)
    if is_uncertain(p):
        params[path] = x
    return x
