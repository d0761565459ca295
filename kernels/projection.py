"""The deterministic projection of every front a decision weighs, for a stack of cases, in two calls.

Concept owned: the arithmetic of crisis/projecting.py ``projected_fronts`` -- side totals of
each domain, the afloat forces delivered through sea control, x0/y0, whether the front is
still an amphibious assault, the front modifiers (``modifiers.attack_factor``), one step
of H = projection_days of the front's (p, q) Lanchester law (``lanchester._advance`` and the
exact square law) or of Deitchman's law on guerrilla fronts (``guerrilla.deitchman``) --
as loops over a stack of cases (rows of hypothetical worlds: with and without a state's
forces, for every third party at once) instead of some sixty numpy passes per case.

Why two calls and not one: control shares (``att^k / (att^k + def^k)``) take a log and an
exp, and the survival probabilities a power. numpy's exp/log/pow and numba's (LLVM's libm)
may differ in the last bit, so those few operations stay in numpy, vectorised over the whole
stack (crisis/projecting.py ``project_stack``): ``projection_totals`` sums the sides, numpy turns the air and
naval totals into control shares, ``projection_fronts`` does the rest. Everything here is
additions, multiplications, divisions and the kernels' own functions, in the order the numpy
path does them, so the results are the same bits (tests/test_fused_projection.py):

* a side total is numpy's ``sum`` over states of ``cp * (side == sgn)``: in state order from
  +0.0 below 8 states (what ``world.last_sum`` gives), numpy's pairwise block from 8 states
  (tests/test_fused_projection.py checks it against numpy on random arrays of 1 to 40 states);
* delivered = afloat * min(1, 2 sea) * (1 - transit_loss (1 - sea)), left to right, with
  ``np.minimum``'s NaN rule;
* the Lanchester row is ``lanchester._rows``' deterministic row; a Deitchman row is
  ``guerrilla._deitchman_step``'s.
"""
import math

import numpy as np
from numba import njit

from .config import INLINE, JIT
from .guerrilla import GUERRILLA_ATTACKER, deitchman
from .lanchester import _advance, _is_square, _square_coef, _square_with
from .modifiers import attack_factor

GROUND, AIR, NAVAL = 0, 1, 2  # the World's domain indices (crisis/combat.py)
# Rows of projection_totals' result.
AIR_ATT, AIR_DEF, NAVAL_ATT, NAVAL_DEF, GROUND_ATT, GROUND_DEF, AFLOAT_ATT = range(7)
PAIRWISE_BLOCK = 128  # numpy's pairwise summation sums up to this many elements in one block


@njit(**INLINE)
def _npmin(a, b):
    # np.minimum's rule: a NaN in either argument wins.
    return a if a <= b or math.isnan(a) else b


@njit(**INLINE)
def _numpy_sum(v, n):
    # v[:n].sum() as numpy does it for a contiguous axis of n <= PAIRWISE_BLOCK: from +0.0, in
    # order below 8 elements; from 8, its pairwise summation's first block -- eight running
    # sums over strides of 8, combined as ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)),
    # then the tail in order (numpy/_core/src/umath/loops_utils.h.src, pairwise_sum).
    if n < 8:
        acc = 0.0
        for k in range(n):
            acc += v[k]
        return acc
    r0, r1, r2, r3, r4, r5, r6, r7 = v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]
    k = 8
    while k < n - n % 8:
        r0 += v[k]
        r1 += v[k + 1]
        r2 += v[k + 2]
        r3 += v[k + 3]
        r4 += v[k + 4]
        r5 += v[k + 5]
        r6 += v[k + 6]
        r7 += v[k + 7]
        k += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while k < n:
        res += v[k]
        k += 1
    return 0.0 + res


@njit(**JIT)
def _totals(cp, afloat, side, out):
    N, F, S = afloat.shape
    terms = np.empty((7, S))  # each total's terms cp * (side == sgn), as numpy forms them before summing
    for i in range(N):
        for f in range(F):
            for s in range(S):
                on_a = 1.0 if side[i, s] == 1 else 0.0
                on_d = 1.0 if side[i, s] == -1 else 0.0
                terms[AIR_ATT, s] = cp[i, f, s, AIR] * on_a
                terms[AIR_DEF, s] = cp[i, f, s, AIR] * on_d
                terms[NAVAL_ATT, s] = cp[i, f, s, NAVAL] * on_a
                terms[NAVAL_DEF, s] = cp[i, f, s, NAVAL] * on_d
                terms[GROUND_ATT, s] = cp[i, f, s, GROUND] * on_a
                terms[GROUND_DEF, s] = cp[i, f, s, GROUND] * on_d
                terms[AFLOAT_ATT, s] = afloat[i, f, s] * on_a
            for k in range(7):
                out[k, i, f] = _numpy_sum(terms[k], S)


