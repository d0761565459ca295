"""`wargame exercise`: a classroom game in a plain 80-column terminal.

Teams play states; the engine adjudicates. A briefing, then at every decision point
the situation (day, fronts, forces, losses, who is in the war, events since the last
turn) and a prompt per human-played state. At the prompt: a number or an option's
name decides; ``look`` runs the look-ahead Monte Carlo for each option; ``weigh``
shows what the engine's self-help calculus would weigh; ``save FILE`` saves the game;
``?`` explains. Decisions can be scripted (``--decisions FILE``, JSON: ``day`` is a
decision day, or ``"*"`` for a standing order used when no entry for that day
fits), and a saved game is its config, seed and decisions, so ``--load`` replays it
exactly. ``--out`` writes the game in the batch format together with the
engine-played games the report compares it with (``comparison.py``); ``--load`` also
takes such a file, to replay its game and write it again.
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
from pathlib import Path

import h5py
import numpy as np

from wargame.model import injects
from wargame.play import comparison
from wargame.play.game import Game
from wargame.model.log import EVENT_TYPES
from wargame.crisis.world import CASUALTY_SHARE, OUTCOMES
from wargame.errors import WargameError

HELP = {
    "stay_out": "keep out of the war for now (you can still intervene at a later turn)",
    "intervene_defender": "send your committed forces (ground, air, naval) to fight on the defender's side; "
                          "they arrive after your deployment delay, and the attacker may retaliate on them, "
                          "your bases or your homeland if it can reach them",
    "intervene_defender_air_naval": "join the defender with your committed air and naval forces only, no "
                                    "ground troops: fewer losses, less weight on the ground fronts",
    "intervene_attacker": "join the attacker's side with your committed forces",
    "intervene_attacker_air_naval": "join the attacker's side with air and naval forces only",
    "stay_in": "keep your forces in the war",
    "withdraw": "bring your forces home and leave the war for good",
    "mobilise": "call up your reserves: after your mobilisation delay they flow in at your daily rate",
    "hold_reserves": "do not call up the reserves yet (you are asked again at every turn)",
    "invade": "start the war today: your committed forces attack on every front",
    "wait": "not today; you decide again at the next turn (the defender keeps mobilising)",
    "stand_down": "call off the invasion: the crisis ends without war",
    "hold_fire": "do not climb the escalation ladder this turn",
    "accept_ceasefire": "the front has not moved for weeks: accept a ceasefire on the current line",
    "fight_on": "reject the ceasefire; the war goes on (you are asked again if the front stays stuck)",
}
TOPIC = {"mobilise": "call up the reserves?", "invade": "invade?", "intervene": "intervene?",
         "withdraw": "stay in the war?", "escalate": "strike an enemy one rung higher?",
         "ceasefire": "accept a ceasefire?"}
MODEL = ("Ground combat follows the front's Lanchester law; air and sea battles set control shares that\n"
         "scale the attacker's punch and an amphibious lift. A side breaks when its losses reach its\n"
         "(hidden) casualty tolerance, or when the attacker reaches its objective. See docs/model.md.")


class Terminal:
    def __init__(self, color: bool):
        self.color = color

    def bold(self, s: str) -> str:
        return f"\033[1m{s}\033[0m" if self.color else s

    def say(self, s: str = "") -> None:
        # A plain 80-column terminal: long lines wrap, continuing indented.
        for line in s.split("\n"):
            print(textwrap.fill(line, 80, subsequent_indent="    ", drop_whitespace=False) if len(line) > 80
                  else line, flush=True)


def _k(x: float) -> str:
    return f"{x / 1000:,.1f}k" if abs(x) >= 1000 else f"{x:,.0f}"


def briefing(g: Game, term: Terminal) -> None:
    sc, w = g.w.sc, g.w
    term.say(term.bold(f"EXERCISE: {sc.scenario.title or sc.scenario.name}"))
    if sc.scenario.description:
        term.say(sc.scenario.description[:400])
    term.say(f"Attacker {g.ids[w.att]}, defender {g.ids[w.dfd]}; horizon {w.horizon:.0f} days.")
    for s, sid in enumerate(g.ids):
        who = "PLAYED BY YOUR CLASS" if w.human[s] else f"engine, doctrine {sc.states[sid].doctrine}"
        term.say(f"  {sid:<6}{sc.states[sid].name[:36]:<37}{who}")
    term.say()


def situation(g: Game, term: Terminal, shown: set) -> None:
    w, t = g.w, g.turn
    war = f", day {t - w.war_day[0]:.0f} of the war" if w.at_war[0] else ", no war yet"
    term.say(term.bold(f"=== Day {t:.0f} of the crisis{war} ==="))
    for f, fid in enumerate(g.w.front_ids):
        att = (w.front[0, f, :, 0] * (w.side[0] == 1)).sum() + (w.afloat[0, f] * (w.side[0] == 1)).sum()
        dfd = (w.front[0, f, :, 0] * (w.side[0] == -1)).sum()
        term.say(f"Front {fid}: ground forces, attacker side {_k(att)} vs defender side {_k(dfd)}")
        term.say(f"  line {w.position[0, f] + 0.0:.0f} of {w.depth[0, f]:.0f} km to the objective; attacker's "
                 f"air control {w.air_control[0, f]:.0%}")
    lost = (w.lost[0] * w.mpc[0] * CASUALTY_SHARE).sum(axis=1)
    for s, sid in enumerate(g.ids):
        side = {1: "attacker side", -1: "defender side", 0: "not at war"}[int(w.side[0, s])]
        if not w.at_war[0]:
            side = {w.att: "attacker", w.dfd: "defender"}.get(s, "third party")
        mob = ""
        if w.reserve[0, s] > 0:
            mob = "  mobilising" if w.mob_start[0, s] <= t else "  reserves held"
        term.say(f"  {sid:<6}{side:<14}losses {_k(lost[s]):>8}  ground at home {_k(w.home[0, s, 0]):>8}{mob}")
    if g.kind == "ceasefire":
        term.say(f"The front has moved less than {w.stalemate_km[0]:.0f} km in {w.stalemate_days[0]:.0f} days: "
                 "a ceasefire on the current line is on the table.")
    elif g.kind == "invade":
        term.say("The day planned for the invasion has come.")
    ev = g.log.events()  # sorted by day: what is new is what was not shown before, wherever it sorts
    new = ev[[e.tobytes() not in shown for e in ev]]
    shown.update(e.tobytes() for e in new)
    if new.size:
        term.say("Since the last turn:")
        for e in new[-12:]:
            actor = g.ids[e["actor"]] if e["actor"] >= 0 else ""
            target = g.ids[e["target"]] if e["target"] >= 0 else ""
            if EVENT_TYPES[e["type"]] == "inject":
                term.say(f"  day {e['day'] + 0.0:>5.0f}  INJECT: {g.w.injects.items[int(e['value'])]['text']}")
                continue
            term.say(f"  day {e['day'] + 0.0:>5.0f}  {EVENT_TYPES[e['type']]:<14}{actor:<6}{target}")
    term.say()


def show_lookahead(g: Game, state: str, term: Terminal, runs: int) -> None:
    term.say(f"Look-ahead for {state}: {runs} copies of this moment per option (95% intervals)")
    la = g.lookahead(state, runs)
    shown = [o for o in OUTCOMES if any(v[o][0] > 0 for v in la.values())]
    term.say(f"  {'option':<19}" + "".join(f"{o[:14]:>15}" for o in shown))
    for opt, v in la.items():  # probability, then the half-width of its interval, in points
        term.say(f"  {opt:<19}" + "".join(f"{100 * v[o][0]:5.1f}% ±{50 * (v[o][2] - v[o][1]):4.1f}".rjust(15)
                                          for o in shown))


def _help(opt: str) -> str:
    if opt.startswith("escalate_"):
        return (f"strike {opt.removeprefix('escalate_')} one rung higher on the ladder forces, bases, homeland, "
                "nuclear (only rungs within your strike reach; homeland strikes on a nuclear power and nuclear "
                "use only when your losses near your breaking point)")
    return HELP[opt]


class Script:
    """Scripted decisions and injects (``--decisions``, or a saved game): each entry is used once,
    except standing orders (``"day": "*"``), used whenever no entry for that day fits."""

    def __init__(self, rows: list[dict]):
        self.rows, self.used = rows, set()

    def __bool__(self):
        return bool(self.rows)

    def take(self, day: float, state: str, options) -> str | None:
        for standing in (False, True):
            for i, d in enumerate(self.rows):
                if "action" not in d or d["state"] != state or d["action"] not in options or i in self.used:
                    continue
                if (d["day"] == "*") == standing and (standing or float(d["day"]) == day):
                    if not standing:
                        self.used.add(i)
                    return d["action"]
        return None

    def injects(self, day: float) -> list[dict]:
        out = []
        for i, d in enumerate(self.rows):
            if "inject" in d and i not in self.used and float(d["day"]) <= day:  # at the first turn on or after
                self.used.add(i)
                out.append(d["inject"])
        return out


def typed_inject(g: Game, text: str, term: Terminal) -> None:
    try:
        item = injects.parse_typed(text, g.turn)
        g.inject(item)
    except ValueError as e:
        term.say(f"  {e}")
        return
    term.say(f"  inject on day {g.turn:.0f}: {item['text']}" + ("" if item["effects"] else " (news only)"))


def ask(g: Game, q, term: Terminal, runs: int, script: Script, save_to: str | None) -> str:
    state, opts = q.state, q.options
    scripted = script.take(float(g.turn), state, opts)
    if scripted is not None:
        term.say(f"{state}: {scripted} (from the decisions file)")
        return scripted
    if not sys.stdin.isatty() and script:
        raise ExerciseError(f"no decision for {state} on day {g.turn:.0f} ({q.topic}) in the decisions file")
    while True:
        term.say(term.bold(f"{state}: {TOPIC[q.topic]}"))
        line = ""
        for i, o in enumerate(opts):  # options wrapped by hand: the prompt must stay one line
            item = f"[{i + 1}] {o}"
            if line and len(line) + len(item) + 2 > 78:
                term.say(line)
                line = ""
            line = f"{line}  {item}" if line else f"  {item}"
        term.say(line)
        term.say(term.bold(f"{state} decides:"))
        try:
            ans = input("> ").strip()
        except EOFError:
            raise ExerciseError(f"input ended before {state} decided on day {g.turn:.0f}") from None
        if ans in ("?", "help"):
            for o in opts:
                term.say(f"  {o}: {_help(o)}")
            term.say("  look: look-ahead for each option   weigh: the engine's calculus   save FILE: save")
            term.say("  inject TARGET *FACTOR|=VALUE [for N days] [: TEXT]: the facilitator changes the world")
            term.say(MODEL)
        elif ans == "look":
            show_lookahead(g, state, term, runs)
        elif ans == "weigh":
            v = g.weigh(state)
            term.say(f"  defender survives: {v['p_without']:.0%} without you, {v['p_with']:.0%} with you; "
                     f"benefit {v['benefit']:.2f}")
            term.say(f"  costs: losses {v['cost_losses']:.2f}, retaliation {v['cost_retaliation']:.2f}, "
                     f"trade {v['cost_trade']:.2f}; self-help utility {v['utility']:+.2f}")
        elif ans == "inject" or ans.startswith("inject "):
            typed_inject(g, ans[6:].strip(), term)
        elif ans.startswith("save"):
            path = ans[4:].strip() or save_to
            if not path:
                term.say("  save FILE: name the file")
            else:
                save(g, path)
                term.say(f"  saved to {path}; continue later with --load {path}")
        elif ans.isdigit() and 1 <= int(ans) <= len(opts):
            return opts[int(ans) - 1]
        elif ans in opts:
            return ans
        else:
            term.say(f"  {ans!r} is not an option: type 1-{len(opts)}, an option's name, look, weigh, inject or ?")


class ExerciseError(WargameError):
    """A problem with the game's input that the user can fix (one line, exit 2)."""


