"""What each seat in the room sees: the situation as numbers, before it is drawn or written.

The facilitator and the situation room see the world as it is. A team sees its own
state exactly and the others as its state perceives them: their forces scaled by
exp(eps x perception_error), the very log-normal error the engine's third parties
weigh at this decision point (docs/model.md; ``doctrines.decide`` draws eps from the
PERCEPTION stream at this step). Reading the draw changes nothing in the game.
"""

from __future__ import annotations

import numpy as np

from wargame import kernels
from wargame.kernels import streams
from wargame.crisis.world import CASUALTY_SHARE
from wargame.model.log import EVENT_TYPES
from wargame.play.exercise import OUTCOME_TEXT


def perceived(g, viewer: str | None) -> np.ndarray:
    """Factor per state on the forces ``viewer`` is shown (1 for itself, and for everyone without a viewer)."""
    w = g.w
    f = np.ones(w.S)
    if viewer is None or g.turn is None:
        return f
    s = g.ids.index(viewer)
    eps = kernels.normals(w.seed, w.reps, purpose=streams.PERCEPTION, step=int(round(g.turn / w.dt)), k=w.S)
    f[:] = np.exp(eps[0, s] * w.perception[0, s])
    f[s] = 1.0
    return f


def situation(g, viewer: str | None = None) -> dict:
    w, t = g.w, g.turn or 0.0
    k = perceived(g, viewer)
    side = w.side[0]
    fronts = []
    for f, fid in enumerate(w.front_ids):
        att = ((w.front[0, f, :, 0] + w.afloat[0, f]) * (side == 1) * k).sum()
        dfd = (w.front[0, f, :, 0] * (side == -1) * k).sum()
        fronts.append({"id": fid, "position": float(w.position[0, f]), "depth": float(w.depth[0, f]),
                       "air": float(w.air_control[0, f]), "sea": float(w.sea_control[0, f]),
                       "attacker": float(att), "defender": float(dfd)})
    lost = (w.lost[0] * w.mpc[0] * CASUALTY_SHARE).sum(axis=1)
    states = []
    for s, sid in enumerate(g.ids):
        role = {w.att: "attacker", w.dfd: "defender"}.get(s, "third party")
        states.append({"id": sid, "role": role, "side": int(side[s]), "human": bool(w.human[s]),
                       "exact": bool(k[s] == 1.0), "home": float(w.home[0, s, 0] * k[s]),
                       "at_front": float(w.front[0, :, s, 0].sum() * k[s]), "losses": float(lost[s]),
                       "mobilising": bool(w.reserve[0, s] > 0 and w.mob_start[0, s] <= t)})
    return {"day": float(t), "war_day": float(t - w.war_day[0]) if w.at_war[0] else None, "kind": g.kind,
            "fronts": fronts, "states": states, "events": events(g), "outcome": g.outcome, "outcome_text": OUTCOME_TEXT.get(int(w.outcome[0]), g.outcome or ""),
            "end_day": float(w.end_day[0]) if w.ended[0] else None, "horizon": float(w.horizon)}


def events(g) -> list[dict]:
    """The game's events so far, in day order, as short lines (the timeline)."""
    out = []
    for e in g.log.events():
        kind = EVENT_TYPES[e["type"]]
        actor = g.ids[e["actor"]] if e["actor"] >= 0 else ""
        target = g.ids[e["target"]] if e["target"] >= 0 else ""
        text = g.w.injects.items[int(e["value"])]["text"] if kind == "inject" else f"{actor} {target}".strip()
        out.append({"day": float(e["day"]), "kind": kind, "text": text})
    return out
