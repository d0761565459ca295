"""Plain-Python twins of every kernel (slow, obvious, no numba): the one copy.

Each function mirrors one kernel operation for operation, on Python ints and
floats, with the same signature as its ``kernels`` counterpart. Two users:
tests/test_kernels_*.py demand exact (bit-for-bit) agreement with the numba
kernels (through tests/reference.py, which re-exports this module), and the naive
benchmark peer (bench/peers/naive.py) swaps them in for the kernels to get "combat
stepped in plain Python" that reproduces the engine's draws bit for bit.
"""
import math

import numpy as np

M64 = 2**64 - 1
W0, W1 = 0x9E3779B97F4A7C15, 0xBB67AE8584CAA73B
PM0, PM1 = 0xD2E7470EE14C6C93, 0xCA5A826395121157


# ---------------------------------------------------------------- philox
def philox4x64(c0, c1, c2, c3, k0, k1):
    c = [int(c0), int(c1), int(c2), int(c3)]
    k0, k1 = int(k0), int(k1)
    for r in range(10):
        if r:
            k0, k1 = (k0 + W0) & M64, (k1 + W1) & M64
        p0, p1 = PM0 * c[0], PM1 * c[2]  # exact 128-bit products
        c = [(p1 >> 64) ^ c[1] ^ k0, p1 & M64, (p0 >> 64) ^ c[3] ^ k1, p0 & M64]
    return tuple(c)


def u64_to_unit(x):
    return float(int(x) >> 11) * 2.0**-53


def u64_to_open(x):
    return float((int(x) >> 11) | 1) * 2.0**-53


def box_muller(u_open, u_unit):
    r = math.sqrt(-2.0 * math.log(u_open))
    t = 2.0 * math.pi * u_unit
    return r * math.cos(t), r * math.sin(t)


def block_open(seed, rep, step, slot, purpose, sub):
    return tuple(u64_to_open(w) for w in philox4x64(step, slot, purpose, sub, seed, rep))


def uniforms(seed, reps, purpose, step, k):
    out = np.empty((len(reps), k))
    for i, rep in enumerate(reps):
        for j in range(k):
            out[i, j] = u64_to_unit(philox4x64(step, j // 4, purpose, 0, seed, rep)[j % 4])
    return out


def normals(seed, reps, purpose, step, k):
    out = np.empty((len(reps), k))
    for i, rep in enumerate(reps):
        for j in range(k):
            w = philox4x64(step, j // 4, purpose, 0, seed, rep)
            pair = (j % 4) // 2
            z = box_muller(u64_to_open(w[2 * pair]), u64_to_unit(w[2 * pair + 1]))
            out[i, j] = z[j % 2]
    return out


# ---------------------------------------------------------------- variates

# Acklam's rational approximation of the inverse normal cdf (relative error < 1.2e-9).
_A = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02,
      1.383577518672690e02, -3.066479806614716e01, 2.506628277459239e00)
_B = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02,
      6.680131188771972e01, -1.328068155288572e01)
_C = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00,
      -2.549732539343734e00, 4.374664141464968e00, 2.938163982698783e00)
_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00,
      3.754408661907416e00)
_P_LOW = 0.02425


def _z(u1, u2):
    # Inverse-cdf normal from u1 alone (u2 is kept for the interface). The central
    # 95% is one rational function, no log or cos: measured 35 -> ~8 ns per draw
    # against Box-Muller, which dominated the stochastic attrition kernel.
    p = min(max(u1, 2.0**-53), 1.0 - 2.0**-53)
    if p < _P_LOW:
        q = math.sqrt(-2.0 * math.log(p))
        return ((((( _C[0] * q + _C[1]) * q + _C[2]) * q + _C[3]) * q + _C[4]) * q + _C[5]) / \
            ((((_D[0] * q + _D[1]) * q + _D[2]) * q + _D[3]) * q + 1.0)
    if p > 1.0 - _P_LOW:
        q = math.sqrt(-2.0 * math.log(1.0 - p))
        return -((((( _C[0] * q + _C[1]) * q + _C[2]) * q + _C[3]) * q + _C[4]) * q + _C[5]) / \
            ((((_D[0] * q + _D[1]) * q + _D[2]) * q + _D[3]) * q + 1.0)
    q = p - 0.5
    r = q * q
    return (((((_A[0] * r + _A[1]) * r + _A[2]) * r + _A[3]) * r + _A[4]) * r + _A[5]) * q / \
        (((((_B[0] * r + _B[1]) * r + _B[2]) * r + _B[3]) * r + _B[4]) * r + 1.0)


