"""Ships by class and aircraft by type lost by days 7, 21 and 30 of the war (always) and on each day
(--timeseries): engine/crisis/timeseries.py, docs/model.md §3.6, docs/results-format.md."""

import json

import h5py
import numpy as np
import pytest

from conftest import CONFIGS, cli, run_memory
from wargame.crisis import air_force, casualties, timeseries
from wargame.crisis.events import attach
from wargame.crisis.world import World
from wargame.model import scenario

TAIWAN = CONFIGS / "taiwan_strait.toml"
US_AT_ONCE = ["--set", 'states.USA.treaties=["JPN","TWN"]', "--set", 'states.USA.doctrine="collective_security"',
              "--set", "states.USA.deploy_delay_days=0"]
NEW = ("ships_lost_by_day", "aircraft_lost_by_day", "daily_ships_lost", "daily_aircraft_lost")

# Known losses on known days: {rep: {day: amount}}, the same for one state's first ship class and first
# aircraft type (aircraft alternate in the air and on the ground: the marks count both).
SHIPS = {0: {3: 2.0, 15: 1.0, 25: 0.5, 35: 4.0},  # war from day 0: by day 7 = 2, 21 = 3, 30 = 3.5; total 7.5
         1: {12: 1.0, 20: 1.0, 35: 2.0, 45: 1.0}}  # war from day 10 (war days 2, 10, 25, 35): 1, 2, 4; total 5
PLANES = {0: {2: 1.0, 6: 2.0, 8: 3.0},  # by day 7 = 3, 21 = 6, 30 = 6
          1: {11: 5.0, 41: 1.0}}  # war days 1 and 31: 5, 5, 5; total 6
# rep 2: no war; its marks stay 0 (and it loses nothing)


def _hand_world():
    sc = scenario.loads(TAIWAN.read_text(), TAIWAN.name, []).scenario
    w = attach(World(sc, 5, np.arange(3)))
    w.war_day[:] = [0.0, 10.0, np.nan]
    w.at_war[:] = [True, True, False]
    w.ended[:] = False
    return w


def test_hand_checked_marks_and_daily_values():
    w = _hand_world()
    assert w.dt == 1.0
    s, c = w.state_ids.index("USA"), 0
    ts = timeseries.TimeSeries(w)
    for t in range(1, 61):
        for rep, days in SHIPS.items():
            w.ships_lost[rep, s, c] += days.get(t, 0.0)
        for rep, days in PLANES.items():
            w.aircraft_lost[rep, s, c, t % 2] += days.get(t, 0.0)
        casualties.mark(w, float(t))
        ts.record(w, float(t))
    np.testing.assert_array_equal(w.ship_marks[:, s, c], [[2.0, 3.0, 3.5], [1.0, 2.0, 4.0], [0.0, 0.0, 0.0]])
    np.testing.assert_array_equal(w.aircraft_marks[:, s, c], [[3.0, 6.0, 6.0], [5.0, 5.0, 5.0], [0.0, 0.0, 0.0]])
    assert not w.ship_marks[:, np.arange(w.S) != s].any() and not w.ship_marks[:, :, 1:].any()
    # The daily series: each loss on its own day (index day - 1), nothing on the other days.
    for rep in (0, 1, 2):
        want = np.zeros(ts.T)
        for d, x in SHIPS.get(rep, {}).items():
            want[d - 1] = x
        np.testing.assert_array_equal(ts.ships[rep, s, :, c], want)
        want = np.zeros(ts.T)
        for d, x in PLANES.get(rep, {}).items():
            want[d - 1] = x
        np.testing.assert_array_equal(ts.aircraft[rep, s, :, c], want)
    np.testing.assert_array_equal(ts.ships.sum(axis=2), w.ships_lost)  # exact: the amounts are binary fractions
    np.testing.assert_array_equal(ts.aircraft.sum(axis=2), w.aircraft_lost.sum(axis=3))


def test_a_war_that_ended_keeps_its_final_total():
    w = _hand_world()
    s = w.state_ids.index("PRC")
    for t in range(1, 41):
        if t == 4:
            w.ships_lost[0, s, 1] += 3.0
        if t == 5:  # the war ends on day 5: the marks go on being taken, and stay at the total
            w.ended[0], w.end_day[0] = True, 5.0
        casualties.mark(w, float(t))
    np.testing.assert_array_equal(w.ship_marks[0, s, 1], [3.0, 3.0, 3.0])
    cols = air_force.columns(w)
    assert cols["aircraft_lost_by_day"].dtype == np.float32 and cols["aircraft_lost_by_day"].shape == (3, w.S, 2, 3)


def test_no_class_tables_no_new_columns():
    r = run_memory(CONFIGS / "duel.toml", 5, seed=1, timeseries=True)
    assert not set(NEW) & set(r["states"])
    assert "daily_casualties" in r["states"]  # the personnel series is still written


@pytest.fixture(scope="module")
def taiwan(tmp_path_factory):
    out = tmp_path_factory.mktemp("ts") / "t.h5"
    p = cli("run", TAIWAN, "--runs", "30", "--seed", "3", "--batch-size", "11", "--timeseries", "--out", out,
            "--quiet", *US_AT_ONCE)
    assert p.returncode == 0, p.stderr
    return out


def _columns(path):
    with h5py.File(path, "r") as h:
        g = h["batches"][sorted(h["batches"])[0]] if "batches" in h else h
        return {k: g[f"states/{k}"][()] for k in ("ships_lost", "aircraft_lost") + NEW} | {
            "war": g["replications/war_day"][()], "end": g["replications/end_day"][()]}


