"""A classroom game: one replication in which some states are played by people.

The same SimPy processes as a batch run, with R = 1. Where a human-played state has
a choice, the process yields to the game (the ``hook`` the game hands to
``events.start``; the world itself only records which states people play, ``w.human``):
``advance`` runs the world until then and returns the day; ``questions`` says who decides what; the people
answer with ``decide``; ``advance`` goes on. The choices (docs/exercise.md):

- mobilise: call up the reserves now, or hold them (asked again at every turn);
- invade (the attacker): invade now, wait a turn, or stand down;
- intervene (a third party): stay out, or join a side with all it committed or
  with air and naval forces only; once in: stay in or withdraw;
- escalate: strike an enemy one rung higher (forces, bases, homeland,
  nuclear), within reach, or hold fire;
- ceasefire (the attacker and defender, when the front has stalled): accept or fight on.

``lookahead`` runs the engine on 2,000 copies of the paused world, one set per option,
so players compare outcome probabilities before they choose. Every decision (and every
inject the facilitator types) is recorded, so the seed plus the decisions replay the game.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import simpy

from wargame.crisis import doctrines
from wargame.crisis import escalation
from wargame.crisis import injects
from wargame.model import injects as inject_rules
from wargame.crisis.clock import GridEnvironment
from wargame.crisis.combat import GROUND, KernelClock
from wargame.crisis.events import run_from, start, start_war
from wargame.model.log import Log
from wargame.estimate import wilson
from wargame.errors import WargameError
from wargame.execution.runner import DEFAULT_SEED
from wargame.model.scenario import DOCTRINES, Loaded, load
from wargame.crisis.world import NO_WAR, OUTCOMES, World

THIRD_PARTY_OPTIONS = ("stay_out", "intervene_defender", "intervene_defender_air_naval",
                       "intervene_attacker", "intervene_attacker_air_naval")
INSIDE_OPTIONS = ("stay_in", "withdraw")
MOBILISE_OPTIONS = ("mobilise", "hold_reserves")
INVADE_OPTIONS = ("invade", "wait", "stand_down")
CEASEFIRE_OPTIONS = ("accept_ceasefire", "fight_on")
LOOKAHEAD_BASE = 1 << 40  # replication keys of look-ahead copies: far from any batch run's


@dataclass
class Question:
    state: str
    topic: str  # mobilise, invade, intervene, withdraw, escalate, ceasefire
    options: tuple[str, ...]


class GameError(WargameError, ValueError):
    """A game that cannot be set up or a decision that cannot be taken (one line)."""


class Game:
    """One replication that people play: the processes pause at every decision people own.

    ``scenario`` is a shipped scenario's name, a TOML path, a loaded scenario
    (``wargame.load``) or its validated model; ``play`` names the states people decide for.
    """

    def __init__(self, scenario, seed: int = DEFAULT_SEED, play=(), rep: int = 0):
        if isinstance(scenario, (str, Path)):
            scenario = load(scenario)
        loaded = scenario if isinstance(scenario, Loaded) else None
        sc = loaded.scenario if loaded is not None else scenario
        if loaded is not None and loaded.kind != "crisis":
            raise GameError(f"{loaded.path} is a {loaded.kind} scenario; classroom games are for crisis scenarios")
        play = [play] if isinstance(play, str) else list(play)
        unknown = [p for p in play if p not in sc.states]
        if unknown:
            raise GameError(f"--play {unknown[0]}: not a state of this scenario ({', '.join(sc.states)})")
        self.w = w = World(sc, seed, np.array([rep], dtype=np.int64))
        self.ids = w.state_ids
        for p in play:
            s = self.ids.index(p)
            w.human[s] = True
            w.mob_start[0, s] = np.inf  # the players call up their reserves when they decide to
        self.env = GridEnvironment(w.dt)
        self.log = Log(w.reps)
        self.clock = KernelClock()
        self.done = start(self.env, w, self.log, self.clock, hook=self._hook)
        self.turn: float | None = None
        self.kind = ""
        self.pending: list[Question] = []
        self.answers: dict[str, str] = {}  # topic -> action, for the choices the processes act on
        self.decisions: list[dict] = []  # what people chose (and injects typed): enough to replay the game
        self.config_path, self.config_text, self.overrides = "", "", []  # for saving (set by the CLI)
        if loaded is not None:
            self.config_path, self.config_text = loaded.path, loaded.text
            self.overrides = [list(o) for o in loaded.overrides]
        self._ready = self.env.event()
        self._resume: simpy.Event | None = None

    # -- the turn cycle
    def _hook(self, env, t, kind):
        """The processes' decision hook (events.start): pause the world until the people have answered."""
        qs = [] if self.w.ended[0] else self._questions(kind)
        if not qs:
            return "accept_ceasefire" if kind == "ceasefire" else None
        self.turn, self.kind, self.pending, self.answers = t, kind, qs, {}
        self._resume = env.event()
        self._ready.succeed()
        yield self._resume
        if kind == "ceasefire":
            return all(a == "accept_ceasefire" for q, a in self.answers.items() if q.startswith("ceasefire"))
        return self.answers.get("invade")

    def _questions(self, kind: str) -> list[Question]:
        w, qs = self.w, []
        humans = list(np.flatnonzero(w.human))
        if kind == "ceasefire":
            return [Question(self.ids[s], "ceasefire", CEASEFIRE_OPTIONS) for s in humans if s in (w.att, w.dfd)]
        for s in humans:
            sid = self.ids[s]
            warned = s == w.att or w.warned[0]
            if warned and np.isinf(w.mob_start[0, s]) and w.reserve_left[0, s] > 0:
                qs.append(Question(sid, "mobilise", MOBILISE_OPTIONS))
            if kind == "invade" and s == w.att:
                qs.append(Question(sid, "invade", INVADE_OPTIONS))
            if kind != "war":
                continue
            if s not in (w.att, w.dfd) and np.isnan(w.withdrew_day[0, s]):
                inside = w.intervened[0, s]
                qs.append(Question(sid, "withdraw" if inside else "intervene",
                                   INSIDE_OPTIONS if inside else THIRD_PARTY_OPTIONS))
            esc = self.escalation_targets(s)
            if esc:
                qs.append(Question(sid, "escalate", ("hold_fire", *(f"escalate_{self.ids[i]}" for i in esc))))
        return qs

    def escalation_targets(self, a: int) -> list[int]:
        """Enemies a could strike one rung higher now, primaries included (the engine's own pair and reach rules)."""
        w, rows = self.w, np.array([0])
        if a not in escalation.strikers(w):
            return []
        pressure = w.pressure(rows)[:, a]
        return [i for i in range(w.S) if i != a and escalation.targets(w, rows, a, i)[0]
                and escalation.next_rung(w, rows, a, i, pressure)[0] <= 4]

    def advance(self) -> float | None:
        """Run until the next decision by people; None when the game is over."""
        if self.pending:
            q = self.pending[0]
            raise ValueError(f"{q.state} has not decided ({q.topic}: {', '.join(q.options)})")
        if self._resume is not None and not self._resume.triggered:
            self._resume.succeed()
        self._ready = self.env.event()
        self.env.run(until=self._ready | self.done)
        return None if self.done.triggered else self.turn

    @property
    def outcome(self) -> str | None:
        """How the game ended (an outcome name, docs/model.md), or None while it goes on."""
        return OUTCOMES[int(self.w.outcome[0])] if self.w.ended[0] else None

    def to_decide(self) -> list[str]:
        """The states still to answer this turn, one entry per question, in order."""
        return [q.state for q in self.pending]

    def question(self, state: str, action: str | None = None) -> Question:
        """The state's next pending question (or the one offering ``action``)."""
        for q in self.pending:
            if q.state == state and (action is None or action in q.options):
                return q
        if any(q.state == state for q in self.pending):
            opts = ", ".join(o for q in self.pending if q.state == state for o in q.options)
            raise ValueError(f"{state}: {action!r} is not an option now ({opts})")
        raise ValueError(f"{state}: nothing to decide now")

    def options(self, state: str) -> tuple[str, ...]:
        return self.question(state).options

    def weigh(self, state: str) -> dict:
        """What the engine's self-help calculus would weigh for this state now (for the briefing)."""
        s = self.ids.index(state)
        rows = np.array([0])
        v = doctrines._weigh(self.w, rows, s, np.zeros(1), self.clock)
        return {k: float(np.asarray(v[k])[0]) for k in ("p_without", "p_with", "benefit", "cost_losses",
                                                          "cost_retaliation", "cost_trade", "utility")}

    def decide(self, state: str, action: str) -> None:
        q = self.question(state, action)
        s = self.ids.index(state)
        if q.topic in ("invade", "ceasefire"):
            self.answers[q.topic if q.topic == "invade" else f"ceasefire:{state}"] = action
        else:
            _apply(self.w, self.log, s, action, self.turn, self.clock)
        self.pending.remove(q)
        self.decisions.append({"day": float(self.turn), "state": state, "action": action})

    def inject(self, item: dict) -> None:
        """A facilitator's inject (engine/crisis/injects.py), applied now and recorded with the decisions."""
        w = self.w
        why = inject_rules.check(item, self.ids, w.front_ids, DOCTRINES)
        if why:
            raise ValueError(f"inject: {why}")
        item = {**item, "day": float(self.turn)}
        k = w.injects.add(item)
        injects.fire(w, self.log, k, self.turn)
        if w.injects.status[k] == "active":  # timed effects are undone by the inject process
            self.env.process(injects.process(self.env, w, self.log, since=self.turn, only=k))
        self.decisions.append({"day": float(self.turn), "inject": item})

    # -- look-ahead
    def lookahead(self, state: str, runs: int = 2000) -> dict:
        """Outcome probabilities (with 95% intervals) for each option of the state's next question."""
        q, s = self.question(state), self.ids.index(state)
        out = {}
        for k, action in enumerate(q.options):
            c = self.w.copies(runs, LOOKAHEAD_BASE + (len(self.decisions) * 8 + k) * runs)
            log = Log(c.reps)
            if q.topic == "invade":  # copies follow the engine: waiting means invading at the next turn
                if action == "invade":
                    start_war(c, log, np.arange(runs), self.turn, [simpy.Environment().event()])
                elif action == "wait":
                    c.invasion_day[:] = self.turn + c.doc["decision_interval_days"]
                else:
                    c.ended[:], c.outcome[:] = True, NO_WAR
            elif q.topic == "ceasefire":
                c.offer[:] = False  # the option answers the offer
                if action == "accept_ceasefire":
                    c.ended[:], c.outcome[:] = True, OUTCOMES.index("ceasefire")
                else:
                    c.pos_ref[:], c.ref_day[:] = c.position, self.turn
            else:
                _apply(c, log, s, action, self.turn, KernelClock())
            if self.kind == "war":
                c.next_decision = c.grid(self.turn + c.doc["decision_interval_days"])  # this turn is over
            run_from(c, c.last_daily, KernelClock())
            out[action] = {name: wilson(int((c.outcome == i).sum()), runs) for i, name in enumerate(OUTCOMES)}
        return out


