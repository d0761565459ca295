"""A classroom game: one replication in which some states are played by people.

The same SimPy processes as a batch run, with R = 1. At each decision point the
decisions process yields to the game (``World.hook``); ``advance`` runs the world
until then and returns the turn, the people decide (``decide``), and ``advance``
goes on. ``lookahead`` runs the engine on 2,000 copies of the paused world, one set
per option, so players compare outcome probabilities before they choose. Every
decision is recorded, so the seed plus the decisions replay the same game.
"""

from __future__ import annotations

import numpy as np
import simpy

from . import doctrines
from .combat import KernelClock
from .events import run_from, start
from .log import Log
from .summary import wilson
from .world import OUTCOMES, World

THIRD_PARTY_OPTIONS = ("stay_out", "intervene_defender", "intervene_attacker")
INSIDE_OPTIONS = ("stay_in", "withdraw")
LOOKAHEAD_BASE = 1 << 40  # replication keys of look-ahead copies: far from any batch run's


class Game:
    def __init__(self, sc, seed: int, play: list[str], rep: int = 0):
        unknown = [p for p in play if p not in sc.states]
        if unknown:
            raise ValueError(f"--play {unknown[0]}: not a state of this scenario ({', '.join(sc.states)})")
        self.w = w = World(sc, seed, np.array([rep], dtype=np.int64))
        self.ids = w.state_ids
        for p in play:
            w.human[self.ids.index(p)] = True
        w.hook = self._hook
        self.env = simpy.Environment()
        self.log = Log(w.reps)
        self.clock = KernelClock()
        self.done = start(self.env, w, self.log, self.clock)
        self.turn: float | None = None
        self.decisions: list[dict] = []  # what people chose: enough to replay the game
        self.config_path, self.config_text, self.overrides = "", "", []  # for saving (set by the CLI)
        self._ready = self.env.event()
        self._resume: simpy.Event | None = None

    # -- the turn cycle
    def _hook(self, env, t, rows):
        playing = [s for s in np.flatnonzero(self.w.human) if s not in (self.w.att, self.w.dfd)]
        if not playing or self.w.ended[0]:
            return
        self.turn = t
        self._resume = env.event()
        self._ready.succeed()
        yield self._resume

    def advance(self) -> float | None:
        """Run until the next human decision point; None when the game is over."""
        if self._resume is not None and not self._resume.triggered:
            self._resume.succeed()
        self._ready = self.env.event()
        self.env.run(until=self._ready | self.done)
        return None if self.done.triggered else self.turn

    def to_decide(self) -> list[str]:
        """Human-played third parties that decide now (primaries fight; they do not intervene)."""
        w = self.w
        return [self.ids[s] for s in np.flatnonzero(w.human) if s not in (w.att, w.dfd)
                and np.isnan(w.withdrew_day[0, s])]

    def options(self, state: str) -> tuple[str, ...]:
        s = self.ids.index(state)
        return INSIDE_OPTIONS if self.w.intervened[0, s] else THIRD_PARTY_OPTIONS

    def weigh(self, state: str) -> dict:
        """What the engine's self-help calculus would weigh for this state now (for the briefing)."""
        s = self.ids.index(state)
        rows = np.array([0])
        v = doctrines._weigh(self.w, rows, s, np.zeros(1), self.clock)
        return {k: float(np.asarray(v[k])[0]) for k in ("p_without", "p_with", "benefit", "cost_losses",
                                                          "cost_retaliation", "cost_trade", "utility")}

    def decide(self, state: str, action: str) -> None:
        if action not in self.options(state):
            raise ValueError(f"{state}: {action!r} is not an option now ({', '.join(self.options(state))})")
        _apply(self.w, self.log, self.ids.index(state), action, self.turn, self.clock)
        self.decisions.append({"day": float(self.turn), "state": state, "action": action})

    # -- look-ahead
    def lookahead(self, state: str, runs: int = 2000) -> dict:
        """Outcome probabilities (with 95% intervals) for each option of ``state``, from now."""
        s = self.ids.index(state)
        out = {}
        for k, action in enumerate(self.options(state)):
            c = self.w.copies(runs, LOOKAHEAD_BASE + (len(self.decisions) * 8 + k) * runs)
            _apply(c, Log(c.reps), s, action, self.turn, KernelClock())
            c.next_decision = c.grid(self.turn + c.doc["decision_interval_days"])  # this turn is over
            run_from(c, c.last_daily, KernelClock())
            out[action] = {name: wilson(int((c.outcome == i).sum()), runs) for i, name in enumerate(OUTCOMES)}
        return out


def _apply(w: World, log: Log, s: int, action: str, t: float, clock: KernelClock) -> None:
    """Carry out one human decision for every replication of w (1 in the game, many in copies)."""
    rows = np.arange(w.R)
    v = doctrines._weigh(w, rows, s, np.zeros(w.R), clock)
    join = np.full(w.R, action.startswith("intervene"))
    leave = np.full(w.R, action == "withdraw")
    side_to = np.full(w.R, 1 if action == "intervene_attacker" else -1, dtype=np.int8)
    doctrines._act(w, log, rows, t, s, v, join, leave, side_to)
