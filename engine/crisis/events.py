"""SimPy processes of one batch: crisis, warning, mobilisation, invasion, decisions, fighting.

Each process is a plain generator over the whole batch. It sleeps until the next
time any replication needs it and then acts, with array operations, on the mask of
replications due. SimPy events per batch therefore grow with the number of
distinct event times (days), not with the number of replications. Times are in
days and every event time is rounded up to the scenario's step grid.

``start`` attaches the world's mechanisms (``attach``) and starts the processes. In a
classroom game it is given the game's ``hook``: a generator function
``hook(env, t, kind)`` that the processes ``yield from`` where people decide (kind:
``crisis``, ``warning``, ``invade``, ``war``, ``ceasefire``); it returns the choice the
process acts on (``invade``: the attacker's, ``ceasefire``: whether it was accepted).
Without a hook (batch runs, look-ahead copies) the engine decides for every state.
"""

from __future__ import annotations

import numpy as np
import simpy

from wargame.crisis import aims
from wargame.crisis import aid
from wargame.crisis import aid_decision
from wargame.crisis import air_force
from wargame.crisis import arrivals
from wargame.crisis import battle
from wargame.crisis import clock as clock_
from wargame.crisis import combat
from wargame.crisis import deterrence
from wargame.crisis import casualties
from wargame.crisis import doctrines
from wargame.crisis import escalation
from wargame.crisis import fleet
from wargame.crisis import strikes
from wargame.crisis import injects
from wargame.crisis import irregular
from wargame.crisis import prewar
from wargame.crisis import presence
from wargame.crisis import termination
from wargame.crisis import raids
from wargame.crisis import sanctions
from wargame.crisis import window
from wargame.crisis.combat import GROUND, KernelClock
from wargame.model.log import Log
from wargame import kernels
from wargame.crisis.world import (ATTACKER_WINS, CASUALTY_SHARE, CEASEFIRE, DEFENDER_HOLDS, NO_WAR, UNRESOLVED, World,
                                  side_sum)

# Mechanisms attached to every crisis world, in this order (World.attach).
MECHANISMS = (irregular.attach, raids.attach, injects.attach, arrivals.attach, battle.attach, aims.attach, aid.attach,
              sanctions.attach, casualties.attach, fleet.attach, air_force.attach)


def attach(w: World) -> World:
    """Attach every mechanism ``w`` runs with (those attached already are left as they are); returns w."""
    for m in MECHANISMS:
        w.attach(m)
    return w


def at_times(env: simpy.Environment, w: World, times: np.ndarray, act, since: float | None = None):
    """Sleep until each distinct finite time in ``times`` (R,) and call ``act(rows_due, t)``.

    ``since``: a world resumed from a pause skips the times that already happened.
    """
    keep = np.isfinite(times) & (times <= w.horizon)
    if since is not None:
        keep &= times > since
    for t in np.unique(times[keep]):
        if t > env.now:
            yield env.timeout(t - env.now)
        act(np.flatnonzero(times == t), float(t))


def crisis(env, w: World, log: Log, since: float | None = None, hook=None, clock: KernelClock | None = None):
    if since is None:
        log.record(np.ones(w.R, dtype=bool), 0.0, "crisis", w.att, w.dfd)

        if hook is not None:  # a classroom game: a human-played attacker decides to mobilise
            yield from hook(env, 0.0, "crisis")

    def warn(rows, t):
        w.warned[rows] = True
        log.record(rows, t, "warning", w.dfd)

    for t in np.unique(w.grid(w.warning)):
        if since is not None and t <= since or t > w.horizon:
            continue
        if t > env.now:
            yield env.timeout(t - env.now)
        warned = np.flatnonzero(w.grid(w.warning) == t)
        warn(warned, float(t))
        if clock is not None:  # third parties may alert, and declare (crisis/prewar.py)
            prewar.at_warning(w, log, warned[~w.at_war[warned] & ~w.ended[warned]], float(t), clock)
        if hook is not None:  # the others hear of it and may mobilise
            yield from hook(env, float(t), "warning")


def _send_to_fronts(w: World, rows, s, cp_by_domain, side_share):
    """Put (n, 3) combat power of state s on the fronts; amphibious ground goes afloat first."""
    per_front = cp_by_domain[:, None, :] * w.share[rows, :, side_share][:, :, None]  # (n, F, 3)
    if s == w.att and w.amphibious.any():
        am = w.amphibious[None, :]
        w.afloat[rows, :, s] += np.where(am, per_front[:, :, GROUND], 0.0)
        per_front[:, :, GROUND] = np.where(am, 0.0, per_front[:, :, GROUND])
    w.front[rows, :, s, :] += per_front
    w.committed[rows, s, :] += cp_by_domain


