"""`wargame sweep`: paired statistics (held against scipy), PRCC, common random numbers, the CLI."""

import json
import re
import subprocess

import h5py
import numpy as np
import pytest
import scipy.stats as ss

from conftest import CONFIGS, cli
from wargame.model import scenario
from wargame.analysis import sensitivity
from wargame.analysis import stats
from wargame.analysis import sweep
from wargame.analysis import sweep_file
from wargame.crisis import metrics as crisis_metrics

TAIWAN = CONFIGS / "taiwan_strait.toml"


# --------------------------------------------------------------------------- statistics against scipy


@pytest.mark.parametrize("t,df", [(0.3, 5), (2.1, 9999), (-4.0, 20), (10.0, 3), (1e-3, 100), (1.7, 1)])
def test_t_tail_matches_scipy(t, df):
    assert stats.t_sf2(t, df) == pytest.approx(2 * ss.t.sf(abs(t), df), rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("q,df", [(0.975, 9), (0.975, 9999), (0.995, 3), (0.9, 40)])
def test_t_quantile_matches_scipy(q, df):
    assert stats.t_ppf(q, df) == pytest.approx(ss.t.ppf(q, df), rel=1e-9)


@pytest.mark.parametrize("b,c", [(3, 10), (10, 3), (50, 60), (400, 520), (0, 7), (5, 5)])
def test_mcnemar_midp_is_exact_binomial_minus_half_point_mass(b, c):
    n, k = b + c, min(b, c)
    # Fagerland et al. (2013): mid-p = 2 P(X <= k) - P(X = k), X ~ Binomial(b + c, 1/2)
    midp = min(1.0, 2 * ss.binom.cdf(k, n, 0.5) - ss.binom.pmf(k, n, 0.5))
    assert stats.mcnemar_midp(b, c) == pytest.approx(midp, rel=1e-9)
    if b != c:  # equivalently: the exact test less the point mass
        assert midp == pytest.approx(ss.binomtest(k, n, 0.5).pvalue - ss.binom.pmf(k, n, 0.5), rel=1e-9)


def test_paired_t_matches_scipy():
    rng = np.random.default_rng(3)
    a = rng.gamma(2.0, 1000.0, 500)
    b = a + rng.normal(40.0, 300.0, 500)
    r = stats.paired(a, b)
    ref = ss.ttest_rel(b, a)
    assert r["p"] == pytest.approx(ref.pvalue, rel=1e-9)
    ci = ref.confidence_interval(0.95)
    assert (r["low"], r["high"]) == pytest.approx((ci.low, ci.high), rel=1e-9)


def test_holm_matches_the_step_down_definition():
    p = np.array([0.01, 0.04, 0.03, 0.005, np.nan, 0.5])
    # Reference: sort, multiply the i-th smallest by (m - i), carry the maximum, cap at 1.
    m, order = 5, [3, 0, 2, 1, 5]
    ref, run = np.full(6, np.nan), 0.0
    for i, j in enumerate(order):
        run = max(run, min(1.0, (m - i) * p[j]))
        ref[j] = run
    np.testing.assert_allclose(stats.holm(p), ref)
    assert np.isnan(stats.holm(p)[4])


def test_paired_tests_find_a_known_effect_and_hold_their_level():
    rng = np.random.default_rng(11)
    n = 2000
    base = rng.random(n) < 0.3
    better = base | (rng.random(n) < 0.05)  # 5 points more often true, in the same replications
    assert stats.paired(base, better)["p"] < 1e-10
    # Under the null (the two arms exchangeable in each pair) a 5% test rejects about 5% of the time.
    rejects = 0
    for _ in range(400):
        u = rng.random(n) < 0.3
        flip = rng.random(n) < 0.1  # discordant pairs, equally likely either way
        v = np.where(flip, rng.random(n) < 0.5, u)
        w = np.where(flip, ~v, u)
        rejects += stats.paired(v, w)["p"] < 0.05
    assert rejects <= ss.binom.ppf(0.999, 400, 0.05)  # mid-p is close to, not above, its level
    assert rejects >= ss.binom.ppf(0.001, 400, 0.05) * 0.5


# --------------------------------------------------------------------------- PRCC


def test_rankdata_matches_scipy_with_ties():
    x = np.array([3.0, 1.0, 2.0, 3.0, 3.0, 0.5, 2.0])
    np.testing.assert_array_equal(sensitivity.rankdata(x), ss.rankdata(x))


def test_prcc_equals_the_correlation_of_rank_regression_residuals():
    rng = np.random.default_rng(5)
    n = 600
    x = {"a": rng.random(n), "b": rng.normal(size=n), "c": rng.gamma(2.0, size=n)}
    y = np.exp(2 * x["a"]) - x["b"] + 0.3 * rng.normal(size=n) + 0.5 * x["a"] * x["c"]
    rows = {r["param"]: r for r in sensitivity.prcc(x, y)}
    # Marino et al. (2008) 3.3.1: regress rank(x_j) and rank(y) on the other ranks; correlate the residuals.
    ranks = {k: ss.rankdata(v) for k, v in x.items()}
    ry = ss.rankdata(y)
    for k in x:
        Z = np.column_stack([np.ones(n)] + [ranks[o] for o in x if o != k])
        ex = ranks[k] - Z @ np.linalg.lstsq(Z, ranks[k], rcond=None)[0]
        ey = ry - Z @ np.linalg.lstsq(Z, ry, rcond=None)[0]
        partial = ss.pearsonr(ex, ey).statistic
        assert rows[k]["prcc"] == pytest.approx(partial, abs=1e-10)
        t = partial * np.sqrt((n - 2 - 2) / (1 - partial ** 2))
        assert rows[k]["p"] == pytest.approx(2 * ss.t.sf(abs(t), n - 4), rel=1e-7, abs=1e-300)
    assert rows["a"]["prcc"] > 0.8 and rows["b"]["prcc"] < -0.8 and rows["a"]["p"] < 1e-10


def test_prcc_of_an_irrelevant_parameter_is_not_significant():
    rng = np.random.default_rng(8)
    n = 500
    x = {"driver": rng.random(n), "noise": rng.random(n)}
    y = x["driver"] + 0.2 * rng.normal(size=n) > 0.5  # a 0/1 outcome: many ties
    rows = {r["param"]: r for r in sensitivity.prcc(x, y)}
    assert rows["driver"]["low"] > 0.5
    assert rows["noise"]["low"] < 0 < rows["noise"]["high"]
    const = sensitivity.prcc(x, np.zeros(n))
    assert all(np.isnan(r["prcc"]) for r in const)


# --------------------------------------------------------------------------- arms and common random numbers


def test_vary_values_split_outside_brackets():
    assert sweep.split_values('self_help, never') == ["self_help", "never"]
    assert sweep.split_values('["JPN","TWN"],["JPN"]') == ['["JPN","TWN"]', '["JPN"]']
    assert sweep.split_values('{ dist = "uniform", low = 1, high = 2 },3') == ['{ dist = "uniform", low = 1, high = 2 }', "3"]


def test_several_vary_options_give_every_combination():
    varied = sweep.parse_vary(["states.USA.doctrine=self_help,never,collective_security",
                               'states.USA.treaties=["JPN"],["JPN","TWN"]'])
    arms = sweep.make_arms(str(TAIWAN), [("states.JPN.doctrine", "never")], varied)
    assert len(arms) == 6 and len({a.label for a in arms}) == 6
    last = arms[-1].loaded.scenario.states
    assert last["USA"].doctrine == "collective_security" and last["USA"].treaties == ["JPN", "TWN"]
    assert all(a.loaded.scenario.states["JPN"].doctrine == "never" for a in arms)  # the common override


@pytest.fixture(scope="module")
def taiwan_arms():
    """Two doctrines at one seed, and the second doctrine again at another seed (independent)."""
    ld = lambda d: scenario.load(TAIWAN, [("states.USA.doctrine", d)])  # noqa: E731
    a = sweep.arm_metrics(ld("self_help"), 300, 11)
    b = sweep.arm_metrics(ld("never"), 300, 11)
    c = sweep.arm_metrics(ld("never"), 300, 12)
    return a, b, c


def test_arms_share_every_sampled_parameter(taiwan_arms):
    (_, pa), (_, pb), (_, pc) = taiwan_arms
    assert pa and set(pa) == set(pb)
    for k in pa:
        np.testing.assert_array_equal(pa[k], pb[k])  # same seed: identical draws in every arm
        assert not np.array_equal(pa[k], pc[k])  # another seed: other draws


def test_common_random_numbers_shrink_the_variance_of_differences(taiwan_arms):
    (ma, _), (mb, _), (mc, _) = taiwan_arms
    for m in ("defender_survives", "losses.PRC", "losses.TWN"):
        crn = np.var(mb[m].astype(float) - ma[m])
        ind = np.var(mc[m].astype(float) - ma[m])
        assert crn < ind / 3, (m, crn, ind)


def test_comparison_detects_the_doctrine_effect_on_intervention(taiwan_arms):
    (ma, pa), (mb, pb), _ = taiwan_arms
    arms = [sweep.Arm("self_help", [], metrics=ma, params=pa), sweep.Arm("never", [], metrics=mb, params=pb)]
    est, rows = sweep.comparison(arms, list(ma))
    r = {x["metric"]: x for x in rows}
    assert ma["intervened.USA"].mean() > 0.1 and not mb["intervened.USA"].any()
    assert r["intervened.USA"]["significant"] and r["intervened.USA"]["diff"] < 0
    assert r["great_power_war"]["significant"]  # PRC and USA are both great powers
    assert r["losses.JPN"]["p_holm"] == 1.0 and not r["losses.JPN"]["significant"]  # never differs: untested


def test_great_power_war_needs_a_great_power_on_each_side():
    layout = {"states": ["A", "D", "T"], "attacker": 0, "defender": 1,
              "outcomes": ["no_war", "attacker_wins", "defender_holds", "ceasefire", "unresolved", "nuclear_use"]}
    cols = {"replications": {"outcome": np.array([1, 2, 2, 0], "i1"), "war_day": np.array([5, 5, 5, np.nan])},
            "states": {"side": np.array([[1, -1, -1], [1, -1, -1], [1, -1, 1], [1, -1, 0]], "i1"),
                       "intervened": np.array([[0, 0, 1], [0, 0, 0], [0, 0, 1], [0, 0, 0]], bool),
                       "escalation_level": np.zeros((4, 3), "i1"), "losses": np.zeros((4, 3, 3))}}
    m = crisis_metrics._metrics(cols, layout, np.array([True, False, True]))
    # rep 0: T joins the defender against great power A; rep 1: T stays out; rep 2: T joins A; rep 3: no war.
    np.testing.assert_array_equal(m["great_power_war"], [True, False, False, False])
    np.testing.assert_array_equal(m["defender_survives"], [False, True, True, True])


# --------------------------------------------------------------------------- the CLI


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    d = tmp_path_factory.mktemp("sweep")
    out = d / "s.h5"
    p = cli("sweep", TAIWAN, "--vary", "states.USA.doctrine=self_help,never", "--runs", 200, "--seed", 3,
            "--out", out, "--workers", 1)
    assert p.returncode == 0, p.stderr
    return d, out, p


def test_sweep_cli_prints_and_stores_the_comparison(swept):
    d, out, p = swept
    assert "arm A: USA.doctrine=self_help" in p.stdout and "arm B: USA.doctrine=never" in p.stdout
    assert re.search(r"B-A\s+intervened\.USA\s+-\d", p.stdout)
    with h5py.File(out, "r") as f:  # read without our code
        assert f.attrs["kind"] == "wargame-sweep" and f.attrs["runs"] == 200 and f.attrs["seed"] == 3
        arms = json.loads(f.attrs["arms"])
        assert [a["overrides"] for a in arms] == [[["states.USA.doctrine", "self_help"]],
                                                 [["states.USA.doctrine", "never"]]]
        assert f["arms/0/metrics/defender_survives"].shape == (200,)
        assert f["arms/1/params/states.USA.casualty_tolerance"].dtype == np.float64
        cmp = f["comparison"][()]
        assert {r["metric"].decode() for r in cmp} >= {"defender_survives", "great_power_war", "losses.TWN"}
        assert f["sensitivity"].shape[0] > 0
    # The same replication in a plain run is the same replication in the sweep.
    run = d / "run.h5"
    q = cli("run", TAIWAN, "--runs", 50, "--seed", 3, "--out", run, "--quiet", "--doctrine", "USA=never")
    assert q.returncode == 0, q.stderr
    with h5py.File(run, "r") as f, h5py.File(out, "r") as g:
        twn = json.loads(f.attrs["layout"])["states"].index("TWN")
        np.testing.assert_allclose(f["states/losses"][:, twn, :].sum(axis=1), g["arms/1/metrics/losses.TWN"][:50])


def test_sweep_aa_comparison_flags_nothing(tmp_path):
    out = tmp_path / "aa.h5"
    p = cli("sweep", TAIWAN, "--vary", "scenario.title=first,second", "--runs", 100, "--out", out, "--quiet",
            "--workers", 1)
    assert p.returncode == 0, p.stderr
    d = sweep_file.read(out)
    assert d["comparison"] and not any(r["significant"] for r in d["comparison"])
    assert all(r["diff"] == 0 for r in d["comparison"])


@pytest.mark.parametrize("args,msg", [
    (["--vary", "states.USA.doctrin=self_help,never"], "states.USA.doctrin"),
    (["--vary", "states.XXX.doctrine=self_help,never"], "'states.XXX' does not exist"),
    (["--vary", "states.USA.doctrine=self_help,bogus"], "states.USA.doctrine = 'bogus'"),
    (["--vary", "states.USA.doctrine=never"], "at least 2"),
    (["--vary", "states.USA.doctrine"], "expected KEY=VALUE1,VALUE2"),
    (["--vary", "states.USA.doctrine=never,,self_help"], "a value is empty"),
    ([], "at least one --vary"),
    (["--vary", "states.USA.doctrine=never,self_help", "--runs", "0"], "--runs 0: must be >= 1"),
    (["--vary", "states.USA.doctrine=never,self_help", "--workers", "0"], "--workers 0: must be >= 1"),
    (["--vary", "states.USA.doctrine=never,self_help", "--batch-size", "-1"], "--batch-size -1: must be >= 1"),
])
def test_sweep_bad_input_is_one_line_and_exit_2(tmp_path, capsys, args, msg):
    from wargame.cli.main import main  # in process: quick; the fixture above drives the real command

    assert main(["sweep", str(TAIWAN), *args, "--out", str(tmp_path / "x.h5")]) == 2
    err = capsys.readouterr().err
    assert msg in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "x.h5").exists()


