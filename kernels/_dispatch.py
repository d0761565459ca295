"""When a batched kernel runs on several threads: only for arrays big enough to pay for it.

A numba parallel region wakes the thread pool on every call. For the few thousand
rows of an engine batch that costs more than the work whenever another process
holds a core: measured on our 2-core machines, a 2,000-row `front_modifiers` call
took 12 us on an idle machine and about 1.9 ms while a second process was busy,
spent waiting for the other core. Below PARALLEL_MIN_ROWS the wrappers run the
kernel on the calling thread alone. The results are the same bits either way:
every row draws from its own counter-based stream.
"""

from contextlib import contextmanager

import numba

PARALLEL_MIN_ROWS = 20_000


@contextmanager
def threads_for(n: int):
    old = numba.get_num_threads()
    if n >= PARALLEL_MIN_ROWS or old == 1:
        yield
        return
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(old)
