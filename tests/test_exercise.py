"""`wargame exercise` driven as a class would: a real terminal (pexpect), a whole game."""

import json
import re
import shutil
import sys

import h5py
import pytest

from conftest import CONFIGS, cli, run_memory

pexpect = pytest.importorskip("pexpect")
CFG = str(CONFIGS / "taiwan_strait.toml")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _spawn(*args, cwd):
    exe = shutil.which("wargame")
    cmd, argv = (exe, list(args)) if exe else (sys.executable, ["-m", "wargame", *args])
    return pexpect.spawn(cmd, argv, cwd=str(cwd), encoding="utf-8", timeout=120, dimensions=(40, 80))


def _play_out(child, first_answers=()):
    """Answer every prompt: the given answers first, then always option 1."""
    answers = list(first_answers)
    while True:
        i = child.expect([r"decides:.*\r?\n> ", r"END: [^\r\n]+", pexpect.EOF])
        if i == 0:
            child.sendline(answers.pop(0) if answers else "1")
        else:
            return child.after if i == 1 else None


def test_a_whole_game_in_a_terminal(tmp_path):
    child = _spawn("exercise", CFG, "--play", "USA,JPN", "--out", "game.h5", "--save", "game.json", cwd=tmp_path)
    child.expect("EXERCISE: PRC invasion of Taiwan")
    child.expect("PLAYED BY YOUR CLASS")
    child.expect(r"USA decides:.*\r?\n> ")
    child.sendline("maybe")  # not an option: explained and asked again
    child.expect("is not an option")
    child.expect(r"USA decides:.*\r?\n> ")
    child.sendline("?")
    child.expect("intervene_defender: send your committed forces")
    child.expect(r"USA decides:.*\r?\n> ")
    child.sendline("look")
    child.expect(r"Look-ahead for USA: 2000 copies")
    child.expect(r"intervene_defender\s+[\d.]+% ±")
    child.expect(r"USA decides:.*\r?\n> ")
    child.sendline("2")  # intervene on the defender's side
    end = _play_out(child)
    assert end and end.startswith("END:")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    text = ANSI.sub("", child.before or "")
    assert all(len(line) <= 80 for line in text.splitlines())
    with h5py.File(tmp_path / "game.h5", "r") as f:  # the batch format, one replication
        assert f.attrs["complete"] and f["replications/outcome"].shape == (1,)
        layout = json.loads(f.attrs["layout"])
        assert f["states/intervened"][0, layout["states"].index("USA")]
        assert json.loads(f.attrs["exercise_decisions"])[0]["action"] == "intervene_defender"
    saved = json.loads((tmp_path / "game.json").read_text())
    assert saved["play"] == ["USA", "JPN"] and saved["decisions"][0]["action"] == "intervene_defender"
    p = cli("report", tmp_path / "game.h5", "--out", tmp_path / "game.html")
    assert p.returncode == 0, p.stderr
    html = (tmp_path / "game.html").read_text()
    assert "The class&#x27;s game" in html or "The class's game" in html
    assert re.search(r"USA intervened</td><td>yes</td><td>the engine&#x27;s doctrine intervened in [\d.]+%", html)


def test_save_midway_then_load_gives_the_same_game(tmp_path):
    # Uninterrupted game, scripted: intervene at the first turn, then stay in.
    full = _spawn("exercise", CFG, "--play", "USA", "--out", "full.h5", "--no-color", cwd=tmp_path)
    full_end = _play_out(full, ["2"])
    full.expect(pexpect.EOF)
    # Same game, but stop after two turns (Ctrl-C at the prompt); it is saved; --load continues it.
    child = _spawn("exercise", CFG, "--play", "USA", "--save", "s.json", "--no-color", cwd=tmp_path)
    child.expect(r"USA decides:.*\r?\n> ")
    child.sendline("2")
    child.expect(r"USA decides:.*\r?\n> ")
    child.sendline("1")
    child.expect(r"USA decides:.*\r?\n> ")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130 or child.signalstatus is not None
    assert len(json.loads((tmp_path / "s.json").read_text())["decisions"]) == 2
    resumed = _spawn("exercise", "--load", "s.json", "--out", "resumed.h5", "--no-color", cwd=tmp_path)
    assert _play_out(resumed) == full_end
    resumed.expect(pexpect.EOF)
    with h5py.File(tmp_path / "full.h5") as a, h5py.File(tmp_path / "resumed.h5") as b:
        assert a["events"][()].tobytes() == b["events"][()].tobytes()


