"""The system kind: many states over decades (a scenario with ``kind = "system"``).

Modules: ``schema`` (the TOML schema), ``world`` (the batch as struct-of-arrays),
``doctrines`` (who joins, alliances, war calculus), ``events`` (the SimPy
processes), ``results`` (batch arrays, driver, sweep metrics), ``summary`` and
``command`` (what `wargame run` does for this kind). The model is in docs/system.md.
"""

from ..scenario import is_system
from .results import CATALOGUE, arm_metrics, catalogue
from .schema import DOCTRINES

__all__ = ["CATALOGUE", "DOCTRINES", "arm_metrics", "catalogue", "is_system"]