OUTCOME_TEXT = {0: "no war", 1: "the attacker wins", 2: "the defender holds", 3: "ceasefire on the start line",
                4: "unresolved at the horizon", 5: "nuclear use", 6: "the attacker was deterred",
                7: "ceasefire, the attacker holding ground"}


def play(g: Game, term: Terminal, script: Script, runs: int, save_to: str | None) -> None:
    """The game loop: briefing, then the situation and the prompts at every decision point."""
    briefing(g, term)
    shown, t = set(), g.advance()
    while t is not None:
        for item in script.injects(float(t)):
            try:
                g.inject(item)
            except ValueError as e:
                raise ExerciseError(f"decisions: day {t:.0f}: {e}") from None
        situation(g, term, shown)
        while g.pending:
            q = g.pending[0]
            action = ask(g, q, term, runs, script, save_to)
            try:
                g.decide(q.state, action)
            except ValueError as e:
                raise ExerciseError(f"decisions: {e}") from None
        if save_to:
            save(g, save_to)
        t = g.advance()
    w = g.w
    term.say(term.bold(f"END: {OUTCOME_TEXT.get(int(w.outcome[0]), '')} on day {w.end_day[0]:.0f}"))


def write(g: Game, loaded, out: str, command: str, compare_runs: int = comparison.RUNS) -> None:
    """The game as a results file in the batch format (one replication), decisions in its attributes,
    and ``compare_runs`` engine-played games of the same scenario and seed (``comparison.py``).

    The file is written under a temporary name and renamed into place once whole, so
    ``out`` never holds a game without its comparison.
    """
    from wargame.crisis.columns import collect, describe
    from wargame.execution.results import run_attrs
    from wargame.execution.store import HDF5Store

    games = comparison.run(loaded, g.w.seed, compare_runs)
    out = Path(out)
    tmp = out.with_name(out.name + ".writing")
    store = HDF5Store(tmp)
    attrs = run_attrs(loaded, g.w.seed, 1, {}, command, 1, False)
    attrs.update(exercise_play=json.dumps([g.ids[s] for s in np.flatnonzero(g.w.human)]),
                 exercise_decisions=json.dumps(g.decisions))
    store.create(attrs, describe(g.w))
    store.append(collect(g.w, g.log))
    store.finish()
    with h5py.File(tmp, "r+") as f:
        comparison.store(f, games)
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, out)


