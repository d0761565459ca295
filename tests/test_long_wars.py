"""Wars that last years: a 1,100-day horizon through run, summary, --timeseries and the report.

The war: afghanistan_2021 with its morale cascade switched off (attrition only, as in
tests/test_cases.py) and no stalemate window before the horizon, so most replications are
still at war after two years and many at the horizon. Memory is bounded by design: a
batch's daily series is one float32 array of batch_size x days x fronts x 3 values
(crisis/timeseries.py; docs/results-format.md), the report reads at most BAND_SAMPLE
replications of it, and the summary and the case figures read columns and events, never
the series.
"""

import h5py
import numpy as np
import pytest

from conftest import CONFIGS, cli
from wargame.crisis.timeseries import TimeSeries
from wargame.crisis.world import OUTCOMES, World
from wargame.execution.store import read
from wargame.model import scenario

DAYS, RUNS, BATCH = 1100, 24, 8
SETS = [f"scenario.horizon_days={DAYS}", f"termination.stalemate_days={DAYS}"] + [
    f"states.AFG.morale.{k}={v}" for k, v in (("initial", "1.0"), ("loss_weight", "0.0"), ("fall_shock", "0.0"),
                                               ("isolation_per_day", "0.0"), ("patron_shock", "0.0"),
                                               ("desertion_per_day", "0.0"))]


@pytest.fixture(scope="module")
def long_war(tmp_path_factory):
    d = tmp_path_factory.mktemp("long")
    out = d / "long.h5"
    args = ["run", CONFIGS / "afghanistan_2021.toml", "--runs", RUNS, "--batch-size", BATCH, "--seed", 11,
            "--timeseries", "--out", out]
    for s in SETS:
        args += ["--set", s]
    p = cli(*args)
    assert p.returncode == 0, p.stderr
    return d, out, p.stdout


def test_the_wars_do_last_years(long_war):
    _, out, _ = long_war
    res = read(out, logs=False)
    r = res["replications"]
    length = r["end_day"] - r["war_day"]
    assert np.isfinite(length).all() and (length <= DAYS).all()
    assert np.median(length) > 365  # the test means something only if the wars outlast a year
    assert (r["outcome"] == OUTCOMES.index("unresolved")).any()
    for k, v in res["states"].items():
        if np.issubdtype(np.asarray(v).dtype, np.floating) and k != "withdrew_day" and k != "intervention_day":
            assert np.isfinite(v).all(), k


def test_the_daily_series_has_one_row_a_day_and_nan_only_outside_the_war(long_war):
    _, out, _ = long_war
    with h5py.File(out, "r") as f:
        ts = f["timeseries/fronts"][()]
        war, end = f["replications/war_day"][()], f["replications/end_day"][()]
    assert ts.shape == (RUNS, DAYS, 8, 3) and ts.dtype == np.float32
    assert ts.nbytes == RUNS * DAYS * 8 * 3 * 4  # the whole size: replications x days x fronts x 3 float32
    day = np.arange(1, DAYS + 1)  # row k holds day k + 1, from the war's first day to its last
    inside = (day[None, :] >= war[:, None]) & (day[None, :] <= end[:, None])
    assert np.isfinite(ts[inside]).all()
    assert np.isnan(ts[~inside]).all()
    assert (ts[inside][:, 0] >= 0).all() and (ts[inside][:, 1] >= 0).all()


def test_a_batch_holds_its_series_in_one_array_of_known_size():
    sc = scenario.loads((CONFIGS / "afghanistan_2021.toml").read_text(), "afg.toml",
                        [("scenario.horizon_days", str(DAYS))]).scenario
    w = World(sc, 1, np.arange(BATCH, dtype=np.int64))
    assert TimeSeries(w).data.nbytes == BATCH * DAYS * w.F * 3 * 4  # 845 KB for 8 replications; 211 MB for 2,000


def test_summary_and_report_of_a_long_war(long_war):
    d, out, stdout = long_war
    assert "unresolved" in stdout and "nan" not in stdout.lower()
    assert "730: " in stdout and "1095: " in stdout  # regions held, by day of the war, beyond the first year
    s = cli("summary", out)
    assert s.returncode == 0 and "nan" not in s.stdout.lower() and "1095: " in s.stdout, s.stderr
    r = cli("report", out, "--out", d / "long.html")
    assert r.returncode == 0, r.stderr
    html = (d / "long.html").read_text()
    assert "Force trajectories" in html and "NaN" not in html and ">nan<" not in html.lower()
