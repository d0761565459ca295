"""Raids against layered air defence: the kernel's closed forms and twin, the engine end to end,
the iran_israel_2024 history checks, the CLI lines and bad input."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reference as R
from conftest import CONFIGS, cli, run_memory
from wargame.kernels import raid_step
from wargame.kernels import streams


def _one(launched, rel, pk, shots, stock, limit=np.inf, damage=1.0):
    return raid_step(np.array([launched], dtype=float), rel, np.array([pk], dtype=float), shots, stock, limit,
                     damage)


# ----------------------------------------------------------------------------- kernel


def test_unlimited_stock_leakers_are_the_product_of_layer_escapes():
    # Two types, three layers, shots per target 1, 2, 3: E[leaked_k] = n_k r_k prod_j (1 - p_jk)^s_j.
    n, rel = np.array([120.0, 30.0]), np.array([0.6, 0.9])
    pk = np.array([[0.5, 0.0], [0.3, 0.7], [0.2, 0.4]])
    s = np.array([1.0, 2.0, 3.0])
    f, kill, leak, left, dmg = _one(n, rel[None], pk, s[None], 1e12, damage=np.array([[1.0, 0.25]]))
    expect = n * rel * np.prod((1 - pk) ** s[:, None], axis=0)
    np.testing.assert_allclose(leak[0], expect, rtol=1e-12)
    np.testing.assert_allclose(f[0], n * (1 - rel), rtol=1e-12)
    np.testing.assert_allclose(kill[0].sum(axis=0) + leak[0] + f[0], n, rtol=1e-12)
    assert math.isclose(dmg[0], expect[0] + 0.25 * expect[1], rel_tol=1e-12)
    assert kill[0, 0, 1] == 0.0 and left[0, 0] == 1e12 - 120 * 0.6  # p = 0: no engagement, no stock used


def test_stock_limited_layers_by_hand():
    # Layer 0: 30 interceptors, 2 per target, p 0.5 -> 15 engaged, P = 0.75, 11.25 killed.
    # Layer 1: 1000 in stock but 20 per raid, p 0.9 -> 20 engaged, 18 killed. 100 - 29.25 leak.
    f, kill, leak, left, dmg = _one([100.0], 1.0, [[0.5], [0.9]],
                                    [[2.0, 1.0]], [[30.0, 1000.0]], [[np.inf, 20.0]])
    assert kill[0, :, 0].tolist() == [11.25, 18.0]
    assert leak[0, 0] == 100 - 29.25
    assert left[0].tolist() == [0.0, 980.0]


def test_per_raid_limit_is_shared_across_types_in_order():
    # One layer, 10 shots per raid: type 0 takes them all, type 1 passes untouched.
    f, kill, leak, left, dmg = _one([50.0, 50.0], 1.0, [[1.0, 1.0]], 1.0, 100.0, 10.0)
    assert kill[0, 0].tolist() == [10.0, 0.0] and leak[0].tolist() == [40.0, 50.0] and left[0, 0] == 90.0


def test_stochastic_stock_limit_is_exact():
    # A perfect layer (p = 1) with 37 interceptors at 2 per target kills exactly floor(37 / 2) = 18.
    n = 500
    f, kill, leak, left, dmg = raid_step(np.full((n, 1), 60.0), 1.0, np.ones((n, 1, 1)), 2.0, 37.0, np.inf, 1.0,
                                         True, 3, np.arange(n, dtype=np.int64), np.zeros(n, dtype=np.int64), 0,
                                         streams.RAID)
    assert (kill[:, 0, 0] == 18).all() and (leak[:, 0] == 42).all() and (left[:, 0] == 1).all()


def test_stochastic_leakers_have_binomial_moments():
    # Failures then one layer with ample stock: leaked ~ Binomial(n, r (1 - p)^s), a thinned binomial.
    n, N, r, p, s = 50.0, 20000, 0.8, 0.3, 2.0
    f, kill, leak, left, dmg = raid_step(np.full((N, 1), n), r, np.full((N, 1, 1), p), s, 1e9, np.inf, 1.0, True, 11,
                                         np.arange(N, dtype=np.int64), np.zeros(N, dtype=np.int64), 4, streams.RAID)
    q = r * (1 - p) ** s
    mean, var = n * q, n * q * (1 - q)
    assert abs(leak.mean() - mean) < 4 * math.sqrt(var / N)
    assert abs(leak.var() - var) < 4 * var * math.sqrt(2 / N)
    assert abs(f.mean() - n * (1 - r)) < 4 * math.sqrt(n * r * (1 - r) / N)
    assert (leak + f + kill.sum(axis=1) == n).all()


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.lists(st.integers(0, 400), min_size=2, max_size=2), st.floats(0, 1), st.floats(0, 1), st.floats(0, 1),
       st.integers(1, 3), st.floats(0, 300), st.floats(0, 300), st.booleans())
def test_invariants_conservation_stock_bounds_and_more_stock_fewer_leakers(n, r, p0, p1, s, stock, extra, stoch):
    def go(stk):
        return raid_step(np.array([n], dtype=float), r, np.array([[[p0, p1], [p1, 0.0]]]), float(s), stk, np.inf, 1.0,
                         stoch, 3, np.array([8], dtype=np.int64), np.array([1], dtype=np.int64), 2, streams.RAID)
    f, kill, leak, left, dmg = go(stock)
    np.testing.assert_allclose(f[0] + kill[0].sum(axis=0) + leak[0], np.round(n) if stoch else n, atol=1e-9)
    assert (leak >= -1e-12).all() and (kill >= 0).all() and (left >= 0).all() and (left <= stock).all()
    if not stoch:  # deterministic: more interceptors never let more through
        assert go(stock + extra)[2].sum() <= leak.sum() + 1e-9


@pytest.mark.parametrize("stochastic", [False, True])
def test_kernel_matches_its_twin_bit_for_bit(stochastic):
    g = np.random.default_rng(5)  # test inputs only; the kernel's draws come from Philox
    n, J, K = 60, 4, 3
    args = (g.integers(0, 300, (n, K)).astype(float), g.uniform(0.3, 1, (n, K)),
            np.where(g.uniform(size=(n, J, K)) < 0.2, 0.0, g.uniform(0, 1, (n, J, K))),
            g.integers(1, 4, (n, J)).astype(float), g.uniform(0, 200, (n, J)),
            np.where(g.uniform(size=(n, J)) < 0.5, np.inf, g.uniform(5, 80, (n, J))), g.uniform(0, 2, (n, K)))
    kw = dict(stochastic=stochastic, seed=9, reps=np.arange(n, dtype=np.int64) * 7,
              slots=np.full(n, 2, dtype=np.int64), step=13, purpose=streams.RAID)
    for a, b in zip(raid_step(*args, **kw), R.raid_step(*args, **kw)):
        assert np.array_equal(a, b)


def test_rows_do_not_depend_on_the_batch():
    n = 40
    args = (np.full((n, 2), 80.0), 0.7, np.full((n, 2, 2), 0.6), 1.0, 50.0, 30.0, 1.0)
    kw = dict(stochastic=True, seed=1, slots=np.zeros(n, dtype=np.int64), step=2, purpose=streams.RAID)
    full = raid_step(*args, reps=np.arange(n, dtype=np.int64), **kw)
    part = raid_step(*(a[10:20] if isinstance(a, np.ndarray) else a for a in args),
                     reps=np.arange(10, 20, dtype=np.int64), **dict(kw, slots=kw["slots"][10:20]))
    for a, b in zip(full, part):
        assert np.array_equal(a[10:20], b)


@pytest.mark.parametrize("kw, match", [
    (dict(pk=np.full((2, 1, 1), 1.5)), r"pk\[0\] = 1.5 is invalid"),
    (dict(shots=0.5), "shots"),
    (dict(pk=np.full((2, 1, 3), 0.5)), "launched must be 2-D"),
])
def test_bad_kernel_input_names_the_argument(kw, match):
    args = dict(launched=np.ones((2, 1)), reliability=1.0, pk=np.full((2, 1, 1), 0.5), shots=1.0, stock=5.0)
    args.update(kw)
    with pytest.raises(ValueError, match=match):
        raid_step(**args)


# ----------------------------------------------------------------------------- engine

TINY = """
[scenario]
name = "tiny_raids"
attacker = "A"
defender = "D"
horizon_days = 30
stochastic = {stochastic}