def start_war(w: World, log: Log, rows: np.ndarray, t: float, wake: list) -> None:
    rows = rows[~w.at_war[rows] & ~w.ended[rows]]
    if rows.size == 0:
        return
    w.at_war[rows] = True
    w.war_day[rows] = t
    w.ref_day[rows] = t
    for s, j in ((w.att, 0), (w.dfd, 1)):
        sent = w.commit[rows, s, :] * w.home[rows, s, :]
        w.home[rows, s, :] -= sent
        _send_to_fronts(w, rows, s, sent, j)
    log.record(rows, t, "invade", w.att, w.dfd)
    presence.engage(w, log, rows, t)
    w.next_decision[rows] = t
    if not wake[0].triggered:
        wake[0].succeed()


def invasion(env, w: World, log: Log, wake: list, clock: KernelClock, since: float | None = None, hook=None):
    if hook is not None and w.human[w.att]:  # a classroom game: people decide when (and whether) to invade
        yield from _invasion_by_people(env, w, log, wake, hook)
        return
    if w.weighs:
        yield from _invasion_weighed(env, w, log, wake, clock, since)
        return
    if not w.invasion_conditional:
        yield from at_times(env, w, w.grid(w.invasion_day), lambda rows, t: start_war(w, log, rows, t, wake), since)
        return
    # Conditional: from the earliest day, invade once ready, strong enough and not deterred by trade.
    t = float(w.grid(w.invasion_day).min())
    if t > env.now:
        yield env.timeout(t - env.now)
    deadline = w.grid(w.deadline)
    while env.now <= w.horizon:
        t = env.now
        cand = np.flatnonzero(~w.at_war & ~w.ended & (t >= w.grid(w.invasion_day)) & (t <= deadline))
        if cand.size:
            a = w.att
            ready = _readiness(w, cand)
            own = (w.commit[cand, a, GROUND] * w.home[cand, a, GROUND])
            opp = w.home[cand, w.dfd, GROUND] * w.commit[cand, w.dfd, GROUND]
            ratio = own / np.maximum(opp, 1e-9)
            exposed = (w.trade[cand, a, :] * (w.interest[cand, :, w.dfd] > 0)).sum(axis=1)
            need = w.min_ratio[cand] * (1.0 + w.doc["trade_weight"][cand] * exposed)
            go = (ready >= w.min_readiness[cand]) & (ratio >= need)
            start_war(w, log, cand[go], t, wake)
        if t >= deadline.max():
            return
        yield env.timeout(w.dt)


def _readiness(w: World, rows) -> np.ndarray:
    a = w.att
    return np.where(w.reserve[rows, a] > 0, 1 - w.reserve_left[rows, a] / np.maximum(w.reserve[rows, a], 1e-300), 1.0)


def _invasion_weighed(env, w: World, log: Log, wake: list, clock: KernelClock, since: float | None):
    """The attacker weighs its prospects with the third parties it expects (crisis/deterrence.py) from
    the planned (scheduled) or earliest (conditional, once ready) day, then every decision interval
    until its last day: the planned day plus ``postpone_days``, or the deadline."""
    nxt = w.grid(w.invasion_day)
    last = w.grid(w.deadline) if w.invasion_conditional else w.grid(w.invasion_day + w.postpone)
    if since is not None:  # a resumed world: evaluations up to ``since`` happened already
        nxt = np.maximum(nxt, w.grid(since + w.dt))
    while True:
        pend = ~w.at_war & ~w.ended & (nxt <= np.minimum(last, w.horizon) + 1e-9)
        if not pend.any():
            return
        t = float(nxt[pend].min())
        if t > env.now:
            yield env.timeout(t - env.now)
        rows = np.flatnonzero(pend & (nxt <= t + 1e-9))
        if w.invasion_conditional:  # not ready yet: look again next step
            ready = _readiness(w, rows) >= w.min_readiness[rows]
            nxt[rows[~ready]] = w.grid(t + w.dt)
            rows = rows[ready]
        go = deterrence.decide(w, log, rows, t, t >= last[rows] - 1e-9, clock)
        start_war(w, log, go, t, wake)
        waits = rows[~w.at_war[rows] & ~w.ended[rows]]
        nxt[waits] = np.minimum(w.grid(t + w.doc["decision_interval_days"][waits]), last[waits])


