"""Benchmark harness: speed ratios of the engine against its peers, gated by floors (docs/bench.md)."""
