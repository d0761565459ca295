"""Argument checking shared by the public batched wrappers.

Concept owned: turning user input into the exact contiguous arrays the numba
kernels expect, or raising ValueError that names the argument, what was
received and what was expected. The range check is one small numba loop: numpy's
isfinite / compare / or / any made four passes and temporaries per argument, which
cost about a third of a 200k-engagement kernel call.
"""
import numpy as np
from numba import njit

from .config import JIT

_U64_MAX = 2**64 - 1


@njit(**JIT)
def _first_bad(arr, lo, hi, lo_open, allow_inf):
    """Index of the first value outside the allowed range (NaN always bad), or -1."""
    for i in range(arr.shape[0]):
        v = arr[i]
        if v != v or (not allow_inf and (v == np.inf or v == -np.inf)):
            return i
        if (lo_open and v <= lo) or (not lo_open and v < lo) or v > hi:
            return i
    return -1

def _describe(v):
    if isinstance(v, np.ndarray):
        return f"array of shape {v.shape} and dtype {v.dtype}"
    return f"{v!r} (type {type(v).__name__})"


def n_rows(name, v):
    """Length of a required 1-D array argument."""
    if not isinstance(v, np.ndarray) or v.ndim != 1:
        raise ValueError(f"{name} must be a 1-D numpy array, got {_describe(v)}")
    return v.shape[0]


def f64(name, v, n, lo=None, hi=None, lo_open=False, allow_inf=False, scan=True):
    """Real scalar (broadcast) or 1-D length-n real array -> float64[n].

    scan=False leaves an array's values unchecked, for kernels that range-check
    them in their own loop and call f64 again to name a bad value (scalars are
    always checked: that costs nothing).
    """
    arr = np.asarray(v)
    if arr.dtype.kind not in "iuf":
        raise ValueError(f"{name} must be real numbers (int or float), got {_describe(v)}")
    if arr.ndim == 0:
        _check_scalar(name, float(arr), lo, hi, lo_open, allow_inf)
        return _constant(float(arr), n)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(f"{name} must be a scalar or a 1-D array of length {n}, got {_describe(v)}")
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    if not scan:
        return arr
    i = _first_bad(arr, -np.inf if lo is None else float(lo), np.inf if hi is None else float(hi),
                   bool(lo_open), bool(allow_inf))
    if i >= 0:
        rng = f"{'(' if lo_open else '['}{lo if lo is not None else '-inf'}, {hi if hi is not None else 'inf'}]"
        raise ValueError(f"{name}[{i}] = {float(arr[i])!r} is invalid: expected a "
                         f"{'non-NaN' if allow_inf else 'finite'} value in {rng}")
    return arr


def param(name, v, n, lo=None, hi=None, lo_open=False, allow_inf=False, scan=True):
    """Like f64, but a scalar becomes a checked float64[1] (kernels read it for every row)."""
    if np.ndim(v) == 0:
        arr = np.asarray(v)
        if arr.dtype.kind not in "iuf":
            raise ValueError(f"{name} must be real numbers (int or float), got {_describe(v)}")
        _check_scalar(name, float(arr), lo, hi, lo_open, allow_inf)
        return np.full(1, float(arr))
    return f64(name, v, n, lo, hi, lo_open, allow_inf, scan)


_CONSTANTS: dict = {}


def _constant(value: float, n: int) -> np.ndarray:
    """A read-only float64[n] filled with value, reused across calls.

    Scalars like dt or a law's exponents arrive on every call; filling and checking
    a fresh 200k-row array for each cost more than the kernel's own arithmetic.
    """
    key = (value, n)
    arr = _CONSTANTS.get(key)
    if arr is None:
        if len(_CONSTANTS) > 256:
            _CONSTANTS.clear()
        arr = np.full(n, value, dtype=np.float64)
        arr.flags.writeable = False
        _CONSTANTS[key] = arr
    return arr


def _check_scalar(name, x, lo, hi, lo_open, allow_inf):
    bad = x != x or (not allow_inf and x in (np.inf, -np.inf))
    bad = bad or (lo is not None and (x <= lo if lo_open else x < lo)) or (hi is not None and x > hi)
    if bad:
        rng = f"{'(' if lo_open else '['}{lo if lo is not None else '-inf'}, {hi if hi is not None else 'inf'}]"
        raise ValueError(f"{name} = {x!r} is invalid: expected a {'non-NaN' if allow_inf else 'finite'} value in {rng}")


def i64(name, v, n, scan=True):
    """1-D length-n non-negative integer array -> int64[n]; None -> zeros.

    scan=False skips the sign check (see f64).
    """
    if v is None:
        return np.zeros(n, dtype=np.int64)
    if not isinstance(v, np.ndarray) or v.ndim != 1 or v.shape[0] != n or v.dtype.kind not in "iu":
        raise ValueError(f"{name} must be a 1-D integer numpy array of length {n}, got {_describe(v)}")
    if v.dtype.kind == "u" and v.size and v.max() > np.iinfo(np.int64).max:
        raise ValueError(f"{name} has values above 2**63-1; expected int64-representable values")
    arr = np.ascontiguousarray(v, dtype=np.int64)
    if scan and arr.size and arr.min() < 0:
        i = int(np.argmin(arr))
        raise ValueError(f"{name}[{i}] = {arr[i]} is negative; expected >= 0")
    return arr


def u64(name, v):
    """Python/numpy integer in [0, 2**64) -> np.uint64."""
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
        raise ValueError(f"{name} must be an integer in [0, 2**64), got {_describe(v)}")
    if not 0 <= int(v) <= _U64_MAX:
        raise ValueError(f"{name} = {int(v)} is out of range; expected an integer in [0, 2**64)")
    return np.uint64(int(v))


def count(name, v):
    """Non-negative Python/numpy integer (a size)."""
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or int(v) < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {_describe(v)}")
    return int(v)
