"""One classroom game behind the web server: who may see and decide what, and the turn cycle.

The game is the same ``Game`` ``wargame exercise`` plays. Each team's answers for a turn
are held until every team has answered, then given to the game in the order of its
questions (the order ``wargame exercise --load`` replays them in), so a game played in
the browser replays bit for bit. The facilitator's injects are applied at the start of a
turn, before any answer is given to the game, for the same reason: one typed while teams
are still answering waits for the next turn (or the day it names). The save is the
exercise save (``exercise.save``) plus what only the server needs (tokens, answers held,
injects scheduled); it is written after every answer, inject, pause and turn.
"""

from __future__ import annotations

import json
import math
import secrets
import threading
import time
from pathlib import Path

from wargame.play import exercise as ex
from wargame.play.game import Game
from wargame.model import injects as inject_rules
from wargame.model.scenario import DOCTRINES

# What a team that lets the timer run out does: the option that changes nothing.
STATUS_QUO = {"mobilise": "hold_reserves", "invade": "wait", "intervene": "stay_out", "withdraw": "stay_in",
              "escalate": "hold_fire", "ceasefire": "fight_on"}


class Forbidden(Exception):
    """A token that is not this game's, or a team acting for another state (HTTP 403)."""


class Refused(ValueError):
    """A request the game cannot take now, said in one line (HTTP 400)."""