def binomial(n, p, u1, u2):
    n, p = float(n), float(p)
    if n <= 0.0 or p <= 0.0:
        return 0.0
    if p >= 1.0:
        return n
    flip = p > 0.5
    pp = 1.0 - p if flip else p
    q = 1.0 - pp
    var = n * pp * q
    if var >= 20.0:
        k = min(max(float(math.floor(n * pp + math.sqrt(var) * _z(u1, u2) + 0.5)), 0.0), n)
    else:
        f = math.exp(n * math.log1p(-pp))
        cdf, k = f, 0.0
        while u1 > cdf and k < n:
            f = f * ((n - k) / (k + 1.0)) * (pp / q)
            k += 1.0
            if cdf + f == cdf and k > n * pp:
                break
            cdf = cdf + f
    return n - k if flip else k


def poisson(lam, u1, u2):
    if lam <= 0.0:
        return 0.0
    if lam >= 20.0:
        return max(float(math.floor(lam + math.sqrt(lam) * _z(u1, u2) + 0.5)), 0.0)
    f = math.exp(-lam)
    cdf, k = f, 0.0
    while u1 > cdf:
        f = f * (lam / (k + 1.0))
        k += 1.0
        if cdf + f == cdf and k > lam:
            break
        cdf = cdf + f
    return k


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


# ---------------------------------------------------------------- salvo
def salvo_one(A, B, alpha, beta, a1, b1, a3, b3, u=None, v=None):
    """Returns (A_new, B_new, leakers_on_A, leakers_on_B); u, v: the two blocks or None."""
    def leak(fired, cap, u1, u2):
        if u is None:
            return max(fired - cap, 0.0)
        n = float(math.floor(fired + 0.5))
        return 0.0 if n <= 0.0 else binomial(n, max(n - cap, 0.0) / n, u1, u2)

    def lost(lk, hits, fleet, w):
        x = lk / hits
        if u is not None:
            x = math.floor(x) + (1.0 if w < x - math.floor(x) else 0.0)
        return min(max(x, 0.0), fleet)

    lb = leak(alpha * A, b3 * B, *(u[:2] if u else (0, 0)))
    la = leak(beta * B, a3 * A, *(u[2:] if u else (0, 0)))
    return (A - lost(la, a1, A, v[1] if v else 0), B - lost(lb, b1, B, v[0] if v else 0), la, lb)


def salvo_step(A, B, alpha, beta, a1, b1, a3, b3, stochastic=False, seed=0,
               reps=None, slots=None, step=0, purpose=0):
    n = len(A)
    cols = _rows(n, A, B, alpha, beta, a1, b1, a3, b3)
    out = np.empty((4, n))
    for i in range(n):
        u = v = None
        if stochastic:
            u = block_open(seed, int(reps[i]), step, int(slots[i]), purpose, 0)
            v = block_open(seed, int(reps[i]), step, int(slots[i]), purpose, 1)
        out[:, i] = salvo_one(*[float(c[i]) for c in cols], u, v)
    return tuple(out)


