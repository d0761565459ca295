"""The projection a state decides on (docs/model.md §4.1) uses each front's own law: on a Deitchman
(guerrilla) front, Deitchman's law, checked by hand and against the simulated front."""

import numpy as np
import pytest

from wargame.crisis import doctrines
from wargame.crisis.combat import KernelClock
from wargame.crisis.events import attach, run_batch
from wargame.crisis.world import World
from wargame.model import scenario

# A guerrilla attacker G (aimed fire kg = 0.5 per guerrilla per day) against a conventional defender
# C (area fire kc = 1e-3 per guerrilla per conventional cp per day), 1,000 each. The front has no
# modifiers (hasty posture, terrain 1, no air or sea weight) and the line does not move.
GUERRILLA = """
[scenario]
name = "guerrilla_projection"
attacker = "G"
defender = "C"
horizon_days = {horizon}
stochastic = false

[invasion]
day = 0

[termination]
stalemate_days = 3650

[doctrine]
projection_days = 30

[states.G]
name = "Guerrilla"
casualty_tolerance = 1.0
forces.ground = {{ manpower = 1000 }}
commit = {{ ground = 1.0 }}

[states.C]
name = "Conventional"
casualty_tolerance = 1.0
forces.ground = {{ manpower = 1000 }}
commit = {{ ground = 1.0 }}

[fronts.valley]
law = "{law}"
guerrilla = "attacker"
attacker_lethality = 0.5
defender_lethality = 0.001
posture = "hasty"
air_weight = 0.0
sea_weight = 0.0
advance_km_per_day = 0
depth_km = 100
"""


def _world(law="deitchman", horizon=30):
    sc = scenario.loads(GUERRILLA.format(law=law, horizon=horizon), "g.toml").scenario
    return attach(World(sc, 1, np.arange(1, dtype=np.int64)))


def _projected(w):
    rows = np.arange(w.R)
    cp = np.zeros_like(w.front)
    cp[:, 0, w.att, 0], cp[:, 0, w.dfd, 0] = 1000.0, 1000.0
    side = np.zeros((w.R, w.S), dtype=np.int8)
    side[:, w.att], side[:, w.dfd] = 1, -1
    _, _, xh, yh = doctrines.projected_fronts(w, rows, cp, np.zeros(w.afloat.shape), side, KernelClock())
    return xh[0, 0], yh[0, 0]


def test_a_deitchman_front_is_projected_with_deitchmans_law_by_hand():
    # K = 2 kg g - kc c^2 = 2 * 0.5 * 1000 - 1e-3 * 1000^2 = 0: the parabola through the origin.
    # Then dc/dt = -kg g = -kc c^2 / 2, so c(t) = c0 / (1 + kc c0 t / 2) and g = kc c^2 / (2 kg):
    # after 30 days c = 1000 / (1 + 15) = 62.5 and g = 1e-3 * 62.5^2 = 3.90625.
    g, c = _projected(_world())
    assert c == pytest.approx(62.5, rel=1e-9)
    assert g == pytest.approx(3.90625, rel=1e-8)


def test_the_square_law_placeholder_would_have_projected_something_else():
    # Square law with the same coefficients: dc/dt = -0.5 g, dg/dt = -1e-3 c; the guerrilla keeps ~all
    # its strength and the conventional side is gone within days: nothing like the guerrilla war above.
    g, c = _projected(_world(law="square"))
    assert c == 0.0 and g > 900


@pytest.mark.parametrize("days", [10, 30])
def test_the_projection_follows_the_simulated_front(days):
    # The simulated front, deterministic, steps the same exact solution a day at a time; with no
    # reinforcement, movement or morale, the projection over the same days lands where it does.
    w = _world(horizon=days)
    run_batch(w, KernelClock())
    w2 = _world()
    w2.doc["projection_days"][:] = days  # one projection over the whole war (days 0 to the horizon)
    g, c = _projected(w2)
    np.testing.assert_allclose([w.front[0, 0, w.att, 0], w.front[0, 0, w.dfd, 0]], [g, c], rtol=1e-9)
    assert c == pytest.approx(1000 / (1 + 1e-3 * 1000 * days / 2), rel=1e-9)  # and both follow the parabola
