"""Twins of kernels/lanchester.py and kernels/guerrilla.py: attrition laws, one step for many rows."""
import math

import numpy as np

from wargame.bench.peers.twins_random import binomial, block_open


# ---------------------------------------------------------------- lanchester
def square(x, y, a, b, t):
    if a == 0.0 and b == 0.0:
        return x, y
    if a == 0.0:
        return max(x - b * y * t, 0.0), y
    if b == 0.0:
        return x, max(y - a * x * t, 0.0)
    g, s = math.sqrt(a * b), math.sqrt(b / a)
    yy = s * y
    em = math.expm1(g * t)
    emi = em / (1.0 + em)
    ch, sh = 1.0 + 0.5 * (em - emi), 0.5 * (em + emi)
    x1, y1 = x * ch - yy * sh, yy * ch - x * sh
    if x1 > 1e-6 * (x + yy) and y1 > 1e-6 * (x + yy):
        return x1, y1 / s
    if x == yy:
        e = math.exp(-g * t)
        return x * e, y * e
    lo, hi = min(x, yy), max(x, yy)
    k = math.sqrt((hi - lo) * (hi + lo))
    tstar = 0.5 * math.log((hi + lo) / (hi - lo)) / g
    if t >= tstar:
        win, lose = k, 0.0
    else:
        win, lose = k * math.cosh(g * (tstar - t)), k * math.sinh(g * (tstar - t))
    return (lose, win / s) if x < yy else (win, lose / s)


def _g(c, t):
    if c == 0.0:
        return t
    try:
        return -math.expm1(-c * t) / c
    except OverflowError:  # numba/IEEE give inf here (c < 0); Python raises
        return math.inf


def linear(x, y, a, b, t):
    c = a * x - b * y
    return x / (1.0 + b * y * _g(c, t)), y / (1.0 + a * x * _g(-c, t))


def _pw(v, e):
    return v**e if e == math.floor(e) else max(v, 0.0)**e


def rhs(x, y, a, b, p, q, rx, ry):
    return rx - b * _pw(x, p) * _pw(y, q), ry - a * _pw(y, p) * _pw(x, q)


def rk4(x, y, a, b, p, q, rx, ry, h):
    k1 = rhs(x, y, a, b, p, q, rx, ry)
    k2 = rhs(x + 0.5 * h * k1[0], y + 0.5 * h * k1[1], a, b, p, q, rx, ry)
    k3 = rhs(x + 0.5 * h * k2[0], y + 0.5 * h * k2[1], a, b, p, q, rx, ry)
    k4 = rhs(x + h * k3[0], y + h * k3[1], a, b, p, q, rx, ry)
    return (x + h / 6.0 * (k1[0] + 2.0 * k2[0] + 2.0 * k3[0] + k4[0]),
            y + h / 6.0 * (k1[1] + 2.0 * k2[1] + 2.0 * k3[1] + k4[1]))


def rk4_path(x, y, a, b, p, q, rx, ry, dt):
    if x <= 0.0 or y <= 0.0:
        return max(x, 0.0) + rx * dt, max(y, 0.0) + ry * dt
    fx, fy = rhs(x, y, a, b, p, q, rx, ry)
    rel = dt * max(abs(fx) / x, abs(fy) / y)
    n = 8 if rel <= 8 * 0.05 else int(min(math.ceil(rel / 0.05), 100_000))
    h = dt / n
    for i in range(n):
        xn, yn = rk4(x, y, a, b, p, q, rx, ry, h)
        if xn >= 0.0 and yn >= 0.0:
            x, y = xn, yn
            continue
        lo, hi, xl, yl = 0.0, h, x, y
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            xm, ym = rk4(x, y, a, b, p, q, rx, ry, mid)
            if xm >= 0.0 and ym >= 0.0:
                lo, xl, yl = mid, xm, ym
            else:
                hi = mid
        xh, yh = rk4(x, y, a, b, p, q, rx, ry, hi)
        xl = 0.0 if xh < 0.0 else xl
        yl = 0.0 if yh < 0.0 else yl
        rest = dt - (i * h + lo)
        return xl + rx * rest, yl + ry * rest
    return x, y


