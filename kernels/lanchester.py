"""Lanchester attrition: the generalized (Bracken / Helmbold) law, batched.

Concept owned: force attrition in one engagement over one time step.

    dx/dt = -b x^p y^q + rx          x: attacker strength, a: attacker lethality
    dy/dt = -a y^p x^q + ry          y: defender strength, b: defender lethality

Named laws (p, q): SQUARE (0, 1) aimed fire, LINEAR (1, 1) area fire,
LOG (1, 0) own-strength (Peterson) losses; Helmbold mixed form with weight w:
(1 - w, w).  Once either side is at zero the battle is over: no further
attrition (even under the log law), only reinforcement.

``_advance`` uses the exact solution when rx = ry = 0 and (p, q) is one of
the three named laws, otherwise classical RK4 (see ``_rk4_path``).
The stochastic step draws binomial losses around the deterministic ones.
"""
import math

import numpy as np
from numba import njit, prange

from . import _validate as V
from ._dispatch import threads_for
from .config import INLINE, JIT, PJIT
from .philox import block_open
from .variates import binomial

SQUARE = (0.0, 1.0)
LINEAR = (1.0, 1.0)
LOG = (1.0, 0.0)
MIN_SUBSTEPS = 8
MAX_REL_CHANGE = 0.05     # target relative change of either side per RK4 substep
MAX_SUBSTEPS = 100_000    # cost cap per engagement and step
_BISECT = 60              # halvings of a substep to locate a zero crossing
_CHUNK = 4096             # rows per parallel work item (each keeps its own coefficient memo)


def law_pq(name, w=None):
    """(p, q) for 'square', 'linear', 'log', or 'helmbold' with weight w in [0, 1]."""
    key = str(name).lower()
    if key == "helmbold":
        if w is None or not 0.0 <= float(w) <= 1.0:
            raise ValueError(f"law_pq('helmbold') needs a weight w in [0, 1], got w={w!r}")
        return (1.0 - float(w), float(w))
    if w is not None:
        raise ValueError(f"law_pq({name!r}) takes no weight (w={w!r}); use 'helmbold' for a mixed law")
    if key == "square":
        return SQUARE
    if key == "linear":
        return LINEAR
    if key == "log":
        return LOG
    raise ValueError(f"unknown law name {name!r}; expected 'square', 'linear', 'log' or 'helmbold'")


@njit(**JIT)
def _square_coef(a, b, t):
    # The parts of the aimed-fire solution that depend only on (a, b, t), for
    # a, b > 0.  Batched calls usually share them across rows (one lethality and
    # dt for a whole batch), so _lanchester_step computes them once per distinct
    # (a, b, t) instead of once per row: sqrt, sqrt, expm1 and a division were
    # about 20 of the 40 ns a row of the deterministic step cost.
    g = math.sqrt(a * b)
    s = math.sqrt(b / a)
    em = math.expm1(g * t)
    emi = em / (1.0 + em)
    return g, s, 1.0 + 0.5 * (em - emi), 0.5 * (em + emi)


@njit(**INLINE)
def _square_with(x, y, t, g, s, ch, sh):
    # Exact aimed-fire solution given _square_coef's (g, s, ch, sh).  With
    # g = sqrt(ab), s = sqrt(b/a) and the defender in attacker units Y = s y,
    # the invariant a x^2 - b y^2 = a (x^2 - Y^2) makes the orbit a hyperbola:
    # the losing side is K sinh(g (T - t)), the winner K cosh(g (T - t)),
    # K = sqrt(|Y^2 - x^2|), T = time the loser reaches zero.  This form has no
    # cosh - sinh cancellation and stops exactly at zero (winner = K there).
    yy = s * y
    # Fast path (one expm1 instead of log + cosh + sinh; measured 81 -> 19 ns per
    # engagement): x cosh(gt) - Y sinh(gt) directly, built from expm1 so tiny gt
    # keeps full precision. Accepted only while both sides stay above 1e-6 of the
    # total: below that the subtraction would lose digits, and the exact hyperbola
    # form further down takes over (it also handles a side reaching zero in dt).
    x1 = x * ch - yy * sh
    y1 = yy * ch - x * sh
    floor = 1e-6 * (x + yy)
    if x1 > floor and y1 > floor:
        return x1, y1 / s
    if x == yy:  # parity: both decay as exp(-g t), nobody reaches zero
        e = math.exp(-g * t)
        return x * e, y * e
    lo = min(x, yy)
    hi = max(x, yy)
    k = math.sqrt((hi - lo) * (hi + lo))
    tstar = 0.5 * math.log((hi + lo) / (hi - lo)) / g   # atanh(lo / hi) / g
    if t >= tstar:
        w_, l_ = k, 0.0
    else:
        tau = g * (tstar - t)
        w_, l_ = k * math.cosh(tau), k * math.sinh(tau)
    if x < yy:
        return l_, w_ / s
    return w_, l_ / s


