"""Deitchman's guerrilla law: insurgents against a conventional force, batched.

Concept owned: attrition when one side (the guerrilla, g) hides among the
population and is hit only by area fire, while it picks its targets (aimed fire)
against the conventional side (c):

    dg/dt = -kc * c * g        area fire: losses grow with the guerrilla's own density
    dc/dt = -kg * g            aimed fire: the square-law term

(S. J. Deitchman, "A Lanchester model of guerrilla warfare", Operations Research
10(6), 1962; the same "mixed" law appears in Taylor, "Force-on-force attrition
modeling", 1980, ch. 2).  kc is Deitchman's area-fire coefficient: conventional
fire rate times the lethal area of one shot divided by the area the guerrillas
occupy, so it is per guerrilla per conventional unit per day.

State equation.  dg/dc = (kc/kg) c, so

    K = 2 kg g - kc c^2                       is conserved,

a parabola in the (c, g) plane.  With it dc/dt = -(kc c^2 + K)/2, a Riccati
equation with constant coefficients, solved exactly here (no integrator):

    K > 0 (guerrilla wins): s = sqrt(K/kc), w = sqrt(kc K)/2
        c(t) = s (c0 - s tan wt) / (s + c0 tan wt)   until c reaches 0 at atan(c0/s)/w
        g(t) = g0 / (cos wt + (c0/s) sin wt)^2
    K < 0 (conventional wins): k = sqrt(-K/kc), tau = kc k t / 2
        c(t) = k (c0 + k tanh tau) / (k + c0 tanh tau)      -> k
        g(t) = g0 / (cosh tau + (c0/k) sinh tau)^2          -> 0
    K = 0: c(t) = c0 / (1 + kc c0 t/2),  g(t) = g0 / (1 + kc c0 t/2)^2

g(t) comes from g = g0 exp(-kc * integral of c), which keeps full relative
precision when g is small (the invariant form would subtract large numbers).
The stochastic step draws binomial losses around the deterministic ones exactly
as ``kernels.lanchester`` does (same uniforms layout).
"""
import math

import numpy as np
from numba import njit, prange

from . import _validate as V
from ._dispatch import threads_for
from .config import JIT, PJIT
from .lanchester import _draw_side
from .philox import block_open

GUERRILLA_ATTACKER = 1  # x (attacker) is the guerrilla
GUERRILLA_DEFENDER = 2  # y (defender) is the guerrilla


@njit(**JIT)
def deitchman(g, c, kg, kc, t):
    """Exact (g, c) after t days of Deitchman attrition (see module docstring)."""
    if t <= 0.0 or g <= 0.0 or c <= 0.0:
        return max(g, 0.0), max(c, 0.0)
    if kc == 0.0:  # no area fire: guerrillas untouched, the conventional side bleeds linearly
        return g, max(c - kg * g * t, 0.0)
    if kg == 0.0:  # no aimed fire: c constant, g decays exponentially
        return g * math.exp(-kc * c * t), c
    big_k = 2.0 * kg * g - kc * c * c
    if big_k > 0.0:
        s = math.sqrt(big_k / kc)
        w = 0.5 * math.sqrt(kc * big_k)
        tstar = math.atan(c / s) / w  # c reaches zero here; afterwards nothing shoots at g
        if t >= tstar:
            return big_k / (2.0 * kg), 0.0
        tn = math.tan(w * t)
        c1 = s * (c - s * tn) / (s + c * tn)
        d = math.cos(w * t) + (c / s) * math.sin(w * t)
        return g / (d * d), max(c1, 0.0)
    if big_k < 0.0:
        k = math.sqrt(-big_k / kc)
        tau = 0.5 * kc * k * t
        th = math.tanh(tau)
        c1 = k * (c + k * th) / (k + c * th)
        if tau > 350.0:  # cosh overflows; g is 0 to double precision long before
            return 0.0, c1
        d = math.cosh(tau) + (c / k) * math.sinh(tau)
        return g / (d * d), c1
    d = 1.0 + 0.5 * kc * c * t
    return g / (d * d), c / d


@njit(**PJIT)
def _deitchman_step(x, y, a, b, side, dt, stochastic, seed, reps, slots, step, purpose, xo, yo):
    for i in prange(x.shape[0]):
        if side[i] == GUERRILLA_ATTACKER:
            x1, y1 = deitchman(x[i], y[i], a[i], b[i], dt[i])
        else:
            y1, x1 = deitchman(y[i], x[i], b[i], a[i], dt[i])
        if stochastic:
            u0, u1, u2, u3 = block_open(seed, np.uint64(reps[i]), step,
                                        np.uint64(slots[i]), purpose, 0)
            x1 = _draw_side(x[i], x[i], x1, u0, u1)
            y1 = _draw_side(y[i], y[i], y1, u2, u3)
        xo[i] = x1
        yo[i] = y1


def deitchman_step(x, y, a, b, side, dt, stochastic=False, seed=0, reps=None, slots=None,
                   step=0, purpose=0):
    """Advance n guerrilla engagements by dt days -> (x_new float64[n], y_new float64[n]).

    x, y: attacker and defender strengths >= 0 (n taken from x).  a: the attacker's
    lethality, b: the defender's (scalars or length-n arrays >= 0).  side: 1 where the
    attacker is the guerrilla (dx/dt = -b x y, dy/dt = -a x), 2 where the defender is
    (dy/dt = -a x y, dx/dt = -b y).  The guerrilla's own coefficient is aimed fire
    (losses per guerrilla per day); the conventional side's is area fire (per
    guerrilla per conventional unit per day).  Stochastic draws as ``lanchester_step``.
    """
    n = V.n_rows("x", x)
    xs = V.f64("x", x, n, lo=0.0)
    ys = V.f64("y", y, n, lo=0.0)
    av = V.f64("a", a, n, lo=0.0)
    bv = V.f64("b", b, n, lo=0.0)
    dtv = V.f64("dt", dt, n, lo=0.0)
    if np.ndim(side) == 0:  # one side for every row
        side = np.full(n, side, dtype=np.int64)
    sd = V.i64("side", side, n)
    if n and not np.isin(sd, (GUERRILLA_ATTACKER, GUERRILLA_DEFENDER)).all():
        raise ValueError(f"side: expected 1 (attacker is the guerrilla) or 2 (defender is), got {np.unique(sd)}")
    st = bool(stochastic)
    if st and (reps is None or slots is None):
        raise ValueError("stochastic=True needs reps and slots (int64 arrays of length n)")
    r = V.i64("reps", reps, n)
    sl = V.i64("slots", slots, n)
    xo = np.empty(n)
    yo = np.empty(n)
    if n:
        with threads_for(n):
            _deitchman_step(xs, ys, av, bv, sd, dtv, st, V.u64("seed", seed), r, sl,
                            V.u64("step", step), V.u64("purpose", purpose), xo, yo)
    return xo, yo
