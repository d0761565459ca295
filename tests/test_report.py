"""`wargame report`: a self-contained HTML file, checked in a real headless Chromium."""

import os
import re
import subprocess

import h5py
import pytest

from conftest import CONFIGS, cli
from wargame.report.html import HEADLESS, chromium


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    d = tmp_path_factory.mktemp("report")
    res = d / "taiwan.h5"
    p = cli("run", CONFIGS / "taiwan_strait.toml", "--runs", 400, "--timeseries", "--out", res, "--quiet",
            "--doctrine", "USA=collective_security", "--set", 'states.USA.treaties=["JPN","TWN"]')
    assert p.returncode == 0, p.stderr
    p = cli("report", res, "--out", d / "report.html")
    assert p.returncode == 0, p.stderr
    assert "wrote" in p.stdout and p.stderr == ""
    return d, d / "report.html"


def test_report_is_self_contained(report):
    _, html = report
    text = html.read_text()
    # The only URLs are the SVG and XLink namespace names; nothing is fetched.
    urls = set(re.findall(r"https?://[^\s\"'<>]+", text)) - {"http://www.w3.org/2000/svg",
                                                              "http://www.w3.org/1999/xlink"}
    assert not urls
    assert not re.search(r"<(script|img|link)[^>]+(src|href)=", text)
    for section in ("Outcomes", "interventions and losses", "Escalation", "Timeline", "Force trajectories",
                    "Scenario and provenance", "config SHA-256"):
        assert section in text
    assert text.count("<svg") >= 7


def _browser():
    exe = chromium()
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install Chromium (.ci/run does)")
        pytest.skip("Chromium is not installed")
    return exe


