"""Peers the harness measures the engine against.

Kernel: numpy_peer, rng_limit. End to end: naive (the duel, one SimPy environment per
replication, not importing wargame), vectorised (the duel in numpy across replications),
per_replication (the engine with R = 1, taiwan_strait's naive peer) and limit (the
engine's kernel calls alone). twins (plain-Python kernels) is a correctness reference
for the tests, run through per_replication.python_kernels(); not a performance peer.
"""
