"""Twins of kernels/salvo.py and kernels/modifiers.py: salvos, raids, front modifiers."""
import math

import numpy as np

from wargame.bench.peers.twins_attrition import _rows
from wargame.bench.peers.twins_random import binomial, block_open


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


def front_modifiers(posture, terrain, amphibious, amphib_penalty, air_control, air_weight,
                    sea_control, sea_weight):
    # The kernel's parameter names: the engine passes them by name.
    n = len(posture)
    rest = (terrain, amphibious, amphib_penalty, air_control, air_weight, sea_control, sea_weight)
    cols = [np.broadcast_to(np.asarray(v), (n,)) for v in rest]
    return np.array([attack_factor(posture[i], *[c[i].item() for c in cols]) for i in range(n)])


def advance(ratio, breakthrough, v_max, dt):
    cols = _rows(len(ratio), ratio, breakthrough, v_max, dt)
    return np.array([advance_km(*[float(c[i]) for c in cols]) for i in range(len(ratio))])