def save(g: Game, path: str) -> None:
    doc = {"format": "wargame-exercise-1", "config_path": g.config_path, "config_text": g.config_text,
           "overrides": g.overrides, "seed": g.w.seed, "rep": int(g.w.reps[0]),
           "play": [g.ids[s] for s in np.flatnonzero(g.w.human)], "decisions": g.decisions}
    Path(path).write_text(json.dumps(doc, indent=1, default=float))


def load_saved(path: str):
    """A game saved by ``save``, or written by ``write`` (an exercise results file):
    (loaded scenario, seed, replication, played states, its decisions)."""
    from wargame.model import scenario

    if h5py.is_hdf5(path):
        return _load_written(path)
    try:
        doc = json.loads(Path(path).read_text())
        text, source, ov = doc["config_text"], doc["config_path"], [tuple(o) for o in doc["overrides"]]
        seed, rep, play = int(doc["seed"]), int(doc["rep"]), list(doc["play"])
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ExerciseError(f"{path}: not a saved exercise ({e.__class__.__name__}: {e})") from None
    return scenario.loads(text, source, ov), seed, rep, play, load_decisions(path)


def _load_written(path: str):
    """``load_saved`` for an exercise results file: its attributes hold the config, seed and decisions."""
    from wargame.model import scenario

    try:
        with h5py.File(path, "r") as f:
            a = f.attrs
            if "exercise_play" not in a:
                raise ExerciseError(f"{path}: a results file, but not a classroom game's (no exercise_play "
                                    "attribute); --load takes a saved game or a file written by exercise --out")
            text, source = str(a["config_text"]), str(a["config_path"])
            ov = [tuple(o) for o in json.loads(a["overrides"])]
            seed, rep = int(a["seed"]), int(f["replications/rep"][0])
            play, rows = list(json.loads(a["exercise_play"])), json.loads(a["exercise_decisions"])
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ExerciseError(f"{path}: not a complete exercise file ({e.__class__.__name__}: {e})") from None
    return scenario.loads(text, source, ov), seed, rep, play, check_decisions(path, rows)


