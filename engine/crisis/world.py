"""The batch world: R replications of one scenario as struct-of-arrays.

``build`` samples every uncertain parameter for the batch's replication indices and
lays the scenario out as numpy arrays with the replication on axis 0: states are
indexed ``s`` in file order, fronts ``f``, domains ``d`` = (ground, air, naval).
Combat power (cp) is the unit the kernels fight with; personnel follow from the
active force's manpower per cp. Dynamic arrays (forces on fronts, losses, sides,
escalation rungs, outcomes) start in their pre-crisis state.
"""

from __future__ import annotations

import numpy as np

from wargame.crisis import injects
from wargame.model.scenario import DOCTRINES, Scenario
from wargame.model.sampling import sample_recorded

DOCTRINE_CODE = {name: i for i, name in enumerate(DOCTRINES)}
SELF_HELP, COLLECTIVE, BUCK_PASSING, BANDWAGON, NEVER = range(5)
POSTURE_CODE = {"hasty": 0, "prepared": 1, "fortified": 2}
LAW_PQ = {"square": (0.0, 1.0), "linear": (1.0, 1.0), "log": (1.0, 0.0),
          "deitchman": (0.0, 1.0)}  # placeholder: engine/irregular.py replaces the result of these fronts

# Outcomes of a replication.
OUTCOMES = ("no_war", "attacker_wins", "defender_holds", "ceasefire", "unresolved", "nuclear_use")
NO_WAR, ATTACKER_WINS, DEFENDER_HOLDS, CEASEFIRE, UNRESOLVED, NUCLEAR = range(6)
RUNG_NAMES = ("none", "forces", "bases", "homeland", "nuclear")

# Casualties per unit of personnel-per-cp lost, by domain. A lost ground unit takes its
# people with it; a lost aircraft or ship takes its crew, not the whole service's
# personnel per platform (ground crews, shore staff). ASSUMPTION: ~2% of an air
# force's personnel per aircraft fly it; ~25% of a navy's personnel per ship sail it.
CASUALTY_SHARE = np.array([1.0, 0.02, 0.25])


def side_sum(arr: np.ndarray, side: np.ndarray, sgn: int) -> np.ndarray:
    """Sum over states of arr (n, F, S) for the states on side ``sgn`` (side: (n, S)) -> (n, F)."""
    return (arr * (side[:, None, :] == sgn)).sum(axis=2)