def _apply(w: World, log: Log, s: int, action: str, t: float, clock: KernelClock) -> None:
    """Carry out one human decision for every replication of w (1 in the game, many in copies)."""
    rows = np.arange(w.R)
    if action in MOBILISE_OPTIONS:
        if action == "mobilise":
            w.mob_start[:, s] = w.grid(t + w.mob_delay[:, s])
            # The combat clock logs a call-up on its start day; one starting on a step it has already
            # run (day 0 with no delay) is logged here.
            log.record(rows[w.mob_start[:, s] <= w.last_daily], t, "mobilise", s)
        return
    if action.startswith("escalate_") or action == "hold_fire":
        if action != "hold_fire":
            i = w.state_ids.index(action.removeprefix("escalate_"))
            new = escalation.next_rung(w, rows, s, i, w.pressure(rows)[:, s])
            ok = escalation.targets(w, rows, s, i) & (new <= 4)
            escalation.raise_rung(w, log, rows[ok], s, i, new[ok], t)
        return
    v = doctrines._weigh(w, rows, s, np.zeros(w.R), clock)
    join = np.full(w.R, action.startswith("intervene"))
    leave = np.full(w.R, action == "withdraw")
    side_to = np.full(w.R, 1 if action.startswith("intervene_attacker") else -1, dtype=np.int8)
    if action.endswith("_air_naval"):
        w.sends[:, s, GROUND] = 0.0
    doctrines._act(w, log, rows, t, s, v, join, leave, side_to)

