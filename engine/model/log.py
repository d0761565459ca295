"""The event log and the decision log: fixed records as numpy structured arrays.

Processes append whole masks of replications at once (``record(mask, ...)``), so
logging costs one array operation per event time, not one per replication.
"""

from __future__ import annotations

import numpy as np

EVENT_TYPES = (
    "crisis",         # 0  tension begins (all replications, day 0)
    "warning",        # 1  defender and third parties are warned
    "mobilise",       # 2  a state starts calling up reserves
    "invade",         # 3  the attacker invades
    "intervene",      # 4  a third party decides to join a side (value: +1 attacker, -1 defender side)
    "arrive",         # 5  an intervener's forces reach the theatre
    "escalate",       # 6  actor climbs to rung `value` against target
    "attacked",       # 7  a state's territory is struck (target = host of struck bases or homeland)
    "withdraw",       # 8  an intervener leaves the war
    "breakthrough",   # 9  a front moves (value: front index)
    "capitulate",     # 10 the defender capitulates (value: front index reaching its objective, or -1)
    "sue_for_peace",  # 11 the attacker sues for peace or its assault fails
    "ceasefire",      # 12 negotiated ceasefire after stalemate
    "horizon",        # 13 the horizon is reached with the war unresolved
    "nuclear_use",    # 14 nuclear use ends the replication
    "no_war",         # 15 the attacker never invades
    "inject",         # 16 an inject takes effect (value: its index in the world's injects)
    "front_falls",    # 17 a front's defenders surrender at its objective (value: front index; engine/crisis/irregular.py)
    "morale_breaks",  # 18 a state's morale first falls below its threshold: desertion begins (value: morale)
    "in_place",       # 19 a state's forces in place join the fight on the defender's side (crisis/presence.py)
    "wait",           # 20 the attacker postpones its invasion (value: its expected utility; crisis/deterrence.py)
    "stand_down",     # 21 the attacker stands down (value: its expected utility without third parties)
    "alert",          # 22 a third party alerts and deploys forward after the warning (value: days saved; prewar.py)
    "declare",        # 23 a third party declares a commitment to the defender after the warning (value: credibility gain)
    "aid",            # 24 a supplier starts (value +1) or stops (-1) aiding the target (crisis/aid_decision.py)
    "sanction",       # 25 a sanction takes effect (actor: sanctioner, target; value: trade cut; crisis/sanctions.py)
)
EV = {name: i for i, name in enumerate(EVENT_TYPES)}

EVENT_DTYPE = np.dtype(
    [("rep", "<i8"), ("day", "<f4"), ("type", "i1"), ("actor", "<i2"), ("target", "<i2"), ("value", "<f8")]
)

# Why a third party acted: every evaluation at a decision point, with the numbers weighed.
DECISION_DTYPE = np.dtype(
    [
        ("rep", "<i8"), ("day", "<f4"), ("state", "<i2"), ("doctrine", "i1"), ("action", "i1"),
        ("p_without", "<f4"), ("p_with", "<f4"), ("benefit", "<f4"), ("cost_losses", "<f4"),
        ("cost_retaliation", "<f4"), ("cost_trade", "<f4"), ("utility", "<f4"),
    ]
)
# invade, wait, stand_down: the attacker's evaluations before its invasion (crisis/deterrence.py).
# accept_ceasefire, fight_on: each primary's answer when a stalled war could end (crisis/termination.py).
# aid, no_aid: a supplier's aid decision for one recipient (crisis/aid_decision.py; cost_losses holds the
# cost of the aid itself).
ACTIONS = ("stay_out", "intervene_defender", "intervene_attacker", "withdraw", "stay_in", "invade", "wait",
           "stand_down", "accept_ceasefire", "fight_on", "aid", "no_aid")


class Log:
    def __init__(self, reps: np.ndarray):
        self.reps = reps
        self._events: list[np.ndarray] = []
        self._decisions: list[np.ndarray] = []

    def record(self, mask, day, etype: str, actor=-1, target=-1, value=0.0):
        """Append one event for every replication where ``mask`` is true (mask or index array)."""
        idx = np.flatnonzero(mask) if np.asarray(mask).dtype == bool else np.asarray(mask)
        if idx.size == 0:
            return
        rec = np.empty(idx.size, dtype=EVENT_DTYPE)
        rec["rep"] = self.reps[idx]
        rec["day"] = day if np.isscalar(day) else np.asarray(day)[idx] if np.size(day) == self.reps.size else day
        rec["type"] = EV[etype]
        for name, v in (("actor", actor), ("target", target), ("value", value)):
            rec[name] = v if np.isscalar(v) else (np.asarray(v)[idx] if np.size(v) == self.reps.size else v)
        self._events.append(rec)

    def decide(self, rows: np.ndarray):
        if rows.size:
            self._decisions.append(rows)

    def events(self) -> np.ndarray:
        """Events sorted by (replication, day, type, actor, target).

        Within a day the type order is the causal order of EVENT_TYPES. A canonical sort
        (rather than insertion order) keeps the log identical whatever the batch size,
        since the interleaving of SimPy processes at equal times depends on the batch.
        """
        if not self._events:
            return np.empty(0, dtype=EVENT_DTYPE)
        ev = np.concatenate(self._events)
        return ev[np.lexsort((ev["target"], ev["actor"], ev["type"], ev["day"], ev["rep"]))]

    def decisions(self) -> np.ndarray:
        if not self._decisions:
            return np.empty(0, dtype=DECISION_DTYPE)
        d = np.concatenate(self._decisions)
        return d[np.lexsort((d["state"], d["day"], d["rep"]))]
