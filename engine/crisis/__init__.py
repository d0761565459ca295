"""The crisis kind: one war over months, a batch of replications per SimPy environment.

``world`` (the batch as struct-of-arrays), ``events`` (the SimPy processes), ``combat``,
``doctrines``, ``escalation``, ``strikes``, ``irregular``, ``raids``, ``injects`` (the
mechanisms), ``columns`` (what a batch writes), ``batch`` (one batch task), ``summary``,
``cases``, ``raids_summary`` and ``strikes_summary`` (numbers read back from results). The model is docs/model.md.
"""
