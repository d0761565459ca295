"""The share of simulation time in kernels leaves out each kernel's first call in a process (loading it)."""

import re
import time

from conftest import CONFIGS, cli
from wargame.crisis.combat import KernelClock


def test_a_kernels_first_call_is_booked_apart_from_its_later_calls():
    def slow_first(state={"n": 0}):  # stands in for a kernel that numba loads on its first call
        state["n"] += 1
        time.sleep(0.05 if state["n"] == 1 else 0.001)
        return state["n"]

    clock = KernelClock()
    assert [clock(slow_first) for _ in range(3)] == [1, 2, 3]
    assert clock.calls == 3
    assert clock.first_seconds >= 0.05 and clock.seconds < 0.05
    again = KernelClock()  # another batch in the same process: no first call left
    again(slow_first)
    assert again.first_seconds == 0.0 and again.seconds > 0.0


def test_the_cli_prints_a_share_that_is_a_share(tmp_path):
    p = cli("run", CONFIGS / "duel.toml", "--runs", 300, "--workers", 1, "--out", tmp_path / "d.h5")
    assert p.returncode == 0, p.stderr
    m = re.search(r"; (\d+)% of simulation time in kernels(, after [\d.]+ s loading them)?\)", p.stdout)
    assert m, p.stdout[-400:]
    assert 0 < int(m.group(1)) <= 100
