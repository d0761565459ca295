"""The benchmark harness (bench/): its naive peer is the engine's model, and --quick runs end to end."""

import json
import subprocess
import sys

import numpy as np
import pytest

from conftest import CONFIGS

from wargame import kernels
from wargame.bench import harness
from wargame.bench.peers import naive
from wargame.bench.peers import twins
from wargame.model import scenario


def test_python_kernels_patches_and_restores():
    before = {name: getattr(kernels, name) for name in naive.PATCHED}
    with naive.python_kernels():
        for name in naive.PATCHED:
            assert getattr(kernels, name) is getattr(twins, name)
    assert {name: getattr(kernels, name) for name in naive.PATCHED} == before


@pytest.mark.parametrize("config, runs", [("duel.toml", 30), ("taiwan_strait.toml", 6)])
def test_naive_peer_matches_engine_exactly(config, runs):
    # Stronger than agreement in distribution: every draw is keyed (seed, replication), the
    # twins equal the kernels bit for bit (tests/test_kernels_*.py) and the per-replication
    # arithmetic is elementwise, so replication i gives the same bits with R = 1 per
    # environment and plain-Python kernels as inside an engine batch.
    loaded = scenario.load(CONFIGS / config)
    _, peer = naive.run(loaded, runs, seed=11)
    eng = naive.engine_outcomes(loaded, runs, seed=11)
    for key in ("outcome", "end_day", "lost", "position"):
        np.testing.assert_array_equal(peer[key], eng[key], err_msg=key)


def test_table_fails_below_floor():
    figs = {"errors": {},
            "kernel": {"front_days_per_s": {"kernel": 10.0, "numpy": 2.0, "rng_limit": 20.0}},
            "duel": {"reps_per_s": {"engine": 1000.0, "naive": 5.0}, "kernel_share": 0.5,
                     "simpy_events": {"engine_per_replication": 0.1, "one_env_per_replication": 80}}}
    ratio = harness.ratios(figs)
    assert ratio == {"kernel/numpy": 5.0, "kernel/rng_limit": 0.5, "duel engine/naive": 200.0}
    table = harness.rows(figs, ratio, {"kernel/numpy": 6.0, "kernel/rng_limit": 0.25})
    status = {r[2]: r[-1] for r in table if r[0].startswith("kernel")}
    assert status["numpy"] == "FAIL" and status["rng_limit"] == "pass"
    assert any(r[0] == "taiwan engine/naive" and r[-1] == "FAIL" for r in table)  # missing = failed


def test_quick_end_to_end(tmp_path):
    # 45-55 s on the 2-core development machine (under 60 s), so it runs by default (no slow mark).
    # From a temp dir, as `wargame bench` runs for a user: it finds the shipped scenarios by itself.
    out, floors = tmp_path / "bench.json", tmp_path / "floors.json"
    p = subprocess.run([sys.executable, "-m", "wargame.bench", "--quick", "--json", str(out), "--floors", str(floors),
                        "--record-floors"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    doc = json.loads(out.read_text())
    assert doc["mode"] == "small" and not doc["figures"]["errors"], doc["figures"]["errors"]
    assert set(doc["ratios"]) == set(harness.GATED)
    rec = json.loads(floors.read_text())
    for name, value in doc["ratios"].items():
        assert rec["floors"][name] == pytest.approx(value / 2, rel=1e-3)
    ttfr = doc["figures"]["ttfr"]
    assert len(ttfr["tries_seconds"]) == 3 and ttfr["seconds"] == min(ttfr["tries_seconds"])
    assert ttfr["how"] == "first batch in the file" and ttfr["seconds"] < ttfr["whole_run_seconds"]
    for word in ("kernel front-days/s", "rng_limit", "duel reps/s", "taiwan reps/s", "floor", "status"):
        assert word in p.stdout, word
