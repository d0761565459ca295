"""Irregular war: guerrilla fronts, morale and cohesion, and fronts that fall (a cascade).

Concept owned: what makes a force collapse faster than attrition alone predicts.
``attach`` puts its parameters and state on a World (every crisis world has them:
scenarios without guerrilla fronts, falling fronts or morale get arrays that say so).
Its arrays sit on the World itself (``w.morale``, ``w.fallen``, ...), not in an object
of their own as the raids' do, because they have the world's own shapes, (R, S) and
(R, F), and the combat step and termination read them beside the world's arrays.
Three hooks, each a no-op for scenarios that use none of it (existing results stay
bit-identical):

* ``guerrilla`` (combat step): fronts with ``law = "deitchman"`` are resolved by
  Deitchman's law (kernels/guerrilla.py) instead of the (p, q) Lanchester law.
* ``fire_scale`` / ``effective`` (combat step): a state with a ``[morale]`` table
  fights, and weighs in the ratio that moves the line, in proportion to its morale.
* ``after_combat`` (daily clock, before termination): fronts whose line reached
  depth fall (the defender's forces there surrender, the attacker's move on to the
  fronts still held), then morale falls with combat losses, fallen fronts, isolation
  and a patron's withdrawal, then forces below the morale threshold desert.

Formulas and parameters: docs/model.md, "Irregular war and morale".
"""

from __future__ import annotations

import numpy as np

from wargame import kernels
from wargame.kernels import streams

from wargame.model.log import Log
from wargame.crisis.world import World, carry

GROUND = 0
# What happens during a run (carried into look-ahead copies); the rest of attach's arrays are parameters.
STATE = ("morale", "melted", "combat_lf", "patron_gone", "fallen", "fall_day")


def attach(w: World, paused: World | None = None) -> None:
    """Irregular war's parameters and state on ``w`` (attach it with ``w.attach(irregular.attach)``).

    ``paused``: w is a look-ahead copy of that world; parameters are drawn afresh for the
    copy, the state (morale, desertion, fallen fronts) is carried over from the game.
    """
    sc, R, S, F = w.sc, w.R, w.S, w.F
    fronts = list(sc.fronts.values())
    # 0: the front's (p, q) law; 1: Deitchman with the attacker as guerrilla; 2: the defender.
    w.guerrilla = np.array([0 if fr.law != "deitchman" else 1 if fr.guerrilla == "attacker" else 2
                            for fr in fronts], dtype=np.int64)
    w.falls = np.array([fr.falls and not fr.decisive for fr in fronts], dtype=bool)
    w.has_morale = np.array([st.morale is not None for st in sc.states.values()], dtype=bool)
    w.m0, w.m_loss, w.m_fall, w.m_isolation = (np.zeros((R, S)) for _ in range(4))
    w.m_patron_day = np.full((R, S), np.inf)
    w.m_patron_shock, w.m_threshold, w.m_desert = (np.zeros((R, S)) for _ in range(3))
    w.m_flee = np.full((R, S), -np.inf)  # share of regions held at or below which the government flees
    w.m0[:] = 1.0
    for s, (sid, st) in enumerate(sc.states.items()):
        m = st.morale
        if m is None:
            continue
        p = f"states.{sid}.morale"
        w.m0[:, s] = w.sample(m.initial, f"{p}.initial")
        w.m_loss[:, s] = w.sample(m.loss_weight, f"{p}.loss_weight")
        w.m_fall[:, s] = w.sample(m.fall_shock, f"{p}.fall_shock")
        w.m_isolation[:, s] = w.sample(m.isolation_per_day, f"{p}.isolation_per_day")
        if m.patron_day is not None:
            w.m_patron_day[:, s] = w.grid(w.sample(m.patron_day, f"{p}.patron_day"))
        w.m_patron_shock[:, s] = w.sample(m.patron_shock, f"{p}.patron_shock")
        w.m_threshold[:, s] = w.sample(m.threshold, f"{p}.threshold")
        w.m_desert[:, s] = w.sample(m.desertion_per_day, f"{p}.desertion_per_day")
        if m.flee_regions_held is not None:
            w.m_flee[:, s] = w.sample(m.flee_regions_held, f"{p}.flee_regions_held")
    if paused is not None:
        carry(paused, w, STATE, R)
        return
    w.morale = w.m0.copy()  # (R, S) cohesion in [0, 1]
    w.melted = np.zeros((R, S))  # ground cp gone by desertion and surrender: not casualties, not in ``lost``
    w.combat_lf = np.zeros((R, S))  # combat loss fraction at the last morale update
    w.patron_gone = np.zeros((R, S), dtype=bool)
    w.fallen = np.zeros((R, F), dtype=bool)
    w.fall_day = np.full((R, F), np.nan)


def _side_morale(w: World, cp: np.ndarray, rows: np.ndarray, sgn: int) -> np.ndarray:
    """cp-weighted morale of side ``sgn`` on each front -> (n, F); 1 where the side has no ground cp."""
    g = cp[:, :, :, GROUND] * (w.side[rows][:, None, :] == sgn)
    tot = g.sum(axis=2)
    m = (g * w.morale[rows][:, None, :]).sum(axis=2)
    return np.where(tot > 0, m / np.where(tot > 0, tot, 1.0), 1.0)


def fire_scale(w: World, cp, rows, a, b):
    """Lethalities (flattened (n*F,)) scaled by each side's morale: a force fights as it holds together."""
    return a * _side_morale(w, cp, rows, 1).ravel(), b * _side_morale(w, cp, rows, -1).ravel()


def effective(w: World, cp, rows, x1, y1):
    """Ground strengths (n, F) weighted by morale, for the ratio that moves the line."""
    return x1 * _side_morale(w, cp, rows, 1), y1 * _side_morale(w, cp, rows, -1)


