"""Fleets by ship class (engine/crisis/fleet.py, engine/model/fleet.py; docs/model.md §3.2.2)."""

import h5py
import numpy as np
from hypothesis import given, settings, strategies as st

from conftest import CONFIGS, cli, run_memory
from wargame.crisis import fleet
from wargame.crisis.events import attach
from wargame.crisis.world import World
from wargame.model import scenario

TAIWAN = CONFIGS / "taiwan_strait.toml"
US_AT_ONCE = [("states.USA.treaties", '["JPN","TWN"]'), ("states.USA.doctrine", '"collective_security"'),
              ("states.USA.deploy_delay_days", "0")]

# The worked example of docs/model.md §3.2.2: 10 destroyers (cp 1, 8 missiles, htk 2, signature 1),
# 2 carriers (cp 1, 0 missiles, htk 6, signature 2), 10 submarines (cp 1, 4 missiles, htk 1, signature 0.2).
N, CP, HTK, SIG = np.array([10.0, 2.0, 10.0]), np.ones(3), np.array([2.0, 6.0, 1.0]), np.array([1.0, 2.0, 0.2])


def test_hand_worked_allocation():
    # pi = (10, 4, 2) / 16 = (0.625, 0.25, 0.125); cp per hit = 0.625/2 + 0.25/6 + 0.125/1 = 0.4791667;
    # 2.875 cp lost = 6 hits -> 6 x 0.625/2 = 1.875 destroyers, 6 x 0.25/6 = 0.25 carriers, 0.75 submarines.
    lost, left = fleet.allocate(N, CP, HTK, SIG, np.array(2.875))
    np.testing.assert_allclose(lost, [1.875, 0.25, 0.75])
    assert left == 0.0


def test_a_spent_class_passes_its_share_on():
    # 1 corvette (htk 1) and 1 destroyer (htk 2), equal signatures; 1.8 cp lost: 2.4 hits would take
    # 1.2 corvettes; the corvette goes (1), the destroyer 0.6, and the 0.2 cp left over lands on the
    # destroyer alone (0.2 more): 1 + 0.8 = 1.8.
    lost, left = fleet.allocate(np.ones(2), np.ones(2), np.array([1.0, 2.0]), np.ones(2), np.array(1.8))
    np.testing.assert_allclose(lost, [1.0, 0.8])
    assert left == 0.0


def test_salvo_parameters_of_the_worked_example():
    # missiles per cp (80 + 0 + 40) / 22 = 5.4545; interceptions (60 + 8 + 0) / 22 = 3.0909;
    # hits per cp lost 1 / 0.4791667 = 2.0870 (docs/model.md §3.2.2).
    w = attach(World(scenario.load(TAIWAN).scenario, 1, np.arange(2)))
    s = w.state_ids.index("USA")
    for k, v in {"count": N, "combat_power": CP, "hits_to_kill": HTK, "signature": SIG,
                 "missiles": [8.0, 0.0, 4.0], "interceptions": [6.0, 4.0, 0.0]}.items():
        w.cls[k][:, s, :] = 0.0
        w.cls[k][:, s, :3] = v
    w.ships[:] = w.cls["count"]
    p = fleet.per_cp(w, np.arange(2))
    np.testing.assert_allclose(p["missiles"][:, s], 120 / 22)
    np.testing.assert_allclose(p["interceptions"][:, s], 68 / 22)
    np.testing.assert_allclose(p["hits_to_kill"][:, s], 1 / (0.625 / 2 + 0.25 / 6 + 0.125))


fleets = st.integers(1, 6).flatmap(lambda c: st.tuples(
    st.lists(st.floats(0, 200), min_size=c, max_size=c), st.lists(st.floats(0.01, 5), min_size=c, max_size=c),
    st.lists(st.floats(0.1, 10), min_size=c, max_size=c), st.lists(st.floats(0.001, 10), min_size=c, max_size=c),
    st.floats(0, 1.2)))