def test_cli_run_sums_and_marks(taiwan):
    c = _columns(taiwan)
    R, S, C = c["ships_lost"].shape
    A = c["aircraft_lost"].shape[2]
    assert c["ships_lost_by_day"].shape == (R, S, C, 3) and c["ships_lost_by_day"].dtype == np.float64
    assert c["aircraft_lost_by_day"].shape == (R, S, A, 3) and c["aircraft_lost_by_day"].dtype == np.float32
    assert c["daily_ships_lost"].dtype == np.float32 and c["daily_ships_lost"].shape[:2] == (R, S)
    assert c["daily_ships_lost"].shape[3] == C and c["daily_aircraft_lost"].shape[3] == A
    assert c["ships_lost"].sum() > 0 and c["aircraft_lost"].sum() > 0  # wars were fought
    # The daily series add up to the totals (float32 days, so to single precision).
    np.testing.assert_allclose(c["daily_ships_lost"].sum(axis=2, dtype=float), c["ships_lost"], rtol=1e-4, atol=1e-3)
    planes = c["aircraft_lost"].sum(axis=3, dtype=float)
    np.testing.assert_allclose(c["daily_aircraft_lost"].sum(axis=2, dtype=float), planes, rtol=1e-4, atol=1e-2)
    # by day 7 <= by day 21 <= by day 30 <= the total; 0 without a war; a war of 30 days or less: day 30 = total.
    for by, tot in ((c["ships_lost_by_day"], c["ships_lost"]), (c["aircraft_lost_by_day"], planes)):
        assert (np.diff(by, axis=3) >= -1e-6).all() and (by[..., -1] <= tot + 1e-4).all()
        assert (by[~np.isfinite(c["war"])] == 0).all()
        short = np.isfinite(c["war"]) & (c["end"] - c["war"] <= 30)
        assert short.any()
        np.testing.assert_allclose(by[short][..., -1], tot[short], rtol=1e-6, atol=1e-4)
    # The day-7 mark is the first 7 days of the war in the daily series.
    for r in np.flatnonzero(np.isfinite(c["war"]))[:5]:
        d0 = int(round(c["war"][r]))
        np.testing.assert_allclose(c["daily_ships_lost"][r, :, d0:d0 + 7].sum(axis=1, dtype=float),
                                   c["ships_lost_by_day"][r, ..., 0], rtol=1e-4, atol=1e-3)
        np.testing.assert_allclose(c["daily_aircraft_lost"][r, :, d0:d0 + 7].sum(axis=1, dtype=float),
                                   c["aircraft_lost_by_day"][r, ..., 0], rtol=1e-4, atol=1e-2)


def test_xarray_and_h5dump_read_the_new_columns(taiwan):
    import shutil
    import subprocess
    import warnings

    xr = pytest.importorskip("xarray")
    pytest.importorskip("h5netcdf")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a phony (unnamed) dimension would warn
        ds = xr.open_dataset(taiwan, engine="h5netcdf", group="states").load()
    assert ds["ships_lost_by_day"].dims == ("replication", "state", "ship_class", "mark")
    assert ds["aircraft_lost_by_day"].dims == ("replication", "state", "aircraft_type", "mark")
    assert ds["daily_ships_lost"].dims == ("replication", "state", "day", "ship_class")
    assert ds["daily_aircraft_lost"].dims == ("replication", "state", "day", "aircraft_type")
    marks = [m.decode() if isinstance(m, bytes) else m for m in ds["mark"].values]
    assert marks == ["day 7", "day 21", "day 30"]
    from wargame.analysis import labelled
    from wargame.execution.store import read
    res = read(taiwan)
    lab = labelled.dataset(res)
    usa = res["layout"]["states"].index("USA")
    np.testing.assert_array_equal(lab["ships_lost_by_day"].sel(state="USA", mark="day 30"),
                                  res["states"]["ships_lost_by_day"][:, usa, :, 2])
    np.testing.assert_array_equal(lab["daily_aircraft_lost"].sel(state="USA"),
                                  res["states"]["daily_aircraft_lost"][:, usa])
    if shutil.which("h5dump") is None:
        pytest.skip("h5dump not installed")
    p = subprocess.run(["h5dump", "-A", "-d", "/states/ships_lost_by_day", "-d", "/states/daily_aircraft_lost",
                        str(taiwan)], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert all(f'"/states/{d}"' in p.stdout for d in ("replication", "state", "ship_class", "mark", "day",
                                                      "aircraft_type"))


def test_summary_text_and_json(taiwan, tmp_path):
    s = cli("summary", taiwan)
    assert s.returncode == 0, s.stderr
    assert "Ships lost by class by day of the war, median (day 7, day 21, day 30)" in s.stdout
    assert "Aircraft lost by type by day of the war, median (day 7, day 21, day 30)" in s.stdout
    j = json.loads(cli("summary", taiwan, "--json").stdout)
    usa = next(x for x in j["ships_by_class"]["states"] if x["state"] == "USA")
    for cls, by in usa["by_day"].items():
        v = list(by.values())
        assert v == sorted(v) and v[-1] <= usa["classes"][cls][2] + 0.5
    rows = [r for r in j["aircraft"]["rows"] if r["state"] == "PRC"]
    assert rows and all(list(r["by_day"]) == ["day 7", "day 21", "day 30"] for r in rows)
    html = tmp_path / "t.html"
    assert cli("report", taiwan, "--out", html).returncode == 0
    text = html.read_text()
    assert "<h3>Ships lost by day of the war</h3>" in text and "<th>lost by day 30, median</th>" in text