[states.A]
name = "A"
doctrine = "never"
forces.ground = {{ manpower = 1000 }}
casualty_tolerance = 0.5

[states.D]
name = "D"
forces.ground = {{ manpower = 1000 }}
casualty_tolerance = 0.5

[states.T]
name = "overflown third party"
forces.ground = {{ manpower = 1000 }}
casualty_tolerance = 0.5

[states.N]
name = "bystander that never joins"
doctrine = "never"
forces.ground = {{ manpower = 1000 }}
casualty_tolerance = 0.5

[weapons.ballistic]
[weapons.drone]

[arsenal.A]
ballistic = 250

[[air_defence.T.layers]]
name = "fighters"
stock = 100
kill_probability = {{ drone = 0.5 }}

[[air_defence.N.layers]]
name = "idle"
stock = 100
kill_probability = {{ drone = 1.0, ballistic = 1.0 }}

[[air_defence.D.layers]]
name = "interceptors"
stock = 150
resupply_per_day = 10
kill_probability = {{ ballistic = 1.0 }}

[[raids]]
name = "series"
day = 1
repeat = 3
interval_days = 2
attacker = "A"
target = "D"
weapons = {{ ballistic = 100, drone = 10 }}
overflies = ["T"]
"""


def test_engine_runs_stocks_down_across_raids(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY.format(stochastic="false"))
    r = run_memory(path, 2)
    rep = r["replications"]
    # Raid 1: 100 ballistic killed, D's stock 50. Raid 2 (2 days on: +20): 70 killed, 30 leak, stock 0.
    # Raid 3: the arsenal holds only 50; +20 resupply kills 20, 30 leak. Drones: T kills half of 10.
    np.testing.assert_array_equal(rep["raid_launched"][0], [[100, 10], [100, 10], [50, 10]])
    np.testing.assert_array_equal(rep["raid_leaked"][0], [[0, 5], [30, 5], [30, 5]])
    np.testing.assert_array_equal(rep["raid_intercepted"][0], [[100, 5], [70, 5], [20, 5]])
    np.testing.assert_array_equal(rep["raid_stock_after"][0][:, 2], [50, 0, 0])
    np.testing.assert_array_equal(rep["raid_damage"][0], [5, 35, 35])
    lay = r["layout"]["states"]
    joined = rep["raid_joined"][0]
    assert joined[:, lay.index("T")].all() and not joined[:, lay.index("N")].any()
    assert (rep["interceptor_stock_left"][0] == [70, 100, 0]).all()  # T fired one per drone
    assert r["states"]["arsenal_left"][0, lay.index("A")].tolist() == [0.0, np.inf]
    assert (r["replications"]["outcome"] == 0).all()  # no fronts: no ground war


def test_engine_stochastic_raids_are_reproducible_across_batches(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY.format(stochastic="true").replace("kill_probability = { ballistic = 1.0 }",
                                                           "kill_probability = { ballistic = 0.7 }"))
    a, b = run_memory(path, 90, batch_size=90), run_memory(path, 90, batch_size=17)
    for k in ("raid_leaked", "raid_intercepted", "interceptor_stock_left"):
        np.testing.assert_array_equal(a["replications"][k], b["replications"][k])
    assert a["replications"]["raid_leaked"][:, 0, 0].std() > 0


# ----------------------------------------------------------------------------- history


@pytest.fixture(scope="module")
def iran_israel():
    return run_memory(CONFIGS / "iran_israel_2024.toml", 2000, seed=20261124)


def test_history_inside_the_central_90_percent(iran_israel):
    from wargame.crisis import raids_summary

    s = raids_summary.compute(iran_israel)
    checks = {h["raid"]: h for h in s["history"]}
    assert set(checks) == {"13-14 April 2024", "1 October 2024"}
    for h in checks.values():
        assert 5.0 <= h["percentile"] <= 95.0, h
        for sid, share in h["joined"]:  # every outside power that joined in history joins in >= 5% of runs
            assert share >= 0.05, (h["raid"], sid, share)


def test_iran_israel_ledger_balances(iran_israel):
    rep = iran_israel["replications"]
    total = rep["raid_failed"] + rep["raid_intercepted"] + rep["raid_leaked"]
    np.testing.assert_allclose(total, rep["raid_launched"], atol=1e-3)
    np.testing.assert_array_equal(rep["raid_launched"][:, 0, :].sum(axis=1), 320)  # April: 170 + 30 + 120
    assert (rep["interceptor_stock_left"] >= 0).all()
    assert (rep["interceptor_stock_left"] <= rep["interceptor_stock_start"] + 1e-3).all()


# ----------------------------------------------------------------------------- CLI


def test_cli_summary_speaks_in_the_terms_of_the_case(tmp_path):
    p = cli("run", CONFIGS / "iran_israel_2024.toml", "--runs", "100", "--out", "ii.h5", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    for line in ("13-14 April 2024", "launched failed intercepted leaked", "ballistic 120/",
                 "Interceptor stocks at the end", "ISR Arrow 3", "joined the defence: USA",
                 "History in the distribution", "percentile"):
        assert line in p.stdout, line
    q = cli("report", "ii.h5", "--out", "ii.html", cwd=tmp_path)
    assert q.returncode == 0, q.stderr
    html = (tmp_path / "ii.html").read_text()
    assert "where history falls" in html and "percentile of history" in html


@pytest.mark.parametrize("edit, message", [
    (('weapons = {{ ballistic = 100, drone = 10 }}', 'weapons = {{ ballistic = 100, nuke = 1 }}'),
     "raids[0].weapons.nuke: not a weapon type"),
    (('kill_probability = {{ drone = 0.5 }}', 'kill_probability = {{ drone = 1.5 }}'),
     "air_defence.T.layers[0].kill_probability.drone = 1.5: must be <= 1"),
    (('target = "D"', 'target = "A"'), "raids[0].target = 'A': must differ from the raid's attacker"),
])
def test_bad_raid_input_one_line_exit_2(tmp_path, edit, message):
    path = tmp_path / "bad.toml"
    path.write_text(TINY.replace(*edit).format(stochastic="true"))
    p = cli("run", path, "--runs", "2", cwd=tmp_path)
    assert p.returncode == 2, p.stderr
    assert message in p.stderr and "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


def test_raids_beside_a_ground_war_leave_the_war_unchanged(tmp_path):
    # Raids draw from their own streams and do not feed the ground war (docs/model.md 9.5), so
    # adding them to a scenario with fronts changes no ground-war result, bit for bit.
    base = (CONFIGS / "taiwan_strait.toml").read_text()
    extra = """
