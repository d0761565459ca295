"""Every shipped scenario runs; the duel follows Lanchester's closed form end to end."""

import numpy as np
import pytest

from conftest import CONFIGS, run_memory


# System-kind scenarios (kind = "system") run in tests/test_system.py.
@pytest.mark.parametrize("name", sorted(p.stem for p in CONFIGS.glob("*.toml") if 'kind = "system"' not in p.read_text()))
def test_scenario_runs(name):
    r = run_memory(CONFIGS / f"{name}.toml", 60, seed=3)
    rep = r["replications"]
    assert rep["outcome"].size == 60
    assert np.isfinite(rep["end_day"]).all()
    war = np.isfinite(rep["war_day"])
    assert (rep["end_day"][war] >= rep["war_day"][war]).all()
    assert (r["states"]["losses"] >= 0).all()
    lay = r["layout"]
    assert (r["states"]["intervened"][:, [lay["attacker"], lay["defender"]]] == 0).all()


def test_duel_matches_square_law_closed_form():
    r = run_memory(CONFIGS / "duel.toml", 3, overrides=[("scenario.stochastic", "false")], timeseries=True)
    ts = r["timeseries"][0, :, 0, :]  # (days, [attacker, defender, position])
    days = np.arange(1, ts.shape[0] + 1)
    fought = np.isfinite(ts[:, 0])
    x0, y0, a, b = 100000.0, 60000.0, 0.01, 0.01
    g = np.sqrt(a * b) * days[fought]
    x = x0 * np.cosh(g) - np.sqrt(b / a) * y0 * np.sinh(g)
    y = y0 * np.cosh(g) - np.sqrt(a / b) * x0 * np.sinh(g)
    np.testing.assert_allclose(ts[fought, 0], x, rtol=1e-6)  # float32 storage
    np.testing.assert_allclose(ts[fought, 1], y, rtol=1e-6)
    # RED breaks when half its force is gone: the first day its losses reach the tolerance.
    end = r["replications"]["end_day"][0]
    assert y0 - y[-1] >= 0.5 * y0 and (y0 - y[:-1] < 0.5 * y0).all()
    assert end == days[fought][-1]


def test_stochastic_duel_is_close_to_the_deterministic_one():
    det = run_memory(CONFIGS / "duel.toml", 1, overrides=[("scenario.stochastic", "false")])
    sto = run_memory(CONFIGS / "duel.toml", 400)
    d = det["states"]["losses"][0, :, 0]
    s = sto["states"]["losses"][:, :, 0].mean(axis=0)
    np.testing.assert_allclose(s, d, rtol=0.02)