class World:
    """Arrays for one batch. Attributes are documented where they are created."""

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
        self.base_host = np.zeros((S, S), dtype=bool)  # [s, h]: s has bases on h's territory
        for s, (sid, st) in enumerate(sc.states.items()):
            p = f"states.{sid}"
            for d, dom in enumerate(("ground", "air", "naval")):
                fo = getattr(st.forces, dom)
                mp = self._p(fo.manpower, f"{p}.forces.{dom}.manpower")
                cp = mp if fo.combat_power is None else self._p(fo.combat_power, f"{p}.forces.{dom}.combat_power")
                self.cp0[:, s, d] = cp
                self.mpc[:, s, d] = np.where(cp > 0, mp / np.maximum(cp, 1e-300), 0.0)
                self.commit[:, s, d] = self._p(getattr(st.commit, dom), f"{p}.commit.{dom}")
            if st.mobilisation is not None:
                m, q = st.mobilisation, f"{p}.mobilisation"
                ground_q = np.where(self.mpc[:, s, 0] > 0, 1.0 / np.maximum(self.mpc[:, s, 0], 1e-300), 1.0)
                qual = self._p(m.quality, f"{q}.quality") * ground_q
                self.reserve[:, s] = self._p(m.reserve, f"{q}.reserve") * qual
                self.mob_rate[:, s] = self._p(m.rate_per_day, f"{q}.rate_per_day") * qual
                self.mob_delay[:, s] = self._p(m.delay_days, f"{q}.delay_days")
            self.tolerance[:, s] = self._p(st.casualty_tolerance, f"{p}.casualty_tolerance")
            self.perception[:, s] = self._p(st.perception_error, f"{p}.perception_error")
            self.deploy_delay[:, s] = self._p(st.deploy_delay_days, f"{p}.deploy_delay_days")
            for t in st.treaties:
                self.treaty[s, idx[t]] = True
            for k, v in st.interests.items():
                self.interest[:, s, idx[k]] = self._p(v, f"{p}.interests.{k}")
            for k, v in st.trade.items():
                self.trade[:, s, idx[k]] = self._p(v, f"{p}.trade.{k}")
            if st.strike is not None:
                k = f"{p}.strike"
                self.reach[:, s] = self._p(st.strike.reach_km, f"{k}.reach_km")
                self.missiles[:, s] = self._p(st.strike.missiles_per_day, f"{k}.missiles_per_day")
                self.inventory[:, s] = self._p(st.strike.inventory, f"{k}.inventory")
                self.propensity[:, s] = self._p(st.strike.escalation_propensity, f"{k}.escalation_propensity")
                self.nuc_threshold[:, s] = self._p(st.strike.nuclear_threshold, f"{k}.nuclear_threshold")
            e = st.exposure
            for j, key in enumerate(("theatre_km", "bases_km", "homeland_km")):
                self.dist[:, s, j] = self._p(getattr(e, key), f"{p}.exposure.{key}")
            for h in e.base_hosts:
                self.base_host[s, idx[h]] = True
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
            self.att_leth[:, f] = self._p(fr.attacker_lethality, f"{p}.attacker_lethality")
            self.def_leth[:, f] = self._p(fr.defender_lethality, f"{p}.defender_lethality")
            if fr.law == "helmbold":
                w = self._p(fr.helmbold_weight, f"{p}.helmbold_weight")
                self.law_p[:, f], self.law_q[:, f] = 1.0 - w, w
            else:
                self.law_p[:, f], self.law_q[:, f] = LAW_PQ[fr.law]
            self.posture[f] = POSTURE_CODE[fr.posture]
            self.terrain[:, f] = self._p(fr.terrain, f"{p}.terrain")
            self.air_leth[:, f] = self._p(fr.air_lethality, f"{p}.air_lethality")
            self.air_weight[:, f] = self._p(fr.air_weight, f"{p}.air_weight")
            self.amphibious[f] = fr.amphibious
            self.lift[:, f] = self._p(fr.lift_per_day, f"{p}.lift_per_day")
            self.penalty[:, f] = self._p(fr.amphibious_penalty, f"{p}.amphibious_penalty")
            self.assault_days[:, f] = self._p(fr.assault_days, f"{p}.assault_days")
            self.transit_loss[:, f] = self._p(fr.transit_loss, f"{p}.transit_loss")
            self.sea_weight[:, f] = self._p(fr.sea_weight, f"{p}.sea_weight")
            self.naval[f] = fr.naval
            self.breakthrough[:, f] = self._p(fr.breakthrough_ratio, f"{p}.breakthrough_ratio")
            self.vmax[:, f] = self._p(fr.advance_km_per_day, f"{p}.advance_km_per_day")
            self.depth[:, f] = self._p(fr.depth_km, f"{p}.depth_km")
            cd = fr.counter_depth_km
            self.counter_depth[:, f] = 0.0 if cd is None else self._p(cd, f"{p}.counter_depth_km")
            self.decisive[f] = fr.decisive
            for j, key in enumerate(("attacker_share", "defender_share", "intervener_share")):
                share[:, f, j] = self._p(getattr(fr, key), f"{p}.{key}")
        tot = share.sum(axis=1, keepdims=True)
        self.share = np.where(tot > 0, share / np.where(tot > 0, tot, 1.0), 1.0 / max(F, 1))  # (R, F, 3)

        # ---- scenario-wide parameters
        self.warning = self._p(sc.scenario.warning_days, "scenario.warning_days")
        inv = sc.invasion
        self.invasion_conditional = inv.mode == "conditional"
        self.invasion_day = self._p(inv.day, "invasion.day")
        self.min_readiness = self._p(inv.min_readiness, "invasion.min_readiness")
        self.min_ratio = self._p(inv.min_force_ratio, "invasion.min_force_ratio")
        self.deadline = self._p(inv.deadline_day, "invasion.deadline_day")
        nv = sc.naval
        self.nav = {k: self._p(getattr(nv, k), f"naval.{k}") for k in type(nv).model_fields}
        dc = sc.doctrine
        self.doc = {k: self._p(getattr(dc, k), f"doctrine.{k}") for k in type(dc).model_fields if k != "severity"}
        self.severity = np.array([0.0] + list(dc.severity))
        tm = sc.termination
        self.stalemate_days = self._p(tm.stalemate_days, "termination.stalemate_days")
        self.stalemate_km = self._p(tm.stalemate_km, "termination.stalemate_km")
        self.human = np.zeros(S, dtype=bool)  # classroom games: states played by people
        self.hook = None  # classroom games: called at decision points for the human-played states
        self._irregular_params(sc)
        # ---- raids on layered air defence (engine/raids.py): parameters and their own dynamic arrays
        from wargame.crisis.raids import RaidWorld

        self.raid = RaidWorld(self) if sc.raids else None
        before = set(vars(self))
        self._init_dynamic()
        self._dynamic = set(vars(self)) - before  # what happens during a run, as opposed to parameters

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
        for k in self._dynamic | {"next_decision", "last_daily"}:
            v = getattr(self, k)
            setattr(c, k, np.repeat(v[:1], runs, axis=0) if isinstance(v, np.ndarray) else v)
        c.injects = self.injects.copy()
        injects.reapply(c)  # parameter changes in force apply to the copies' own draws
        return c

    def _p(self, value, path: str) -> np.ndarray:
        return sample_recorded(value, path, self.seed, self.reps, self.params)

    def _init_dynamic(self):
        R, S, F = self.R, self.S, self.F
        self.home = self.cp0.copy()  # cp not committed anywhere
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
        self.attacked = np.zeros((R, S), dtype=bool)  # own territory or bases struck
        self.rung = np.zeros((R, S, S), dtype=np.int8)  # [actor, target] current rung
        self.inventory_left = self.inventory.copy()
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
        self.mob_start = self.mobilisation_start()  # (R, S) day each state starts its call-up
        self.sends = np.ones((R, S, 3))  # what an intervener sends of its commitment, by domain
        self.offer = np.zeros(R, dtype=bool)  # a ceasefire is on the table (games with people)
        self.injects = injects.Injects(self.sc)
        self._irregular_dynamic()

    def mobilisation_start(self) -> np.ndarray:
        """(R, S) day each state starts its call-up: the attacker from the crisis, others after warning."""
        start = self.mob_delay.copy()
        others = np.arange(self.S) != self.att
        start[:, others] += self.grid(self.warning)[:, None]
        return np.where(self.reserve > 0, self.grid(start), np.inf)

    # ---- irregular war: guerrilla fronts, morale, fronts that fall (engine/irregular.py)
    def _irregular_params(self, sc: Scenario):
        R, S = self.R, self.S
        fronts = list(sc.fronts.values())
        # 0: the front's (p, q) law; 1: Deitchman with the attacker as guerrilla; 2: the defender.
        self.guerrilla = np.array([0 if fr.law != "deitchman" else 1 if fr.guerrilla == "attacker" else 2
                                   for fr in fronts], dtype=np.int64)
        self.falls = np.array([fr.falls and not fr.decisive for fr in fronts], dtype=bool)
        self.has_morale = np.array([st.morale is not None for st in sc.states.values()], dtype=bool)
        self.m0, self.m_loss, self.m_fall, self.m_isolation = (np.zeros((R, S)) for _ in range(4))
        self.m_patron_day = np.full((R, S), np.inf)
        self.m_patron_shock, self.m_threshold, self.m_desert = (np.zeros((R, S)) for _ in range(3))
        self.m0[:] = 1.0
        for s, (sid, st) in enumerate(sc.states.items()):
            m = st.morale
            if m is None:
                continue
            p = f"states.{sid}.morale"
            self.m0[:, s] = self._p(m.initial, f"{p}.initial")
            self.m_loss[:, s] = self._p(m.loss_weight, f"{p}.loss_weight")
            self.m_fall[:, s] = self._p(m.fall_shock, f"{p}.fall_shock")
            self.m_isolation[:, s] = self._p(m.isolation_per_day, f"{p}.isolation_per_day")
            if m.patron_day is not None:
                self.m_patron_day[:, s] = self.grid(self._p(m.patron_day, f"{p}.patron_day"))
            self.m_patron_shock[:, s] = self._p(m.patron_shock, f"{p}.patron_shock")
            self.m_threshold[:, s] = self._p(m.threshold, f"{p}.threshold")
            self.m_desert[:, s] = self._p(m.desertion_per_day, f"{p}.desertion_per_day")

    def _irregular_dynamic(self):
        R, S, F = self.R, self.S, self.F
        self.morale = self.m0.copy()  # (R, S) cohesion in [0, 1]
        self.melted = np.zeros((R, S))  # ground cp gone by desertion and surrender: not casualties, not in ``lost``
        self.combat_lf = np.zeros((R, S))  # combat loss fraction at the last morale update
        self.patron_gone = np.zeros((R, S), dtype=bool)
        self.fallen = np.zeros((R, F), dtype=bool)
        self.fall_day = np.full((R, F), np.nan)

    # ---- derived quantities used by several processes
    def grid(self, days) -> np.ndarray:
        """Round times up to the step grid: every event happens at the end of a step."""
        return np.ceil(np.asarray(days, dtype=float) / self.dt - 1e-9) * self.dt

    def loss_fraction(self, rows=slice(None)) -> np.ndarray:
        """Personnel lost / personnel committed, plus homeland-strike pressure, per (rows, S)."""
        lost = (self.lost[rows] * self.mpc[rows] * CASUALTY_SHARE).sum(axis=2)
        com = (self.committed[rows] * self.mpc[rows] * CASUALTY_SHARE).sum(axis=2)
        return np.where(com > 0, lost / np.maximum(com, 1e-300), 0.0) + self.homeland_pressure[rows]

    def pressure(self, rows=slice(None)) -> np.ndarray:
        return self.loss_fraction(rows) / self.tolerance[rows]
