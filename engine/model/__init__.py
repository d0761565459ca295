"""The scenario model: schemas, validation, loading with overrides, parameter sampling, record formats.

Nothing here runs a simulation. ``scenario`` (the crisis kind's schema and the loader),
``system`` (the system kind's schema), ``raids`` and ``injects`` (schema pieces),
``params`` (shared parameter types), ``errors`` (one-line error messages),
``sampling`` (uncertain parameters drawn from counter-based streams), ``log`` (the
event and decision records).
"""