@njit(**JIT)
def _square(x, y, a, b, t):
    # Aimed fire, one engagement (see _square_with).
    if a == 0.0 and b == 0.0:
        return x, y
    if a == 0.0:
        return max(x - b * y * t, 0.0), y
    if b == 0.0:
        return x, max(y - a * x * t, 0.0)
    g, s, ch, sh = _square_coef(a, b, t)
    return _square_with(x, y, t, g, s, ch, sh)


@njit(**JIT)
def _gfun(c, t):
    # -expm1(-c t) / c, with its limit t at c = 0: expm1 keeps it accurate
    # when c t is tiny (near-parity), and inf for huge -c t gives x -> 0.
    if c == 0.0:
        return t
    return -math.expm1(-c * t) / c


@njit(**JIT)
def _linear(x, y, a, b, t):
    # Invariant C = a x - b y turns dx/dt = -b x y into the logistic
    # dx/dt = C x - a x^2, so x(t) = x / (1 + b y g(C, t)),
    # y(t) = y / (1 + a x g(-C, t)); parity C = 0 is the limit g = t.
    c = a * x - b * y
    return x / (1.0 + b * y * _gfun(c, t)), y / (1.0 + a * x * _gfun(-c, t))


@njit(**JIT)
def _pw(v, e):
    # Inside RK4 stages a side may dip just below zero.  Integer exponents
    # (0 and 1 in the named laws) keep their polynomial continuation, so the
    # right-hand side stays smooth across zero and RK4 keeps its order up to
    # the crossing; fractional exponents clamp the base at 0 (no NaN).
    if e == math.floor(e):
        return v**e
    return max(v, 0.0)**e


@njit(**JIT)
def _rhs(x, y, a, b, p, q, rx, ry):
    return rx - b * _pw(x, p) * _pw(y, q), ry - a * _pw(y, p) * _pw(x, q)


@njit(**JIT)
def _rk4(x, y, a, b, p, q, rx, ry, h):
    k1x, k1y = _rhs(x, y, a, b, p, q, rx, ry)
    k2x, k2y = _rhs(x + 0.5 * h * k1x, y + 0.5 * h * k1y, a, b, p, q, rx, ry)
    k3x, k3y = _rhs(x + 0.5 * h * k2x, y + 0.5 * h * k2y, a, b, p, q, rx, ry)
    k4x, k4y = _rhs(x + h * k3x, y + h * k3y, a, b, p, q, rx, ry)
    return (x + h / 6.0 * (k1x + 2.0 * k2x + 2.0 * k3x + k4x),
            y + h / 6.0 * (k1y + 2.0 * k2y + 2.0 * k3y + k4y))


@njit(**JIT)
def _rk4_path(x, y, a, b, p, q, rx, ry, dt):
    # Fixed-step RK4.  Substeps: at least 8, and enough that the initial
    # relative rate of change of either side moves it by <= 5% per substep
    # (RK4 local error ~ (rate*h)^5 / 120 ~ 3e-9 relative), capped at 1e5.
    # A substep that would make a side negative is bisected (60 halvings,
    # each a single RK4 from the substep start) to find the zero crossing;
    # the loser is set to exactly 0 there and only reinforcement follows.
    if x <= 0.0 or y <= 0.0:
        return max(x, 0.0) + rx * dt, max(y, 0.0) + ry * dt
    fx, fy = _rhs(x, y, a, b, p, q, rx, ry)
    rel = dt * max(abs(fx) / x, abs(fy) / y)
    n = MIN_SUBSTEPS
    if rel > MIN_SUBSTEPS * MAX_REL_CHANGE:
        n = int(min(math.ceil(rel / MAX_REL_CHANGE), MAX_SUBSTEPS))
    h = dt / n
    for i in range(n):
        xn, yn = _rk4(x, y, a, b, p, q, rx, ry, h)
        if xn >= 0.0 and yn >= 0.0:
            x, y = xn, yn
            continue
        lo, hi = 0.0, h
        xl, yl = x, y
        for _ in range(_BISECT):
            mid = 0.5 * (lo + hi)
            xm, ym = _rk4(x, y, a, b, p, q, rx, ry, mid)
            if xm >= 0.0 and ym >= 0.0:
                lo, xl, yl = mid, xm, ym
            else:
                hi = mid
        xh, yh = _rk4(x, y, a, b, p, q, rx, ry, hi)
        if xh < 0.0:
            xl = 0.0
        if yh < 0.0:
            yl = 0.0
        rest = dt - (i * h + lo)
        return xl + rx * rest, yl + ry * rest
    return x, y


