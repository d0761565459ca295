"""Every shipped scenario gives the same result arrays, bit for bit, as before the package move.

tests/data/digests.json was recorded at c23c597 (the flat ``engine`` package) by running each
config for 40 replications, seed 2026, batches of 16, with daily time series for crisis
scenarios, and hashing every result array (tests/digest.py). A change that alters results on
purpose re-records it and says why in its commit.
"""

import json

import pytest

from conftest import CONFIGS, DATA
from digest import digest

DIGESTS = json.loads((DATA / "digests.json").read_text())


def test_every_shipped_config_has_a_digest():
    assert sorted(DIGESTS) == sorted(p.stem for p in CONFIGS.glob("*.toml"))


@pytest.mark.parametrize("name", sorted(DIGESTS))
def test_results_are_bit_identical_to_the_recorded_ones(name):
    from wargame import kinds
    from wargame.execution.results import MemoryResults
    from wargame.model import scenario

    loaded = scenario.load(CONFIGS / f"{name}.toml")
    sink = MemoryResults()
    kinds.run(loaded, 40, seed=2026, sink=sink, batch_size=16, timeseries=kinds.of(loaded).timeseries)
    assert digest(sink.read()) == DIGESTS[name]
