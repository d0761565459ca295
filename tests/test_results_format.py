"""Results files read well outside wargame: xarray (h5netcdf), h5dump, pandas; schema versions.

Real files from the CLI: named dimensions and coordinates in every group, one
replication axis across groups, enum names for coded columns; ``labelled.dataset`` and
``labelled.tables`` for the crisis and the system kind, checked against the integer
codes; a schema 1.0 file (written here the way the 1.0 writer did) reads the same; a
newer schema and files that are not results are refused in one line.
"""

import json
import re
import shutil
import subprocess
import warnings
from collections import Counter

import h5py
import numpy as np
import pytest

from conftest import CONFIGS, cli, run_memory
from wargame.analysis import labelled
from wargame.execution.store import ResultsFileError, read

xr = pytest.importorskip("xarray")
pytest.importorskip("h5netcdf")

TABLE_KEYS = ("sides", "series", "doctrine_names", "dims", "columns")  # what 2.0 added to the layout


def _run(tmp_path_factory, name, *args):
    out = tmp_path_factory.mktemp(name) / f"{name}.h5"
    p = cli("run", CONFIGS / f"{name}.toml", "--out", out, "--quiet", *args)
    assert p.returncode == 0, p.stderr
    return out


@pytest.fixture(scope="module")
def duel(tmp_path_factory):
    return _run(tmp_path_factory, "duel", "--runs", 50)


@pytest.fixture(scope="module")
def taiwan(tmp_path_factory):
    return _run(tmp_path_factory, "taiwan_strait", "--runs", 40, "--seed", 11, "--batch-size", 15, "--timeseries")


@pytest.fixture(scope="module")
def cow(tmp_path_factory):
    return _run(tmp_path_factory, "cow_1816", "--runs", 12, "--seed", 3, "--set", "scenario.horizon_years=20")


