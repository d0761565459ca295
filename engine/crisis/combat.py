"""One simulated step of fighting for every active (replication, front) pair at once.

Order within a step (documented in docs/model.md): amphibious lift and transit
losses, the air battle (square law), the naval salvo exchange (both among the
sides still in the fight, crisis/breakoff.py), ground attrition
(the front's law, with posture/terrain/amphibious/air/sea modifiers), then
movement of the line. Each stage is one kernel call over all engagements; losses
on a side are shared among its states in proportion to the combat power each has
on that front. The ground stage and the movement are one fused call
(``kernels.ground_day``) that does the sharing in place too; ``_ground`` keeps them step
by step, for irregular wars and as the reference the fused call is tested against.
"""

from __future__ import annotations

import time

import numpy as np

from wargame import kernels
from wargame.kernels import streams

from wargame.crisis import air_force, breakoff, fleet, irregular
from wargame.crisis.world import World, side_sum

GROUND, AIR, NAVAL = 0, 1, 2

# Whether a day's ground fighting and termination thresholds run as one kernel call each
# (kernels/step.py, kernels/thresholds.py) or step by step in numpy: the same bits
# (tests/test_fused_step.py); the step-by-step path stays as the reference.
FUSED = True


_CALLED: set = set()  # kernels this process has called at least once


class KernelClock:
    """Accumulates wall time spent inside kernel calls (for the share-of-time figure).

    A kernel's first call in a process loads it from numba's cache or compiles it (about
    0.1-10 s, against milliseconds per call after), so it is booked apart in
    ``first_seconds``: counted as kernel time, a worker's start made a first run read
    "92 % of simulation time in kernels" where a warm run reads 20 %.
    """

    def __init__(self):
        self.seconds = 0.0
        self.first_seconds = 0.0
        self.calls = 0

    def __call__(self, fn, *args, **kw):
        t0 = time.perf_counter()
        out = fn(*args, **kw)
        dt = time.perf_counter() - t0
        if fn in _CALLED:
            self.seconds += dt
        else:
            _CALLED.add(fn)
            self.first_seconds += dt
        self.calls += 1
        return out


def control(att, dfd, k):
    """Attacker's share of control, att^k / (att^k + def^k), 0.5 when neither side has any."""
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.exp(np.clip(k * (np.log(np.maximum(dfd, 1e-300)) - np.log(np.maximum(att, 1e-300))), -700, 700))
        return np.where((att <= 0) & (dfd <= 0), 0.5, 1.0 / (1.0 + r))


def side_totals(w: World, cp: np.ndarray, rows: np.ndarray, d: int):
    """Attacker- and defender-side combat power per (row, front) in domain d."""
    side = w.side[rows]
    return side_sum(cp[:, :, :, d], side, 1), side_sum(cp[:, :, :, d], side, -1)


def _apply(w: World, cp, rows, d, x0, y0, x1, y1):
    """Scale each side's per-state cp by its surviving fraction and book the losses."""
    sd = w.side[rows][:, None, :]
    fx = np.where(x0 > 0, x1 / np.where(x0 > 0, x0, 1.0), 1.0)[:, :, None]
    fy = np.where(y0 > 0, y1 / np.where(y0 > 0, y0, 1.0), 1.0)[:, :, None]
    before = cp[:, :, :, d].copy()
    cp[:, :, :, d] = np.where(sd == 1, before * fx, np.where(sd == -1, before * fy, before))
    w.lost[rows, :, d] += (before - cp[:, :, :, d]).sum(axis=1)