@njit(**JIT)
def _advance(x, y, a, b, p, q, rx, ry, dt):
    """Deterministic strengths (x1, y1) after dt days."""
    if dt <= 0.0:
        return x, y
    if x <= 0.0 or y <= 0.0:
        return max(x, 0.0) + rx * dt, max(y, 0.0) + ry * dt
    if rx == 0.0 and ry == 0.0:
        if p == 0.0 and q == 1.0:
            return _square(x, y, a, b, dt)
        if p == 1.0 and q == 1.0:
            return _linear(x, y, a, b, dt)
        if p == 1.0 and q == 0.0:
            return x * math.exp(-b * dt), y * math.exp(-a * dt)
    return _rk4_path(x, y, a, b, p, q, rx, ry, dt)


@njit(**INLINE)
def _draw_side(s, gross, s1, u1, u2):
    # Expected loss L = gross - s1 clipped to [0, s]; the drawn loss is
    # Binomial(round(s), L / round(s)) with round = floor(s + 0.5), so its
    # mean is L (up to the clip p <= 1 when s < round(s)).
    loss = min(max(gross - s1, 0.0), s)
    m = math.floor(s + 0.5)
    if m <= 0.0 or loss <= 0.0:
        return gross
    return max(gross - binomial(m, min(loss / m, 1.0), u1, u2), 0.0)


@njit(**INLINE)
def _at(v, i):
    # A per-row parameter: a length-n array, or length 1 when one value serves
    # every row (no n-row copy of a scalar to fill, check and stream through).
    return v[0] if v.shape[0] == 1 else v[i]


@njit(**INLINE)
def _row_ok(xi, yi, ri, si):
    # Strengths finite and >= 0 (v * 0 is 0 for finite v, NaN otherwise), indices >= 0.
    return xi * 0.0 + yi * 0.0 == 0.0 and min(xi, yi) >= 0.0 and ri >= 0 and si >= 0


@njit(**INLINE)
def _draws(xi, yi, x1, y1, gx, gy, seed, ri, si, step, purpose):
    # Drawn losses around the deterministic (x1, y1); gx, gy: strengths plus reinforcement.
    u0, u1, u2, u3 = block_open(seed, np.uint64(ri), step, np.uint64(si), purpose, 0)
    return _draw_side(xi, gx, x1, u0, u1), _draw_side(yi, gy, y1, u2, u3)


@njit(**JIT)
def _is_square(x, y, a, b, p, q, rx, ry, dt):
    # The case _advance hands to _square's hyperbola with both lethalities > 0.
    return (p == 0.0 and q == 1.0 and rx == 0.0 and ry == 0.0 and a > 0.0 and b > 0.0
            and dt > 0.0 and x > 0.0 and y > 0.0)


