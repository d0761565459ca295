"""Scheduled arrivals: lumps and flows of combat power, at a front or home, converging as the step shrinks."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from conftest import CONFIGS, cli
from wargame.crisis.combat import KernelClock
from wargame.crisis.events import run_batch
from wargame.crisis.world import World
from wargame.model import scenario

DUEL = CONFIGS / "duel.toml"
LUMP = (5.3, 10000.0)          # RED: 10,000 arrive at the front on day 5.3
FLOW = (2.0, 12.0, 2000.0)     # RED: 2,000 a day from day 2 to day 12
HORIZON = 20.0


def _world(extra, dt, reps=2, stochastic=False, horizon=HORIZON, more=()):
    text = DUEL.read_text() + extra
    sc = scenario.loads(text, "duel.toml", [("scenario.step_days", repr(dt)), ("scenario.horizon_days", repr(horizon)),
                                           ("scenario.stochastic", str(stochastic).lower()), *more]).scenario
    w = World(sc, 3, np.arange(reps))
    run_batch(w, KernelClock())
    return w


ARRIVE = (f'\n[[arrivals]]\nstate = "RED"\nfront = "land"\namount = {LUMP[1]}\nday = {LUMP[0]}\n'
          f'\n[[arrivals]]\nstate = "RED"\nfront = "land"\nrate_per_day = {FLOW[2]}\nfrom_day = {FLOW[0]}\n'
          f'to_day = {FLOW[1]}\n')


def _continuous():
    # The duel's square law (a = b = 0.01, hasty, no air) with RED reinforced: the lump as a jump
    # at day 5.3, the flow as a constant rate on [2, 12]. Solved to 1e-10 by scipy.
    a = b = 0.01

    def rhs(t, v):
        x, y = v
        return [-b * y, -a * x + (FLOW[2] if FLOW[0] <= t < FLOW[1] else 0.0)]

    kw = dict(rtol=1e-11, atol=1e-6, method="DOP853")
    s1 = solve_ivp(rhs, (0, FLOW[0]), [100000.0, 60000.0], **kw)
    s2 = solve_ivp(rhs, (FLOW[0], LUMP[0]), s1.y[:, -1], **kw)
    v = s2.y[:, -1] + [0.0, LUMP[1]]
    s3 = solve_ivp(rhs, (LUMP[0], FLOW[1]), v, **kw)
    s4 = solve_ivp(rhs, (FLOW[1], HORIZON), s3.y[:, -1], **kw)
    return s4.y[:, -1]


def test_arrivals_converge_to_the_continuous_model():
    exact = _continuous()
    errs = []
    for dt in (1.0, 0.25, 0.1, 0.02):
        w = _world(ARRIVE, dt)
        got = w.front[0, 0, :, 0]
        errs.append(np.abs(got - exact).max())
        # every arrival is booked: committed = starting forces + 10,000 + 20,000
        assert w.committed[0, 1, 0] == pytest.approx(60000 + LUMP[1] + FLOW[2] * (FLOW[1] - FLOW[0]), rel=1e-12)
    # The error shrinks with the step, first order: the lump is spread over the step that holds
    # day 5.3, so it lands on average at 5.5, 5.375, 5.25, 5.29 (0.2, 0.075, 0.05, 0.01 days off).
    # Measured: 20.2, 7.6, 5.1, 1.0 cp of 160,000.
    assert errs[0] > errs[1] > errs[2] > errs[3]
    assert errs[3] < 0.06 * errs[0] and errs[3] < 2.0


def test_a_flow_home_lands_exactly_whatever_the_step():
    # 5,400 a day for 10 days into BLUE's home pool: 54,000 exactly, never a step's worth more or less.
    extra = '\n[[arrivals]]\nstate = "BLUE"\nrate_per_day = 5400\nfrom_day = 1.1\nto_day = 11.1\n'
    for dt in (1.0, 0.25, 0.1, 0.02):
        w = _world(extra, dt, horizon=12.0)
        assert w.home[0, 0, 0] == pytest.approx(54000.0, rel=1e-9), dt


def test_arrivals_may_be_uncertain_and_are_stored():
    extra = ('\n[[arrivals]]\nstate = "RED"\nfront = "land"\namount = { dist = "uniform", low = 0, high = 20000 }\n'
             'day = { dist = "uniform", low = 1, high = 5 }\n')
    # Breakpoints fixed at the tolerance (no war ends before the arrivals) but losses drawn.
    fixed = [("battle.breakpoint_sd", "0"), ("battle.decisive_share", "0"), ("battle.draw_pressure", "1")]
    w = _world(extra, 1.0, reps=16, stochastic=True, horizon=8.0, more=fixed)
    amt = w.params["arrivals[0].amount"]
    assert amt.std() > 0 and "arrivals[0].day" in w.params
    np.testing.assert_allclose(w.committed[:, 1, 0], 60000 + amt, rtol=1e-12)
    w2 = _world(extra, 1.0, reps=4, stochastic=True, horizon=8.0, more=fixed)  # same draws whatever the batch size
    np.testing.assert_array_equal(w2.params["arrivals[0].amount"], amt[:4])
    np.testing.assert_array_equal(w2.lost, w.lost[:4])


@pytest.mark.parametrize("entry, message", [
    ('state = "GREEN"\namount = 1\nday = 1', "arrivals[0].state = 'GREEN': not a state"),
    ('state = "RED"\nfront = "sea"\namount = 1\nday = 1', "arrivals[0].front = 'sea': not a front"),
    ('state = "RED"\namount = 1', "arrivals[0].day: missing"),
    ('state = "RED"\namount = 1\nday = 1\nrate_per_day = 3', "both a lump"),
    ('state = "RED"\nrate_per_day = 3\nfrom_day = 5\nto_day = 2', "arrivals[0].to_day = 2"),
    ('state = "RED"\nrate_per_day = 3\nfrom_day = 5', "arrivals[0].to_day: missing"),
    ('state = "RED"', "neither amount + day"),
    ('state = "RED"\namount = -5\nday = 1', "arrivals[0].amount = -5: must be >= 0"),
    ('state = "RED"\namount = 5\nday = 1\ndomain = "space"', "arrivals[0].domain"),
])
def test_bad_arrivals_are_one_line_errors(tmp_path, entry, message):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(DUEL.read_text() + "\n[[arrivals]]\n" + entry + "\n")
    p = cli("validate", cfg)
    assert p.returncode == 2 and message in p.stderr and "Traceback" not in p.stderr, p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and str(cfg) in p.stderr