def test_decisions_file_plays_without_a_terminal(tmp_path):
    dec = tmp_path / "d.json"
    dec.write_text(json.dumps([{"day": 31.0, "state": "USA", "action": "stay_out"}]))
    p = cli("exercise", CFG, "--play", "USA", "--decisions", dec, "--no-color", cwd=tmp_path)
    # The first turn is scripted; the next has no decision and there is no terminal to ask.
    assert p.returncode == 2 and "no decision for USA on day" in p.stderr
    assert "USA: stay_out (from the decisions file)" in p.stdout
    assert "\x1b[" not in p.stdout


@pytest.mark.parametrize("args, message", [
    (["--play", "XXX"], "--play XXX: not a state"),
    ([], "--play STATE"),
    (["--play", "USA", "--decisions", "nope.json"], "cannot read decisions"),
    (["--play", "USA", "--compare-runs", "0"], "--compare-runs 0: must be >= 1"),
])
def test_bad_exercise_input(tmp_path, args, message):
    p = cli("exercise", CFG, *args, cwd=tmp_path)
    assert p.returncode == 2 and message in p.stderr and "Traceback" not in p.stderr


def test_two_teams_play_attacker_and_intervener_with_a_typed_inject(tmp_path):
    child = _spawn("exercise", CFG, "--play", "PRC,USA", "--out", "teams.h5", "--save", "teams.json", "--no-color",
                   "--lookahead-runs", "300", cwd=tmp_path)
    child.expect(r"PRC: call up the reserves\?")
    child.expect(r"PRC decides:.*\r?\n> ")
    child.sendline("inject fronts.landing.lift_per_day 0.5")  # malformed: explained, nothing changes
    child.expect("expected TARGET")
    child.expect(r"PRC decides:.*\r?\n> ")
    child.sendline("inject fronts.landing.lift_per_day *0.5 for 30 days : storm season")
    child.expect("inject on day 0: storm season")
    child.expect(r"PRC decides:.*\r?\n> ")
    child.sendline("1")  # mobilise
    child.expect("The day planned for the invasion has come.")
    child.expect(r"PRC: invade\?")
    child.expect(r"PRC decides:.*\r?\n> ")
    child.sendline("look")
    child.expect(r"stand_down\s+100.0% ")  # standing down is certain peace
    child.expect(r"PRC decides:.*\r?\n> ")
    child.sendline("invade")
    child.expect(r"PRC: strike an enemy one rung higher\?")  # Taiwan is within the PRC's reach (docs/model.md §5)
    child.expect(r"PRC decides:.*\r?\n> ")
    child.sendline("1")  # hold fire
    child.expect(r"USA: intervene\?")
    child.expect(r"USA decides:.*\r?\n> ")
    child.sendline("3")  # air and naval only
    end = _play_out(child)
    assert end and end.startswith("END:")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    saved = json.loads((tmp_path / "teams.json").read_text())
    first = saved["decisions"][0]
    assert first["inject"]["text"] == "storm season" and first["inject"]["effects"][0]["days"] == 30
    assert [d["action"] for d in saved["decisions"][1:5]] == ["mobilise", "invade", "hold_fire",
                                                              "intervene_defender_air_naval"]
    with h5py.File(tmp_path / "teams.h5", "r") as f:
        layout = json.loads(f.attrs["layout"])
        assert f["states/intervened"][0, layout["states"].index("USA")]
        ev = f["events"][()]
        assert (ev["type"] == layout["event_types"].index("inject")).sum() == 1
    # Replaying the save reproduces the game, inject included.
    again = cli("exercise", "--load", tmp_path / "teams.json", "--out", tmp_path / "again.h5", "--no-color",
                cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    with h5py.File(tmp_path / "teams.h5") as a, h5py.File(tmp_path / "again.h5") as b:
        assert a["events"][()].tobytes() == b["events"][()].tobytes()


def test_a_raids_only_scenario_is_refused_in_one_line(tmp_path):
    p = cli("exercise", CONFIGS / "iran_israel_2024.toml", "--play", "USA", cwd=tmp_path)
    assert p.returncode == 2 and "has no fronts" in p.stderr and "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


def _report(path):
    p = cli("report", path, "--out", path.with_suffix(".html"))
    assert p.returncode == 0, p.stderr
    return path.with_suffix(".html").read_text()


def test_the_exercise_file_stores_the_comparison_the_report_reads(tmp_path):
    dec = tmp_path / "d.json"
    dec.write_text(json.dumps([{"day": "*", "state": "USA", "action": "stay_out"}]))
    p = cli("exercise", CFG, "--play", "USA", "--decisions", dec, "--seed", "5", "--out", tmp_path / "g.h5",
            "--compare-runs", "300", "--no-color", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    # The comparison is a batch run of the same scenario and seed, replication for replication.
    batch = run_memory(CFG, 300, seed=5)
    with h5py.File(tmp_path / "g.h5", "r") as f:
        c = {k: f["comparison"][k][()] for k in f["comparison"]}
        assert f["comparison"].attrs["runs"] == 300 and f["comparison"].attrs["seed"] == 5
        usa = json.loads(f.attrs["layout"])["states"].index("USA")
    assert (c["outcome"] == batch["replications"]["outcome"]).all()
    assert (c["intervened"] == batch["states"]["intervened"]).all()
    assert (c["losses"] == batch["states"]["losses"].sum(axis=2)).all()
    html = _report(tmp_path / "g.h5")
    share = 100 * c["intervened"][:, usa].mean()
    assert 0 < share < 100
    assert f"USA intervened</td><td>no</td><td>the engine&#x27;s doctrine intervened in {share:.1f}%" in html
    assert "among 300 engine-played games" in html
    # The report reads the stored games, it does not play them again: change them, and it says so.
    with h5py.File(tmp_path / "g.h5", "r+") as f:
        f["comparison/intervened"][:, usa] = True
    assert "the engine&#x27;s doctrine intervened in 100.0%" in _report(tmp_path / "g.h5")
    # A file written before the comparison was stored: one note saying how to regenerate it...
    with h5py.File(tmp_path / "g.h5", "r+") as f:
        del f["comparison"]
    html = _report(tmp_path / "g.h5")
    assert "regenerate it with <code>wargame exercise --load g.h5 --out NEW.h5</code>" in html
    assert "engine-played games</" not in html and "USA intervened" not in html
    # ...and that command replays the game from the file and stores the comparison with it.
    p = cli("exercise", "--load", tmp_path / "g.h5", "--out", tmp_path / "new.h5", "--compare-runs", "300",
            "--no-color", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    with h5py.File(tmp_path / "g.h5", "r") as a, h5py.File(tmp_path / "new.h5", "r") as b:
        assert a["events"][()].tobytes() == b["events"][()].tobytes()
        assert (b["comparison/outcome"][()] == c["outcome"]).all()


def test_load_refuses_a_results_file_that_is_not_a_game(tmp_path):
    assert cli("run", CONFIGS / "duel.toml", "--runs", "4", "--out", tmp_path / "r.h5", "--quiet").returncode == 0
    p = cli("exercise", "--load", tmp_path / "r.h5", cwd=tmp_path)
    assert p.returncode == 2 and "not a classroom game's" in p.stderr and "Traceback" not in p.stderr
