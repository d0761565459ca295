"""The batch world: R replications of one scenario as struct-of-arrays.

``World`` samples every uncertain parameter for the batch's replication indices and
lays the scenario out as numpy arrays with the replication on axis 0: states are
indexed ``s`` in file order, fronts ``f``, domains ``d`` = (ground, air, naval).
Combat power (cp) is the unit the kernels fight with; personnel follow from the
active force's manpower per cp. Dynamic arrays (forces on fronts, losses, sides,
escalation rungs, outcomes) start in their pre-crisis state.

A World holds state only. Mechanisms with parameters and state of their own
(irregular war, raids, injects) attach themselves to it (``World.attach``;
``events.attach`` attaches them all, and ``events.start`` does so for a world that
is not attached yet), and a classroom game hands its decision hook to the processes
(``events.start(..., hook=)``), not to the world. Why this shape:

- every mechanism imports World to read its arrays, so a World that built the
  mechanisms would import them back (the cycle an in-function import used to hide);
- each mechanism owns, in its own module, its parameters, its state and what a
  look-ahead copy carries over (``attach(w, paused)``): adding one touches its
  module and the list in events.py, not this class;
- every way of running a world (a batch, a game, the copies of its look-ahead, a
  World built by hand in a test) goes through ``events.start``, so none runs
  without its mechanisms, and attaching twice is a no-op.
"""

from __future__ import annotations

import numpy as np

from wargame.model.scenario import DOCTRINES, Scenario
from wargame.model.sampling import sample_recorded
from wargame.model.fleet import by_class, committed_share, naval_cp

DOCTRINE_CODE = {name: i for i, name in enumerate(DOCTRINES)}
# Codes follow the schema's list, so a new doctrine is its name in wargame.model.crisis.DOCTRINES
# and its rule in crisis/doctrines.py.
SELF_HELP, COLLECTIVE, BUCK_PASSING, BANDWAGON, NEVER = (
    DOCTRINE_CODE[d] for d in ("self_help", "collective_security", "buck_passing", "bandwagon", "never"))
POSTURE_CODE = {"hasty": 0, "prepared": 1, "fortified": 2}
LAW_PQ = {"square": (0.0, 1.0), "linear": (1.0, 1.0), "log": (1.0, 0.0),
          "deitchman": (0.0, 1.0)}  # placeholder: irregular.guerrilla (combat) and doctrines.guerrilla_projection replace its result

# Outcomes of a replication.
# deterred: the attacker stood down, and without the third parties it expected it would have
# attacked (crisis/deterrence.py); no_war is every other replication without a war.
# ceasefire: on the start line (the attacker holds no ground); ceasefire_held: the attacker keeps
# ground it took (a front's line position > 0 when the guns fall silent).
OUTCOMES = ("no_war", "attacker_wins", "defender_holds", "ceasefire", "unresolved", "nuclear_use", "deterred",
            "ceasefire_held")
NO_WAR, ATTACKER_WINS, DEFENDER_HOLDS, CEASEFIRE, UNRESOLVED, NUCLEAR, DETERRED, CEASEFIRE_HELD = range(8)
RUNG_NAMES = ("none", "forces", "bases", "homeland", "nuclear")

# Casualties per unit of personnel-per-cp lost, by domain. A lost ground unit takes its
# people with it; a lost aircraft or ship takes its crew, not the whole service's
# personnel per platform (ground crews, shore staff). ASSUMPTION: ~2% of an air
# force's personnel per aircraft fly it; ~25% of a navy's personnel per ship sail it.
CASUALTY_SHARE = np.array([1.0, 0.02, 0.25])


def last_sum(arr: np.ndarray) -> np.ndarray:
    """``arr.sum(axis=-1)`` bit for bit, several times faster on the short axes of the world's arrays.

    numpy sums a reduction axis shorter than 8 elements in order, starting from +0.0
    (pairwise summation starts at 8), so a chain of adds over that axis's slices gives
    the same bits (tests/test_world_sums.py checks it against ``.sum``, signed zeros, inf
    and NaN included) without reduce's per-row overhead on axes of 2-7 elements: 6
    against 49 us for a (2000, 2, 3) array. This is most of the per-day orchestration's
    sums (states, domains); longer axes and other dtypes go to ``.sum``.
    """
    n = arr.shape[-1]
    if n >= 8 or n == 0 or arr.dtype != np.float64:
        return arr.sum(axis=-1)
    out = arr[..., 0] + 0.0  # numpy starts from the identity: -0.0 + 0.0 is +0.0
    for i in range(1, n):
        out += arr[..., i]
    return out


