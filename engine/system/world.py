"""The batch world of the system kind: R replications of S states as struct-of-arrays.

Axis 0 is the replication, axis 1 the state (file order). A war is identified by
its initiator's index ``w``: a state is in at most one war at a time, so one
initiator starts at most one war at once and per-war arrays are (R, S) indexed by
initiator. Every uncertain parameter is sampled per replication from the PARAM
stream (engine.sampling), so a replication depends only on (seed, index).
"""

from __future__ import annotations

import numpy as np

from wargame.model.sampling import sample_recorded
from wargame.model.system import DOCTRINES, SystemScenario

REALPOLITIK, COLLECTIVE, LAISSEZ_FAIRE, CENTRAL = range(4)
DOCTRINE_CODE = {d: i for i, d in enumerate(DOCTRINES)}

RULES = ("growth_sd", "war_propensity", "attack_ratio", "perception_sd", "commit", "joiner_commit",
         "lethality", "defence_multiplier", "chance_sd", "breakpoint", "max_war_years", "absorption_share",
         "dominance_share", "balance_share", "pool_share", "contest_ratio")


class SystemWorld:
    def __init__(self, sc: SystemScenario, seed: int, reps: np.ndarray):
        self.sc = sc
        self.seed = int(seed)
        self.reps = np.asarray(reps, dtype=np.int64)
        self.R = R = self.reps.size
        self.ids = list(sc.states)
        self.S = S = len(self.ids)
        self.params: dict[str, np.ndarray] = {}
        rules = sc.system
        self.horizon = sc.scenario.horizon_years
        self.stochastic = sc.scenario.stochastic
        self.dt = 1.0 / rules.war_steps_per_year
        self.interval = rules.decision_interval_years
        self.doctrine = np.array([DOCTRINE_CODE[st.doctrine or rules.doctrine] for st in sc.states.values()])
        self.r = {k: self._p(getattr(rules, k), f"system.{k}") for k in RULES}
        self.P0 = np.zeros((R, S))
        self.growth = np.zeros((R, S))
        g = self._p(rules.growth_mean, "system.growth_mean")
        for s, (sid, st) in enumerate(sc.states.items()):
            self.P0[:, s] = self._p(st.power, f"states.{sid}.power")
            self.growth[:, s] = g if st.growth_mean is None else self._p(st.growth_mean, f"states.{sid}.growth_mean")
        self._init_dynamic()

    def _p(self, value, path: str) -> np.ndarray:
        return sample_recorded(value, path, self.seed, self.reps, self.params)

    def _init_dynamic(self):
        R, S = self.R, self.S
        self.P = self.P0.copy()
        self.alive = self.P0 > 0
        self.death_year = np.full((R, S), np.nan)
        self.absorbed_by = np.full((R, S), -1, dtype=np.int16)
        # Who fights where: war_of = initiator of the war a state is in (-1: at peace),
        # side +1 attacker / -1 defender, fielded = the strength it has in that war now.
        self.war_of = np.full((R, S), -1, dtype=np.int16)
        self.side = np.zeros((R, S), dtype=np.int8)
        self.fielded = np.zeros((R, S))
        # Wars, indexed by initiator.
        self.active = np.zeros((R, S), dtype=bool)
        self.start = np.full((R, S), np.nan)
        self.target = np.full((R, S), -1, dtype=np.int16)
        self.contest = np.zeros((R, S), dtype=bool)
        self.x0 = np.zeros((R, S))
        self.y0 = np.zeros((R, S))
        self.lam_a = np.zeros((R, S))
        self.lam_b = np.zeros((R, S))
        # Alliances: the realpolitik bloc balancing against `threat`; the central authority's controller.
        self.threat = np.full(R, -1, dtype=np.int16)
        self.bloc = np.zeros((R, S), dtype=bool)
        self.controller = np.full(R, -1, dtype=np.int16)
        # The system's end and what happened on the way.
        self.ended = np.zeros(R, dtype=bool)
        self.endurance = np.full(R, float(self.horizon))
        self.dominant = np.full(R, -1, dtype=np.int16)
        self.wars = np.zeros(R, dtype=np.int32)
        self.conquests = np.zeros(R, dtype=np.int32)
        self.stalemates = np.zeros(R, dtype=np.int32)
        self.contests = np.zeros(R, dtype=np.int32)
        self.alliances_formed = np.zeros(R, dtype=np.int32)
        self.alliances_broken = np.zeros(R, dtype=np.int32)
        self.war_sizes = np.zeros((R, S + 1), dtype=np.int32)  # [r, n]: wars with n participants
        self.power_destroyed = np.zeros(R)
        self.wars_fought = np.zeros((R, S), dtype=np.int32)

    # ---- derived quantities
    def idle(self) -> np.ndarray:
        return self.alive & (self.war_of < 0) & ~self.ended[:, None]

    def shares(self) -> np.ndarray:
        tot = self.P.sum(axis=1, keepdims=True)
        return np.where(tot > 0, self.P / np.where(tot > 0, tot, 1.0), 0.0)

    def is_(self, code: int) -> np.ndarray:
        """(S,) mask of the states following doctrine ``code``."""
        return self.doctrine == code