def projection_totals(cp: np.ndarray, afloat: np.ndarray, side: np.ndarray) -> np.ndarray:
    """Side totals of a stack of N cases -> float64[7, N, F]: air, naval and ground power of the
    attacker's and the defender's side, and the attacker's side's afloat forces (rows AIR_ATT ..
    AFLOAT_ATT). cp: float64[N, F, S, 3]; afloat: float64[N, F, S]; side: int[N, S] (+1 attacker's
    side, -1 defender's, 0 neither). S at most PAIRWISE_BLOCK (numpy splits longer axes in halves;
    the caller sums those in numpy)."""
    N, F, S = afloat.shape
    if cp.shape != (N, F, S, 3) or side.shape != (N, S):
        raise ValueError(f"projection_totals: cp {cp.shape}, afloat {afloat.shape} and side {side.shape} "
                         "must be (N, F, S, 3), (N, F, S) and (N, S)")
    if S > PAIRWISE_BLOCK:
        raise ValueError(f"projection_totals: {S} states; at most {PAIRWISE_BLOCK} are summed here")
    out = np.empty((7, N, F))
    _totals(cp, afloat, side, out)
    return out


@njit(**JIT)
def _fronts(rows, tot, air, sea, posture, amphibious, guerrilla, terrain, penalty, air_weight, sea_weight,
            transit_loss, landing_day, att_leth, def_leth, law_p, law_q, days, out, bad):
    N, F = air.shape
    ka = kb = kt = math.nan  # (a, b, H) of the square-law coefficients held, as lanchester._rows keeps them
    g = sq = ch = sh = 0.0
    for i in range(N):
        r = rows[i]
        H = days[i]
        for f in range(F):
            sc = sea[i, f]
            delivered = tot[AFLOAT_ATT, i, f] * _npmin(1.0, 2.0 * sc) * (1.0 - transit_loss[r, f] * (1.0 - sc))
            x0 = tot[GROUND_ATT, i, f] + delivered
            y0 = tot[GROUND_DEF, i, f]
            assault = amphibious[f] and (math.isinf(landing_day[r, f]) or x0 < 2.0 * y0)
            a = att_leth[i, f] * attack_factor(posture[f], terrain[r, f], assault, penalty[r, f], air[i, f],
                                               air_weight[r, f], sc, sea_weight[r, f])
            b = def_leth[i, f]
            p, q = law_p[r, f], law_q[r, f]
            # lanchester_step's and deitchman_step's checks: every input finite and >= 0.
            fin = (((x0 * 0.0 + y0 * 0.0) + (a * 0.0 + b * 0.0)) + (p * 0.0 + q * 0.0)) + H * 0.0
            low = min(min(min(x0, y0), min(a, b)), min(min(p, q), H))
            if not (fin == 0.0 and low >= 0.0):
                bad[i] = f + 1
                x1 = y1 = math.nan
            elif guerrilla[f] > 0:
                if guerrilla[f] == GUERRILLA_ATTACKER:
                    x1, y1 = deitchman(x0, y0, a, b, H)
                else:
                    y1, x1 = deitchman(y0, x0, b, a, H)
            elif _is_square(x0, y0, a, b, p, q, 0.0, 0.0, H):
                if a != ka or b != kb or H != kt:
                    ka, kb, kt = a, b, H
                    g, sq, ch, sh = _square_coef(a, b, H)
                x1, y1 = _square_with(x0, y0, H, g, sq, ch, sh)
            else:
                x1, y1 = _advance(x0, y0, a, b, p, q, 0.0, 0.0, H)
            out[0, i, f], out[1, i, f], out[2, i, f], out[3, i, f] = x0, y0, x1, y1


def projection_fronts(w, rows, tot, air, sea, att_leth, def_leth, days) -> np.ndarray:
    """Strengths now and after ``days`` of a stack of N cases -> float64[4, N, F]: x0, y0, xh, yh.

    w: a crisis World (its per-replication arrays terrain, penalty, air_weight, sea_weight,
    transit_loss, landing_day, law_p, law_q; per front posture, amphibious, guerrilla); rows:
    int64[N], each case row's replication row in ``w``; tot: ``projection_totals``' result; air,
    sea: float64[N, F] control shares; att_leth, def_leth: float64[N, F], each case row's
    lethalities (a case may weigh its own); days: float64[N], each case row's projection length.
    Raises ValueError naming the first case row and front whose strengths or coefficients are
    not finite and >= 0.
    """
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    N, F = air.shape
    out = np.empty((4, N, F))
    bad = np.zeros(N, dtype=np.int64)
    if N:
        _fronts(rows, tot, air, sea, w.posture, w.amphibious, w.guerrilla, w.terrain, w.penalty, w.air_weight,
                w.sea_weight, w.transit_loss, w.landing_day, np.ascontiguousarray(att_leth),
                np.ascontiguousarray(def_leth), w.law_p, w.law_q, np.ascontiguousarray(days, dtype=np.float64),
                out, bad)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"projection_fronts: case row {i} (replication row {int(rows[i])}), front {int(bad[i]) - 1}: "
                         "strengths, lethalities, law exponents and projection_days must be finite and >= 0")
    return out


# The World's arrays projection_fronts reads (the bench's limit peer, bench/peers/limit.py, snapshots
# them for the rows of a call to replay it): per replication, per front, no scalars.
projection_fronts.world_fields = (("terrain", "penalty", "air_weight", "sea_weight", "transit_loss", "landing_day",
                                   "law_p", "law_q"), ("posture", "amphibious", "guerrilla"), ())
