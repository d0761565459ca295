"""The plain-Python twins of the kernels, for the tests: see bench/peers/twins.py.

They live in the bench package (installed with the engine) because the naive
benchmark peer runs them too; one copy keeps the two from drifting apart.
"""
from wargame.bench.peers.twins import *  # noqa: F401,F403
from wargame.bench.peers.twins import _z  # noqa: F401
