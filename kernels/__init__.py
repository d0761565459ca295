"""Numerical kernels of the wargame engine (numba, no I/O, no state).

Public API: counter-based random streams (``uniforms``, ``normals``,
``streams`` purpose codes), Lanchester attrition (``lanchester_step``,
``law_pq``), Deitchman's guerrilla law (``deitchman_step``), the Hughes salvo model (``salvo_step``), raids on
layered air defence (``raid_step``), front modifiers
(``front_modifiers``, ``attack_factor``, ``control_share``, ``advance``,
``advance_km``), the fused ground day (``ground_day``, ``thresholds``), multi-day windows
(``window``) and the stacked projection of decisions (``projection_totals``,
``projection_fronts``).  See docs/kernels.md.
"""
import hashlib as _hashlib
import os as _os


def _cache_dir() -> str:
    """numba's cache directory, keyed by a hash of every kernel source file.

    numba invalidates a cached function only when its own file changes, not when an
    @njit function it calls from another file does (a changed variates.py would leave
    lanchester.py's cached machine code stale). Keying the directory by all sources
    makes any kernel change start a fresh cache. It lives in the user's cache
    directory, so a read-only install works too.
    """
    here = _os.path.dirname(__file__)
    h = _hashlib.sha1()
    for name in sorted(f for f in _os.listdir(here) if f.endswith(".py")):
        with open(_os.path.join(here, name), "rb") as fh:
            h.update(name.encode() + fh.read())
    base = _os.environ.get("XDG_CACHE_HOME") or _os.path.expanduser("~/.cache")
    return _os.path.join(base, "wargame", "numba", h.hexdigest()[:16])


# An explicit NUMBA_CACHE_DIR wins. numba reads the variable when it is first
# imported; a program that imported numba before us gets the directory through
# numba's config instead, which every @njit(cache=True) below (and any that imports
# kernels before it is decorated, like the bench peers) reads when it is decorated.
# Without this, the cache would fall back to __pycache__ beside each file, where
# a changed callee in another file leaves stale machine code.
if "NUMBA_CACHE_DIR" not in _os.environ:
    _os.environ["NUMBA_CACHE_DIR"] = _cache_dir()
    import sys as _sys

    if "numba" in _sys.modules:
        from numba.core import config as _config

        _config.CACHE_DIR = _os.environ["NUMBA_CACHE_DIR"]

from . import streams  # noqa: E402
from .guerrilla import deitchman_step  # noqa: E402
from .lanchester import LINEAR, LOG, SQUARE, lanchester_step, law_pq  # noqa: E402
from .modifiers import FORTIFIED, HASTY, PREPARED, advance, advance_km, attack_factor, control_share, front_modifiers
from .philox import normals, philox4x64, uniforms
from .projection import projection_fronts, projection_totals
from .salvo import raid_step, salvo_step
from .step import ground_day
from .thresholds import thresholds
from .variates import binomial, poisson
from .window import window

__all__ = [
    "streams", "uniforms", "normals", "philox4x64", "binomial", "poisson",
    "lanchester_step", "law_pq", "SQUARE", "LINEAR", "LOG",
    "salvo_step", "deitchman_step", "raid_step", "ground_day", "thresholds", "window",
    "projection_totals", "projection_fronts",
    "front_modifiers", "attack_factor", "control_share", "advance", "advance_km",
    "HASTY", "PREPARED", "FORTIFIED",
]