class Session:
    def __init__(self, loaded, seed: int, play: list[str], rep: int, save_to: str, *, lookahead_runs: int = 2000,
                 compare_runs: int = 2000, turn_seconds: float = 0.0, tokens: dict | None = None):
        self.loaded, self.save_to = loaded, save_to
        self.lookahead_runs, self.compare_runs, self.turn_seconds = lookahead_runs, compare_runs, turn_seconds
        self.lock = threading.RLock()
        self.g = g = Game(loaded.scenario, seed, play, rep)
        g.config_path, g.config_text, g.overrides = loaded.path, loaded.text, [list(o) for o in loaded.overrides]
        self.play = list(play)
        tokens = tokens or {}
        self.tokens = {s: tokens.get(s) or secrets.token_urlsafe(16) for s in play}
        self.facilitator = tokens.get("*facilitator") or secrets.token_urlsafe(16)
        self.room = tokens.get("*room") or secrets.token_urlsafe(16)
        self.held: dict[str, list[str]] = {}  # state -> its answers this turn, in its questions' order
        self.scheduled: list[dict] = []  # {"day", "inject"} not yet applied
        self.paused, self.deadline, self.left = False, None, None
        self.notes: list[str] = []  # facilitator's log lines shown on its page
        self.lookaheads: dict[str, dict] = {}
        self.version = 0
        self.report_html: str | None = None

    # -- start, resume
    @classmethod
    def resume(cls, path: str, **kw) -> "Session":
        """A game from its save: the exercise replay of its decisions, then the server's own state."""
        loaded, seed, rep, play, rows = ex.load_saved(path)
        try:
            extra = json.loads(Path(path).read_text()).get("serve", {})
        except (OSError, ValueError):
            extra = {}
        s = cls(loaded, seed, play, rep, kw.pop("save_to", None) or path, tokens=extra.get("tokens"), **kw)
        script = ex.Script(rows)
        g, t = s.g, s.g.advance()
        try:
            while t is not None:
                for item in script.injects(float(t)):
                    g.inject(item)
                taken = [(q, script.take(float(t), q.state, q.options)) for q in g.pending]
                if any(a is None for _, a in taken):
                    break  # the turn the class was playing when the game was saved
                for q, a in taken:
                    g.decide(q.state, a)
                t = g.advance()
        except ValueError as e:
            raise ex.ExerciseError(f"{path}: the saved game does not replay on day {t:.0f}: {e}") from None
        s.held = {k: list(v) for k, v in extra.get("held", {}).items()}
        s.scheduled = list(extra.get("scheduled", []))
        s.paused = bool(extra.get("paused", False))
        s._start_turn(apply_scheduled=False)
        return s

    def start(self) -> None:
        with self.lock:
            self.g.advance()
            self._start_turn()
            self.save()

    def links(self, base: str) -> dict[str, str]:
        out = {s: f"{base}/team/{tok}" for s, tok in self.tokens.items()}
        out["facilitator"] = f"{base}/facilitator/{self.facilitator}"
        return out

    # -- who is asking
    def role(self, token: str) -> str:
        """The state a team token plays, "*facilitator" or "*room"; Forbidden otherwise."""
        given = token.encode()  # bytes: compare_digest refuses non-ASCII text
        for s, tok in self.tokens.items():
            if secrets.compare_digest(tok.encode(), given):
                return s
        if secrets.compare_digest(self.facilitator.encode(), given):
            return "*facilitator"
        if secrets.compare_digest(self.room.encode(), given):
            return "*room"
        raise Forbidden("this link is not one of this game's: ask the facilitator for your team's link")

    # -- the turn cycle
    @property
    def over(self) -> bool:
        return self.g.turn is None or self.g.done.triggered

    def questions(self, state: str):
        return [q for q in self.g.pending if q.state == state]

    def waiting_for(self) -> list[str]:
        return [s for s in dict.fromkeys(q.state for q in self.g.pending) if s not in self.held]

    def answer(self, state: str, actions: list[str]) -> None:
        """A team's answers to its questions this turn (one per question, in order)."""
        with self.lock:
            self._tick()
            if self.paused:
                raise Refused("the facilitator has paused the game; wait for it to resume")
            qs = self.questions(state)
            if not qs:
                raise Refused(f"{state}: nothing to decide now")
            if state in self.held:
                raise Refused(f"{state}: your team has already decided this turn")
            if len(actions) != len(qs):
                raise Refused(f"{state}: answer every question ({len(qs)}), one option each")
            for q, a in zip(qs, actions):
                if a not in q.options:
                    raise Refused(f"{state}: {a!r} is not an option for {q.topic} ({', '.join(q.options)})")
            self.held[state] = list(actions)
            self.version += 1
            self._close_turn_if_ready()
            self.save()

    def _close_turn_if_ready(self) -> None:
        if self.waiting_for():
            return
        g, given = self.g, {s: list(a) for s, a in self.held.items()}
        for q in list(g.pending):  # the game's question order: the order exercise --load replays
            g.decide(q.state, given[q.state].pop(0))
        self.held, self.lookaheads = {}, {}
        g.advance()
        self._start_turn()

    def _start_turn(self, apply_scheduled: bool = True) -> None:
        """A new turn: scheduled injects that are due, the timer, and nothing held."""
        g = self.g
        if apply_scheduled and g.turn is not None and not self.over:
            due = [d for d in self.scheduled if float(d["day"]) <= g.turn]
            self.scheduled = [d for d in self.scheduled if float(d["day"]) > g.turn]
            for d in due:
                try:
                    g.inject({k: v for k, v in d["inject"].items() if k != "day"})
                    self.notes.append(f"day {g.turn:.0f}: inject applied: {d['inject']['text']}")
                except ValueError as e:
                    self.notes.append(f"day {g.turn:.0f}: scheduled inject not applied ({e})")
        self.deadline = time.monotonic() + self.turn_seconds if self.turn_seconds and not self.paused else None
        self.left = self.turn_seconds if self.turn_seconds and self.paused else None
        self.version += 1

    def _tick(self) -> None:
        """The timer: a team that has not answered when it runs out keeps the status quo."""
        if self.deadline is None or self.paused or self.over or time.monotonic() < self.deadline:
            return
        for s in self.waiting_for():
            self.held[s] = [STATUS_QUO[q.topic] for q in self.questions(s)]
            self.notes.append(f"day {self.g.turn:.0f}: time ran out; {s} keeps the status quo")
        self._close_turn_if_ready()
        self.save()

    def seconds_left(self) -> float | None:
        with self.lock:
            self._tick()
            if self.deadline is not None:
                return max(0.0, self.deadline - time.monotonic())
            return self.left

    # -- the facilitator
    def inject(self, text: str, day: str = "") -> str:
        """A typed inject (``TARGET *FACTOR|=VALUE [for N days] [: TEXT]``), now or on a later day."""
        with self.lock:
            g = self.g
            if self.over:
                raise Refused("the game is over")
            when = g.turn
            if day.strip():
                try:
                    when = float(day)
                except ValueError:
                    raise Refused(f"inject day {day!r}: expected a day number (today is day {g.turn:.0f})") from None
                if not (math.isfinite(when) and when >= g.turn):
                    raise Refused(f"inject day {day}: expected today (day {g.turn:.0f}) or a later day")
            try:
                item = inject_rules.parse_typed(text, when)
            except ValueError as e:
                raise Refused(str(e)) from None
            why = inject_rules.check(item, g.ids, g.w.front_ids, DOCTRINES)
            if why:
                raise Refused(f"inject: {why}")
            if when == g.turn and not self.held:  # no answer given to the game yet this turn
                g.inject(item)
                msg = f"day {g.turn:.0f}: inject applied: {item['text']}"
            else:
                self.scheduled.append({"day": when, "inject": item})
                msg = (f"inject scheduled for the first turn on or after day {when:.0f}"
                       + (" (teams have already answered this turn)" if when == g.turn else "") + f": {item['text']}")
            self.notes.append(msg)
            self.version += 1
            self.save()
            return msg

    def set_paused(self, paused: bool) -> None:
        with self.lock:
            self._tick()
            if paused and not self.paused and self.deadline is not None:
                self.left, self.deadline = max(0.0, self.deadline - time.monotonic()), None
            elif not paused and self.paused and self.left is not None:
                self.deadline, self.left = time.monotonic() + self.left, None
            self.paused = paused
            self.notes.append(f"day {self.g.turn or 0:.0f}: {'paused' if paused else 'resumed'}")
            self.version += 1
            self.save()

    def lookahead(self, state: str) -> dict:
        with self.lock:
            if state not in self.g.ids:
                raise Refused(f"look-ahead: {state!r} is not a state of this game ({', '.join(self.g.ids)})")
            if not self.questions(state):
                raise Refused(f"look-ahead: {state} has nothing to decide now")
            self.lookaheads[state] = self.g.lookahead(state, self.lookahead_runs)
            self.version += 1
            return self.lookaheads[state]

    def report(self, out: str) -> str:
        """The after-action report: the class's game among ``compare_runs`` engine games (HTML)."""
        from wargame.report import html as report

        with self.lock:
            if not self.over:
                raise Refused("the report comes when the game is over")
            if self.report_html is None:
                ex.write(self.g, self.loaded, out, "wargame serve", self.compare_runs)
                self.report_html = report.build(Path(out))[0]
            return self.report_html

    # -- saving
    def save(self) -> None:
        if not self.save_to:
            return
        ex.save(self.g, self.save_to + ".tmp")
        doc = json.loads(Path(self.save_to + ".tmp").read_text())
        doc["serve"] = {"tokens": {**self.tokens, "*facilitator": self.facilitator, "*room": self.room},
                        "held": self.held, "scheduled": self.scheduled, "paused": self.paused}
        Path(self.save_to + ".tmp").write_text(json.dumps(doc, indent=1, default=float))
        Path(self.save_to + ".tmp").replace(self.save_to)