def _invasion_by_people(env, w: World, log: Log, wake: list, hook):
    """The attacker's players decide from the planned (or earliest) invasion day, then at every turn."""
    t = float(w.grid(w.invasion_day[0]))
    while t <= w.horizon and not (w.at_war[0] or w.ended[0]):
        if t > env.now:
            yield env.timeout(t - env.now)
        choice = yield from hook(env, t, "invade")
        if choice == "invade":
            start_war(w, log, np.array([0]), t, wake)
        elif choice == "stand_down":
            _end(w, log, np.array([0]), t, NO_WAR, -1, "no_war", w.att)
        t = float(w.grid(t + w.doc["decision_interval_days"][0]))


def decisions(env, w: World, log: Log, wake: list, clock: KernelClock, hook=None):
    """Intervention decisions and escalation at each replication's decision points."""
    while True:
        live = ~w.ended & w.at_war
        nxt = w.next_decision[live].min() if live.any() else np.inf
        if nxt > w.horizon:
            wake[0] = env.event()
            yield wake[0]  # woken by the next invasion
            continue
        if nxt > env.now:
            wake[0] = env.event()
            tick = env.timeout(nxt - env.now)
            wake[1:] = [tick]  # the next decision point (crisis/window.py may fight through it)
            yield tick | wake[0]
            continue
        t = env.now
        rows = np.flatnonzero(live & (w.next_decision <= t + 1e-9))
        doctrines.decide(w, log, rows, t, clock)
        aid_decision.decide(w, log, rows, t, clock)  # aid short of war (docs/model.md §10)
        escalation.climb(w, log, rows, t, clock)
        if hook is not None:  # a classroom game: the human-played states decide now
            yield from hook(env, t, "war")
        w.next_decision[rows] = w.grid(t + w.doc["decision_interval_days"][rows])


def _mobilise(w: World, log: Log, t: float, start: np.ndarray, states: np.ndarray | None = None) -> None:
    """Call-ups in the step ending at t; ``states``: those with reservists in some replication
    (``w.reserve`` is fixed when the World is built, so ``daily`` finds them once per run)."""
    for s in (np.flatnonzero(w.reserve.max(axis=0) > 0) if states is None else states):
        begins = np.flatnonzero(start[:, s] == t)
        log.record(begins, t, "mobilise", s)
        on = np.flatnonzero((start[:, s] <= t - w.dt + 1e-9) & (w.reserve_left[:, s] > 0) & ~w.ended)
        if on.size == 0:
            continue
        # money aid raises the rate, sanctions wear it down (crisis/aid.py, crisis/sanctions.py), and
        # homeland strikes destroy a share of it (crisis/strikes.py)
        rate = (w.mob_rate[on, s] + w.aid_rate[on, s]) * w.sustain[on, s] * (1.0 - w.production_lost[on, s])
        flow = np.minimum(rate * w.dt, w.reserve_left[on, s])
        w.reserve_left[on, s] -= flow
        fighting = w.at_war[on] & (w.side[on, s] != 0) & (s in (w.att, w.dfd))
        to_front = np.where(fighting, flow * w.commit[on, s, GROUND], 0.0)
        w.home[on, s, GROUND] += flow - to_front
        dom = np.zeros((on.size, 3))
        dom[:, GROUND] = to_front
        _send_to_fronts(w, on, s, dom, 0 if s == w.att else 1)


def _end(w: World, log: Log, idx, t, outcome, winner, etype, actor, value=-1.0):
    if idx.size == 0:
        return
    w.ended[idx], w.outcome[idx], w.end_day[idx], w.winner[idx] = True, outcome, t, winner
    log.record(idx, t, etype, actor, -1, value)


def _thresholds(w: World, rows: np.ndarray):
    """The step-by-step (numpy) form of kernels.thresholds: pressures, objective, collapse, ground."""
    lf = w.loss_fraction(rows)
    press_a = lf[:, w.att] / battle.breaking_point(w, rows, w.att)
    press_d = lf[:, w.dfd] / battle.breaking_point(w, rows, w.dfd)
    pos = w.position[rows]
    objective = (w.decisive[None, :] & (pos >= w.depth[rows] - 1e-9)).any(axis=1)
    collapse = ((w.counter_depth[rows] > 0) & (pos <= -w.counter_depth[rows] + 1e-9)).any(axis=1)
    side, ground = w.side[rows], w.front[rows][:, :, :, GROUND]
    att_ground = (side_sum(ground, side, 1) + side_sum(w.afloat[rows], side, 1)).sum(axis=1)
    def_ground = side_sum(ground, side, -1).sum(axis=1)
    return press_a, press_d, objective, collapse, att_ground, def_ground