def raid_step(launched, reliability, pk, shots, stock, limit=np.inf, damage=1.0, stochastic=False, seed=0,
              reps=None, slots=None, step=0, purpose=0):
    """Twin of kernels.raid_step: one raid through the layers, row by row, in plain Python."""
    pk = np.asarray(pk, dtype=float)
    n, J, K = pk.shape
    la = np.broadcast_to(np.asarray(launched, dtype=float), (n, K))
    rel = np.broadcast_to(np.asarray(reliability, dtype=float), (n, K))
    sh = np.broadcast_to(np.asarray(shots, dtype=float), (n, J))
    st = np.broadcast_to(np.asarray(stock, dtype=float), (n, J))
    lim = np.broadcast_to(np.asarray(limit, dtype=float), (n, J))
    dm = np.broadcast_to(np.asarray(damage, dtype=float), (n, K))
    failed, killed, leaked = np.zeros((n, K)), np.zeros((n, J, K)), np.zeros((n, K))
    left, dmg = np.zeros((n, J)), np.zeros(n)
    for i in range(n):
        rep, slot = (int(reps[i]), int(slots[i])) if stochastic else (0, 0)
        stock_i = [float(x) for x in st[i]]
        fired_so_far = [0.0] * J
        total = 0.0
        for k in range(K):
            fired = float(la[i, k])
            if stochastic:
                fired = float(math.floor(fired + 0.5))
                u = block_open(seed, rep, step, slot, purpose, k)
                flying = binomial(fired, float(rel[i, k]), u[0], u[1])
            else:
                flying = fired * float(rel[i, k])
            failed[i, k] = fired - flying
            incoming = flying
            for j in range(J):
                p = float(pk[i, j, k])
                if p <= 0.0 or incoming <= 0.0:
                    continue
                avail = min(stock_i[j], float(lim[i, j]) - fired_so_far[j])
                if avail <= 0.0:
                    continue
                s = float(sh[i, j])
                P = 1.0 if p >= 1.0 else -math.expm1(s * math.log1p(-p))
                if stochastic:
                    engaged = min(incoming, float(math.floor(avail / s + 1e-9)))
                    v = block_open(seed, rep, step, slot, purpose, K + j * K + k)
                    hit = binomial(engaged, P, v[0], v[1])
                else:
                    engaged = min(incoming, avail / s)
                    hit = engaged * P
                new = max(stock_i[j] - engaged * s, 0.0)
                fired_so_far[j] = float(st[i, j]) - new
                stock_i[j] = new
                killed[i, j, k] = hit
                incoming -= hit
            leaked[i, k] = incoming
            total += incoming * float(dm[i, k])
        left[i] = stock_i
        dmg[i] = total
    return failed, killed, leaked, left, dmg


# ---------------------------------------------------------------- modifiers
def attack_factor(posture, terrain, amphibious, amphib_penalty, air_control, air_weight,
                  sea_control, sea_weight):
    f = 1.0 / ({0: 1.0, 1: 1.5, 2: 2.0}[int(posture)] * max(terrain, 0.1))
    f *= max(0.05, 1.0 + air_weight * (2.0 * air_control - 1.0))
    if amphibious:
        f /= amphib_penalty
        f *= max(0.05, 1.0 + sea_weight * (2.0 * sea_control - 1.0))
    return f


def control_share(att, dfn, k):
    if att <= 0.0 and dfn <= 0.0:
        return 0.5
    if dfn <= 0.0:
        return 1.0
    if att <= 0.0:
        return 0.0
    return 1.0 / (1.0 + math.exp(k * (math.log(dfn) - math.log(att))))


def advance_km(ratio, breakthrough, v_max, dt):
    if ratio >= breakthrough:
        return v_max * dt * math.tanh(math.log(ratio) - math.log(breakthrough))
    if ratio * breakthrough < 1.0:
        if ratio <= 0.0:
            return -v_max * dt
        return -v_max * dt * math.tanh(-math.log(ratio) - math.log(breakthrough))
    return 0.0


def front_modifiers(posture, *rest):
    n = len(posture)
    cols = [np.broadcast_to(np.asarray(v), (n,)) for v in rest]
    return np.array([attack_factor(posture[i], *[c[i].item() for c in cols]) for i in range(n)])


def advance(ratio, breakthrough, v_max, dt):
    cols = _rows(len(ratio), ratio, breakthrough, v_max, dt)
    return np.array([advance_km(*[float(c[i]) for c in cols]) for i in range(len(ratio))])