def _open(path, group=None):
    """xarray over h5netcdf, with any warning (such as phony, unnamed dimensions) an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return xr.open_dataset(path, engine="h5netcdf", group=group).load()


# --------------------------------------------------------------------------- xarray and HDF5 tools


def test_xarray_sees_named_dimensions_and_coordinates(duel):
    res = read(duel)
    states = res["layout"]["states"]
    reps = _open(duel, "replications")
    st = _open(duel, "states")
    assert dict(reps.sizes) == {"replication": 50}
    assert dict(st.sizes) == {"replication": 50, "state": len(states), "domain": 3, "target": len(states),
                              "measure": len(res["layout"]["strike_measures"]), "kind": 3, "mark": 3}
    np.testing.assert_array_equal(reps["replication"], np.arange(50))
    assert list(st["state"].values) == states and list(st["domain"].values) == ["ground", "air", "naval"]
    assert st["losses"].dims == ("replication", "state", "domain")
    # casualties by kind and losses by day of the war (docs/model.md §3.6)
    assert st["casualties"].dims == ("replication", "state", "domain", "kind")
    assert list(st["kind"].values) == ["killed", "wounded", "captured"]
    assert list(st["mark"].values) == ["day 7", "day 21", "day 30"]
    # who struck whom (docs/model.md §5): striker, target, measure, each named
    assert st["strikes"].dims == ("replication", "state", "target", "measure")
    assert list(st["target"].values) == states and list(st["measure"].values) == res["layout"]["strike_measures"]
    np.testing.assert_array_equal(reps["outcome"], res["replications"]["outcome"])
    # The enum's names reach xarray through h5netcdf's committed types.
    assert reps["outcome"].encoding["dtype"].metadata["enum"] == {n: i for i, n in enumerate(res["layout"]["outcomes"])}
    root = _open(duel)
    assert root["events"].dims == ("event",) and root.sizes["event"] == res["events"].size


def test_groups_merge_on_one_replication_axis(duel):
    merged = xr.merge([_open(duel, "replications"), _open(duel, "states")])
    assert [d for d in merged.dims if "replication" in d or d.startswith("phony")] == ["replication"]
    assert merged.sizes["replication"] == 50
    assert merged["side"].dims == ("replication", "state") and merged["outcome"].dims == ("replication",)


def test_every_column_of_a_raid_scenario_has_named_dimensions(tmp_path):
    out = tmp_path / "raids.h5"
    p = cli("run", CONFIGS / "iran_israel_2024.toml", "--runs", 6, "--out", out, "--quiet")
    assert p.returncode == 0, p.stderr
    unnamed = []
    with h5py.File(out, "r") as f:
        f.visititems(lambda n, o: unnamed.append(n) if isinstance(o, h5py.Dataset) and not o.is_scale
                     and any(len(d) == 0 for d in o.dims) else None)
    assert unnamed == []
    ds = _open(out, "replications")
    assert ds["raid_launched"].dims == ("replication", "raid", "weapon")
    assert list(ds["layer"].values) == read(out)["layout"]["raids"]["layers"]


def test_h5dump_prints_enum_names(taiwan):
    if shutil.which("h5dump") is None:
        pytest.skip("h5dump not installed (Debian: apt-get install hdf5-tools; .ci/run installs it)")
    res = read(taiwan)
    p = subprocess.run(["h5dump", "-d", "/replications/outcome", "-d", "/states/side", str(taiwan)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    outcome, side = p.stdout.split('DATASET "/states/side"')
    assert "H5T_ENUM" in outcome and "H5T_ENUM" in side
    # Every value printed by name: the names' counts are the codes' counts.
    data = outcome.split("DATA {")[1].split("}")[0]
    printed = Counter(re.findall(r"[a-z_]+", re.sub(r"\(\d+\):", "", data)))
    names = res["layout"]["outcomes"]
    assert printed == Counter(names[c] for c in res["replications"]["outcome"])
    sides = Counter(re.findall(r"attacker|defender|none", side.split("DATA {")[1].split("}")[0]))
    codes = Counter(res["states"]["side"].ravel().tolist())
    assert sides == {name: codes[c] for name, c in (("defender", -1), ("none", 0), ("attacker", 1)) if codes[c]}
    attached = subprocess.run(["h5dump", "-A", "-d", "/states/losses", str(taiwan)], capture_output=True, text=True)
    assert all(f'"/states/{d}"' in attached.stdout for d in ("replication", "state", "domain"))


def test_netcdf_c_reads_enums_and_dimensions(duel):
    if shutil.which("ncdump") is None:
        pytest.skip("ncdump not installed (Debian: netcdf-bin)")
    p = subprocess.run(["ncdump", "-h", str(duel)], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "outcomes_int8_t outcome(replication)" in p.stdout
    assert "double losses(replication, state, domain)" in p.stdout and "event_t events(event)" in p.stdout


# --------------------------------------------------------------------------- labelled results


def test_labelled_dataset_of_a_crisis_run(taiwan):
    res = read(taiwan)
    lay = res["layout"]
    ds = labelled.dataset(res)
    R, S = 40, len(lay["states"])
    assert ds.sizes["replication"] == R and list(ds["state"].values) == lay["states"]
    # Labels count exactly as the integer codes do.
    assert Counter(ds["outcome"].values.tolist()) == Counter(lay["outcomes"][c] for c in res["replications"]["outcome"])
    winner = res["replications"]["winner"]
    assert (ds["winner"].values == "none").sum() == (winner == -1).sum()
    assert all(ds["winner"].values[i] == lay["states"][w] for i, w in enumerate(winner) if w >= 0)
    side = res["states"]["side"]
    for code, name in ((-1, "defender"), (0, "none"), (1, "attacker")):
        assert ((ds["side"].values == name) == (side == code)).all()
    att = lay["states"][lay["attacker"]]
    assert (ds["side"].sel(state=att) == "attacker").all() and ds.attrs["attacker"] == att
    np.testing.assert_array_equal(ds["losses"].sel(domain="air"), res["states"]["losses"][:, :, 1])
    assert ds["fronts"].dims == ("replication", "day", "front", "series")
    T = res["timeseries"].shape[1]
    np.testing.assert_allclose(ds["day"], lay["step_days"] * np.arange(1, T + 1))
    k = sorted(res["params"])[0]
    np.testing.assert_array_equal(ds["params"].sel(parameter=k), res["params"][k])
    assert ds.attrs["seed"] == 11 and ds.attrs["kind"] == "crisis" and ds.attrs["schema_version"] == "2.0"
    assert ds.sizes["state"] == S


def test_labelled_tables_of_a_crisis_run(taiwan):
    res = read(taiwan)
    lay = res["layout"]
    t = labelled.tables(res)
    reps, states = t["replications"], t["states"]
    assert len(reps) == 40 and list(reps["replication"]) == res["reps"].tolist()
    assert list(reps["outcome"].cat.categories) == lay["outcomes"]
    assert reps["outcome"].value_counts().to_dict() == {
        n: int((res["replications"]["outcome"] == i).sum()) for i, n in enumerate(lay["outcomes"])}
    S = len(lay["states"])
    assert len(states) == 40 * S and list(states["state"].cat.categories) == lay["states"]
    usa = states[states["state"] == "USA"]
    np.testing.assert_array_equal(usa["intervened"], res["states"]["intervened"][:, lay["states"].index("USA")])
    dom = t["state_domain"]
    assert len(dom) == 40 * S * 3
    np.testing.assert_array_equal(dom["losses"], res["states"]["losses"].ravel())
    ev = t["events"]
    assert ev["type"].value_counts().to_dict() == {
        n: int((res["events"]["type"] == i).sum()) for i, n in enumerate(lay["event_types"])}
    assert ((ev["actor"] == "none") == (res["events"]["actor"] == -1)).all()
    dec = t["decisions"]
    assert len(dec) == res["decisions"].size and list(dec["action"].cat.categories) == lay["actions"]
    assert (dec["action"].cat.codes.to_numpy() == res["decisions"]["action"]).all()
    ts = t["timeseries"]
    assert list(ts.columns) == ["replication", "day", "front", *lay["series"]]
    np.testing.assert_array_equal(ts["position_km"], res["timeseries"][..., 2].ravel())
    assert list(t["params"].columns) == ["replication", *sorted(res["params"])]


def test_labelled_results_are_the_same_from_memory_and_from_the_file(taiwan):
    mem = run_memory(CONFIGS / "taiwan_strait.toml", 40, seed=11, batch_size=40, timeseries=True)
    a, b = labelled.dataset(mem), labelled.dataset(read(taiwan))
    xr.testing.assert_equal(a, b)  # values, dimensions and coordinates (attributes: the file has more)
    ta, tb = labelled.tables(mem), labelled.tables(read(taiwan))
    assert ta.keys() == tb.keys()
    for k in ta:
        assert ta[k].equals(tb[k]), k


def test_labelled_system_run(cow):
    res = read(cow)
    lay = res["layout"]
    ds = labelled.dataset(res)
    S = len(lay["states"])
    assert ds.attrs["kind"] == "system" and ds.attrs["horizon_years"] == 20
    np.testing.assert_array_equal(ds["war_size"], np.arange(S + 1))
    assert ds["war_sizes"].dims == ("replication", "war_size")
    absorbed = res["states"]["absorbed_by"]
    assert ((ds["absorbed_by"].values == "none") == (absorbed == -1)).all()
    assert all(ds["absorbed_by"].values[r, s] == lay["states"][a] for r, s in zip(*np.nonzero(absorbed >= 0))
               for a in [absorbed[r, s]])
    assert list(ds["strongest"].values) == [lay["states"][i] for i in res["replications"]["strongest"]]
    assert list(ds["doctrine"].values) == lay["doctrines"]
    t = labelled.tables(res)
    assert len(t["states"]) == 12 * S and "year" in t["events"] and "day" not in t["events"]
    assert t["events"]["type"].value_counts().to_dict() == {
        n: int((res["events"]["type"] == i).sum()) for i, n in enumerate(lay["event_types"])}
    assert t["replications"]["dominant"].value_counts().get("none", 0) == (res["replications"]["dominant"] == -1).sum()
    sys_ds = _open(cow, "replications")
    assert sys_ds["war_sizes"].dims == ("replication", "war_size")


# --------------------------------------------------------------------------- schema versions and bad input


def _write_1_0(src, dst):
    """``src`` rewritten as the 1.0 writer wrote it: same arrays, plain dtypes, no scales, no table."""
    res = read(src)
    with h5py.File(src, "r") as f, h5py.File(dst, "w") as g:
        for k, v in f.attrs.items():
            g.attrs[k] = v
        g.attrs["schema_version"] = "1.0"
        g.attrs["layout"] = json.dumps({k: v for k, v in res["layout"].items() if k not in TABLE_KEYS})

    def put(name, a):
        with h5py.File(dst, "a") as g:
            g.create_dataset(name, data=a, dtype=a.dtype, maxshape=(None,) + a.shape[1:], chunks=True,
                             compression="gzip", shuffle=True)

    put("replications/rep", res["reps"])
    for grp in ("replications", "states", "params"):
        for k, a in res[grp].items():
            put(f"{grp}/{k}", a)
    for k in ("events", "decisions", "timeseries"):
        if k in res:
            put(k if k != "timeseries" else "timeseries/fronts", res[k])


@pytest.mark.parametrize("kind", ["crisis", "system"])
def test_a_schema_1_0_file_reads_the_same(taiwan, cow, tmp_path, kind):
    src = taiwan if kind == "crisis" else cow
    old = tmp_path / "old.h5"
    _write_1_0(src, old)
    a, b = read(src), read(old)
    assert b["attrs"]["schema_version"] == "1.0" and "columns" not in b["layout"]
    for g in ("replications", "states", "params"):
        assert a[g].keys() == b[g].keys()
        for k in a[g]:
            assert a[g][k].dtype == b[g][k].dtype and a[g][k].tobytes() == b[g][k].tobytes(), k
    assert a["events"].tobytes() == b["events"].tobytes()
    xr.testing.assert_equal(labelled.dataset(a), labelled.dataset(b))  # the kind supplies the table
    assert labelled.tables(a)["states"].equals(labelled.tables(b)["states"])
    new, old_summary = cli("summary", src), cli("summary", old)
    assert old_summary.returncode == 0, old_summary.stderr
    assert old_summary.stdout == new.stdout


def test_a_newer_schema_is_refused_in_one_line(duel, tmp_path):
    future = tmp_path / "future.h5"
    shutil.copy(duel, future)
    with h5py.File(future, "a") as f:
        f.attrs["schema_version"] = "3.0"
    with pytest.raises(ResultsFileError, match=r"future\.h5: results schema 3\.0 is newer .* upgrade wargame"):
        read(future)
    p = cli("summary", future)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1
    assert "future.h5" in p.stderr and "3.0" in p.stderr and "Traceback" not in p.stderr


@pytest.mark.parametrize("what", ["text", "foreign_hdf5"])
def test_a_file_that_is_not_a_results_file_is_refused(tmp_path, what):
    bad = tmp_path / "bad.h5"
    if what == "text":
        bad.write_text("not hdf5\n")
    else:
        with h5py.File(bad, "w") as f:
            f.create_dataset("x", data=np.arange(3), dtype="<i8")
    with pytest.raises(ResultsFileError, match=r"bad\.h5: not a wargame results file"):
        read(bad)
    p = cli("summary", bad)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert p.stderr.strip().splitlines() == [p.stderr.strip()] and "bad.h5: not a wargame results file" in p.stderr
    with pytest.raises(ValueError, match="does not list this column"):
        labelled.dataset({"reps": np.arange(2), "replications": {"mystery": np.zeros(2)}, "states": {},
                          "layout": {"states": [], "columns": {}}})


def test_an_interrupted_runs_batches_are_labelled_too(tmp_path):
    from wargame import kinds
    from wargame.execution.store import HDF5Store
    from wargame.model import scenario

    store = HDF5Store(tmp_path / "part.h5")
    kinds.run(scenario.load(CONFIGS / "duel.toml"), 40, sink=store, batch_size=20)  # no finish(): index only
    shard = sorted((tmp_path / "part.h5.parts").glob("b*.h5"))[1]
    st = _open(shard, "states")
    np.testing.assert_array_equal(st["replication"], np.arange(20, 40))
    assert st["side"].dims == ("replication", "state")
    res = read(tmp_path / "part.h5")
    assert res["reps"].tolist() == list(range(40)) and res["states"]["side"].dtype == np.int8
    assert labelled.dataset(res).sizes["replication"] == 40


def test_resuming_a_1_0_run_finishes_it_as_1_0(tmp_path):
    """An interrupted 1.0 run keeps its layout (no column table): its new batches and the
    finished file stay 1.0, without scales or enums, so the file is one version throughout."""
    from wargame import kinds
    from wargame.execution.store import HDF5Store
    from wargame.model import scenario

    loaded = scenario.load(CONFIGS / "duel.toml")
    layout = kinds.of(loaded).layout(loaded, 5, {})
    first = HDF5Store(tmp_path / "old.h5")
    first.create({"schema_version": "1.0", "runs": 30, "seed": 5},
                 {k: v for k, v in layout.items() if k not in TABLE_KEYS})
    store = HDF5Store(tmp_path / "old.h5")
    store.open_existing()  # as `wargame run --resume` does
    kinds.run(loaded, 30, seed=5, sink=store, batch_size=10, resume_ranges=store.missing(30))
    store.finish()
    with h5py.File(tmp_path / "old.h5", "r") as f:
        assert f.attrs["schema_version"] == "1.0" and f.attrs["complete"]
        assert not any(isinstance(f[k], h5py.Datatype) for k in f)  # no committed enum types
        assert len(f["states/side"].dims[0]) == 0 and h5py.check_enum_dtype(f["states/side"].dtype) is None
    mem = run_memory(CONFIGS / "duel.toml", 30, seed=5)
    got = read(tmp_path / "old.h5")
    assert got["states"]["side"].tobytes() == mem["states"]["side"].tobytes()
    assert labelled.tables(got)["states"]["side"].equals(labelled.tables(mem)["states"]["side"])