def test_report_renders_in_headless_chromium(report, tmp_path):
    exe = _browser()
    d, html = report
    profile = f"--user-data-dir={tmp_path / 'profile'}"
    p = subprocess.run([exe, *HEADLESS, profile, "--enable-logging=stderr", "--v=0", "--dump-dom", html.as_uri()],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr[-2000:]
    figures = int(re.search(r'data-figures="(\d+)"', p.stdout).group(1))
    rendered = int(re.search(r'data-rendered="(\d+)"', p.stdout).group(1))
    assert figures >= 7 and rendered == figures  # every figure has a size on the page
    console = [ln for ln in p.stderr.splitlines() if "CONSOLE" in ln or "Uncaught" in ln]
    assert not console, console
    shot = tmp_path / "page.png"
    subprocess.run([exe, *HEADLESS, profile, f"--screenshot={shot}", "--window-size=1000,2600", html.as_uri()],
                   capture_output=True, timeout=120)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_png_figures_need_no_browser(report, tmp_path):
    d, _ = report
    p = cli("report", d / "taiwan.h5", "--out", tmp_path / "r.html", "--png", tmp_path / "png")
    assert p.returncode == 0, p.stderr
    pngs = sorted((tmp_path / "png").glob("*.png"))
    assert {x.stem for x in pngs} >= {"outcomes", "interventions", "losses", "timeline", "trajectory_0"}
    for x in pngs:
        head = x.read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n"
        width = int.from_bytes(head[16:20], "big")
        assert width >= 7 * 300  # print resolution: 7.2 inches at 300 dpi


def test_pdf_export_one_file_per_figure(report, tmp_path):
    d, _ = report
    p = cli("report", d / "taiwan.h5", "--format", "pdf", "--out", tmp_path / "pdf")
    assert p.returncode == 0, p.stderr
    pdfs = sorted((tmp_path / "pdf").glob("*.pdf"))
    assert len(pdfs) >= 7 and f"wrote {len(pdfs)} PDF files" in p.stdout
    for x in pdfs:
        b = x.read_bytes()
        assert b[:5] == b"%PDF-" and b.rstrip().endswith(b"%%EOF")


def test_interrupted_results_file_reports_what_it_has(report, tmp_path):
    """An index file of finished batches (as after kill -9) is reported like a complete one."""
    from wargame import kinds
    from wargame.model import scenario
    from wargame.execution.store import HDF5Store

    store = HDF5Store(tmp_path / "partial.h5")
    kinds.run(scenario.load(CONFIGS / "duel.toml"), 300, sink=store, batch_size=100)  # no finish(): index only
    with h5py.File(tmp_path / "partial.h5", "r") as f:
        assert not f.attrs["complete"] and len(f["batches"]) == 3
    p = cli("report", tmp_path / "partial.h5", "--out", tmp_path / "partial.html")
    assert p.returncode == 0, p.stderr
    assert "300 replications" in (tmp_path / "partial.html").read_text()


@pytest.mark.parametrize("kind", ["text", "foreign_hdf5", "missing"])
def test_bad_input_is_one_line(tmp_path, kind):
    bad = tmp_path / "bad.h5"
    if kind == "text":
        bad.write_text("not hdf5")
    elif kind == "foreign_hdf5":
        with h5py.File(bad, "w") as f:
            f["x"] = [1, 2, 3]
    p = cli("report", bad, "--out", tmp_path / "r.html")
    assert p.returncode == 2
    assert "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1
    assert ("no such file" if kind == "missing" else "not a wargame results file") in p.stderr


def test_export_needs_no_browser(report, tmp_path, monkeypatch):
    from wargame.report import html

    monkeypatch.setattr("shutil.which", lambda name: None)  # no Chromium anywhere
    d, _ = report
    figs = html.build(d / "taiwan.h5")[1]
    paths = html.write_figures(figs, tmp_path, "png")
    assert len(paths) == len(figs) and all(p.read_bytes()[:4] == b"\x89PNG" for p in paths)


@pytest.fixture(scope="module")
def drawn(report):
    from wargame.report import html

    d, _ = report
    return d / "taiwan.h5", html.build(d / "taiwan.h5")[1]


def test_trajectory_draws_the_live_replications_of_the_file(drawn):
    import numpy as np
    from wargame.report import figures

    path, figs = drawn
    with h5py.File(path, "r") as f:
        g = f["batches"][sorted(f["batches"])[0]] if "batches" in f else f
        ts = g["timeseries/fronts"][:2000]
        war_day = g["replications/war_day"][:ts.shape[0]]
    # Counted independently: replication r is at war on war day d when its series is finite at
    # simulation day floor(war_day) + d.
    T = ts.shape[1]
    live = np.zeros(T, int)
    for r in np.flatnonzero(np.isfinite(war_day)):
        s = int(np.floor(war_day[r]))
        live[:T - s] += np.isfinite(ts[r, s:, 0, 0])
    data = figs["trajectory_0"].data
    assert np.array_equal(data["live"], live)
    # Bands are cut where fewer than MIN_LIVE replications remain: no survivor-only medians.
    for v in data["series"].values():
        assert np.isnan(v[:, live < figures.MIN_LIVE]).all()
        assert np.isfinite(v[1, live >= 1000]).all()


def test_losses_are_distributions_with_the_share_of_any_loss(drawn):
    import numpy as np
    from wargame.execution.store import read

    path, figs = drawn
    res = read(path, logs=False)
    war = np.isfinite(res["replications"]["war_day"])
    loss = res["states"]["losses"][war].sum(axis=2)
    data = figs["losses"].data
    assert data["states"] == list(json_layout(path)["states"])
    for s in range(loss.shape[1]):
        assert data["share_any"][s] == pytest.approx(np.mean(loss[:, s] > 0))
        assert data["mean"][s] == pytest.approx(loss[:, s].mean())


def json_layout(path):
    import json

    with h5py.File(path, "r") as f:
        return json.loads(f.attrs["layout"])


def test_outcomes_and_timeline_follow_the_file(drawn):
    path, figs = drawn
    assert figs["outcomes"].data["labels"] == list(json_layout(path)["outcomes"])  # read, never hard-coded
    t = figs["timeline"].data
    assert t["last_day"] < t["xlim"][1] <= (t["last_day"] + 1) * 1.05 + 1  # the axis ends at the events


def test_timeline_counts_every_event_of_the_file_by_actor(drawn):
    import numpy as np
    from wargame.execution.store import read
    from wargame.report.html import TIMELINE

    path, figs = drawn
    res = read(path)
    lay = json_layout(path)
    ev, war_day = res["events"], res["replications"]["war_day"]
    at_war = np.isfinite(war_day[ev["rep"]])
    counts = figs["timeline"].data["counts"]
    for s, sid in enumerate(lay["states"]):
        for n in TIMELINE:
            if n not in lay["event_types"]:
                continue
            want = int(np.sum(at_war & (ev["type"] == lay["event_types"].index(n)) & (ev["actor"] == s)))
            assert counts.get(sid, {}).get(n, np.zeros(1)).sum() == want, (sid, n)
