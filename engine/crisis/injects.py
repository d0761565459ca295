"""Injects: news that changes the world at a given day, scheduled in the config or typed in a game.

An inject has a day, a text players see, and effects. Each effect names a target by
its scenario key path, an operation and a value::

    [[injects]]
    day = 40
    text = "A typhoon closes the strait for five days."
    effects = [{ target = "fronts.landing.lift_per_day", op = "scale", value = 0.2, days = 5 }]

Targets are parameters (a state's casualty tolerance, a front's lift, a doctrine...)
or forces (``states.TWN.forces.air``: the combat power the state has, at home and on
the fronts). ``scale`` multiplies, ``set`` replaces. A parameter effect with ``days``
is undone that many days later; a force effect cannot be undone (forces destroyed by
an inject count as losses; forces added count as committed where they stand).

Every replication of a batch gets the same inject on the same day, so a scheduled
inject is part of the scenario like any other value. In a classroom game the
facilitator can type one at the prompt; it is recorded with the decisions, so the
seed plus the decisions replay the same game.

``attach`` gives a World its injects (``w.injects``); ``events.start`` attaches it
with the world's other mechanisms.
"""

from __future__ import annotations

import numpy as np

from wargame.model.injects import Target, resolve


def _rows_index(t: Target, rows):
    return (rows, *t.index)


def apply_param(w, t: Target, op: str, value) -> np.ndarray | None:
    """Change a parameter for every replication; return the previous values (to undo)."""
    if t.kind == "doctrine":
        from wargame.crisis.world import DOCTRINE_CODE

        prev = w.doctrine.copy()
        w.doctrine = w.doctrine.copy()  # copies of a game share nothing with it
        w.doctrine[t.index[0]] = DOCTRINE_CODE[value]
        return prev
    arr = getattr(w, t.attr)
    prev = arr.copy()
    ix = (slice(None), *t.index)
    arr[ix] = arr[ix] * float(value) if op == "scale" else float(value)
    return prev


def apply_forces(w, rows: np.ndarray, t: Target, op: str, value: float) -> None:
    """Scale or set a state's combat power in one domain, at home and on every front."""
    s, d = t.index
    home, front = w.home[rows, s, d], w.front[rows, :, s, d]
    afloat = w.afloat[rows, :, s] if d == 0 else np.zeros_like(front)
    total = home + front.sum(axis=1) + afloat.sum(axis=1)
    f = np.full(rows.size, float(value)) if op == "scale" else np.where(total > 0, value / np.maximum(total, 1e-300), 1.0)
    if op == "set":  # setting forces that are all gone puts them at home
        w.home[rows, s, d] = np.where(total > 0, home, float(value))
    w.home[rows, s, d] *= np.where(total > 0, f, 1.0)
    w.front[rows, :, s, d] = front * f[:, None]
    if d == 0:
        w.afloat[rows, :, s] = afloat * f[:, None]
    gone = np.maximum(total * (1 - f), 0.0) * (total > 0)
    w.lost[rows, s, d] += gone
    # Forces added where a war is being fought are committed there (loss shares stay honest).
    added = np.maximum(front.sum(axis=1) * (f - 1), 0.0)
    w.committed[rows, s, d] += added


class Injects:
    """The injects of one world: config ones plus any a facilitator adds, and what is in force."""

    def __init__(self, sc):
        self.items: list[dict] = [i.model_dump() for i in getattr(sc, "injects", [])]
        self.status: list[str] = ["pending"] * len(self.items)  # pending, active, permanent, undone
        self.saved: dict[tuple[int, int], np.ndarray] = {}

    def add(self, item: dict) -> int:
        self.items.append(item)
        self.status.append("pending")
        return len(self.items) - 1

    def copy(self) -> "Injects":
        c = Injects.__new__(Injects)
        c.items, c.status, c.saved = list(self.items), list(self.status), {}
        return c


def attach(w, paused=None) -> None:
    """The world's injects as ``w.injects``: the scenario's own; attach with ``w.attach(injects.attach)``.

    ``paused``: w is a look-ahead copy of that world. The copy gets the game's injects
    (typed ones included) and where each stands, and the parameter changes in force
    are applied again to the copy's own draws (``reapply``).
    """
    if paused is None:
        w.injects = Injects(w.sc)
        return
    w.injects = paused.injects.copy()
    reapply(w)


def fire(w, log, k: int, t: float) -> None:
    """Apply inject k to every live replication of w at time t."""
    inj, rows = w.injects.items[k], np.flatnonzero(~w.ended)
    for j, e in enumerate(inj["effects"]):
        tg = resolve(e["target"], w.state_ids, w.front_ids)
        if tg.kind == "forces":
            apply_forces(w, rows, tg, e["op"], float(e["value"]))
        else:
            w.injects.saved[(k, j)] = apply_param(w, tg, e["op"], e["value"])
    w.injects.status[k] = "active" if any(e.get("days") for e in inj["effects"]) else "permanent"
    log.record(rows, t, "inject", -1, -1, float(k))


def undo(w, k: int) -> None:
    """Undo inject k's timed parameter effects (those with ``days``)."""
    for j, e in enumerate(w.injects.items[k]["effects"]):
        if e.get("days") and (k, j) in w.injects.saved:
            tg = resolve(e["target"], w.state_ids, w.front_ids)
            if tg.kind == "doctrine":
                w.doctrine = w.injects.saved.pop((k, j))
            else:
                ix = (slice(None), *tg.index)
                getattr(w, tg.attr)[ix] = w.injects.saved.pop((k, j))[ix]
    w.injects.status[k] = "undone"


def reapply(w) -> None:
    """In a fresh copy of a paused world (look-ahead), put back the parameter effects in force.

    The copy re-sampled its parameters, so the injects that already changed them are
    applied again to the copy's own values; force effects are in the copied state already.
    """
    for k, st in enumerate(w.injects.status):
        if st not in ("active", "permanent"):
            continue
        for j, e in enumerate(w.injects.items[k]["effects"]):
            tg = resolve(e["target"], w.state_ids, w.front_ids)
            if tg.kind != "forces" and (st == "active" or not e.get("days")):
                w.injects.saved[(k, j)] = apply_param(w, tg, e["op"], e["value"])


def process(env, w, log, since: float | None = None, only: int | None = None):
    """SimPy process: fire each inject on its day and undo its timed effects when they expire."""
    plan = []
    for k, inj in enumerate(w.injects.items):
        if only is not None and k != only:
            continue
        t0 = float(w.grid(inj["day"]))
        if w.injects.status[k] == "pending":
            plan.append((t0, 0, k))
        days = [e["days"] for e in inj["effects"] if e.get("days")]
        if days and w.injects.status[k] in ("pending", "active"):
            plan.append((float(w.grid(inj["day"] + max(days))), 1, k))
    for t, what, k in sorted(plan):
        if t > w.horizon or (since is not None and t <= since and what == 0):
            continue
        if t > env.now:
            yield env.timeout(t - env.now)
        if what == 0:
            fire(w, log, k, t)
        else:
            undo(w, k)
