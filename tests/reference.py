"""The plain-Python twins of the kernels, for the tests: see bench/peers/twins.py.

They live in the bench package (installed with the engine) because
bench/peers/per_replication.py can run the engine on them too (``python=True``, a
correctness reference in tests/test_bench.py); one copy keeps the two from drifting apart.
"""
from wargame.bench.peers.twins import *  # noqa: F401,F403
from wargame.bench.peers.twins import _z  # noqa: F401
