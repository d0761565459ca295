"""The step clock: simulated time on the grid t_k = k * dt, without drift.

A step such as 0.1 day is not exact in binary, so adding dt again and again drifts
(11 x 0.1 = 1.0999...) while events scheduled at ``World.grid`` times are k * dt: they
would land a step early or late. The combat clock therefore computes each step's time
from its integer index (``step_time``), and ``GridEnvironment`` snaps every scheduled
SimPy time that lies within a rounding error of a grid point onto that point, so two
processes that sleep until the same k * dt wake at bit-identical times and SimPy's
usual order among them (the earlier-started process first) holds.
"""

from __future__ import annotations

from heapq import heappush

import simpy

# Relative distance from a grid point below which a time is that grid point: far above
# the rounding of a few float operations (1e-16 relative), far below any step (dt >= 0.01).
SNAP = 1e-9


def step_time(k: int, dt: float) -> float:
    """The time at the end of step k: k * dt, the value ``World.grid`` gives for that step."""
    return k * dt


def step_index(t: float, dt: float) -> int:
    """The index k of the step ending at time t (t on the grid, up to rounding)."""
    return int(round(t / dt))


def snap(t: float, dt: float) -> float:
    """t itself, or k * dt when t lies within SNAP (relative) of that grid point."""
    k = round(t / dt)
    g = k * dt
    return g if abs(t - g) <= SNAP * max(1.0, abs(t)) else t


class GridEnvironment(simpy.Environment):
    """A SimPy environment whose event times snap onto the step grid k * dt."""

    def __init__(self, dt: float, initial_time: float = 0.0):
        super().__init__(initial_time=snap(float(initial_time), float(dt)))
        self.dt = float(dt)

    def schedule(self, event, priority=simpy.events.NORMAL, delay=0):
        heappush(self._queue, (snap(self._now + delay, self.dt), priority, next(self._eid), event))