def guerrilla(w: World, rows, x0, y0, a, b, x1, y1, dt, st, rr, slots, k, clock):
    """Replace the results of Deitchman fronts (x0.. y1: (n, F); a, b: (n*F,)) -> (x1, y1)."""
    n, F = x0.shape
    side = np.tile(w.guerrilla, n)
    on = side > 0
    gx, gy = clock(kernels.deitchman_step, x0.ravel()[on], y0.ravel()[on], a=a[on], b=b[on], side=side[on], dt=dt,
                   stochastic=st, seed=w.seed, reps=rr[on], slots=slots[on], step=k, purpose=streams.GROUND)
    x1, y1 = x1.ravel().copy(), y1.ravel().copy()
    x1[on], y1[on] = gx, gy
    return x1.reshape(n, F), y1.reshape(n, F)


def _fall(w: World, log: Log, rows: np.ndarray, t: float) -> np.ndarray:
    """Fronts reaching depth fall now; returns the (n, F) mask of fronts that fell this step."""
    new = w.falls[None, :] & ~w.fallen[rows] & (w.position[rows] >= w.depth[rows] - 1e-9)
    if not new.any():
        return new
    cp = w.front[rows]  # (n, F, S, 3)
    side = w.side[rows]
    dfd = (side == -1)[:, None, :] & new[:, :, None]  # (n, F, S)
    gone = np.where(dfd, cp[:, :, :, GROUND], 0.0)  # the defenders of a fallen front surrender
    cp[:, :, :, GROUND] -= gone
    w.melted[rows] += gone.sum(axis=1)
    fl = w.fallen[rows] | new
    w.fallen[rows] = fl
    fd = w.fall_day[rows]
    fd[new] = t
    w.fall_day[rows] = fd
    # The attacker's forces there move on to the fronts still held, by its front weights.
    held = ~fl
    wt = w.share[rows, :, 0] * held
    tot = wt.sum(axis=1, keepdims=True)
    wt = np.where(tot > 0, wt / np.where(tot > 0, tot, 1.0), 0.0)  # (n, F)
    att = ((side == 1)[:, None, :] & new[:, :, None] & (tot > 0)[:, :, None])[:, :, :, None] * cp  # (n, F, S, 3)
    cp -= att
    cp += wt[:, :, None, None] * att.sum(axis=1)[:, None, :, :]
    w.front[rows] = cp
    for f in range(w.F):
        log.record(rows[new[:, f]], t, "front_falls", w.att, w.dfd, float(f))
    return new


def _flee(w: World, rows: np.ndarray) -> None:
    """Political collapse: once few enough of its regions are held, the defender's government gives up
    the capital, so the line is put at the depth of every decisive front (termination then calls it
    the objective taken). Only the main defender's ``flee_regions_held``; regions = ``falls`` fronts."""
    n_falls = w.falls.sum()
    if not n_falls or not np.isfinite(w.m_flee[:, w.dfd]).any():
        return
    held = 1.0 - w.fallen[rows][:, w.falls].sum(axis=1) / n_falls
    flees = held <= w.m_flee[rows, w.dfd] + 1e-12
    if flees.any():
        r = rows[flees]
        w.position[r] = np.where(w.decisive[None, :], w.depth[r], w.position[r])


def after_combat(w: World, log: Log, rows: np.ndarray, t: float) -> None:
    """Falls, morale and desertion for the step ending at t (rows: at war, not ended)."""
    if rows.size == 0 or not (w.falls.any() or w.has_morale.any()):
        return
    new = _fall(w, log, rows, t)
    if not w.has_morale.any():
        return
    _flee(w, rows)
    ms = np.flatnonzero(w.has_morale)
    com = w.committed[rows][:, ms, GROUND]
    combat_lf = np.where(com > 0, w.lost[rows][:, ms, GROUND] / np.maximum(com, 1e-300), 0.0)
    drop = w.m_loss[rows][:, ms] * np.maximum(combat_lf - w.combat_lf[rows][:, ms], 0.0)
    w.combat_lf[rows[:, None], ms[None, :]] = combat_lf
    n_falls = w.falls.sum()
    if n_falls:
        on_dfd = w.side[rows][:, ms] == -1  # fronts fall only for the defender's side
        drop += w.m_fall[rows][:, ms] * new.sum(axis=1)[:, None] * on_dfd
        share = w.fallen[rows].sum(axis=1)[:, None] / n_falls
        drop += w.m_isolation[rows][:, ms] * w.dt * share * on_dfd
    leaves = ~w.patron_gone[rows][:, ms] & (w.m_patron_day[rows][:, ms] <= t + 1e-9)
    drop += w.m_patron_shock[rows][:, ms] * leaves
    w.patron_gone[rows[:, None], ms[None, :]] |= leaves
    before = w.morale[rows][:, ms]
    m = np.clip(before - drop, 0.0, 1.0)
    w.morale[rows[:, None], ms[None, :]] = m
    # Below the threshold, a share of the force on the fronts deserts or surrenders each day.
    th = w.m_threshold[rows][:, ms]
    breaks = (before >= th) & (m < th)
    for j, s in enumerate(ms):
        log.record(rows[breaks[:, j]], t, "morale_breaks", s, -1, m[breaks[:, j], j])
    q = w.m_desert[rows][:, ms] * w.dt * np.clip((th - m) / np.where(th > 0, th, 1.0), 0.0, 1.0)
    if q.any():
        cp = w.front[rows]
        g = cp[:, :, ms, GROUND]
        gone = g * q[:, None, :]
        cp[:, :, ms, GROUND] = g - gone
        w.front[rows] = cp
        w.melted[rows[:, None], ms[None, :]] += gone.sum(axis=1)