def step(w: World, t: float, rows: np.ndarray, clock: KernelClock, fused: bool | None = None) -> None:
    """Resolve the day ending at time t for replications ``rows`` (all at war, none ended).

    ``fused``: the ground fighting and movement as one kernel call (kernels/step.py), the same
    bits as the step-by-step path (``fused=False``, tests/test_fused_step.py); None: ``FUSED``.
    Irregular wars (morale, Deitchman fronts) always take the step-by-step path.
    """
    if rows.size == 0:
        return
    n, F, dt = rows.size, w.F, w.dt
    k = int(round(t / dt))  # stream step: the index of this simulated day
    rr = np.repeat(w.reps[rows], F)
    slots = np.tile(np.arange(F, dtype=np.int64), n)
    cp = w.front[rows]
    st = w.stochastic

    # -- amphibious lift: embarked ground cp lands as lift and sea control allow
    if w.amphibious.any():
        am = w.amphibious[None, :]
        sea = w.sea_control[rows]
        lift = np.maximum(w.lift[rows] - w.lift_lost[rows], 0.0)  # less what strikes destroyed (strikes.py)
        cap = lift * dt * np.minimum(1.0, 2.0 * sea) * am
        afl = w.afloat[rows]
        tot = afl.sum(axis=2)
        landed = np.minimum(tot, cap)
        frac = np.where(tot > 0, landed / np.where(tot > 0, tot, 1.0), 0.0)[:, :, None]
        moving = afl * frac
        lost = moving * (w.transit_loss[rows] * (1.0 - sea))[:, :, None]
        w.afloat[rows] = afl - moving
        cp[:, :, :, GROUND] += moving - lost
        w.lost[rows, :, GROUND] += lost.sum(axis=1)
        first = (landed > 0) & np.isinf(w.landing_day[rows])
        if first.any():
            ld = w.landing_day[rows]
            ld[first] = t - dt
            w.landing_day[rows] = ld

    # -- air battle (square law, symmetric exchange), then air control
    # Only the sides still in the fight take part (crisis/breakoff.py); a side that pulled
    # back keeps its aircraft but cedes air control.
    if w.typed:  # some state has aircraft by type: sorties, engagement and losses by type (air_force.py)
        x1, y1 = air_force.battle(w, cp, rows, t, k, clock, rr, slots)
    elif breakoff.idle(w, cp, rows, breakoff.AIR_I, AIR):
        # No aircraft on any front and no side out: the battle of 0 against 0 changes nothing
        # (its draws are keyed by (step, purpose), so skipping them shifts no other stream) and
        # control(0, 0) is 0.5.
        x1 = y1 = None
    else:
        x0, y0 = side_totals(w, cp, rows, AIR)
        xf, yf = breakoff.fighting(w, rows, breakoff.AIR_I, t, x0, y0)
        al = w.air_leth[rows].ravel()
        x1, y1 = clock(kernels.lanchester_step, xf.ravel(), yf.ravel(), a=al, b=al, p=0.0, q=1.0, rx=0.0, ry=0.0,
                       dt=dt, stochastic=st, seed=w.seed, reps=rr, slots=slots, step=k, purpose=streams.AIR)
        x1, y1 = x1.reshape(n, F), y1.reshape(n, F)
        breakoff.settle(w, rows, breakoff.AIR_I, t, xf, yf, x1, y1, "air_loss")
        _apply(w, cp, rows, AIR, x0, y0, np.where(xf == x0, x1, x0), np.where(yf == y0, y1, y0))  # out: untouched
    air = np.full((n, F), 0.5) if x1 is None else control(x1, y1, 2.0)
    w.air_control[rows] = air

    # -- naval salvo exchange on naval fronts, then sea control
    if w.naval.any():
        x0, y0 = side_totals(w, cp, rows, NAVAL)
        xf, yf = breakoff.fighting(w, rows, breakoff.NAVAL_I, t, x0, y0)
        xf, yf = np.where(w.naval[None, :], xf, x0), np.where(w.naval[None, :], yf, y0)
        nav = {key: v[rows].repeat(F) for key, v in w.nav.items()}
        nav |= fleet.salvo(w, rows, cp[:, :, :, NAVAL]) or {}  # fleets by class: their mix's parameters
        # Only the share that finds the enemy fires and is fired on this day (detection).
        e = w.nav["engaged_share"][rows][:, None]
        xe, ye = xf * e, yf * e
        a_new, b_new, _, _ = clock(
            kernels.salvo_step, xe.ravel(), ye.ravel(), alpha=nav["attacker_missiles_per_ship"],
            beta=nav["defender_missiles_per_ship"], a1=nav["attacker_hits_to_kill"], b1=nav["defender_hits_to_kill"],
            a3=nav["attacker_interceptions_per_ship"], b3=nav["defender_interceptions_per_ship"],
            stochastic=st, seed=w.seed, reps=rr, slots=slots, step=k, purpose=streams.NAVAL)
        x1 = np.where(w.naval[None, :], np.maximum(xf - (xe - a_new.reshape(n, F)), 0.0), xf)
        y1 = np.where(w.naval[None, :], np.maximum(yf - (ye - b_new.reshape(n, F)), 0.0), yf)
        breakoff.settle(w, rows, breakoff.NAVAL_I, t, np.where(w.naval[None, :], xf, 0.0),
                        np.where(w.naval[None, :], yf, 0.0), np.where(w.naval[None, :], x1, 0.0),
                        np.where(w.naval[None, :], y1, 0.0), "naval_loss")
        _apply(w, cp, rows, NAVAL, x0, y0, np.where(xf == x0, x1, x0), np.where(yf == y0, y1, y0))
        sea = control(x1, y1, w.nav["sea_control_exponent"][rows][:, None])
        w.sea_control[rows] = np.where(w.naval[None, :], sea, 0.5)

    if (FUSED if fused is None else fused) and not (w.has_morale.any() or w.guerrilla.any()):
        w.front[rows] = cp
        clock(kernels.ground_day, w, rows, t, k, purpose=streams.GROUND)
        return
    _ground(w, t, rows, clock, cp, air, k, rr, slots)