def terminate(w: World, log: Log, rows: np.ndarray, t: float, offer: bool = False,
              clock: KernelClock | None = None, fused: bool | None = None) -> None:
    """Capitulation at breakpoint or objective, the attacker's failure, ceasefire after stalemate.

    ``offer``: people play the attacker or the defender (a classroom game), so a stalled
    front puts a ceasefire on the table (``w.offer``, asked in ``daily``) instead of ending the war.
    ``fused``: the thresholds' inputs in one kernel call (default ``combat.FUSED``); False: numpy.
    """
    rows = rows[~w.ended[rows]]
    if rows.size == 0:
        return
    if combat.FUSED if fused is None else fused:  # one kernel call (kernels/thresholds.py), the same bits
        call = clock if clock is not None else (lambda fn, *a: fn(*a))
        press, obj_front, collapse, ground = call(kernels.thresholds, w, rows, CASUALTY_SHARE)
        press_a, press_d, objective = press[:, 0], press[:, 1], obj_front >= 0
        att_ground, def_ground = ground[:, 0].sum(axis=1), ground[:, 1].sum(axis=1)
    else:
        press_a, press_d, objective, collapse, att_ground, def_ground = _thresholds(w, rows)
        obj_front = np.where(objective, np.argmax(w.position[rows] >= w.depth[rows] - 1e-9, axis=1), -1)
    def_breaks = (press_d >= 1) | (def_ground < 1.0)
    att_breaks = (press_a >= 1) | collapse | (att_ground < 1.0)
    # When both break on the same day, the side under more pressure gives way.
    att_wins = objective | (def_breaks & ~(att_breaks & (press_a > press_d)))
    def_wins = ~att_wins & att_breaks
    # Draws (crisis/battle.py): the loser gives way, but the winner is spent too and does not pursue.
    kappa = w.draw_pressure[rows]
    drawn = ((att_wins & ~objective & (press_a >= kappa)) | (def_wins & ~collapse & (press_d >= kappa)))
    att_wins, def_wins = att_wins & ~drawn, def_wins & ~drawn
    _ceasefire(w, log, rows[drawn], t)
    _end(w, log, rows[att_wins], t, ATTACKER_WINS, w.att, "capitulate", w.dfd, obj_front[att_wins])
    _end(w, log, rows[def_wins], t, DEFENDER_HOLDS, w.dfd, "sue_for_peace", w.att)
    rest = rows[~w.ended[rows]]
    due = rest[t - w.ref_day[rest] >= w.stalemate_days[rest] - 1e-9]
    if due.size:
        moved = np.abs(w.position[due] - w.pos_ref[due]).max(axis=1)
        still = moved < w.stalemate_km[due]
        if offer:  # people are asked (events.daily)
            w.offer[due[still]] = True
        elif clock is None:  # no projection available: the stalemate alone ends it
            _ceasefire(w, log, due[still], t)
        else:  # both primaries must accept the line (crisis/termination.py)
            agreed = termination.consent(w, log, due[still], t, clock)
            _ceasefire(w, log, due[still][agreed], t)
            still[still] = agreed  # refused: the war goes on and a new window starts
        go = due[~still]
        w.pos_ref[go], w.ref_day[go] = w.position[go], t


def _ceasefire(w: World, log: Log, idx: np.ndarray, t: float) -> None:
    """End ``idx`` in a ceasefire: ceasefire_held where the attacker keeps ground, else ceasefire."""
    codes = termination.outcome(w, idx)
    for code in np.unique(codes):
        _end(w, log, idx[codes == code], t, int(code), -1, "ceasefire", -1)


