"""Casualties by kind (killed, wounded, captured or missing), forces cut off ashore, and
losses by fixed days of the war (docs/model.md §3.6).

Personnel losses stay what they were (``lost`` cp x manpower per cp x CASUALTY_SHARE,
crisis/world.py); this module divides them. Of a state's losses in a domain,
``captured_share`` are captured or missing, and the rest divide into killed and wounded
as 1 : ``wounded_per_killed`` (states.<s>.casualties, sampled per replication). A force
that surrenders when cut off ashore (``cut_off``) is booked in ``lost`` like any loss and
counted captured in full, so killed + wounded + captured is always the total.

The cut-off rule (``[cutoff]``): on an amphibious front where the attacker has landed,
its force ashore is cut off on a day when its side's sea control is below
``cutoff.sea_control`` or its lift is all destroyed (crisis/strikes.py): lift without
sea control is sunk on the way, sea control without lift carries nothing. After
``cutoff.days`` cut off in a row, ``cutoff.surrender_per_day`` x dt of the attacker
side's ground cp still ashore there surrenders each step (never more than is ashore).
The rule draws no random numbers. Troops still afloat when the war ends go home: they
are not casualties (docs/model.md §3.6).
"""

from __future__ import annotations

import numpy as np

from wargame.crisis import air_force, fleet
from wargame.crisis.world import CASUALTY_SHARE, World

KINDS = ("killed", "wounded", "captured")
MARK_DAYS = (7, 21, 30)  # states/losses_by_day: losses by these days of the war
DOMAINS = ("ground", "air", "naval")
STATE = ("cut_for", "surrendered", "loss_marks")  # what a look-ahead copy carries over


def attach(w: World, paused: World | None = None) -> None:
    """The casualty split's and the cut-off rule's parameters on ``w``, and their state."""
    R, S, F = w.R, w.S, w.F
    w.wounded_per_killed, w.captured_share = np.zeros((R, S, 3)), np.zeros((R, S, 3))
    for s, (sid, st) in enumerate(w.sc.states.items()):
        c, p = st.casualties, f"states.{sid}.casualties"
        for d, dom in enumerate(DOMAINS):
            r, cap = getattr(c.wounded_per_killed, dom), getattr(c.captured_share, dom)
            w.wounded_per_killed[:, s, d] = w.sample(r, f"{p}.wounded_per_killed.{dom}")
            w.captured_share[:, s, d] = w.sample(cap, f"{p}.captured_share.{dom}")
    co = w.sc.cutoff
    w.cut_sea, w.cut_days = w.sample(co.sea_control, "cutoff.sea_control"), w.sample(co.days, "cutoff.days")
    w.cut_rate = w.sample(co.surrender_per_day, "cutoff.surrender_per_day")
    if paused is None:
        w.cut_for = np.zeros((R, F))  # days each front's attacker ashore has been cut off in a row
        w.surrendered = np.zeros((R, S))  # ground cp surrendered when cut off (also in ``lost``)
        w.loss_marks = np.zeros((R, S, 3, 3, len(MARK_DAYS)))  # personnel by domain, kind, by each mark day
    else:
        first = np.zeros(R, dtype=np.int64)
        for k in STATE:
            setattr(w, k, getattr(paused, k)[first].copy())


def cut_off(w: World, rows: np.ndarray, t: float) -> None:
    """Surrenders of the attacker's forces cut off ashore on amphibious fronts, step ending at t."""
    if rows.size == 0 or not w.amphibious.any():
        return
    dt = w.dt
    lift_left = np.maximum(w.lift[rows] - w.lift_lost[rows], 0.0)
    cut = (w.amphibious[None, :] & np.isfinite(w.landing_day[rows])
           & ((w.sea_control[rows] < w.cut_sea[rows, None]) | (lift_left <= 0.0)))
    days = np.where(cut, w.cut_for[rows] + dt, 0.0)
    w.cut_for[rows] = days
    share = np.where(cut & (days > w.cut_days[rows, None] + 1e-9), np.minimum(w.cut_rate[rows, None] * dt, 1.0), 0.0)
    if not share.any():
        return
    ground = w.front[rows][:, :, :, 0]  # (n, F, S)
    gone = ground * share[:, :, None] * (w.side[rows] == 1)[:, None, :]
    w.front[rows, :, :, 0] = ground - gone
    w.lost[rows, :, 0] += gone.sum(axis=1)
    w.surrendered[rows] += gone.sum(axis=1)


def personnel(w: World) -> np.ndarray:
    """(R, S, 3) personnel lost, all kinds (the ``states/losses`` column)."""
    return _personnel_rows(w, slice(None))


def _personnel_rows(w: World, rows) -> np.ndarray:
    # fleets by class: their crews (crisis/fleet.py); typed air forces: aircrew lost (crisis/air_force.py)
    return air_force.personnel(w, fleet.crew_lost(w, w.lost[rows] * w.mpc[rows] * CASUALTY_SHARE, rows), rows)


def split(w: World) -> np.ndarray:
    """(R, S, 3 domains, 3 kinds) personnel killed, wounded and captured; sums to ``personnel``."""
    return _split(personnel(w), w.surrendered, w.mpc, w.captured_share, w.wounded_per_killed)


def _split(total, surrendered, mpc, captured_share, wounded_per_killed) -> np.ndarray:
    # Element by element per replication: a subset of rows gives the same bits as the whole.
    gave_up = np.zeros_like(total)
    gave_up[:, :, 0] = np.minimum(surrendered * mpc[:, :, 0] * CASUALTY_SHARE[0], total[:, :, 0])
    fought = total - gave_up
    captured = fought * captured_share
    killed = (fought - captured) / (1.0 + wounded_per_killed)
    out = np.empty(total.shape + (3,))
    out[..., 0] = killed
    out[..., 2] = captured + gave_up
    out[..., 1] = total - out[..., 0] - out[..., 2]  # the rest: the three add up to the total exactly
    return out


def mark(w: World, t: float) -> None:
    """Losses so far, by domain and kind (and, where the scenario has the class tables, ships by
    class and aircraft by type), for every replication at war within each mark day of its war
    (step ending at t)."""
    day = t - w.war_day  # NaN where no war: no mark written
    # Only rows still fighting: what split reads (lost, surrendered, ships and aircrew lost) no
    # longer changes once a war has ended -- it ended after this step's mark, which already
    # holds its final losses -- except by an inject, which may strike any replication.
    inj = getattr(w, "injects", None)
    live = w.at_war if inj is not None and inj.items else w.at_war & ~w.ended
    rows = np.flatnonzero(live & (day <= max(MARK_DAYS) + 1e-9))  # the mark days' rows are nested
    if rows.size == 0:
        return
    d = day[rows]
    now = _split(_personnel_rows(w, rows), w.surrendered[rows], w.mpc[rows], w.captured_share[rows],
                 w.wounded_per_killed[rows])
    ships, planes = fleet._on(w), bool(getattr(w, "typed", False))
    for k, m in enumerate(MARK_DAYS):
        o = d <= m + 1e-9
        if o.any():
            r = rows[o]
            w.loss_marks[r, ..., k] = now[o]
            # The platforms on the same steps: ships by class, aircraft by type (air and ground together).
            if ships:
                w.ship_marks[r, ..., k] = w.ships_lost[r]
            if planes:
                w.aircraft_marks[r, ..., k] = w.aircraft_lost[r].sum(axis=-1)


def columns(w: World) -> dict:
    """``states/casualties`` (R, S, domain, kind) and ``states/losses_by_day`` (R, S, domain, kind, mark)."""
    return {"casualties": split(w), "losses_by_day": w.loss_marks.copy()}