def test_sweep_report_renders_in_headless_chromium(swept, tmp_path):
    from wargame.report.html import HEADLESS, chromium

    _, out, _ = swept
    html = tmp_path / "r.html"
    p = cli("report", out, "--out", html)
    assert p.returncode == 0, p.stderr
    text = html.read_text()
    for s in ("Sweep report", "Differences", "McNemar", "what drives defender_survives", "Scenario and provenance"):
        assert s in text
    exe = chromium()
    if exe is None:
        pytest.skip("Chromium is not installed")
    q = subprocess.run([exe, *HEADLESS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", html.as_uri()],
                       capture_output=True, text=True, timeout=120)
    assert q.returncode == 0, q.stderr[-2000:]
    figures = int(re.search(r'data-figures="(\d+)"', q.stdout).group(1))
    rendered = int(re.search(r'data-rendered="(\d+)"', q.stdout).group(1))
    assert figures >= 5 and rendered == figures


def test_sweep_figures_name_the_arms_by_their_values(swept):
    from wargame.report import sweep as sweep_report

    _, out, _ = swept
    figs = sweep_report.build(out)[1]
    assert figs["arms_defender_survives"].data["labels"] == ["doctrine=self_help", "doctrine=never"]
    d = sweep_file.read(out)
    diff = figs["diff_prob_1_0"]
    assert "(doctrine=never) minus (doctrine=self_help)" in diff  # the title, in the SVG's text
    # personnel metrics (losses and killed/wounded/captured by state) have their own figure
    rows = [r for r in d["comparison"] if not r["metric"].startswith(sweep_file.PERSONNEL)]
    assert list(diff.data["values"]) == [r["diff"] for r in rows]
    assert any(r["metric"] == "killed.USA" for r in d["comparison"])


def test_a_numeric_sweep_draws_probabilities_against_the_value(tmp_path):
    from wargame.report import sweep as sweep_report

    out = tmp_path / "n.h5"
    p = cli("sweep", TAIWAN, "--vary", "states.USA.casualty_tolerance=0.1,0.5", "--runs", 40, "--out", out,
            "--quiet", "--workers", 1)
    assert p.returncode == 0, p.stderr
    figs = sweep_report.build(out)[1]
    r = figs["response"].data
    assert list(r["x"]) == [0.1, 0.5]
    est = {(e["metric"], e["arm"]): e["estimate"] for e in sweep_file.read(out)["estimates"]}
    assert list(r["series"]["defender_survives"][0]) == [est[("defender_survives", 0)], est[("defender_survives", 1)]]


def test_sweep_refuses_to_overwrite(tmp_path, capsys):
    from wargame.cli.main import main

    out = tmp_path / "x.h5"
    out.write_text("keep me")
    assert main(["sweep", str(TAIWAN), "--vary", "states.USA.doctrine=never,self_help", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--overwrite" in err and "--resume" in err and out.read_text() == "keep me"


def test_a_system_scenario_sweeps_its_doctrines(tmp_path):
    """The system kind (engine/system) plugs into the same sweep: its own metrics, same statistics."""
    out = tmp_path / "earth.h5"
    p = cli("sweep", CONFIGS / "earth.toml", "--vary", "system.doctrine=realpolitik,collective_security",
            "--runs", "60", "--out", out, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    d = sweep_file.read(out)
    assert d["attrs"]["kind"] == sweep_file.FILE_KIND and "all_survived" in d["metrics"]
    probs = sweep_file.probabilities(d)
    assert "all_survived" in probs and "survivors" not in probs  # a count is a mean, not a share
    survivors = [r for r in d["estimates"] if r["metric"] == "survivors"]
    assert all(1 <= r["estimate"] <= 10 for r in survivors)
    assert re.search(r"survivors\s+\d+\.\d \[", p.stdout)  # printed as a number, not a percentage
    # Collective security keeps more states alive than realpolitik in this system, significantly.
    row = next(r for r in d["comparison"] if r["metric"] == "survivors")
    assert row["diff"] > 0 and row["significant"]
