"""The benchmark harness (bench/): its peers are the engine's model, and --quick runs end to end."""

import json
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

from conftest import CONFIGS, ROOT

from wargame import kernels
from wargame.bench import harness
from wargame.bench.peers import limit
from wargame.bench.peers import naive
from wargame.bench.peers import per_replication
from wargame.bench.peers import twins
from wargame.bench.peers import vectorised
from wargame.crisis.combat import KernelClock
from wargame.crisis.events import run_batch
from wargame.crisis.world import OUTCOMES, World
from wargame.model import scenario

DUEL = CONFIGS / "duel.toml"


def test_python_kernels_patches_and_restores():
    before = {name: getattr(kernels, name) for name in per_replication.PATCHED}
    with per_replication.python_kernels():
        for name in per_replication.PATCHED:
            assert getattr(kernels, name) is getattr(twins, name)
    assert {name: getattr(kernels, name) for name in per_replication.PATCHED} == before


@pytest.mark.parametrize("python", [True, False])
@pytest.mark.parametrize("config, runs", [("duel.toml", 30), ("taiwan_strait.toml", 6)])
def test_per_replication_engine_matches_engine_exactly(config, runs, python):
    # Stronger than agreement in distribution: every draw is keyed (seed, replication), the
    # twins equal the kernels bit for bit (tests/test_kernels_*.py) and the per-replication
    # arithmetic is elementwise, so replication i gives the same bits with R = 1 per
    # environment (with numba kernels or the plain-Python twins) as inside an engine batch.
    loaded = scenario.load(CONFIGS / config)
    _, peer = per_replication.run(loaded, runs, seed=11, python=python)
    eng = per_replication.engine_outcomes(loaded, runs, seed=11)
    for key in ("outcome", "end_day", "lost", "position"):
        np.testing.assert_array_equal(peer[key], eng[key], err_msg=key)


