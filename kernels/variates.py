"""Discrete random variates from a few uniforms of one Philox block.

Concept owned: turning given uniforms into Binomial and Poisson draws, inside
other kernels.  Callers pass *open-interval* uniforms (``u64_to_open``) so
the Box-Muller log is always finite; values <= 0 are nudged to 2**-53.

Method (both laws), with variance v = n p (1-p) or v = lam:

* v < 20 (``NORMAL_THRESHOLD``): exact inversion -- walk the pmf upward from
  0 until the cumulative sum reaches u1.  The walk takes about mean + a few
  sd steps, so its cost grows with n p (or lam); below the threshold that is
  at most ~40 pmf terms.  The binomial uses p' = min(p, 1-p) (and returns
  n - k when p > 1/2) so the walk is always on the short tail, and starts at
  f(0) = exp(n log1p(-p')) computed in log space; with p' <= 1/2 and v < 20,
  n p' < 40 so f(0) >= exp(-56): no underflow even for n = 1e12, p = 1e-11.
  Terms follow the recurrence f(k+1) = f(k) (n-k)/(k+1) p'/(1-p').  Small n
  needs no special case: n <= 79 always has v < 20.
* v >= 20: normal approximation round(mean + sqrt(v) z), clipped to [0, n]
  (Poisson: >= 0), with z the inverse normal cdf of u1 (Acklam's rational
  approximation, relative error < 1.2e-9; cheaper than Box-Muller).  At v >= 20 the skewness is at most 1/sqrt(20) = 0.22 and the
  leading (Edgeworth) error of the continuity-corrected normal cdf is about
  skewness / 15 <= 0.015 -- well below the other uncertainties of an
  attrition model -- at O(1) cost whatever n.

Rounding is floor(x + 0.5) (half up), not numpy's banker's rounding; results
are float64 holding integer values so huge n never overflows an integer.
"""
import math

from numba import njit

from .config import INLINE, JIT

NORMAL_THRESHOLD = 20.0
_TINY_U = 2.0**-53

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
_TWO_PI = 2.0 * math.pi


@njit(**INLINE)
def _z(u1, u2):
    # Inverse-cdf normal from u1 alone (u2 is kept for the interface). The central
    # 95% is one rational function, no log or cos: measured 35 -> ~8 ns per draw
    # against Box-Muller, which dominated the stochastic attrition kernel.
    p = min(max(u1, _TINY_U), 1.0 - _TINY_U)
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


@njit(**INLINE)
def binomial(n, p, u1, u2):
    """Binomial(n, p) draw (float64, integer-valued) from uniforms u1, u2 in (0, 1).

    n: integer-valued float >= 0; p in [0, 1].  Inversion uses u1 only.
    """
    if n <= 0.0 or p <= 0.0:
        return 0.0
    if p >= 1.0:
        return n
    flip = p > 0.5
    pp = 1.0 - p if flip else p
    q = 1.0 - pp
    var = n * pp * q
    if var >= NORMAL_THRESHOLD:
        k = math.floor(n * pp + math.sqrt(var) * _z(u1, u2) + 0.5)
        k = min(max(k, 0.0), n)
    else:
        f = math.exp(n * math.log1p(-pp))  # P(K = 0), log space
        cdf = f
        k = 0.0
        r = pp / q
        mean = n * pp
        while u1 > cdf and k < n:
            f = f * ((n - k) / (k + 1.0)) * r
            k += 1.0
            cdf_new = cdf + f
            # Past the mean, a term too small to move the sum means u1 sits in
            # the last ulp of the cdf (rounding): stop instead of walking to n.
            if cdf_new == cdf and k > mean:
                break
            cdf = cdf_new
    return n - k if flip else k


@njit(**JIT)
def poisson(lam, u1, u2):
    """Poisson(lam) draw (float64, integer-valued) from uniforms u1, u2 in (0, 1)."""
    if lam <= 0.0:
        return 0.0
    if lam >= NORMAL_THRESHOLD:
        return max(math.floor(lam + math.sqrt(lam) * _z(u1, u2) + 0.5), 0.0)
    f = math.exp(-lam)  # >= exp(-20): no underflow
    cdf = f
    k = 0.0
    while u1 > cdf:
        f = f * (lam / (k + 1.0))
        k += 1.0
        cdf_new = cdf + f
        if cdf_new == cdf and k > lam:  # see binomial: rounding at the cdf top
            break
        cdf = cdf_new
    return k