@settings(max_examples=300, deadline=None)
@given(fleets)
def test_conservation(f):
    n, cp, htk, sig, share = (np.array(x) for x in f)
    total = float((n * cp).sum())
    dcp = np.array(share * total)
    lost, left = fleet.allocate(n, cp, htk, sig, dcp)
    assert (lost >= 0).all() and (lost <= n * (1 + 1e-12)).all()  # never negative, never more than present
    booked = float((lost * cp).sum())
    want = min(float(dcp), total)
    assert abs(booked - want) <= 1e-9 * max(want, 1.0)  # sum of class losses x cp == the cp lost
    assert abs(booked + float(left) - float(dcp)) <= 1e-9 * max(float(dcp), 1.0)


def _war(res):
    return np.isfinite(res["replications"]["war_day"])


def test_run_conserves_and_counts_crews():
    r = run_memory(TAIWAN, 40, seed=3, overrides=US_AT_ONCE)
    st_ = r["states"]
    w = World(scenario.load(TAIWAN).scenario, 3, np.arange(40))
    attach(w)
    cp = w.cls["combat_power"]
    lost = st_["ships_lost"]
    assert (lost >= 0).all() and (lost <= w.cls["count"] * (1 + 1e-12)).all()
    np.testing.assert_allclose((lost * cp).sum(axis=2), st_["losses_cp"][:, :, 2], rtol=1e-9, atol=1e-9)
    crews = (lost * w.cls["crew"] * w.cls["crew_loss_share"]).sum(axis=2)
    np.testing.assert_allclose(st_["losses"][:, :, 2], crews, rtol=1e-9)
    np.testing.assert_allclose(st_["casualties"][:, :, 2].sum(axis=2), crews, rtol=1e-9)
    assert lost[_war(r)].sum() > 0


def test_batch_size_does_not_change_the_bits():
    a = run_memory(TAIWAN, 64, seed=4, batch_size=64, overrides=US_AT_ONCE)
    b = run_memory(TAIWAN, 64, seed=4, batch_size=7, overrides=US_AT_ONCE)
    assert a["states"]["ships_lost"].tobytes() == b["states"]["ships_lost"].tobytes()


def test_column_summary_and_metrics(tmp_path):
    out = tmp_path / "t.h5"
    p = cli("run", str(TAIWAN), "--runs", "40", "--seed", "3", "--out", str(out), "--quiet",
            *sum((["--set", f"{k}={v}"] for k, v in US_AT_ONCE), []))
    assert p.returncode == 0, p.stderr
    with h5py.File(out, "r") as h:
        lost = h["states/ships_lost"][()]
        classes = [c.decode() if isinstance(c, bytes) else c for c in h["states/ship_class"][()]]
    assert lost.shape == (40, 4, len(classes))
    assert classes[:6] == ["carrier", "cruiser_destroyer", "frigate", "corvette", "submarine", "amphibious"]
    assert "small_combatant" in classes and "support" in classes
    s = cli("summary", str(out))
    assert s.returncode == 0, s.stderr
    assert "Ships lost by class in wars" in s.stdout
    line = next(ln for ln in s.stdout.splitlines() if ln.startswith("  USA   carrier"))
    assert "cruiser_destroyer" in line
    j = cli("summary", str(out), "--json")
    assert '"ships_by_class"' in j.stdout


def test_no_fleet_no_column():
    r = run_memory(CONFIGS / "duel.toml", 5, seed=1)
    assert "ships_lost" not in r["states"] and "ship_classes" not in r["layout"]


def test_summary_and_report_section_in_memory():
    from wargame.crisis import fleet_summary, summary

    r = run_memory(TAIWAN, 40, seed=3, overrides=US_AT_ONCE)
    s = fleet_summary.compute(r)
    usa = next(x for x in s["states"] if x["state"] == "USA")
    war = _war(r)
    c = r["layout"]["ship_classes"].index("carrier")
    want = np.median(r["states"]["ships_lost"][war, r["layout"]["states"].index("USA"), c])
    assert abs(usa["classes"]["carrier"][0] - want) <= 0.1  # the histogram's median, to its bin width
    assert usa["classes"]["carrier"][1] <= usa["classes"]["carrier"][0] <= usa["classes"]["carrier"][2]
    assert "Ships lost by class in wars" in summary.format_table(summary.compute(r))
    html = fleet_summary.report_section(s)
    assert "<h3>Ships lost by class</h3>" in html and "<th>cruiser_destroyer</th>" in html
    assert fleet_summary.report_section(None) == "" and fleet_summary.format_lines(None) == []
