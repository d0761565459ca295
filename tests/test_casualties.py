"""Casualties by kind (killed, wounded, captured), forces cut off ashore, losses by day of the war
(engine/crisis/casualties.py; docs/model.md §3.6)."""

import h5py
import numpy as np

from conftest import CONFIGS, cli, run_memory
from wargame.crisis import casualties
from wargame.crisis.combat import KernelClock
from wargame.crisis.events import attach, run_batch
from wargame.crisis.world import World
from wargame.model import scenario

TAIWAN = CONFIGS / "taiwan_strait.toml"
US_AT_ONCE = [("states.USA.treaties", '["JPN","TWN"]'), ("states.USA.doctrine", '"collective_security"'),
              ("states.USA.deploy_delay_days", "0")]


def _world(path, overrides=(), reps=3):
    sc = scenario.loads(path.read_text(), path.name, list(overrides)).scenario
    return attach(World(sc, 5, np.arange(reps)))


def test_ratios_applied_as_documented():
    # Hand-worked: 100 ground cp lost at 10 people per cp = 1,000 people; captured 20% = 200;
    # the other 800 as 1 killed : 4 wounded = 160 killed, 640 wounded. Naval: 8 cp x 50 people
    # x CASUALTY_SHARE 0.25 = 100 people; captured 0; 1 : 1 = 50 killed, 50 wounded.
    w = _world(CONFIGS / "duel.toml", [("states.BLUE.casualties", "{wounded_per_killed={ground=4, naval=1}, "
                                                                   "captured_share={ground=0.2, naval=0}}")])
    w.lost[:] = 0.0
    w.mpc[:, 0, 0], w.mpc[:, 0, 2] = 10.0, 50.0
    w.lost[:, 0, 0], w.lost[:, 0, 2] = 100.0, 8.0
    c = casualties.split(w)
    np.testing.assert_allclose(c[:, 0, 0], [[160.0, 640.0, 200.0]] * 3)
    np.testing.assert_allclose(c[:, 0, 2], [[50.0, 50.0, 0.0]] * 3)


def test_totals_conserved_in_a_run():
    r = run_memory(TAIWAN, 60, seed=3, overrides=US_AT_ONCE)
    cas, loss = r["states"]["casualties"], r["states"]["losses"]
    assert cas.shape == loss.shape + (3,)
    assert (cas >= -1e-6 * np.maximum(loss[..., None], 1)).all()
    np.testing.assert_allclose(cas.sum(axis=3), loss, rtol=1e-12, atol=1e-9)
    assert loss.sum() > 0  # wars were fought
    by = r["states"]["losses_by_day"]  # by day 7 <= by day 21 <= by day 30 <= the war's total, each kind
    assert by.shape == cas.shape + (3,)
    assert (np.diff(by, axis=4) >= -1e-9).all() and (by[..., -1] <= cas + 1e-9).all()
    no_war = ~np.isfinite(r["replications"]["war_day"])
    assert (by[no_war] == 0).all()


def _cut_world(rate, days=2.0):
    w = _world(TAIWAN, [("cutoff.surrender_per_day", repr(rate)), ("cutoff.days", repr(days)),
                        ("cutoff.sea_control", "0.2")], reps=2)
    f = w.front_ids.index("landing")
    w.front[:] = 0.0
    w.lost[:] = 0.0
    w.front[:, f, w.att, 0] = 1000.0  # the attacker ashore
    w.front[:, f, w.dfd, 0] = 500.0
    w.landing_day[:, f] = 0.0
    w.sea_control[:, f] = [0.1, 0.5]  # rep 0 cut off from the sea, rep 1 not
    w.lift_lost[:] = 0.0
    return w, f


def test_cut_off_force_surrenders_after_the_delay_and_counts_captured():
    w, f = _cut_world(0.25)
    rows = np.arange(2)
    ashore = []
    for day in (1.0, 2.0, 3.0, 4.0):
        casualties.cut_off(w, rows, day)
        ashore.append(w.front[:, f, w.att, 0].copy())
    # Cut off days 1, 2 (not past the 2-day delay), then 25% a day on days 3 and 4.
    np.testing.assert_allclose([a[0] for a in ashore], [1000.0, 1000.0, 750.0, 562.5])
    assert all(a[1] == 1000.0 for a in ashore)  # sea control 0.5: never cut off
    assert (w.front[:, f, w.dfd, 0] == 500.0).all()  # the defender never surrenders by this rule
    np.testing.assert_allclose(w.surrendered[:, w.att], [437.5, 0.0])
    np.testing.assert_allclose(w.lost[:, w.att, 0], [437.5, 0.0])
    c = casualties.split(w)
    mpc = w.mpc[0, w.att, 0]
    np.testing.assert_allclose(c[0, w.att, 0], [0.0, 0.0, 437.5 * mpc])  # all captured
    # Sea control back: the count of days cut off starts again.
    w.sea_control[:, f] = 0.5
    casualties.cut_off(w, rows, 5.0)
    assert (w.cut_for[:, f] == 0).all()


