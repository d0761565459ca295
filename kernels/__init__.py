"""Numerical kernels of the wargame engine (numba, no I/O, no state).

Public API: counter-based random streams (``uniforms``, ``normals``,
``streams`` purpose codes), Lanchester attrition (``lanchester_step``,
``law_pq``), the Hughes salvo model (``salvo_step``), front modifiers
(``front_modifiers``, ``attack_factor``, ``control_share``, ``advance``,
``advance_km``).  See docs/kernels.md.
"""
from . import streams
from .lanchester import LINEAR, LOG, SQUARE, lanchester_step, law_pq
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