def _ground(w: World, t: float, rows: np.ndarray, clock: KernelClock, cp, air, k: int, rr, slots) -> None:
    """The step-by-step ground fighting and movement (``step(..., fused=False)``); writes ``cp`` back."""
    n, F, dt, st = rows.size, w.F, w.dt, w.stochastic
    # -- ground attrition with the force-ratio modifiers
    x0, y0 = side_totals(w, cp, rows, GROUND)
    in_assault = w.amphibious[None, :] & (t - dt < w.landing_day[rows] + w.assault_days[rows])
    factor = clock(kernels.front_modifiers, posture=np.tile(w.posture, n), terrain=w.terrain[rows].ravel(),
                   amphibious=in_assault.ravel(), amphib_penalty=w.penalty[rows].ravel(), air_control=air.ravel(),
                   air_weight=w.air_weight[rows].ravel(), sea_control=w.sea_control[rows].ravel(),
                   sea_weight=w.sea_weight[rows].ravel())
    a = w.att_leth[rows].ravel() * factor
    b = w.def_leth[rows].ravel()
    if w.has_morale.any():  # irregular war: a force fights as it holds together
        a, b = irregular.fire_scale(w, cp, rows, a, b)
    # Scheduled arrivals within this step (crisis/arrivals.py) join as reinforcement spread over it.
    inflow = w.inflow[rows]
    has_in = bool(inflow.any())
    rx, ry = (side_sum(inflow, w.side[rows], 1) / dt, side_sum(inflow, w.side[rows], -1) / dt) if has_in else (0.0, 0.0)
    x1, y1 = clock(kernels.lanchester_step, x0.ravel(), y0.ravel(), a=a, b=b, p=w.law_p[rows].ravel(),
                   q=w.law_q[rows].ravel(), rx=rx if np.isscalar(rx) else rx.ravel(), ry=ry if np.isscalar(ry) else ry.ravel(), dt=dt, stochastic=st, seed=w.seed,
                   reps=rr, slots=slots, step=k, purpose=streams.GROUND)
    x1, y1 = x1.reshape(n, F), y1.reshape(n, F)
    if w.guerrilla.any():  # Deitchman fronts replace the (p, q) result
        x1, y1 = irregular.guerrilla(w, rows, x0, y0, a, b, x1, y1, dt, st, rr, slots, k, clock)
        if has_in:  # the Deitchman kernel has no reinforcement term: arrivals join at the step's end
            g = w.guerrilla[None, :] > 0
            x1, y1 = np.where(g, x1 + rx * dt, x1), np.where(g, y1 + ry * dt, y1)
    if has_in:  # the arrivals join their side before its survivors are shared out
        cp[:, :, :, GROUND] += inflow
        x0, y0 = x0 + rx * dt, y0 + ry * dt
        w.inflow[rows] = 0.0
    _apply(w, cp, rows, GROUND, x0, y0, x1, y1)

    # -- movement: the line moves when the ratio passes the breakthrough threshold
    ex, ey = irregular.effective(w, cp, rows, x1, y1) if w.has_morale.any() else (x1, y1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(ey > 0, ex / ey, np.where(ex > 0, np.inf, 1.0))
    km = clock(kernels.advance, ratio.ravel(), breakthrough=w.breakthrough[rows].ravel(), v_max=w.vmax[rows].ravel(),
               dt=dt).reshape(n, F)
    pos = w.position[rows] + km
    w.position[rows] = np.clip(pos, -w.counter_depth[rows], w.depth[rows])
    w.front[rows] = cp