def test_cut_off_never_takes_more_than_ashore():
    w, f = _cut_world(1.0, days=0.0)
    for day in (1.0, 2.0, 3.0):
        casualties.cut_off(w, np.arange(2), day)
    assert w.front[0, f, w.att, 0] == 0.0
    np.testing.assert_allclose(w.surrendered[0, w.att], 1000.0)


def test_lift_destroyed_cuts_off_too():
    w, f = _cut_world(0.5, days=0.0)
    w.sea_control[:, f] = 0.9
    w.lift_lost[1, f] = w.lift[1, f]  # rep 1: every lift ship destroyed
    casualties.cut_off(w, np.arange(2), 1.0)
    np.testing.assert_allclose(w.front[:, f, w.att, 0], [1000.0, 500.0])


def test_hdf5_columns_summary_and_report(tmp_path):
    out = tmp_path / "t.h5"
    sets = [a for k, v in US_AT_ONCE for a in ("--set", f"{k}={v}")]
    r = cli("run", TAIWAN, "--runs", "40", "--seed", "3", "--timeseries", "--out", out, "--quiet", *sets)
    assert r.returncode == 0, r.stderr
    with h5py.File(out, "r") as h:
        g = h["batches"][sorted(h["batches"])[0]] if "batches" in h else h
        cas, loss = g["states/casualties"][()], g["states/losses"][()]
        daily = g["states/daily_casualties"][()]
        by = g["states/losses_by_day"][()]
        war, end = g["replications/war_day"][()], g["replications/end_day"][()]
    assert by.shape == cas.shape + (3,)
    short = np.isfinite(war) & (end - war <= 30)  # a war of 30 days or less: its day-30 mark is its total
    assert short.any()
    np.testing.assert_allclose(by[short][..., -1], cas[short], rtol=1e-12, atol=1e-9)
    # The day-7 mark is the first 7 days of the daily series (float32 days).
    for r in np.flatnonzero(np.isfinite(war))[:5]:
        d0 = int(round(war[r]))
        np.testing.assert_allclose(daily[r, :, d0:d0 + 7].sum(axis=1, dtype=float), by[r, ..., 0], rtol=1e-4, atol=1.0)
    np.testing.assert_allclose(cas.sum(axis=3), loss, rtol=1e-12, atol=1e-9)
    # The daily series adds up to the totals (float32 days, so to single precision).
    np.testing.assert_allclose(daily.sum(axis=2, dtype=float), cas, rtol=1e-4, atol=1.0)
    s = cli("summary", out)
    assert s.returncode == 0, s.stderr
    assert "Casualties in wars: median [5%, 95%]   killed / wounded / captured or missing" in s.stdout
    assert "By day of the war, median: all kinds (day 7, day 21, day 30), then killed" in s.stdout
    html = tmp_path / "t.html"
    assert cli("report", out, "--out", html).returncode == 0
    text = html.read_text()
    assert "<th>killed</th><th>wounded</th><th>captured</th>" in text and "killed by day 30" in text


def test_batch_size_does_not_change_the_series():
    a = run_memory(TAIWAN, 30, seed=4, batch_size=30, timeseries=True, overrides=US_AT_ONCE)
    b = run_memory(TAIWAN, 30, seed=4, batch_size=7, timeseries=True, overrides=US_AT_ONCE)
    for k in ("casualties", "losses_by_day", "daily_casualties"):
        np.testing.assert_array_equal(a["states"][k], b["states"][k], err_msg=k)


def test_metrics_by_kind():
    from wargame.crisis import metrics
    r = run_memory(TAIWAN, 20, seed=3, overrides=US_AT_ONCE)
    gp = np.zeros(len(r["layout"]["states"]), dtype=bool)
    m = metrics._metrics(r, r["layout"], gp)
    usa = r["layout"]["states"].index("USA")
    np.testing.assert_array_equal(m["killed.USA"], r["states"]["casualties"][:, usa, :, 0].sum(axis=1))
    cat = metrics.battle_catalogue(r["layout"], [])
    assert {"killed.USA", "wounded.TWN", "captured.PRC"} <= set(cat)