@njit(**JIT)
def _rows(lo, hi, x, y, a, b, p, q, rx, ry, dt, stochastic, seed, reps, slots, step, purpose, xo, yo):
    # Rows lo..hi-1 with per-row parameters -> number of rows with a bad input.
    # Every input must be finite and >= 0.  v * 0 is 0 for finite v and NaN for
    # inf or NaN, so the sum below is 0 exactly when all are finite (no
    # overflow possible); then their minimum must be >= 0.  A bad row is
    # skipped (NaN), so a NaN or inf cannot send RK4 to its substep cap.
    nbad = 0
    ka = kb = kt = math.nan  # (a, b, dt) of the square-law coefficients held
    g = s = ch = sh = 0.0
    for i in range(lo, hi):
        xi, yi = x[i], y[i]
        ai, bi, ti = _at(a, i), _at(b, i), _at(dt, i)
        rxi, ryi = _at(rx, i), _at(ry, i)
        pi, qi = _at(p, i), _at(q, i)
        fin = (((xi * 0.0 + yi * 0.0) + (ai * 0.0 + bi * 0.0))
               + ((pi * 0.0 + qi * 0.0) + (rxi * 0.0 + ryi * 0.0)) + ti * 0.0)
        low = min(min(min(xi, yi), min(ai, bi)), min(min(pi, qi), min(min(rxi, ryi), ti)))
        ri, si = _at(reps, i), _at(slots, i)
        if not (fin == 0.0 and low >= 0.0 and ri >= 0 and si >= 0):
            nbad += 1
            xo[i] = yo[i] = math.nan
            continue
        if _is_square(xi, yi, ai, bi, pi, qi, rxi, ryi, ti):
            # Batches usually share (a, b, dt) across many rows: compute the
            # coefficients again only when they change.
            if ai != ka or bi != kb or ti != kt:
                ka, kb, kt = ai, bi, ti
                g, s, ch, sh = _square_coef(ai, bi, ti)
            x1, y1 = _square_with(xi, yi, ti, g, s, ch, sh)
        else:
            x1, y1 = _advance(xi, yi, ai, bi, pi, qi, rxi, ryi, ti)
        if stochastic:
            x1, y1 = _draws(xi, yi, x1, y1, xi + rxi * ti, yi + ryi * ti, seed, ri, si, step, purpose)
        xo[i] = x1
        yo[i] = y1
    return nbad


@njit(**PJIT)
def _square_draws(x, y, a, b, rx, ry, dt, g, s, ch, sh, seed, reps, slots, step, purpose, xo, yo):
    # _step_shared's loop for its commonest case, written out on its own: aimed
    # fire (no reinforcement), drawn losses, a stream per row. The same operations
    # as the general loop, so the same bits, minus the per-row tests of which law,
    # whether to draw and whether reps/slots hold one value (rx = ry = 0 here; they
    # stay in the expressions so these read, and round, as in the general loop).
    # Measured 58 -> 54 ns an engagement-day, one thread.
    bad = 0
    for i in prange(x.shape[0]):
        xi, yi = x[i], y[i]
        ri, si = reps[i], slots[i]
        if not _row_ok(xi, yi, ri, si):
            bad += 1
            xo[i] = yo[i] = math.nan
            continue
        if xi > 0.0 and yi > 0.0:
            x1, y1 = _square_with(xi, yi, dt, g, s, ch, sh)
        else:
            x1, y1 = _advance(xi, yi, a, b, 0.0, 1.0, rx, ry, dt)
        xo[i], yo[i] = _draws(xi, yi, x1, y1, xi + rx * dt, yi + ry * dt, seed, ri, si, step, purpose)
    return bad


@njit(**PJIT)
def _step_shared(x, y, a, b, p, q, rx, ry, dt, stochastic, seed, reps, slots, step, purpose, xo, yo):
    # _lanchester_step when every row has the same a, b, p, q, rx, ry, dt (the
    # usual case: one lethality and day length for a whole batch). They are
    # checked, the law chosen and its coefficients computed once; the loop is then
    # a plain prange over rows, with the row code inlined: measured 57 -> 53 ns an
    # engagement-day (stochastic, one thread) against the chunked loop below.
    n = x.shape[0]
    fin = (a * 0.0 + b * 0.0) + (p * 0.0 + q * 0.0) + (rx * 0.0 + ry * 0.0) + dt * 0.0
    if not (fin == 0.0 and min(min(min(a, b), min(p, q)), min(min(rx, ry), dt)) >= 0.0):
        for i in prange(n):
            xo[i] = yo[i] = math.nan
        return n
    square = _is_square(1.0, 1.0, a, b, p, q, rx, ry, dt)
    g = s = ch = sh = 0.0
    if square:
        g, s, ch, sh = _square_coef(a, b, dt)
    if square and stochastic and reps.shape[0] == n and slots.shape[0] == n:
        return _square_draws(x, y, a, b, rx, ry, dt, g, s, ch, sh, seed, reps, slots, step, purpose, xo, yo)
    bad = 0
    for i in prange(n):
        xi, yi = x[i], y[i]
        ri, si = _at(reps, i), _at(slots, i)
        if not _row_ok(xi, yi, ri, si):
            bad += 1
            xo[i] = yo[i] = math.nan
            continue
        if square and xi > 0.0 and yi > 0.0:
            x1, y1 = _square_with(xi, yi, dt, g, s, ch, sh)
        else:
            x1, y1 = _advance(xi, yi, a, b, p, q, rx, ry, dt)
        if stochastic:
            x1, y1 = _draws(xi, yi, x1, y1, xi + rx * dt, yi + ry * dt, seed, ri, si, step, purpose)
        xo[i] = x1
        yo[i] = y1
    return bad


