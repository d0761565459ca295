"""Political collapse (irregular.py ``flee_regions_held``): the government gives up its capital once few
enough regions are held, so the capital falls on the step the threshold is crossed."""

import numpy as np

from conftest import CONFIGS
from wargame.crisis.combat import KernelClock
from wargame.crisis.events import run_batch
from wargame.crisis.world import ATTACKER_WINS, World
from wargame.model import scenario

AFG = CONFIGS / "afghanistan_2021.toml"


def _run(overrides=(), reps=24):
    sc = scenario.loads(AFG.read_text(), "afghanistan_2021.toml", list(overrides)).scenario
    w = World(sc, 4, np.arange(reps))
    run_batch(w, KernelClock())
    return w


def _nth_fall(w, k):
    # day the k-th region fell (regions: the falls fronts), inf when fewer fell
    fd = np.where(np.isnan(w.fall_day[:, w.falls]), np.inf, w.fall_day[:, w.falls])
    return np.sort(fd, axis=1)[:, k - 1]


def test_the_government_flees_when_the_last_region_falls():
    w = _run()
    taken = w.outcome == ATTACKER_WINS
    assert taken.sum() >= 20
    n = int(w.falls.sum())
    # The capital is given up on the step its last region falls, not after the final advance.
    np.testing.assert_array_equal(w.end_day[taken], _nth_fall(w, n)[taken])


def test_a_higher_threshold_gives_up_the_capital_sooner():
    w = _run([("states.AFG.morale.flee_regions_held", "0.5")])
    taken = w.outcome == ATTACKER_WINS
    n = int(w.falls.sum())
    k = n - int(np.floor(0.5 * n))  # held share <= 0.5 once this many regions have fallen
    assert taken.sum() >= 20
    np.testing.assert_array_equal(w.end_day[taken], _nth_fall(w, k)[taken])
