"""SimPy processes of one batch of the system kind: growth, alliances, decisions, war.

One SimPy Environment runs a batch; time is in years. ``growth``, ``alliances`` and
``decisions`` act once per year (decisions every ``decision_interval_years``) on
every live replication at once; ``combat`` steps every war of every replication
with one ``kernels.lanchester_step`` call per war tick and sleeps while no
replication is at war (a new war wakes it). At an integer year the order is
always growth, alliances, decisions, combat: the yearly processes' timeouts were
scheduled a year earlier, the war tick's only a tick earlier, whatever the batch
holds, so a replication's result does not depend on its batch.
"""

from __future__ import annotations

import numpy as np
import simpy

from wargame.model.log import EVENT_DTYPE
from wargame.kernels import lanchester_step, normals, uniforms
from wargame.kernels import streams

from wargame.system import doctrines
from wargame.system.world import CENTRAL, SystemWorld

EVENT_TYPES = ("war", "conquest", "defeat", "stalemate", "contest", "alliance_formed", "alliance_broken",
               "dominance")
EV = {n: i for i, n in enumerate(EVENT_TYPES)}
_UNIFORM_STEPS = 1 << 40  # decision uniforms use steps 2**40 + year, apart from the normals' steps


class Log:
    """Events as EVENT_DTYPE records (``day`` holds the year), sorted canonically at the end."""

    def __init__(self, reps):
        self.reps, self.parts = reps, []

    def record(self, rows, year, etype, actor=-1, target=-1, value=0.0):
        rows = np.asarray(rows)
        if rows.size == 0:
            return
        rec = np.empty(rows.size, dtype=EVENT_DTYPE)
        rec["rep"], rec["day"], rec["type"] = self.reps[rows], year, EV[etype]
        rec["actor"], rec["target"], rec["value"] = actor, target, value
        self.parts.append(rec)

    def events(self) -> np.ndarray:
        if not self.parts:
            return np.empty(0, dtype=EVENT_DTYPE)
        ev = np.concatenate(self.parts)
        return ev[np.lexsort((ev["target"], ev["actor"], ev["type"], ev["day"], ev["rep"]))]


def check_dominance(w: SystemWorld, log: Log, t: float, rows: np.ndarray | None = None) -> None:
    """End the replications (all, or ``rows``) where one state now holds the dominance share
    (systems of 2+ states)."""
    if w.S < 2:
        return
    sh = w.shares()
    top = sh.argmax(axis=1)
    due = ~w.ended & (sh.max(axis=1) >= w.r["dominance_share"])
    if rows is not None:
        due &= np.isin(np.arange(w.R), rows)
    done = np.flatnonzero(due)
    w.ended[done], w.endurance[done], w.dominant[done] = True, t, top[done]
    log.record(done, t, "dominance", top[done], -1, sh[done, top[done]])


def start_war(w: SystemWorld, log: Log, rows: np.ndarray, i: int, j: np.ndarray, t: float, contest: bool) -> None:
    """Initiator i attacks j[k] in rows[k]; the joining rules bring in the others."""
    if rows.size == 0:
        return
    idle = w.idle()
    n = rows.size
    if contest:
        d = a = np.zeros((n, w.S), dtype=bool)
        share = np.zeros((n, w.S))
    else:
        d, a, share = doctrines.joiners(w, rows, i, j, idle)
    c = w.r["commit"][rows]
    field = np.where(d | a, share * w.P[rows], 0.0)
    field[:, i] = c * w.P[rows, i]
    field[np.arange(n), j] = c * w.P[rows, j]
    att = a.copy()
    att[:, i] = True
    dfd = d.copy()
    dfd[np.arange(n), j] = True
    part = att | dfd
    w.war_of[rows] = np.where(part, i, w.war_of[rows])
    w.side[rows] = np.where(att, 1, np.where(dfd, -1, w.side[rows]))
    w.fielded[rows] = np.where(part, field, w.fielded[rows])
    w.active[rows, i], w.start[rows, i], w.target[rows, i], w.contest[rows, i] = True, t, j, contest
    w.x0[rows, i] = (field * att).sum(axis=1)
    w.y0[rows, i] = (field * dfd).sum(axis=1)
    # Each side's fortune for this war: one lognormal factor on its lethality.
    z = normals(w.seed, w.reps[rows], purpose=streams.SYS_FORTUNE, step=int(round(t)), k=2 * w.S)[:, 2 * i:2 * i + 2]
    cs, leth = w.r["chance_sd"][rows], w.r["lethality"][rows]
    w.lam_a[rows, i] = leth * np.exp(cs * z[:, 0])
    w.lam_b[rows, i] = leth * w.r["defence_multiplier"][rows] * np.exp(cs * z[:, 1])
    size = part.sum(axis=1)
    w.wars[rows] += 1
    np.add.at(w.war_sizes, (rows, size), 1)
    w.wars_fought[rows] += part
    if contest:
        w.contests[rows] += 1
    log.record(rows, t, "contest" if contest else "war", i, j, size)


