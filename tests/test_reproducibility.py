"""Same seed and config give the same bits, whatever the batch size."""

import numpy as np

from conftest import CONFIGS, run_memory


def _same(a, b):
    for g in ("replications", "states", "params"):
        assert a[g].keys() == b[g].keys()
        for k in a[g]:
            np.testing.assert_array_equal(a[g][k], b[g][k], err_msg=f"{g}/{k}")
    assert a["events"].tobytes() == b["events"].tobytes()
    assert a["decisions"].tobytes() == b["decisions"].tobytes()


def test_same_seed_same_bits():
    path = CONFIGS / "taiwan_strait.toml"
    _same(run_memory(path, 300, seed=11), run_memory(path, 300, seed=11))


def test_batch_size_does_not_change_results():
    path = CONFIGS / "taiwan_strait.toml"
    _same(run_memory(path, 300, seed=11, batch_size=300), run_memory(path, 300, seed=11, batch_size=77))


def test_different_seed_different_results():
    path = CONFIGS / "taiwan_strait.toml"
    a, b = run_memory(path, 200, seed=1), run_memory(path, 200, seed=2)
    assert not np.array_equal(a["params"]["fronts.landing.lift_per_day"], b["params"]["fronts.landing.lift_per_day"])


def test_sampled_parameters_stay_in_their_supports():
    r = run_memory(CONFIGS / "taiwan_strait.toml", 500)
    lift = r["params"]["fronts.landing.lift_per_day"]
    assert lift.min() >= 15000 and lift.max() <= 60000
    tol = r["params"]["states.USA.casualty_tolerance"]
    assert tol.min() >= 0.05 and tol.max() <= 0.3