def load_decisions(path: str) -> list[dict]:
    """A decisions file: a JSON list of decisions, or an object whose ``decisions`` is one."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except UnicodeDecodeError as e:
        raise ExerciseError(f"{path}: cannot read decisions (not UTF-8 text: byte {e.start})") from None
    except (OSError, json.JSONDecodeError) as e:
        raise ExerciseError(f"{path}: cannot read decisions ({e.strerror if isinstance(e, OSError) else e})") from None
    if isinstance(doc, dict):
        if "decisions" not in doc:
            raise ExerciseError(f"{path}: expected a list of decisions [{{day, state, action}}, ...] or an object "
                                "with one under \"decisions\"")
        doc = doc["decisions"]
    return check_decisions(path, doc)


def check_decisions(path: str, rows) -> list[dict]:
    """The decisions (and injects) of a file, checked entry by entry."""
    if not isinstance(rows, list):
        raise ExerciseError(f"{path}: expected a list of decisions [{{day, state, action}}, ...]")
    for i, d in enumerate(rows):
        if isinstance(d, dict) and {"day", "inject"} <= set(d):
            inj = d["inject"]
            if not (isinstance(inj, dict) and isinstance(inj.get("text"), str) and isinstance(inj.get("effects"), list)
                    and all(isinstance(e, dict) and {"target", "op", "value"} <= set(e) for e in inj["effects"])):
                raise ExerciseError(f"{path}: decisions[{i}].inject = {inj!r}: expected {{text, effects: "
                                    "[{target, op, value, days}]}")
        elif not isinstance(d, dict) or not {"day", "state", "action"} <= set(d):
            raise ExerciseError(f"{path}: decisions[{i}] = {d!r}: expected {{day, state, action}} or {{day, inject}}")
        if "inject" in d and d["day"] == "*":
            raise ExerciseError(f"{path}: decisions[{i}].day = '*': an inject needs the day it happens")
        if d["day"] != "*" and (not isinstance(d["day"], (int, float)) or isinstance(d["day"], bool)):
            raise ExerciseError(f"{path}: decisions[{i}].day = {d['day']!r}: expected a day number or \"*\"")
    return rows