def daily(env, w: World, log: Log, clock: KernelClock, ts, since: float | None = None, hook=None, wake=None):
    """The combat clock: mobilisation, interveners' and scheduled arrivals, fighting, strikes and termination,
    once per step."""
    offer = hook is not None and bool(w.human[[w.att, w.dfd]].any())
    start = w.mob_start
    mobilising = np.flatnonzero(w.reserve.max(axis=0) > 0)
    windows = window.Windows(w, ts, hook, wake)  # several ground-only days in one call (crisis/window.py)
    if since is None:
        _mobilise(w, log, 0.0, start, mobilising)
    # Step times from integer indices (clock.py): k * dt, never a running sum of dt.
    k = clock_.step_index(env.now, w.dt)
    while clock_.step_time(k + 1, w.dt) <= w.horizon + 1e-9:
        k += 1
        t = clock_.step_time(k, w.dt)
        yield env.timeout(max(t - env.now, 0.0))
        w.last_daily = t
        sanctions.step(w, log, t)
        aid.step(w, t)  # deliveries of aid short of war before the call-up they may pay for
        _mobilise(w, log, t, start, mobilising)
        # Interveners' forces reach the theatre: one look at the whole (R, S) table first, and
        # a state's rows only on a day when some deployment is due.
        pending = (w.arrival_day <= t) & ~w.arrived
        for s in np.flatnonzero(pending.any(axis=0)):
            due = np.flatnonzero(pending[:, s] & ~w.ended & (w.side[:, s] != 0))
            if due.size:
                doctrines.deploy(w, log, due, s, t)
        rows = np.flatnonzero(w.at_war & ~w.ended & (w.war_day <= t - w.dt + 1e-9))
        arrivals.arrive(w, t, rows)
        moved_before = w.position[rows].copy()
        last = windows.last_step(env, w, k, rows)
        windowed = last > k
        if windowed:  # days k..last with nothing but the ground war: fought in one call up to the
            # first on which something may happen; the rest of that day runs below as on any day
            k, moved_before = windows.run(w, rows, k, last, clock)
            t = clock_.step_time(k, w.dt)
            if t > env.now:  # (a window stopped on its first day goes on at once, as a plain day does)
                yield env.timeout(t - env.now)  # no other process wakes before t (Windows.last_step)
            w.last_daily = t
        else:
            combat.step(w, t, rows, clock)
        strikes.strike(w, rows, t, clock)
        casualties.cut_off(w, rows, t)  # forces ashore cut off from the sea surrender
        fleet.book(w)  # the naval cp lost this step, as ships by class (before the casualties are marked)
        if not windowed:  # a window marks its days itself (windows run only where no platforms are)
            casualties.mark(w, t)
        hit = presence.tripwire(w, log, rows, t)  # forces in place hit: their states decide now
        if hit.size and wake is not None:
            w.next_decision[hit] = t
            if not wake[0].triggered:
                wake[0].succeed()
        crossed = (np.abs(w.position[rows]) > 0) & (moved_before == 0)
        for f in range(w.F):
            log.record(rows[crossed[:, f]], t, "breakthrough", w.att, w.dfd, float(f))
        irregular.after_combat(w, log, rows, t)  # fronts falling, morale, desertion (no-op without them)
        terminate(w, log, rows, t, offer, clock)
        # A classroom game: the players say whether they accept the ceasefire. (Look-ahead copies of
        # a game paused at an offer carry it, but run without people: the engine's rules apply.)
        if offer and w.offer.any():
            accepted = yield from hook(env, t, "ceasefire")
            if accepted:
                _ceasefire(w, log, np.flatnonzero(w.offer), t)
            else:  # the war goes on: a new stalemate window starts today
                w.pos_ref[w.offer], w.ref_day[w.offer] = w.position[w.offer], t
            w.offer[:] = False
        if ts is not None:
            ts.record(w, t)
    left = ~w.ended
    _end(w, log, np.flatnonzero(left & w.at_war), w.horizon, UNRESOLVED, -1, "horizon", -1)
    idle = np.flatnonzero(left & ~w.at_war)
    _end(w, log, idle, w.horizon, NO_WAR, -1, "no_war", w.att)


def start(env: simpy.Environment, w: World, log: Log, clock: KernelClock, ts=None, since: float | None = None,
          hook=None):
    """Attach ``w``'s mechanisms and start its processes in ``env``; returns the combat clock's
    process (done at the horizon).

    ``since`` resumes a world paused at that time (a copy of a classroom game): events
    up to it already happened, and the combat clock continues from there. ``hook``: a
    classroom game's decision hook (module docstring); None lets the engine decide.
    """
    attach(w)
    wake = [env.event()]
    if w.injects.items:
        env.process(injects.process(env, w, log, since))
    env.process(crisis(env, w, log, since, hook, clock))
    if w.F:  # a scenario of raids only has no front: no ground war to start
        env.process(invasion(env, w, log, wake, clock, since, hook))
    env.process(decisions(env, w, log, wake, clock, hook))
    if w.raid is not None:
        env.process(raids.process(env, w, clock, since))
    return env.process(daily(env, w, log, clock, ts, since, hook, wake))


def run_batch(w: World, clock: KernelClock, ts=None) -> Log:
    """Run one batch to its horizon in its own SimPy environment; returns the batch's log."""
    env = clock_.GridEnvironment(w.dt)
    log = Log(w.reps)
    env.run(until=start(env, w, log, clock, ts))
    return log


def run_from(w: World, since: float, clock: KernelClock) -> Log:
    """Run a world resumed at time ``since`` (its last completed combat step) to its horizon."""
    env = clock_.GridEnvironment(w.dt, initial_time=since)
    log = Log(w.reps)
    env.run(until=start(env, w, log, clock, since=since))
    return log
