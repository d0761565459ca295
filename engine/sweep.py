"""Doctrine sweeps: every combination of varied settings, run with common random numbers.

An *arm* is the scenario with one value for each ``--vary`` key. Every arm runs the
same replication indices with the same seed, and every draw is keyed by (seed,
replication), so replication i sees the same sampled parameters and the same combat
noise in every arm (common random numbers): the arms differ only where the varied
setting makes them differ. Differences between arms are then compared pair by pair
(engine/stats.py), which removes the replication-to-replication noise they share.

The scenario kind enters through one function, ``arm_metrics(loaded, runs, seed,
**exec_opts) -> (metrics, params)``: ``metrics`` maps a metric name to a (runs,)
array (bool for a probability, float for a mean) and ``params`` maps each sampled
parameter's key path to its (runs,) values (for sensitivity). ``KINDS`` holds one
entry per scenario kind: that function and a catalogue of metric descriptions.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from . import runner, scenario, sensitivity, stats

RUNGS = ("forces", "bases", "homeland", "nuclear")


class SweepError(Exception):
    """A sweep specification the user can fix (one line)."""


# --------------------------------------------------------------------------- arms


def split_values(text: str) -> list[str]:
    """Split ``a,b,[c,d]`` on the commas outside brackets, braces and quotes."""
    out, cur, depth, quote = [], "", 0, ""
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
            continue
        cur += ch
    out.append(cur.strip())
    return out


def parse_vary(specs: list[str]) -> list[tuple[str, list[str]]]:
    """``["states.USA.doctrine=self_help,never", ...]`` -> [(key, [values])], checked for shape."""
    if not specs:
        raise SweepError("sweep: give at least one --vary KEY=VALUE1,VALUE2,...")
    out, seen = [], set()
    for spec in specs:
        if "=" not in spec:
            raise SweepError(f"--vary {spec}: expected KEY=VALUE1,VALUE2,...")
        key, text = (s.strip() for s in spec.split("=", 1))
        if not key:
            raise SweepError(f"--vary {spec}: the key is empty")
        if key in seen:
            raise SweepError(f"--vary {key}: varied twice; give all its values in one --vary")
        values = split_values(text)
        if any(v == "" for v in values):
            raise SweepError(f"--vary {spec}: a value is empty (values are separated by commas)")
        if len(set(values)) < len(values):
            raise SweepError(f"--vary {spec}: a value is repeated")
        seen.add(key)
        out.append((key, values))
    return out


@dataclass
class Arm:
    label: str
    overrides: list[tuple[str, str]]  # the varied settings only
    loaded: object = None
    metrics: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    seconds: float = 0.0


def make_arms(config: str, base: list[tuple[str, str]], varied: list[tuple[str, list[str]]]) -> list[Arm]:
    """Every combination of the varied values, each validated now (before anything runs)."""
    combos = list(itertools.product(*[[(k, v) for v in vals] for k, vals in varied]))
    if len(combos) < 2:
        raise SweepError(f"sweep: {len(combos)} arm; a comparison needs at least 2 (give a --vary two values)")
    arms = []
    for combo in combos:
        label = ", ".join(f"{k.split('.', 1)[-1] if k.startswith('states.') else k}={v}" for k, v in combo)
        arm = Arm(label, list(combo))
        arm.loaded = scenario.load(config, list(base) + list(combo))  # ScenarioError: one line per problem
        arms.append(arm)
    return arms


# --------------------------------------------------------------------------- the battle kind


class ColumnSink:
    """A results writer that keeps only what the metrics read: per-replication and per-state
    columns and the sampled parameters (the event and decision logs are dropped at once)."""

    KEEP = ("replications", "states", "params")

    def __init__(self):
        self.layout, self.parts = {}, []

    def create(self, attrs, layout):
        self.layout = dict(layout)

    def append(self, batch):
        self.parts.append({"reps": batch["reps"], **{g: batch[g] for g in self.KEEP}})

    def columns(self) -> dict:
        out = {"reps": np.concatenate([p["reps"] for p in self.parts])}
        for g in self.KEEP:
            out[g] = {k: np.concatenate([p[g][k] for p in self.parts]) for k in self.parts[0][g]}
        return out


def battle_catalogue(layout: dict, great_powers: list[str]) -> dict[str, str]:
    """Metric name -> description for an invasion scenario with this layout."""
    att, dfd = layout["states"][layout["attacker"]], layout["states"][layout["defender"]]
    cat = {"defender_survives": f"P({dfd} survives): the war ends other than by {att} winning or by nuclear use"}
    if great_powers:
        cat["great_power_war"] = ("P(great-power war): a great power fights on each side (primary, or intervened); "
                                  f"great powers: {', '.join(great_powers)}")
    for k, rung in enumerate(RUNGS, 1):
        cat[f"escalation_{rung}"] = f"P(some state strikes at rung >= {k}, {rung})"
    for s, sid in enumerate(layout["states"]):
        if s not in (layout["attacker"], layout["defender"]):
            cat[f"intervened.{sid}"] = f"P({sid} intervenes)"
    for sid in layout["states"]:
        cat[f"losses.{sid}"] = f"E[{sid} personnel casualties], all domains"
    return cat


def battle_metrics(columns: dict, layout: dict, great_power: np.ndarray) -> dict[str, np.ndarray]:
    """Per-replication metric columns of an invasion scenario (see ``battle_catalogue``)."""
    reps, st = columns["replications"], columns["states"]
    outcomes = layout["outcomes"]
    att, dfd = layout["attacker"], layout["defender"]
    oc = reps["outcome"]
    m = {"defender_survives": (oc != outcomes.index("attacker_wins")) & (oc != outcomes.index("nuclear_use"))}
    if great_power.any():
        war = np.isfinite(reps["war_day"])
        side = st["side"].astype(int)
        fighting = st["intervened"].copy()
        fighting[:, att] |= war
        fighting[:, dfd] |= war
        gp_att = (fighting & (side == 1) & great_power).any(axis=1)
        gp_dfd = (fighting & (side == -1) & great_power).any(axis=1)
        m["great_power_war"] = gp_att & gp_dfd
    top = st["escalation_level"].max(axis=1)
    for k, rung in enumerate(RUNGS, 1):
        m[f"escalation_{rung}"] = top >= k
    for s, sid in enumerate(layout["states"]):
        if s not in (att, dfd):
            m[f"intervened.{sid}"] = st["intervened"][:, s].astype(bool)
    loss = st["losses"].sum(axis=2)
    for s, sid in enumerate(layout["states"]):
        m[f"losses.{sid}"] = loss[:, s].astype(float)
    return m


def arm_metrics(loaded, runs: int, seed: int, **exec_opts) -> tuple[dict, dict]:
    """Run one arm of an invasion scenario; return (metric columns, sampled parameter columns).

    ``exec_opts`` go to ``runner.run`` (executor, batch_size, progress, first_batch).
    """
    sink = ColumnSink()
    runner.run(loaded, runs, seed=seed, sink=sink, **exec_opts)
    cols = sink.columns()
    if not np.array_equal(cols["reps"], np.arange(runs)):
        raise RuntimeError("replications came back out of order")  # the runner promises order
    sc = loaded.scenario
    gp = np.array([st.great_power for st in sc.states.values()], dtype=bool)
    return battle_metrics(cols, sink.layout, gp), {k: v.astype(float) for k, v in cols["params"].items()}


def catalogue(loaded) -> dict[str, str]:
    from .world import OUTCOMES

    sc = loaded.scenario
    ids = list(sc.states)
    layout = {"states": ids, "attacker": ids.index(sc.scenario.attacker),
              "defender": ids.index(sc.scenario.defender), "outcomes": list(OUTCOMES)}
    return battle_catalogue(layout, [k for k, st in sc.states.items() if st.great_power])


def _system_kind():
    from . import system  # imported on demand: a battle sweep never loads the system kind

    return system.arm_metrics, system.catalogue


# One entry per scenario kind: (arm_metrics, catalogue); the system kind (engine/system/) on demand.
KINDS = {"battle": (arm_metrics, catalogue)}


def kind_of(loaded) -> str:
    from .system import is_system

    if is_system(loaded):
        KINDS.setdefault("system", _system_kind())
        return "system"
    return "battle"


# --------------------------------------------------------------------------- comparison


def comparison(arms: list[Arm], names: list[str]) -> tuple[list[dict], list[dict]]:
    """Per-arm estimates and every pairwise difference (later arm minus earlier), Holm-adjusted."""
    est = []
    for i, arm in enumerate(arms):
        for name in names:
            v, lo, hi = stats.estimate(arm.metrics[name])
            est.append({"metric": name, "arm": i, "estimate": v, "low": lo, "high": hi})
    rows = []
    for i, j in itertools.combinations(range(len(arms)), 2):
        for name in names:
            r = stats.paired(arms[i].metrics[name], arms[j].metrics[name])
            rows.append({"metric": name, "arm_a": i, "arm_b": j, **r})
    # Pairs that never differ (no discordant pair) cannot reject at any level; like Tarone's (1990)
    # correction for discrete tests, they are left out of the family instead of diluting it.
    tested = [not np.array_equal(arms[r["arm_a"]].metrics[r["metric"]], arms[r["arm_b"]].metrics[r["metric"]])
              for r in rows]
    adj = stats.holm([r["p"] if t else np.nan for r, t in zip(rows, tested)])
    for r, p, t in zip(rows, adj, tested):
        r["p_holm"] = float(p) if t else 1.0
        r["significant"] = bool(t and p < 0.05)
    return est, rows


def sensitivity_table(arms: list[Arm], names: list[str]) -> list[dict]:
    """PRCC of every metric on every sampled parameter, per arm; Holm-adjusted over the table."""
    rows = []
    for i, arm in enumerate(arms):
        if not arm.params:
            continue
        table = sensitivity.prcc_many(arm.params, {n: arm.metrics[n] for n in names})
        for name in names:
            rows += [{"arm": i, "metric": name, **r} for r in table[name]]
    adj = stats.holm([r["p"] for r in rows])
    for r, p in zip(rows, adj):
        r["p_holm"] = float(p)
    return rows


def crn_check(arms: list[Arm]) -> list[str]:
    """Sampled parameters that differ between arms for the same replication (none, unless the
    varied key is itself an uncertain parameter): the arms share random numbers."""
    bad = []
    for k in arms[0].params:
        for a in arms[1:]:
            if k in a.params and not np.array_equal(arms[0].params[k], a.params[k]):
                bad.append(k)
                break
    return bad


# --------------------------------------------------------------------------- running (engine/sweep_file.py stores)


@dataclass
class Sweep:
    config: str
    base: list
    varied: list
    arms: list
    seed: int
    runs: int
    kind: str = "battle"
    catalogue: dict = field(default_factory=dict)
    estimates: list = field(default_factory=list)
    comparisons: list = field(default_factory=list)
    sensitivity: list = field(default_factory=list)
    varied_params: list = field(default_factory=list)
    seconds: float = 0.0


def run(config: str, base: list, varied: list, runs: int, seed: int, executor=None, batch_size: int = runner.DEFAULT_BATCH,
        progress=None, kind: str = "battle") -> Sweep:
    """Validate every arm, run them one after another, then compare them."""
    import time

    arms = make_arms(config, base, varied)
    fn, cat = KINDS[kind]
    sw = Sweep(config, list(base), varied, arms, int(seed), int(runs), kind, cat(arms[0].loaded))
    total = runs * len(arms)
    t0 = time.perf_counter()
    for i, arm in enumerate(arms):
        done0 = i * runs
        tick = (lambda d, _t, d0=done0: progress(d0 + d, total)) if progress else None
        t1 = time.perf_counter()
        arm.metrics, arm.params = fn(arm.loaded, runs, seed, executor=executor, batch_size=batch_size, progress=tick,
                                     first_batch=runner.FIRST_BATCH)
        arm.seconds = time.perf_counter() - t1
    sw.seconds = time.perf_counter() - t0
    names = [n for n in sw.catalogue if all(n in a.metrics for a in arms)]
    sw.catalogue = {n: sw.catalogue[n] for n in names}
    sw.varied_params = crn_check(arms)
    sw.estimates, sw.comparisons = comparison(arms, names)
    sw.sensitivity = sensitivity_table(arms, names)
    return sw
