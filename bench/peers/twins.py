"""Plain-Python twins of every kernel (slow, obvious, no numba): the one copy.

Each function mirrors one kernel operation for operation, on Python ints and
floats, with the same signature as its ``kernels`` counterpart. Two users:
tests/test_kernels_*.py demand exact (bit-for-bit) agreement with the numba
kernels (through tests/reference.py, which re-exports this module), and
bench/peers/per_replication.py swaps them in for the kernels (``python=True``) to run the
engine in plain Python, reproducing its draws bit for bit (tests/test_bench.py). They are
correctness references, not a performance peer.

The twins live by kernel family in twins_random.py (philox, variates), twins_attrition.py
(lanchester, guerrilla) and twins_fire.py (salvo, raids, modifiers); this module gathers them.
"""

from wargame.bench.peers.twins_attrition import *  # noqa: F401,F403
from wargame.bench.peers.twins_fire import *  # noqa: F401,F403
from wargame.bench.peers.twins_random import *  # noqa: F401,F403
from wargame.bench.peers.twins_random import _z  # noqa: F401
