"""Peers the harness measures the engine against: numpy_peer, rng_limit, naive (plus twins, its kernels)."""