def advance_xy(x, y, a, b, p, q, rx, ry, dt):
    if dt <= 0.0:
        return x, y
    if x <= 0.0 or y <= 0.0:
        return max(x, 0.0) + rx * dt, max(y, 0.0) + ry * dt
    if rx == 0.0 and ry == 0.0:
        if (p, q) == (0.0, 1.0):
            return square(x, y, a, b, dt)
        if (p, q) == (1.0, 1.0):
            return linear(x, y, a, b, dt)
        if (p, q) == (1.0, 0.0):
            return x * math.exp(-b * dt), y * math.exp(-a * dt)
    return rk4_path(x, y, a, b, p, q, rx, ry, dt)


def _draw_side(s, gross, s1, u1, u2):
    loss = min(max(gross - s1, 0.0), s)
    m = float(math.floor(s + 0.5))
    if m <= 0.0 or loss <= 0.0:
        return gross
    return max(gross - binomial(m, min(loss / m, 1.0), u1, u2), 0.0)


def _rows(n, *vals):
    return [np.broadcast_to(np.asarray(v, dtype=float), (n,)) for v in vals]


def lanchester_step(x, y, a, b, p, q, rx, ry, dt, stochastic=False, seed=0,
                    reps=None, slots=None, step=0, purpose=0):
    n = len(x)
    x, y, a, b, p, q, rx, ry, dt = _rows(n, x, y, a, b, p, q, rx, ry, dt)
    xo, yo = np.empty(n), np.empty(n)
    for i in range(n):
        args = [float(v[i]) for v in (x, y, a, b, p, q, rx, ry, dt)]
        x1, y1 = advance_xy(*args)
        if stochastic:
            u = block_open(seed, int(reps[i]), step, int(slots[i]), purpose, 0)
            x1 = _draw_side(args[0], args[0] + args[6] * args[8], x1, u[0], u[1])
            y1 = _draw_side(args[1], args[1] + args[7] * args[8], y1, u[2], u[3])
        xo[i], yo[i] = x1, y1
    return xo, yo


# ---------------------------------------------------------------- guerrilla
def deitchman(g, c, kg, kc, t):
    """Deitchman's law, dg/dt = -kc c g, dc/dt = -kg g, solved exactly (kernels/guerrilla.py)."""
    if t <= 0.0 or g <= 0.0 or c <= 0.0:
        return max(g, 0.0), max(c, 0.0)
    if kc == 0.0:
        return g, max(c - kg * g * t, 0.0)
    if kg == 0.0:
        return g * math.exp(-kc * c * t), c
    big_k = 2.0 * kg * g - kc * c * c
    if big_k > 0.0:
        s = math.sqrt(big_k / kc)
        w = 0.5 * math.sqrt(kc * big_k)
        if t >= math.atan(c / s) / w:
            return big_k / (2.0 * kg), 0.0
        tn = math.tan(w * t)
        d = math.cos(w * t) + (c / s) * math.sin(w * t)
        return g / (d * d), max(s * (c - s * tn) / (s + c * tn), 0.0)
    if big_k < 0.0:
        k = math.sqrt(-big_k / kc)
        tau = 0.5 * kc * k * t
        th = math.tanh(tau)
        c1 = k * (c + k * th) / (k + c * th)
        if tau > 350.0:
            return 0.0, c1
        d = math.cosh(tau) + (c / k) * math.sinh(tau)
        return g / (d * d), c1
    d = 1.0 + 0.5 * kc * c * t
    return g / (d * d), c / d


def deitchman_step(x, y, a, b, side, dt, stochastic=False, seed=0, reps=None, slots=None,
                   step=0, purpose=0):
    n = len(x)
    x, y, a, b, dt = _rows(n, x, y, a, b, dt)
    side = np.broadcast_to(np.asarray(side), (n,))
    xo, yo = np.empty(n), np.empty(n)
    for i in range(n):
        xi, yi, ai, bi, ti = (float(v[i]) for v in (x, y, a, b, dt))
        if int(side[i]) == 1:
            x1, y1 = deitchman(xi, yi, ai, bi, ti)
        else:
            y1, x1 = deitchman(yi, xi, bi, ai, ti)
        if stochastic:
            u = block_open(seed, int(reps[i]), step, int(slots[i]), purpose, 0)
            x1 = _draw_side(xi, xi, x1, u[0], u[1])
            y1 = _draw_side(yi, yi, y1, u[2], u[3])
        xo[i], yo[i] = x1, y1
    return xo, yo
