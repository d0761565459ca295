"""Validation against history: the Ardennes Lanchester fit and the CDB90 force-ratio check.

``ardennes`` fits attrition laws to the Ardennes Campaign Simulation Data Base daily
series with the engine's own Lanchester kernel; ``cdb90`` compares the historical win
rates of the CAA Database of Battles with what the engine's ground combat predicts for
the same force ratios and postures. The data (copied, with provenance, under
``data/validation/``) are read by ``data``; ``fit`` holds the optimiser, ``plots`` the
SVG figures. docs/validation.md reports the results.
"""
