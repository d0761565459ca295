"""The run summary's percentiles come from histograms: exact on the day grid, within a stated
relative error for losses, checked against numpy's own percentiles of the raw values."""

import numpy as np
import pytest

from conftest import CONFIGS
from wargame import kinds
from wargame.model import scenario
from wargame.crisis import summary
from wargame.execution.results import MemoryResults
from wargame.estimate import Histogram

QS = [50, 5, 95, 0, 100, 37.5]


@pytest.mark.parametrize("step", [1.0, 0.5, 0.25, 7.0])
def test_grid_percentiles_are_exact(step):
    x = np.random.default_rng(3).integers(0, 500, 9_999) * step
    h = Histogram(step)
    for part in np.array_split(x, 7):  # chunked, as a file is read
        h.add(part)
    assert h.n == x.size
    assert h.percentile(QS) == pytest.approx(tuple(np.percentile(x, QS)), rel=0, abs=1e-12)


def test_continuous_percentiles_within_the_stated_error():
    rng = np.random.default_rng(4)
    x = np.concatenate([rng.lognormal(9, 2.5, 30_000), np.zeros(700), [np.nan, np.inf]])
    h = Histogram()
    h.add(x)
    exact = np.percentile(x[np.isfinite(x)], QS)
    got = np.array(h.percentile(QS))
    assert got[exact == 0].tolist() == [0.0] * int((exact == 0).sum())  # zeros are counted exactly
    pos = exact > 0
    assert np.all(np.abs(got[pos] / exact[pos] - 1) <= Histogram.REL / 2 + 1e-12)
    assert np.isnan(Histogram().percentile([50])[0])  # nan when empty


def test_run_summary_matches_the_raw_columns():
    loaded = scenario.load(CONFIGS / "taiwan_strait.toml")
    sink = MemoryResults()
    kinds.run(loaded, 3_000, seed=11, sink=sink, batch_size=700)
    res = sink.read()
    s = summary.compute(res)
    rp, st = res["replications"], res["states"]
    war = np.isfinite(rp["war_day"])
    assert s["duration"] == pytest.approx(tuple(np.percentile((rp["end_day"] - rp["war_day"])[war], [50, 5, 95])))
    for k, row in enumerate(s["states"]):
        loss = st["losses"][war, k, :].sum(axis=1)
        exact = np.percentile(loss, [50, 5, 95])
        assert row["losses"] == pytest.approx(tuple(exact), rel=Histogram.REL / 2, abs=1e-9)
        iv = st["intervened"][:, k]
        if iv.any():
            assert row["median_day"] == np.median(st["intervention_day"][iv, k] - rp["war_day"][iv])