def end_war(w: SystemWorld, log: Log, rows: np.ndarray, i: int, t: float, att_won, def_won) -> None:
    """Free the participants; a defeated target is absorbed by the initiator (contests: control changes)."""
    part = w.war_of[rows] == i
    w.war_of[rows] = np.where(part, -1, w.war_of[rows])
    w.side[rows] = np.where(part, 0, w.side[rows])
    w.fielded[rows] = np.where(part, 0.0, w.fielded[rows])
    w.active[rows, i] = False
    j = w.target[rows, i].astype(np.int64)
    contest = w.contest[rows, i]
    won = rows[att_won & ~contest]
    jw = j[att_won & ~contest]
    gain = w.r["absorption_share"][won] * w.P[won, jw]
    w.power_destroyed[won] += w.P[won, jw] - gain
    w.P[won, i] += gain
    w.P[won, jw] = 0.0
    w.alive[won, jw] = False
    w.death_year[won, jw] = t
    w.absorbed_by[won, jw] = i
    w.conquests[won] += 1
    log.record(won, t, "conquest", i, jw, gain)
    took = rows[att_won & contest]
    w.controller[took] = i
    lost = def_won
    log.record(rows[lost], t, "defeat", i, j[lost])
    stale = ~att_won & ~def_won
    w.stalemates[rows[stale]] += 1
    log.record(rows[stale], t, "stalemate", i, j[stale])


def combat_tick(w: SystemWorld, log: Log, t: float, tick: int) -> None:
    """One war tick for every war of every replication: one kernel call, then losses and endings."""
    rr, ww = np.nonzero(w.active & (w.start <= t - w.dt + 1e-9) & ~w.ended[:, None])
    if rr.size == 0:
        return
    key = (w.war_of >= 0)
    flat = np.flatnonzero(key)
    r_of, s_of = np.divmod(flat, w.S)
    slot = r_of * w.S + w.war_of.ravel()[flat]
    f = w.fielded.ravel()[flat]
    sd = w.side.ravel()[flat]
    x_all = np.bincount(slot, weights=f * (sd > 0), minlength=w.R * w.S)
    y_all = np.bincount(slot, weights=f * (sd < 0), minlength=w.R * w.S)
    wi = rr * w.S + ww
    x, y = x_all[wi], y_all[wi]
    x1, y1 = lanchester_step(x, y, a=w.lam_a[rr, ww], b=w.lam_b[rr, ww], p=0.0, q=1.0, rx=0.0, ry=0.0, dt=w.dt,
                             stochastic=w.stochastic, seed=w.seed, reps=w.reps[rr], slots=ww,
                             step=tick, purpose=streams.SYS_COMBAT)
    # Every participant loses the share of its side's strength the side lost.
    kx = np.zeros(w.R * w.S)
    ky = np.zeros(w.R * w.S)
    kx[wi] = np.where(x > 0, x1 / np.maximum(x, 1e-300), 0.0)
    ky[wi] = np.where(y > 0, y1 / np.maximum(y, 1e-300), 0.0)
    fighting = np.zeros(w.R * w.S, dtype=bool)
    fighting[wi] = True
    sel = fighting[slot]
    k = np.where(sd[sel] > 0, kx[slot[sel]], ky[slot[sel]])
    old = f[sel]
    new = old * k
    rs, ss = r_of[sel], s_of[sel]
    w.fielded[rs, ss] = new
    w.P[rs, ss] = np.maximum(w.P[rs, ss] - (old - new), 0.0)
    np.add.at(w.power_destroyed, rs, old - new)
    bp = w.r["breakpoint"][rr]
    fa = 1.0 - x1 / np.maximum(w.x0[rr, ww], 1e-300)
    fd = 1.0 - y1 / np.maximum(w.y0[rr, ww], 1e-300)
    att_breaks, def_breaks = fa >= bp, fd >= bp
    # Both break in the same tick: the side that lost the larger share gives way.
    att_won = def_breaks & ~(att_breaks & (fa > fd))
    def_won = att_breaks & ~att_won
    timeout = t - w.start[rr, ww] >= w.r["max_war_years"][rr] - 1e-9
    done = att_won | def_won | timeout
    for i in np.unique(ww[done]):
        m = done & (ww == i)
        end_war(w, log, rr[m], int(i), t, att_won[m], def_won[m])
    if done.any():
        # Only where a war ended: checking every replication whenever any war of the batch
        # ended made a replication's result depend on the others in its batch.
        check_dominance(w, log, t, np.unique(rr[done]))


