"""Time without drift: step times come from integer step indices, so events scheduled at k*dt land on step k."""

import numpy as np
import pytest

from conftest import CONFIGS
from wargame.crisis import clock, combat, window
from wargame.crisis.combat import KernelClock
from wargame.crisis.events import run_batch
from wargame.crisis.world import World
from wargame.model import scenario

DUEL = CONFIGS / "duel.toml"


@pytest.mark.parametrize("dt", [1.0, 0.25, 0.1, 0.02])
def test_steps_and_injects_land_on_k_dt(dt, monkeypatch):
    # An inject on day k*dt (the float k * dt, as a scenario would compute it) must be in force
    # in the step ending at k*dt and not before; every step ends at exactly j * dt.
    k = int(round(1.5 / dt))
    day = k * dt
    text = DUEL.read_text() + (f'\n[[injects]]\nday = {day!r}\ntext = "x"\n'
                               'effects = [{ target = "fronts.land.defender_lethality", op = "scale", value = 0.5 }]\n')
    sc = scenario.loads(text, "duel.toml", [("scenario.step_days", repr(dt)), ("scenario.horizon_days", "2"),
                                           ("scenario.stochastic", "false")]).scenario
    seen = []
    real = combat.step

    def spy(w, t, rows, ck):
        seen.append((t, float(w.def_leth[0, 0])))
        real(w, t, rows, ck)

    monkeypatch.setattr(combat, "step", spy)
    # The spy sees each step through combat.step, one call per day: multi-day windows
    # (crisis/window.py) fight their days in one kernel call instead, so they are off here.
    monkeypatch.setattr(window, "ENABLED", False)
    w = World(sc, 1, np.arange(2))
    run_batch(w, KernelClock())
    times = [t for t, _ in seen]
    assert times == [j * dt for j in range(1, len(times) + 1)]
    assert len(times) == int(round(2 / dt))
    changed = [t for t, v in seen if v == 0.005]
    assert changed[0] == k * dt and seen[k - 2][1] == 0.01


def test_snap_and_the_grid_agree():
    for dt in (1.0, 0.25, 0.1, 0.02, 0.07):
        acc = 0.0
        for j in range(1, 2001):
            acc += dt  # a running sum drifts...
            assert clock.snap(acc, dt) == clock.step_time(j, dt)  # ...and snaps back to j * dt
            assert clock.step_index(acc, dt) == j
        w_grid = np.ceil(np.array([37 * dt]) / dt - 1e-9) * dt
        assert w_grid[0] == clock.step_time(37, dt)
    assert clock.snap(0.55, 0.1) == 0.55  # far from a grid point: left alone