[weapons.ballistic]

[[air_defence.TWN.layers]]
name = "Patriot"
stock = 200
kill_probability = { ballistic = 0.6 }

[[raids]]
day = 5
repeat = 4
interval_days = 7
attacker = "PRC"
target = "TWN"
weapons = { ballistic = 100 }
"""
    path = tmp_path / "taiwan_raids.toml"
    path.write_text(base + extra)
    a, b = run_memory(CONFIGS / "taiwan_strait.toml", 60, seed=4), run_memory(path, 60, seed=4)
    for g in ("replications", "states"):
        for k in a[g]:
            np.testing.assert_array_equal(a[g][k], b[g][k], err_msg=f"{g}/{k}")
    assert a["events"].tobytes() == b["events"].tobytes()
    assert b["replications"]["raid_launched"].shape == (60, 4, 1)
    assert (b["replications"]["raid_leaked"][:, -1, 0] > 0).all()  # 400 missiles against 200 interceptors


def test_lookahead_copies_carry_what_the_raids_spent():
    # A classroom game of a scenario with raids: by the first US decision (day 31) two raids (days
    # 10 and 20) have fired part of Taiwan's interceptor stock. The look-ahead's copies start from
    # that stock and that record, not from a full magazine.
    from wargame.model import scenario
    from wargame.play.game import Game

    raids = """
[weapons.ballistic]

[[air_defence.TWN.layers]]
name = "Patriot"
stock = 300
kill_probability = { ballistic = 0.6 }

[[raids]]
day = 10
repeat = 2
interval_days = 10
attacker = "PRC"
target = "TWN"
weapons = { ballistic = 120 }
"""
    sc = scenario.loads((CONFIGS / "taiwan_strait.toml").read_text() + raids).scenario
    g = Game(sc, 7, ["USA"], rep=0)
    assert g.advance() is not None
    rw = g.w.raid
    assert rw.stock[0, 0] < 300 and rw.launched[0].sum() == 240
    c = g.w.copies(20, 1 << 40).raid
    for k in ("stock", "arsenal_left", "launched", "leaked", "stock_after", "fired"):
        np.testing.assert_array_equal(getattr(c, k), np.repeat(getattr(rw, k)[:1], 20, axis=0), err_msg=k)
