"""Analysis of results: doctrine sweeps with common random numbers, paired tests, sensitivity.

Returns numbers; the report layer formats them.
"""