def test_naive_peer_does_not_import_wargame():
    # Loaded by its path in a fresh interpreter, as a user's own script: it must not need the engine.
    code = ("import importlib.util, sys\n"
            f"spec = importlib.util.spec_from_file_location('duel', {str(ROOT / 'bench/peers/naive.py')!r})\n"
            "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
            f"r = m.run(m.duel_params({str(DUEL)!r}), 5, 1)\n"
            "assert len(r) == 5 and r[0]['outcome'] == 'attacker_wins', r\n"
            "print(sorted(k for k in sys.modules if k.split('.')[0] in ('wargame', 'kernels', 'bench')))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "[]"


def _engine_duel(runs, seed):
    eng = per_replication.engine_outcomes(scenario.load(DUEL), runs, seed=seed)
    return {"outcome": np.array([OUTCOMES[o] for o in eng["outcome"]]), "end_day": eng["end_day"],
            "lost": eng["lost"][:, :, 0]}  # (runs, [attacker, defender]) ground cp = personnel here


def _agree(peer, eng):
    """The peer's outcomes, end days and losses are the engine's in distribution."""
    assert set(peer["outcome"]) == set(eng["outcome"]) == {"attacker_wins"}
    # End days: a 3-day spread (32-34); chi-square on the counts, days outside 33 pooled.
    table = [[(d["end_day"] == 33).sum(), (d["end_day"] != 33).sum()] for d in (peer, eng)]
    assert stats.chi2_contingency(table).pvalue > 1e-3, table
    for side in (0, 1):
        p = stats.ks_2samp(peer["lost"][:, side], eng["lost"][:, side]).pvalue
        assert p > 1e-3, (side, p, peer["lost"][:, side].mean(), eng["lost"][:, side].mean())


def test_vectorised_peer_agrees_with_engine_in_distribution():
    # Different streams (numpy's Generator against the engine's keyed Philox) and an exact
    # binomial against the kernel's normal approximation above variance 20: equal in
    # distribution, not draw for draw. A model slip shows: an Euler step instead of the exact
    # square law moves the attacker's mean loss by ~0.8 sd of the spread, which the KS test sees.
    p = naive.duel_params(DUEL)
    vec = vectorised.run(p, 3000, seed=5)
    _agree({"outcome": np.array([vectorised.OUTCOMES[o] for o in vec["outcome"]]), "end_day": vec["end_day"],
            "lost": vec["lost"]}, _engine_duel(3000, seed=5))


def test_naive_peer_agrees_with_engine_in_distribution():
    r = naive.run(naive.duel_params(DUEL), 1500, seed=6)
    _agree({"outcome": np.array([o["outcome"] for o in r]), "end_day": np.array([o["end_day"] for o in r]),
            "lost": np.array([o["lost"] for o in r])}, _engine_duel(3000, seed=6))


def test_vectorised_peer_ends_wars_by_every_rule():
    # The duel ends at the defender's breakpoint; a weaker attacker breaks first, equal forces
    # with a tolerance nobody reaches stall into a ceasefire, and a short horizon leaves it unresolved.
    p = naive.duel_params(DUEL)
    codes = {"weak": dict(p, x0=40_000.0), "stall": dict(p, x0=60_000.0, tol_x=10.0, tol_y=10.0, stalemate_days=20),
             "short": dict(p, horizon=10)}
    want = {"weak": "defender_holds", "stall": "ceasefire", "short": "unresolved"}
    for name, q in codes.items():
        vec = vectorised.run(q, 50, seed=1)
        assert {vectorised.OUTCOMES[o] for o in vec["outcome"]} == {want[name]}, name
        assert {o["outcome"] for o in naive.run(q, 5, seed=1)} == {want[name]}, name


def test_limit_replays_the_engines_kernel_calls():
    # The limit peer makes the calls the engine makes: one ground-attrition row per front-day fought.
    loaded = scenario.load(CONFIGS / "taiwan_strait.toml")
    calls = limit.record(loaded, 60, seed=3, batch_size=25)
    fought = 0
    for b0 in range(0, 60, 25):
        w = World(loaded.scenario, 3, np.arange(b0, min(b0 + 25, 60), dtype=np.int64))
        clock = KernelClock()
        run_batch(w, clock)
        war = w.at_war
        fought += int(np.round((w.end_day[war] - w.war_day[war]) / w.dt).sum()) * w.F
    assert limit.front_days(calls) == fought > 0
    assert clock.calls > 0 and len(calls) > clock.calls
    limit.replay(calls)  # runs the kernels on the copies, untouched by the engine since


def test_table_fails_below_floor():
    figs = {"errors": {},
            "kernel": {"front_days_per_s": {"kernel": 10.0, "numpy": 2.0, "rng_limit": 20.0}},
            "duel": {"reps_per_s": {"engine": 1000.0, "engine_hdf5": 800.0, "naive": 5.0, "vectorised": 2000.0,
                                    "vectorised_hdf5": 1600.0, "limit": 4000.0}, "kernel_share": 0.5}}
    ratio = harness.ratios(figs)
    assert ratio == {"kernel/numpy": 5.0, "kernel/rng_limit": 0.5, "duel engine/naive": 200.0,
                     "duel engine/vectorised": 0.5, "duel engine_hdf5/vectorised_hdf5": 0.5, "duel engine/limit": 0.25}
    table = harness.rows(figs, ratio, {"kernel/numpy": 6.0, "kernel/rng_limit": 0.25, "duel engine/vectorised": 0.6})
    status = {r[2]: r[-1] for r in table if r[0].startswith(("kernel", "duel engine"))}
    assert status["numpy"] == "FAIL" and status["rng_limit"] == "pass" and status["vectorised"] == "FAIL"
    assert status["limit (kernels alone)"] == "info" and status["vectorised_hdf5"] == "no floor"
    assert any(r[0] == "taiwan engine/per_replication" and r[-1] == "FAIL" for r in table)  # missing = failed


def test_quick_end_to_end(tmp_path):
    # 45-55 s on the 2-core development machine (about a minute under load), so it runs by default (no slow mark).
    # From a temp dir, as `wargame bench` runs for a user: it finds the shipped scenarios by itself.
    out, floors = tmp_path / "bench.json", tmp_path / "floors.json"
    p = subprocess.run([sys.executable, "-m", "wargame.bench", "--quick", "--json", str(out), "--floors", str(floors),
                        "--record-floors"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    doc = json.loads(out.read_text())
    assert doc["mode"] == "small" and not doc["figures"]["errors"], doc["figures"]["errors"]
    assert set(doc["ratios"]) == set(harness.GATED) | {"duel engine/limit", "taiwan engine/limit"}
    rec = json.loads(floors.read_text())
    assert set(rec["floors"]) == set(harness.GATED)
    for name, value in rec["floors"].items():
        assert value == pytest.approx(doc["ratios"][name] / 2, rel=1e-3)
    ttfr = doc["figures"]["ttfr"]
    assert len(ttfr["tries_seconds"]) == 3 and ttfr["seconds"] == min(ttfr["tries_seconds"])
    assert ttfr["how"] == "first batch in the file" and ttfr["seconds"] < ttfr["whole_run_seconds"]
    for word in ("kernel front-days/s", "rng_limit", "duel engine reps/s", "naive", "vectorised", "to HDF5",
                 "limit (kernels alone)", "taiwan engine reps/s", "per_replication", "share of time in kernels",
                 "floor", "status"):
        assert word in p.stdout, word


def test_kernel_shares_time_compiled_code_and_restore_the_dispatchers():
    from wargame.bench import measure
    from wargame.kernels import lanchester

    before = lanchester._lanchester_step
    shares = measure.kernel_shares(scenario.load(DUEL), 50, seed=2)
    assert lanchester._lanchester_step is before
    # Compiled code is a part of the kernel calls' time (their wrappers check and broadcast arguments).
    assert 0 < shares["compiled"] < shares["calls"] < 1, shares


@pytest.mark.parametrize("peer", ["naive.py", "vectorised.py"])
def test_docs_quote_the_duel_peers_verbatim(peer):
    # docs/bench.md shows each peer's code as a user would write it: the scripts themselves.
    assert f"```python\n{(ROOT / 'bench/peers' / peer).read_text()}```" in (ROOT / "docs/bench.md").read_text()


def test_step_by_step_cannot_record_floors(tmp_path, capsys):
    # --step-by-step measures the path the fused kernels replace: never floors from it.
    assert harness.main(["--quick", "--step-by-step", "--record-floors", "--floors", str(tmp_path / "f.json")]) == 2
    assert "--step-by-step" in capsys.readouterr().err and not (tmp_path / "f.json").exists()


def test_numpy_projection_cannot_record_floors(tmp_path, capsys):
    # --numpy-projection measures the path the stacked projection replaces: never floors from it.
    assert harness.main(["--quick", "--numpy-projection", "--record-floors", "--floors", str(tmp_path / "f.json")]) == 2
    assert "--numpy-projection" in capsys.readouterr().err and not (tmp_path / "f.json").exists()
