"""`wargame serve` as a class uses it: the real CLI in a subprocess, three headless browsers.

Two teams (PRC, USA) and a facilitator, each in its own browser context, play a game to
the end with an inject, a page reload, a server restart from the save and a team trying
links that are not its own; then the saved game replays exactly with `wargame exercise --load`.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

import h5py
import pytest

from conftest import CONFIGS, cli

playwright = pytest.importorskip("playwright.sync_api")
CFG = str(CONFIGS / "taiwan_strait.toml")
CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)



def _goto(page, url):
    """page.goto, once more if the page's own reload interrupted it: an open page polls every 2 s and
    reloads itself when the game moves on (engine/serve/pages.py), which can race a goto."""
    for _ in range(2):
        try:
            return page.goto(url)
        except Exception as e:  # playwright's Error
            if "interrupted by another navigation" not in str(e):
                raise
    return page.goto(url)

def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(args, cwd):
    exe = shutil.which("wargame")
    cmd = [exe, "serve", *args] if exe else [sys.executable, "-m", "wargame", "serve", *args]
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    links, deadline = {}, time.monotonic() + 180
    for line in p.stdout:
        m = re.match(r"\s+(\S+)\s+(http://\S+)", line)
        if m:
            links[m.group(1)] = m.group(2)
        if line.startswith("Give each team"):
            break
        assert time.monotonic() < deadline and p.poll() is None, line
    assert set(links) == {"PRC", "USA", "facilitator"}, links
    port = int(links["facilitator"].rsplit(":", 1)[1].split("/")[0])
    for _ in range(200):  # the links are printed just before uvicorn listens
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return p, links


def _stop(p):
    p.send_signal(signal.SIGKILL)  # a crash, not a clean stop: the save must be enough
    p.wait(timeout=30)


def _decide(page, link, choose=None):
    """Open a team's page; answer its questions (``choose`` picks options by value) if it has any."""
    page.goto(link)
    if page.locator("#decide").count() == 0:
        return False
    for value in choose or ():
        if page.locator(f"input[value='{value}']").count():
            page.check(f"input[value='{value}']")
    page.click("#submit")
    return True


