"""The system kind: many states over decades (a scenario with ``kind = "system"``).

Modules: ``world`` (the batch as struct-of-arrays), ``doctrines`` (who joins,
alliances, war calculus), ``events`` (the SimPy processes), ``columns`` (what a batch
writes), ``batch`` (one batch task), ``metrics`` (sweep metrics) and ``summary``. The
schema is ``wargame.model.system``; the model is in docs/system.md.
"""
