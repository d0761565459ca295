"""Numerical kernels of the wargame engine (numba, no I/O, no state).

Public API: counter-based random streams (``uniforms``, ``normals``,
``streams`` purpose codes), Lanchester attrition (``lanchester_step``,
``law_pq``), the Hughes salvo model (``salvo_step``), front modifiers
(``front_modifiers``, ``attack_factor``, ``control_share``, ``advance``,
``advance_km``).  See docs/kernels.md.
"""
import os as _os

# numba caches compiled kernels next to their source. When that directory is not
# writable (a system-wide or read-only install), use a per-user cache instead; this
# must happen before numba is first imported.
if "NUMBA_CACHE_DIR" not in _os.environ and not _os.access(_os.path.dirname(__file__), _os.W_OK):
    _os.environ["NUMBA_CACHE_DIR"] = _os.path.join(
        _os.environ.get("XDG_CACHE_HOME") or _os.path.expanduser("~/.cache"), "wargame", "numba")

from . import streams  # noqa: E402
from .lanchester import LINEAR, LOG, SQUARE, lanchester_step, law_pq  # noqa: E402
from .modifiers import (FORTIFIED, HASTY, PREPARED, advance, advance_km, attack_factor,
                        control_share, front_modifiers)
from .philox import normals, philox4x64, uniforms
from .salvo import salvo_step
from .variates import binomial, poisson

__all__ = [
    "streams", "uniforms", "normals", "philox4x64", "binomial", "poisson",
    "lanchester_step", "law_pq", "SQUARE", "LINEAR", "LOG",
    "salvo_step",
    "front_modifiers", "attack_factor", "control_share", "advance", "advance_km",
    "HASTY", "PREPARED", "FORTIFIED",
]