@pytest.mark.skipif(CHROMIUM is None, reason="needs a system Chromium")
def test_two_teams_and_a_facilitator_play_in_browsers(tmp_path):
    port = _port()
    args = ["--port", str(port), "--save", "class.json", "--lookahead-runs", "50", "--compare-runs", "40"]
    server, links = _serve([CFG, "--play", "PRC,USA", *args], tmp_path)
    try:
        with playwright.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            fac, prc, usa = (browser.new_context().new_page() for _ in range(3))
            # The facilitator injects a storm before anyone decides: it applies now.
            _goto(fac, links["facilitator"])
            assert "Waiting for: PRC" in fac.inner_text("#status")
            fac.fill("#inject input[name=text]", "fronts.landing.lift_per_day 0.5")  # malformed: explained
            fac.click("#inject button")
            assert "expected TARGET" in fac.inner_text("#message")
            fac.fill("#inject input[name=text]", "fronts.landing.lift_per_day *0.5 for 30 days : storm season")
            fac.click("#inject button")
            assert "inject applied: storm season" in fac.inner_text("#notes")
            # USA has nothing to decide on day 0 and sees PRC's forces only as its intelligence does.
            usa.goto(links["USA"])
            assert "Nothing for your team to decide" in usa.inner_text("body")
            assert "as your intelligence sees it" in usa.inner_text("#states")
            assert usa.locator("svg[aria-label='the fronts']").count() == 1
            # A team cannot see or act through links that are not its own.
            usa_token, prc_token = links["USA"].rsplit("/", 1)[1], links["PRC"].rsplit("/", 1)[1]
            base = links["USA"].rsplit("/team/", 1)[0]
            assert usa.goto(f"{base}/team/{usa_token[:-2]}xx").status == 403
            assert usa.goto(f"{base}/facilitator/{usa_token}").status == 403
            assert usa.goto(f"{base}/team/{prc_token}%C3%A9").status == 403  # not ASCII: still a plain 403
            r = usa.request.post(f"{base}/team/{usa_token}/decide", form={"state": "PRC", "q0": "invade"})
            assert r.status == 403 and "cannot decide for PRC" in r.text()
            usa.goto(links["USA"])
            assert _decide(prc, links["PRC"], ["mobilise"])
            day = prc.inner_text("#day")
            playwright.expect(usa.locator("#day")).to_have_text(day, timeout=15000)  # left open, it follows
            prc.reload()  # a reload mid-game shows the game where it is
            assert prc.inner_text("#day") == day
            restarted = looked = False
            for _ in range(40):  # PRC takes the first options but invades; USA joins by air and sea, stays in
                _goto(fac, links["facilitator"])
                if fac.locator("#end").count():
                    break
                if not looked and fac.locator("#look-USA").count():
                    fac.click("#look-USA")
                    assert fac.locator(".lookahead").count() == 1
                    looked = True
                # PRC answers first in every turn (it is asked each turn now, whether to strike), and
                # USA only once PRC has answered, so a turn where PRC waits for USA comes round.
                prc_asked = _decide(prc, links["PRC"], ["invade"])
                if not restarted and "waiting for USA" in prc.inner_text("body"):
                    # A crashed server resumes from the save, PRC's answer held, the same links working.
                    _stop(server)
                    server, again = _serve(["--load", "class.json", "--port", str(port), "--compare-runs", "40"],
                                           tmp_path)
                    assert again == links
                    _goto(prc, links["PRC"])
                    assert "waiting for USA" in prc.inner_text("#waiting")
                    restarted = True
                if not prc_asked or "waiting for USA" in prc.inner_text("body"):
                    _decide(usa, links["USA"], ["intervene_defender_air_naval", "stay_in"])
            assert restarted and looked
            _goto(fac, links["facilitator"])
            end = fac.inner_text("#end")
            assert end.startswith("END:")
            assert "END:" in usa.inner_text("body")
            fac.click("#report")
            assert "among 40 engine-played games" in fac.content()
            browser.close()
        # The first command again resumes the saved game (here, over) with the same links.
        _stop(server)
        server, again = _serve([CFG, "--play", "PRC,USA", *args], tmp_path)
        assert again == links
    finally:
        _stop(server)
    saved = json.loads((tmp_path / "class.json").read_text())
    assert saved["decisions"][0]["inject"]["text"] == "storm season"
    actions = [(d["state"], d["action"]) for d in saved["decisions"] if "action" in d]
    assert actions[0] == ("PRC", "mobilise") and ("PRC", "invade") in actions
    assert ("USA", "intervene_defender_air_naval") in actions
    # The game played in the browser replays exactly in the terminal.
    again = cli("exercise", "--load", tmp_path / "class.json", "--out", tmp_path / "again.h5", "--compare-runs", "40",
                "--no-color", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip().splitlines()[-2] == end
    with h5py.File(tmp_path / "class.h5") as a, h5py.File(tmp_path / "again.h5") as b:
        assert a["events"][()].tobytes() == b["events"][()].tobytes()
        assert a["replications/end_day"][()].tobytes() == b["replications/end_day"][()].tobytes()


@pytest.mark.parametrize("args,message", [
    ([CFG, "--play", "XXX"], "--play XXX: not a state"),
    ([CFG], "--play STATE"),
    ([CFG, "--play", "USA", "--port", "70000"], "--port 70000: expected a port number"),
    ([CFG, "--play", "USA", "--turn-minutes", "-1"], "--turn-minutes -1.0: expected minutes >= 0"),
    ([CFG, "--play", "USA", "--compare-runs", "0"], "--compare-runs 0: must be >= 1"),
    (["--load", "nope.json"], "nope.json: not a saved exercise"),
    (["--load", "taken.json"], "taken.json: not a saved exercise"),
    ([CFG, "--play", "USA", "--save", "taken.json"], "taken.json: holds something other than this game"),
])
def test_bad_serve_input(tmp_path, args, message):
    (tmp_path / "taken.json").write_text("{}")
    p = cli("serve", *args, cwd=tmp_path)
    assert p.returncode == 2, p.stderr
    assert message in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert not os.path.exists(tmp_path / "wargame-class.json")


def test_a_port_in_use_is_one_line(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        p = cli("serve", CFG, "--play", "USA", "--port", str(s.getsockname()[1]), cwd=tmp_path)
    assert p.returncode == 2 and "cannot listen there" in p.stderr and len(p.stderr.strip().splitlines()) == 1


def _session(tmp_path, **kw):
    from wargame.model import scenario
    from wargame.serve.session import Session

    s = Session(scenario.load(CFG), 20261124, ["PRC", "USA"], 0, str(tmp_path / "s.json"), lookahead_runs=20,
                compare_runs=20, **kw)
    s.start()
    return s


def test_timer_keeps_the_status_quo_and_stops_when_paused(tmp_path):
    s = _session(tmp_path, turn_seconds=0.2)
    assert s.waiting_for() == ["PRC"] and s.g.turn == 0
    s.set_paused(True)
    time.sleep(0.3)
    assert s.seconds_left() > 0 and s.g.turn == 0  # paused: the clock does not run
    from wargame.serve.session import Refused

    with pytest.raises(Refused, match="paused"):
        s.answer("PRC", ["mobilise"])
    s.set_paused(False)
    time.sleep(0.3)
    s.seconds_left()
    assert s.g.turn > 0 and s.g.decisions[0] == {"day": 0.0, "state": "PRC", "action": "hold_reserves"}
    saved = json.loads((tmp_path / "s.json").read_text())
    assert saved["decisions"] == s.g.decisions


def test_answers_are_checked_and_late_injects_wait_for_the_next_turn(tmp_path):
    from wargame.serve.session import Refused
    from wargame.serve.views import situation

    s = _session(tmp_path)
    with pytest.raises(Refused, match="'invade' is not an option for mobilise"):
        s.answer("PRC", ["invade"])
    with pytest.raises(Refused, match="USA: nothing to decide now"):
        s.answer("USA", ["stay_out"])
    for day in ("-3", "inf", "nan"):
        with pytest.raises(Refused, match="expected today"):
            s.inject(": news", day)
    s.answer("PRC", ["mobilise"])
    day = s.g.turn
    assert "scheduled" in s.inject(": reporters at the border", str(day + 1))
    s.answer("PRC", ["wait"] if "wait" in s.questions("PRC")[0].options else [s.questions("PRC")[0].options[0]])
    assert any("inject" in d for d in s.g.decisions)  # applied at the first turn on or after its day
    # Each team sees the others through its own perception error, itself exactly.
    prc, usa = situation(s.g, "PRC"), situation(s.g, "USA")
    assert [x["exact"] for x in prc["states"]] == [x["id"] == "PRC" for x in prc["states"]]
    usa_i = s.g.ids.index("USA")
    assert s.g.w.perception[0, usa_i] > 0  # the scenario gives the USA a perception error
    assert prc["states"][0]["home"] != usa["states"][0]["home"]  # PRC's own forces, as the USA sees them