def side_sum(arr: np.ndarray, side: np.ndarray, sgn: int) -> np.ndarray:
    """Sum over states of arr (n, F, S) for the states on side ``sgn`` (side: (n, S)) -> (n, F)."""
    return last_sum(arr * (side[:, None, :] == sgn))


def carry(src, dst, names, n: int) -> None:
    """Set each named attribute of ``dst`` to ``src``'s replication 0: arrays repeated n times along
    axis 0 (the replications of a look-ahead copy), other values as they are."""
    for k in names:
        v = getattr(src, k)
        setattr(dst, k, np.repeat(v[:1], n, axis=0) if isinstance(v, np.ndarray) else v)


class World:
    """Arrays for one batch. Attributes are documented where they are created.

    Parameters are drawn in the constructor; the dynamic arrays (``_init_dynamic``)
    hold what happens during a run. Mechanisms add theirs with ``attach``.
    """

    def __init__(self, sc: Scenario, seed: int, reps: np.ndarray, doctrines: dict[str, str] | None = None):
        self.sc = sc
        self.seed = int(seed)
        self.reps = np.asarray(reps, dtype=np.int64)
        self.R = R = self.reps.shape[0]
        self.state_ids = list(sc.states)
        self.front_ids = list(sc.fronts)
        self.S = S = len(self.state_ids)
        self.F = F = len(self.front_ids)
        self.params: dict[str, np.ndarray] = {}
        idx = {k: i for i, k in enumerate(self.state_ids)}
        self.att = idx[sc.scenario.attacker]
        self.dfd = idx[sc.scenario.defender]
        self.dt = sc.scenario.step_days
        self.horizon = sc.scenario.horizon_days
        self.stochastic = sc.scenario.stochastic
        doctrines = doctrines or {}

        # ---- states
        self.doctrine = np.array([DOCTRINE_CODE[doctrines.get(k, st.doctrine)] for k, st in sc.states.items()])
        self.nuclear = np.array([st.nuclear for st in sc.states.values()])
        self.cp0 = np.zeros((R, S, 3))  # total combat power by domain
        self.mpc = np.zeros((R, S, 3))  # personnel per unit of combat power
        self.commit = np.zeros((R, S, 3))
        self.reserve = np.zeros((R, S))  # reservists as ground cp, not yet called up
        self.mob_rate = np.zeros((R, S))  # cp per day
        self.mob_delay = np.full((R, S), np.inf)
        self.tolerance = np.zeros((R, S))
        self.perception = np.zeros((R, S))
        self.deploy_delay = np.zeros((R, S))
        self.treaty = np.zeros((S, S), dtype=bool)
        self.interest = np.zeros((R, S, S))
        self.trade = np.zeros((R, S, S))
        self.reach = np.zeros((R, S))
        self.missiles = np.zeros((R, S))
        self.inventory = np.zeros((R, S))
        self.propensity = np.zeros((R, S))
        self.nuc_threshold = np.ones((R, S))
        self.dist = np.full((R, S, 3), 1e9)  # theatre, bases, homeland km from the opposing primary
        self.exposed = np.zeros(S, dtype=bool)  # may be struck at all (crisis/escalation.py reachable)
        self.base_host = np.zeros((S, S), dtype=bool)  # [s, h]: s has bases on h's territory
        self.credibility = np.ones((R, S, S))  # [s, p]: how far the attacker believes s defends partner p
        self.alert_saved = np.zeros((R, S))  # days an alert after the warning cuts from s's deploy delay
        self.alert_cost = np.zeros((R, S))
        self.declare_gain = np.zeros((R, S))  # credibility a declared commitment to the defender adds (prewar.py)
        self.declare_cost = np.zeros((R, S))  # reputation a declared state loses if it stays out
        self.in_place = np.zeros((R, len(sc.fronts), S, 3))  # cp stationed on each front before the war
        fidx = {k: i for i, k in enumerate(sc.fronts)}
        for s, (sid, st) in enumerate(sc.states.items()):
            p = f"states.{sid}"
            for d, dom in enumerate(("ground", "air", "naval")):
                fo = getattr(st.forces, dom)
                mp = self.sample(fo.manpower, f"{p}.forces.{dom}.manpower")
                cp = mp if fo.combat_power is None else self.sample(fo.combat_power, f"{p}.forces.{dom}.combat_power")
                if dom == "naval" and st.fleet:  # a fleet by class sets the naval cp (crisis/fleet.py)
                    cp = naval_cp(st.fleet, self.sample, f"{p}.fleet")
                if dom == "air" and st.air_force and fo.combat_power is None:  # aircraft by type (air_force.py)
                    cp = sum(self.sample(a.count, f"{p}.air_force.{c}.count")
                             * self.sample(a.combat_power, f"{p}.air_force.{c}.combat_power")
                             for c, a in st.air_force.items())
                self.cp0[:, s, d] = cp
                self.mpc[:, s, d] = np.where(cp > 0, mp / np.maximum(cp, 1e-300), 0.0)
                self.commit[:, s, d] = self.sample(getattr(st.commit, dom), f"{p}.commit.{dom}")
                if dom == "naval" and st.fleet and by_class(st.fleet):  # commitment by ship class (crisis/fleet.py)
                    self.commit[:, s, d] = committed_share(st.fleet, self.sample, f"{p}.fleet", self.commit[:, s, d])
            if st.mobilisation is not None:
                m, q = st.mobilisation, f"{p}.mobilisation"
                ground_q = np.where(self.mpc[:, s, 0] > 0, 1.0 / np.maximum(self.mpc[:, s, 0], 1e-300), 1.0)
                qual = self.sample(m.quality, f"{q}.quality") * ground_q
                self.reserve[:, s] = self.sample(m.reserve, f"{q}.reserve") * qual
                self.mob_rate[:, s] = self.sample(m.rate_per_day, f"{q}.rate_per_day") * qual
                self.mob_delay[:, s] = self.sample(m.delay_days, f"{q}.delay_days")
            self.tolerance[:, s] = self.sample(st.casualty_tolerance, f"{p}.casualty_tolerance")
            self.perception[:, s] = self.sample(st.perception_error, f"{p}.perception_error")
            self.deploy_delay[:, s] = self.sample(st.deploy_delay_days, f"{p}.deploy_delay_days")
            for t in st.treaties:
                self.treaty[s, idx[t]] = True
            for k, v in st.credibility.items():
                self.credibility[:, s, idx[k]] = self.sample(v, f"{p}.credibility.{k}")
            self.alert_saved[:, s] = self.sample(st.alert.days_saved, f"{p}.alert.days_saved")
            self.alert_cost[:, s] = self.sample(st.alert.cost, f"{p}.alert.cost")
            self.declare_gain[:, s] = self.sample(st.declare.credibility_gain, f"{p}.declare.credibility_gain")
            self.declare_cost[:, s] = self.sample(st.declare.reputation_cost, f"{p}.declare.reputation_cost")
            for k, ip in st.forces_in_place.items():
                for d, dom in enumerate(("ground", "air", "naval")):
                    self.in_place[:, fidx[k], s, d] = self.sample(getattr(ip, dom), f"{p}.forces_in_place.{k}.{dom}")
            for k, v in st.interests.items():
                self.interest[:, s, idx[k]] = self.sample(v, f"{p}.interests.{k}")
            for k, v in st.trade.items():
                self.trade[:, s, idx[k]] = self.sample(v, f"{p}.trade.{k}")
            if st.strike is not None:
                k = f"{p}.strike"
                self.reach[:, s] = self.sample(st.strike.reach_km, f"{k}.reach_km")
                self.missiles[:, s] = self.sample(st.strike.missiles_per_day, f"{k}.missiles_per_day")
                self.inventory[:, s] = self.sample(st.strike.inventory, f"{k}.inventory")
                self.propensity[:, s] = self.sample(st.strike.escalation_propensity, f"{k}.escalation_propensity")
                self.nuc_threshold[:, s] = self.sample(st.strike.nuclear_threshold, f"{k}.nuclear_threshold")
            e = st.exposure
            # A primary without an exposure table is out of every rung's reach, nuclear included: the
            # config has not said where its forces, bases and homeland lie (docs/model.md §5). An
            # intervener keeps the table's defaults (forces in theatre at 0 km), as before.
            self.exposed[s] = "exposure" in st.model_fields_set or sid not in (sc.scenario.attacker,
                                                                               sc.scenario.defender)
            for j, key in enumerate(("theatre_km", "bases_km", "homeland_km")):
                if self.exposed[s]:
                    self.dist[:, s, j] = self.sample(getattr(e, key), f"{p}.exposure.{key}")
            for h in e.base_hosts:
                self.base_host[s, idx[h]] = True
        # States with aircraft by type (crisis/air_force.py attaches the rest): with none, the aggregate air rule.
        self.air_typed = np.array([bool(st.air_force) for st in sc.states.values()])
        self.typed = bool(self.air_typed.any())
        # "Power" for the relative-power term: total personnel (as in COW's milper).
        self.power = (self.cp0 * self.mpc).sum(axis=2)

        # ---- fronts
        z = lambda: np.zeros((R, F))  # noqa: E731
        self.att_leth, self.def_leth, self.law_p, self.law_q = z(), z(), z(), z()
        self.terrain, self.air_leth, self.air_weight, self.sea_weight = z(), z(), z(), z()
        self.lift, self.penalty, self.assault_days, self.transit_loss = z(), z(), z(), z()
        self.breakthrough, self.vmax, self.depth, self.counter_depth = z(), z(), z(), z()
        share = np.zeros((R, F, 3))  # attacker, defender, intervener weights
        self.posture = np.zeros(F, dtype=np.int64)
        self.amphibious = np.zeros(F, dtype=bool)
        self.naval = np.zeros(F, dtype=bool)
        self.decisive = np.zeros(F, dtype=bool)
        for f, (fid, fr) in enumerate(sc.fronts.items()):
            p = f"fronts.{fid}"
            self.att_leth[:, f] = self.sample(fr.attacker_lethality, f"{p}.attacker_lethality")
            self.def_leth[:, f] = self.sample(fr.defender_lethality, f"{p}.defender_lethality")
            if fr.law == "helmbold":
                w = self.sample(fr.helmbold_weight, f"{p}.helmbold_weight")
                self.law_p[:, f], self.law_q[:, f] = 1.0 - w, w
            else:
                self.law_p[:, f], self.law_q[:, f] = LAW_PQ[fr.law]
            self.posture[f] = POSTURE_CODE[fr.posture]
            self.terrain[:, f] = self.sample(fr.terrain, f"{p}.terrain")
            self.air_leth[:, f] = self.sample(fr.air_lethality, f"{p}.air_lethality")
            self.air_weight[:, f] = self.sample(fr.air_weight, f"{p}.air_weight")
            self.amphibious[f] = fr.amphibious
            self.lift[:, f] = self.sample(fr.lift_per_day, f"{p}.lift_per_day")
            self.penalty[:, f] = self.sample(fr.amphibious_penalty, f"{p}.amphibious_penalty")
            self.assault_days[:, f] = self.sample(fr.assault_days, f"{p}.assault_days")
            self.transit_loss[:, f] = self.sample(fr.transit_loss, f"{p}.transit_loss")
            self.sea_weight[:, f] = self.sample(fr.sea_weight, f"{p}.sea_weight")
            self.naval[f] = fr.naval
            self.breakthrough[:, f] = self.sample(fr.breakthrough_ratio, f"{p}.breakthrough_ratio")
            self.vmax[:, f] = self.sample(fr.advance_km_per_day, f"{p}.advance_km_per_day")
            self.depth[:, f] = self.sample(fr.depth_km, f"{p}.depth_km")
            cd = fr.counter_depth_km
            self.counter_depth[:, f] = 0.0 if cd is None else self.sample(cd, f"{p}.counter_depth_km")
            self.decisive[f] = fr.decisive
            for j, key in enumerate(("attacker_share", "defender_share", "intervener_share")):
                share[:, f, j] = self.sample(getattr(fr, key), f"{p}.{key}")
        tot = share.sum(axis=1, keepdims=True)
        self.share = np.where(tot > 0, share / np.where(tot > 0, tot, 1.0), 1.0 / max(F, 1))  # (R, F, 3)

        # ---- scenario-wide parameters
        self.warning = self.sample(sc.scenario.warning_days, "scenario.warning_days")
        inv = sc.invasion
        self.invasion_conditional = inv.mode == "conditional"
        self.invasion_day = self.sample(inv.day, "invasion.day")
        self.min_readiness = self.sample(inv.min_readiness, "invasion.min_readiness")
        self.min_ratio = self.sample(inv.min_force_ratio, "invasion.min_force_ratio")
        self.deadline = self.sample(inv.deadline_day, "invasion.deadline_day")
        self.weighs = inv.decision == "expected_utility"  # the attacker weighs third parties (crisis/deterrence.py)
        self.value = self.sample(inv.value, "invasion.value") if self.weighs else np.ones(R)
        self.defeat_cost = self.sample(inv.defeat_cost, "invasion.defeat_cost") if self.weighs else np.ones(R)
        self.postpone = self.sample(inv.postpone_days, "invasion.postpone_days") if self.weighs else np.zeros(R)
        nv = sc.naval
        self.nav = {k: self.sample(getattr(nv, k), f"naval.{k}") for k in type(nv).model_fields}
        bo = sc.breakoff
        self.breakoff = {k: self.sample(getattr(bo, k), f"breakoff.{k}") for k in type(bo).model_fields}
        dc = sc.doctrine
        self.doc = {k: self.sample(getattr(dc, k), f"doctrine.{k}") for k in type(dc).model_fields if k != "severity"}
        self.severity = np.array([0.0] + list(dc.severity))
        tm = sc.termination
        self.stalemate_days = self.sample(tm.stalemate_days, "termination.stalemate_days")
        self.stalemate_km = self.sample(tm.stalemate_km, "termination.stalemate_km")
        # Classroom games: states played by people. The engine's doctrines and escalation never
        # decide for them; the game's hook (events.start) asks the people instead.
        self.human = np.zeros(S, dtype=bool)
        self.mechanisms: list = []  # attach functions applied to this world, in order (see attach)
        before = set(vars(self))
        self._init_dynamic()
        self._dynamic = set(vars(self)) - before  # what happens during a run, as opposed to parameters

    def attach(self, mechanism) -> None:
        """Attach a mechanism once: ``mechanism(world, paused=None)`` puts its parameters and state on the world.

        ``copies`` attaches the same mechanisms, in the same order, to each copy, passing
        the paused world so each mechanism carries over what it must. Parameters are
        sampled by key path (``sample``), so the order of attaching changes no draw.
        """
        if mechanism not in self.mechanisms:
            mechanism(self, None)
            self.mechanisms.append(mechanism)

    def copies(self, runs: int, first_rep: int) -> "World":
        """``runs`` copies of replication 0's situation, keyed as replications first_rep, ...

        The copies share everything that has happened (forces, losses, sides, rungs, the
        line, the clock) but not what nobody in the game can know yet: every uncertain
        parameter (tolerances, lift, delays, ...) is drawn afresh for each copy, and so is
        every future random draw. That is the look-ahead a class needs: the spread of
        what may happen from here, not one replay of a known future.
        """
        c = World(self.sc, self.seed, np.arange(first_rep, first_rep + runs, dtype=np.int64))
        c.doctrine, c.human = self.doctrine.copy(), self.human.copy()
        carry(self, c, self._dynamic, runs)
        for m in self.mechanisms:  # each draws its parameters afresh and carries its own state
            m(c, self)
            c.mechanisms.append(m)
        return c

    def sample(self, value, path: str) -> np.ndarray:
        """A parameter's values for this batch's replications (recorded in ``params`` when uncertain)."""
        return sample_recorded(value, path, self.seed, self.reps, self.params)

    def _init_dynamic(self):
        R, S, F = self.R, self.S, self.F
        self.home = self.cp0.copy()  # cp not committed anywhere (forces in place are not at home)
        if self.in_place.any():
            self.home -= np.minimum(self.in_place.sum(axis=1), self.home)
        self.front = np.zeros((R, F, S, 3))  # cp on each front
        self.afloat = np.zeros((R, F, S))  # ground cp embarked for an amphibious front
        self.reserve_left = self.reserve.copy()
        self.committed = np.zeros((R, S, 3))  # cp ever sent to the war
        self.lost = np.zeros((R, S, 3))  # cp lost
        self.homeland_pressure = np.zeros((R, S))
        self.side = np.zeros((R, S), dtype=np.int8)  # +1 attacker side, -1 defender side
        self.side[:, self.att], self.side[:, self.dfd] = 1, -1
        self.intervened = np.zeros((R, S), dtype=bool)
        self.joined = np.zeros((R, S), dtype=np.int8)  # side a third party joined
        self.intervention_day = np.full((R, S), np.nan)
        self.arrival_day = np.full((R, S), np.inf)
        self.arrived = np.zeros((R, S), dtype=bool)
        self.withdrew_day = np.full((R, S), np.nan)
        self.attacked = np.zeros((R, S), dtype=bool)  # own territory or bases struck, or forces in place hit
        self.engaged = np.zeros((R, S), dtype=bool)  # its forces in place fight (crisis/presence.py)
        self.alerted = np.zeros((R, S), dtype=bool)  # s alerted and deployed forward after the warning (prewar.py)
        self.declared = np.zeros((R, S), dtype=bool)  # s declared a commitment to the defender (prewar.py)
        self.tempted = np.zeros(R, dtype=bool)  # the attacker held back though alone it would attack (deterrence.py)
        self.rung = np.zeros((R, S, S), dtype=np.int8)  # [actor, target] current rung
        self.inventory_left = self.inventory.copy()
        self.lift_lost = np.zeros((R, F))  # amphibious lift destroyed by strikes, cp per day (crisis/strikes.py)
        self.production_lost = np.zeros((R, S))  # share of the mobilisation rate destroyed by homeland strikes
        # [striker, target, measure] what each pair's strikes did (crisis/strikes.py MEASURES)
        self.strike_record = np.zeros((R, S, S, 8))  # strikes.MEASURES
        self.warned = np.zeros(R, dtype=bool)
        self.at_war = np.zeros(R, dtype=bool)
        self.war_day = np.full(R, np.nan)
        self.ended = np.zeros(R, dtype=bool)
        self.outcome = np.full(R, NO_WAR, dtype=np.int8)
        self.winner = np.full(R, -1, dtype=np.int16)
        self.end_day = np.full(R, np.nan)
        self.position = np.zeros((R, F))
        self.pos_ref = np.zeros((R, F))
        self.ref_day = np.zeros(R)
        self.landing_day = np.full((R, F), np.inf)
        self.air_control = np.full((R, F), 0.5)
        self.sea_control = np.full((R, F), 0.5)
        # break-off (crisis/breakoff.py), per (rep, front, side [attacker, defender], domain [air, naval])
        self.peak = np.zeros((R, F, 2, 2))  # most force there since the side last (re)entered the fight
        self.out_since = np.full((R, F, 2, 2), np.inf)  # day the side pulled back; inf while it fights
        self.breakoffs = np.zeros((R, 2, 2), dtype=np.int32)  # times each side pulled back, by domain
        self.mob_start = self.mobilisation_start()  # (R, S) day each state starts its call-up
        self.sends = np.ones((R, S, 3))  # what an intervener sends of its commitment, by domain
        self.offer = np.zeros(R, dtype=bool)  # a ceasefire is on the table (games with people)
        self.next_decision = np.full(R, np.inf)  # each replication's next decision point (events.decisions)
        self.last_daily = 0.0  # the end of the last combat step run (a paused game resumes from it)

    def mobilisation_start(self) -> np.ndarray:
        """(R, S) day each state starts its call-up: the attacker from the crisis, others after warning."""
        start = self.mob_delay.copy()
        others = np.arange(self.S) != self.att
        start[:, others] += self.grid(self.warning)[:, None]
        return np.where(self.reserve > 0, self.grid(start), np.inf)

    # ---- derived quantities used by several processes
    def grid(self, days) -> np.ndarray:
        """Round times up to the step grid: every event happens at the end of a step."""
        return np.ceil(np.asarray(days, dtype=float) / self.dt - 1e-9) * self.dt

    def loss_fraction(self, rows=slice(None)) -> np.ndarray:
        """Personnel lost / personnel committed, plus homeland-strike pressure, per (rows, S)."""
        mpc = self.mpc[rows]
        lost = last_sum(self.lost[rows] * mpc * CASUALTY_SHARE)
        com = last_sum(self.committed[rows] * mpc * CASUALTY_SHARE)
        return np.where(com > 0, lost / np.maximum(com, 1e-300), 0.0) + self.homeland_pressure[rows]

    def delay(self, rows, s: int) -> np.ndarray:
        """State s's deploy delay in ``rows``: shorter by its alert's days where it alerted (crisis/prewar.py)."""
        cut = np.where(self.alerted[rows, s], self.alert_saved[rows, s], 0.0)
        return np.maximum(self.deploy_delay[rows, s] - cut, 0.0)

    def pressure(self, rows=slice(None)) -> np.ndarray:
        return self.loss_fraction(rows) / self.tolerance[rows]
