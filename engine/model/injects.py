"""Injects in the scenario model: what a target path names, typed injects, and their checks.

An inject (docs/exercise.md, and ``wargame.crisis.injects`` which applies them) has a day, a
text and effects; each effect names a target by its scenario key path. Here a path is
resolved to the World location it changes, a facilitator's typed line is parsed, and an
inject is checked before any world sees it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wargame.model.params import LIMIT, shown

DOMAINS = ("ground", "air", "naval")
# Parameter targets: key path tail -> World attribute (indexed [:, s] or [:, f]).
STATE_PARAMS = {
    "casualty_tolerance": "tolerance",
    "deploy_delay_days": "deploy_delay",
    "perception_error": "perception",
    "mobilisation.rate_per_day": "mob_rate",
    "strike.missiles_per_day": "missiles",
    "strike.escalation_propensity": "propensity",
    "strike.reach_km": "reach",
    **{f"commit.{d}": "commit" for d in DOMAINS},
}
PAIR_PARAMS = {"interests": "interest", "trade": "trade"}  # states.S.interests.T
FRONT_PARAMS = {
    "attacker_lethality": "att_leth",
    "defender_lethality": "def_leth",
    "terrain": "terrain",
    "lift_per_day": "lift",
    "advance_km_per_day": "vmax",
    "transit_loss": "transit_loss",
    "air_weight": "air_weight",
    "sea_weight": "sea_weight",
    "breakthrough_ratio": "breakthrough",
}
TARGET_HELP = ("states.S.forces.{ground,air,naval}, states.S.doctrine, states.S.{"
               + ",".join(STATE_PARAMS) + "}, states.S.{interests,trade}.T, fronts.F.{" + ",".join(FRONT_PARAMS) + "}")


@dataclass(frozen=True)
class Target:
    kind: str  # "param", "doctrine" or "forces"
    attr: str  # World attribute
    index: tuple  # index into it after the replication axis (params, forces) or (s,) (doctrine)


def resolve(target: str, states: list[str], fronts: list[str]) -> Target:
    """The World location a target path names; ValueError with what is expected otherwise."""
    parts = target.split(".")
    if len(parts) >= 3 and parts[0] == "states" and parts[1] in states:
        s, tail = states.index(parts[1]), ".".join(parts[2:])
        if tail == "doctrine":
            return Target("doctrine", "doctrine", (s,))
        if len(parts) == 4 and parts[2] == "forces" and parts[3] in DOMAINS:
            return Target("forces", "forces", (s, DOMAINS.index(parts[3])))
        if tail in STATE_PARAMS:
            idx = (s, DOMAINS.index(parts[3])) if parts[2] == "commit" else (s,)
            return Target("param", STATE_PARAMS[tail], idx)
        if len(parts) == 4 and parts[2] in PAIR_PARAMS and parts[3] in states:
            return Target("param", PAIR_PARAMS[parts[2]], (s, states.index(parts[3])))
    if len(parts) == 3 and parts[0] == "fronts" and parts[1] in fronts and parts[2] in FRONT_PARAMS:
        return Target("param", FRONT_PARAMS[parts[2]], (fronts.index(parts[1]),))
    raise ValueError(f"not a target an inject can change (expected one of {TARGET_HELP}; "
                     f"S in {', '.join(states)}, F in {', '.join(fronts)})")


def parse_typed(text: str, day: float) -> dict:
    """A facilitator's inject typed at the prompt: ``TARGET *FACTOR|=VALUE [for N days] [: TEXT]``.

    ``: TEXT`` alone is news without a model effect. Raises ValueError with the expected form.
    """
    spec, _, note = text.partition(":")
    spec = spec.strip()
    effects = []
    if spec:
        words = spec.split()
        days = None
        if len(words) == 5 and words[2] == "for" and words[4] in ("day", "days"):
            try:
                days = float(words[3])
            except ValueError:
                days = -1.0
            if not 0 < days <= 3650:  # also refuses nan and inf
                raise ValueError(f"inject: {shown(words[3])}: expected a number of days in (0, 3650]")
            words = words[:2]
        if len(words) != 2 or words[1][:1] not in "*=":
            raise ValueError("inject: expected TARGET *FACTOR or TARGET =VALUE [for N days] [: TEXT], "
                             "e.g. inject fronts.landing.lift_per_day *0.5 for 5 days : typhoon")
        op = "scale" if words[1][0] == "*" else "set"
        raw = words[1][1:]
        try:
            value: float | str = float(raw)
        except ValueError:
            value = raw  # a doctrine's name
        effects.append({"target": words[0], "op": op, "value": value, "days": days})
    return {"day": float(day), "text": note.strip() or spec, "effects": effects}


def check(item: dict, states: list[str], fronts: list[str], doctrines) -> str | None:
    """Why an inject cannot apply (None when it can): targets, operations, values."""
    for e in item["effects"]:
        try:
            tg = resolve(e["target"], states, fronts)
        except ValueError as err:
            return f"{shown(e['target'])}: {err}"
        v = e["value"]
        if tg.kind == "doctrine":
            if e["op"] != "set" or v not in doctrines:
                return f"{e['target']} = {shown(v)}: a doctrine is set by name, one of {', '.join(doctrines)}"
        elif not isinstance(v, (int, float)) or isinstance(v, bool) or not np.isfinite(v) or not 0 <= v <= LIMIT:
            return f"{e['target']} = {shown(v)}: expected a non-negative number (finite, at most {LIMIT:g})"
        days = e.get("days")
        if days is not None and (isinstance(days, bool) or not isinstance(days, (int, float)) or not 0 < days <= 3650):
            return f"{e['target']}: for {shown(days)} days: expected a number of days in (0, 3650]"
        if tg.kind == "forces" and e.get("days"):
            return f"{e['target']}: force effects cannot be timed (forces destroyed stay destroyed); drop days"
    return None