# ---------------------------------------------------------------- processes


def growth(env, w: SystemWorld, log: Log):
    """Yearly: power grows by exp(g + sd z); fielded strength cannot exceed what a state has."""
    while env.now + 1 <= w.horizon:
        yield env.timeout(1)
        t = int(round(env.now))
        z = normals(w.seed, w.reps, purpose=streams.SYS_GROWTH, step=t, k=w.S)
        grow = w.alive & ~w.ended[:, None]
        w.P = np.where(grow, w.P * np.exp(w.growth + w.r["growth_sd"][:, None] * z), w.P)
        w.fielded = np.minimum(w.fielded, w.P)
        check_dominance(w, log, t)


def alliances(env, w: SystemWorld, log: Log):
    """Yearly (from year 0): the realpolitik bloc forms or breaks; the central authority's seat is filled."""
    while True:
        formed, broke = doctrines.realign(w)
        t = env.now
        w.alliances_formed[formed] += 1
        w.alliances_broken[broke] += 1
        log.record(formed, t, "alliance_formed", w.threat[formed], -1, w.bloc[formed].sum(axis=1))
        log.record(broke, t, "alliance_broken")
        if env.now + 1 > w.horizon:
            return
        yield env.timeout(1)


def decisions(env, w: SystemWorld, log: Log, wake: list):
    """Every decision interval: contests for the central authority, then each state's war calculus."""
    while True:
        t = int(round(env.now))
        u = uniforms(w.seed, w.reps, purpose=streams.SYS_DECISION, step=t + _UNIFORM_STEPS, k=2 * w.S)
        started = _contests(w, log, t, u[:, w.S:])
        z = normals(w.seed, w.reps, purpose=streams.SYS_DECISION, step=t, k=w.S)
        target, perceived, _ = doctrines.opportunities(w, z)
        want = (perceived >= w.r["attack_ratio"][:, None]) & (u[:, :w.S] < w.r["war_propensity"][:, None])
        for i in range(w.S):  # in state order: an earlier initiator may engage a later one's target
            idle = w.idle()
            rows = np.flatnonzero(want[:, i] & idle[:, i] & idle[np.arange(w.R), target[:, i]])
            start_war(w, log, rows, i, target[rows, i], t, contest=False)
            started |= rows.size > 0
        if started and not wake[0].triggered:
            wake[0].succeed()
        if env.now + w.interval > w.horizon:
            return
        yield env.timeout(w.interval)


def _contests(w: SystemWorld, log: Log, t: int, u: np.ndarray) -> bool:
    """The strongest other member contests control of the pool when its power reaches contest_ratio
    times the controller's, with the same yearly chance war_propensity as any war (u: (R, S) uniforms)."""
    members = w.is_(CENTRAL)
    if members.sum() < 2:
        return False
    idle = w.idle()
    ctrl = w.controller.astype(np.int64)
    has = ctrl >= 0
    cand = np.where(members[None, :] & idle & (np.arange(w.S)[None, :] != ctrl[:, None]), w.P, -1.0)
    ch = cand.argmax(axis=1)
    pc = w.P[np.arange(w.R), np.maximum(ctrl, 0)]
    ok = has & (cand.max(axis=1) >= w.r["contest_ratio"] * pc) & (cand.max(axis=1) > 0)
    ok &= idle[np.arange(w.R), np.maximum(ctrl, 0)] & (u[np.arange(w.R), ch] < w.r["war_propensity"])
    started = False
    for i in np.unique(ch[ok]):
        rows = np.flatnonzero(ok & (ch == i))
        start_war(w, log, rows, int(i), ctrl[rows], t, contest=True)
        started = True
    return started


def combat(env, w: SystemWorld, log: Log, wake: list):
    """War ticks while any replication is at war; asleep otherwise until a war starts."""
    while True:
        if not (w.active & ~w.ended[:, None]).any():  # wars of systems already over are never fought
            wake[0] = env.event()
            yield wake[0]
        tick = int(np.floor(env.now / w.dt + 1e-9)) + 1
        if tick * w.dt > w.horizon + 1e-9:
            return
        yield env.timeout(tick * w.dt - env.now)
        combat_tick(w, log, env.now, tick)


def run_batch(w: SystemWorld) -> Log:
    """Run one batch to its horizon in its own SimPy environment; returns its event log."""
    env = simpy.Environment()
    log = Log(w.reps)
    wake = [env.event()]
    check_dominance(w, log, 0.0)
    for proc in (growth, alliances):
        env.process(proc(env, w, log))
    env.process(decisions(env, w, log, wake))
    env.process(combat(env, w, log, wake))
    # Everything up to and including the horizon year; wars still going then stay unresolved.
    env.run(until=w.horizon + 0.5 * w.dt)
    return log