@njit(**PJIT)
def _lanchester_step(x, y, a, b, p, q, rx, ry, dt, stochastic, seed, reps, slots,
                     step, purpose, xo, yo):
    # Rows with their own parameters, in chunks of _CHUNK rows (each keeps its
    # own square-law coefficient memo). Returns the number of rows whose inputs
    # failed the range check (their results are NaN); the wrapper then names the
    # first bad value.  Checking here, on values the loop loads anyway, replaced
    # four single-threaded passes over x, y, reps and slots (about a tenth of a
    # 200,000-row call).
    n = x.shape[0]
    bad = 0
    for c in prange((n + _CHUNK - 1) // _CHUNK):
        bad += _rows(c * _CHUNK, min((c + 1) * _CHUNK, n), x, y, a, b, p, q, rx, ry, dt,
                     stochastic, seed, reps, slots, step, purpose, xo, yo)
    return bad


def lanchester_step(x, y, a, b, p, q, rx, ry, dt, stochastic=False, seed=0,
                    reps=None, slots=None, step=0, purpose=0):
    """Advance n engagements by dt days -> (x_new float64[n], y_new float64[n]).

    x, y: float64[n] strengths >= 0 (n taken from x).  a, b, p, q, rx, ry, dt:
    scalars or length-n arrays, finite and >= 0.  Stochastic: losses are
    Binomial(round(x), L / round(x)) with L the deterministic loss, from the
    Philox block key (seed, reps[i]), counter (step, slots[i], purpose, 0):
    uniforms 0, 1 for the attacker, 2, 3 for the defender.  reps/slots:
    int64[n] >= 0 (may be None when not stochastic).
    """
    n = V.n_rows("x", x)
    # Shapes and types here; the values are range-checked by the kernel itself.
    xs = V.f64("x", x, n, lo=0.0, scan=False)
    ys = V.f64("y", y, n, lo=0.0, scan=False)
    arrs = [V.param(nm, v, n, lo=0.0, scan=False) for nm, v in
            (("a", a), ("b", b), ("p", p), ("q", q), ("rx", rx), ("ry", ry), ("dt", dt))]
    st = bool(stochastic)
    if st and (reps is None or slots is None):
        raise ValueError("stochastic=True needs reps and slots (int64 arrays of length n)")
    # Not drawing, the kernel never reads them: one zero stands for all rows.
    r = np.zeros(1, np.int64) if reps is None else V.i64("reps", reps, n, scan=False)
    sl = np.zeros(1, np.int64) if slots is None else V.i64("slots", slots, n, scan=False)
    # One block for both results: two separate n-row arrays, freed and
    # reallocated on every call of a day loop, made glibc return and re-fault
    # their pages each time (about 750 page faults, 1.6 ms per 200,000-row call).
    xo, yo = np.empty((2, n))
    if n:
        keys = (st, V.u64("seed", seed), r, sl, V.u64("step", step), V.u64("purpose", purpose), xo, yo)
        with threads_for(n):
            if all(v.shape[0] == 1 for v in arrs):  # one set of parameters for every row
                bad = _step_shared(xs, ys, *(float(v[0]) for v in arrs), *keys)
            else:
                bad = _lanchester_step(xs, ys, *arrs, *keys)
        if bad:  # the exact checks raise, naming the first offending value
            V.f64("x", x, n, lo=0.0)
            V.f64("y", y, n, lo=0.0)
            for nm, v in (("a", a), ("b", b), ("p", p), ("q", q), ("rx", rx), ("ry", ry), ("dt", dt)):
                V.param(nm, v, n, lo=0.0)
            V.i64("reps", reps, n)
            V.i64("slots", slots, n)
            raise RuntimeError("lanchester_step: the kernel flagged a row the argument checks accept")
    return xo, yo
