"""Doctrine sweeps: every combination of varied settings, run with common random numbers.

An *arm* is the scenario with one value for each ``--vary`` key. Every arm runs the
same replication indices with the same seed, and every draw is keyed by (seed,
replication), so replication i sees the same sampled parameters and the same combat
noise in every arm (common random numbers): the arms differ only where the varied
setting makes them differ. Differences between arms are then compared pair by pair
(engine/analysis/stats.py), which removes the replication-to-replication noise they share.

The scenario kind (``wargame.kinds``) supplies a catalogue of metric descriptions and
``metrics(columns, layout, loaded)``, which turns an arm's columns into per-replication
metrics: a metric name maps to a (runs,) array (bool for a probability, float for a
mean), and ``params`` maps each sampled parameter's key path to its (runs,) values (for
sensitivity). ``run`` keeps every arm durably on disk as it goes when given an arms
folder (engine/analysis/sweep_store.py), so an interrupted sweep resumes;
``arm_metrics`` runs one arm in memory.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from wargame import kinds
from wargame.execution import runner
from wargame.model import scenario
from wargame.analysis import sensitivity
from wargame.analysis import stats
from wargame.analysis.sweep_store import ArmsFolder, SweepError


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


# --------------------------------------------------------------------------- one arm


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


def arm_metrics(loaded, runs: int, seed: int, **exec_opts) -> tuple[dict, dict]:
    """Run one arm in memory; return (metric columns of its kind's catalogue, sampled parameter columns).

    ``exec_opts`` go to ``kinds.run`` (executor, batch_size, progress, first_batch).
    """
    sink = ColumnSink()
    kinds.run(loaded, runs, seed=seed, sink=sink, **exec_opts)
    return metrics_of(loaded, sink.columns(), sink.layout, runs)


def metrics_of(loaded, cols: dict, layout: dict, runs: int) -> tuple[dict, dict]:
    """An arm's (metrics, sampled parameters) from its columns, with its kind's ``metrics``."""
    if not np.array_equal(cols["reps"], np.arange(runs)):
        raise RuntimeError("replications came back out of order")  # the runner and the store promise order
    return kinds.of(loaded).metrics(cols, layout, loaded), {k: v.astype(float) for k, v in cols["params"].items()}


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


# --------------------------------------------------------------------------- running (engine/analysis/sweep_file.py stores)


@dataclass
class Sweep:
    config: str
    base: list
    varied: list
    arms: list
    seed: int
    runs: int
    kind: str = "crisis"
    catalogue: dict = field(default_factory=dict)
    estimates: list = field(default_factory=list)
    comparisons: list = field(default_factory=list)
    sensitivity: list = field(default_factory=list)
    varied_params: list = field(default_factory=list)
    seconds: float = 0.0


def run(config: str, base: list, varied: list, runs: int, seed: int, executor=None, batch_size: int = runner.DEFAULT_BATCH,
        progress=None, folder: ArmsFolder | None = None) -> Sweep:
    """Validate every arm, run them one after another, then compare them.

    With ``folder`` (engine/analysis/sweep_store.py) every arm goes durably to disk as
    its batches finish, and arms already there, whole or in part, are read back and
    finished instead of run again; without it the arms run in memory.
    """
    import time

    arms = make_arms(config, base, varied)
    kind = kinds.of(arms[0].loaded)
    sw = Sweep(config, list(base), varied, arms, int(seed), int(runs), kind.name, kind.catalogue(arms[0].loaded))
    total = runs * len(arms)
    done = folder.written(len(arms), runs)[0] if folder else 0  # what an interrupted sweep left on disk
    t0 = time.perf_counter()
    for i, arm in enumerate(arms):
        left = runs - (folder.arm_written(i, runs) if folder else 0)
        opts = dict(executor=executor, batch_size=batch_size, first_batch=runner.FIRST_BATCH)
        if progress:
            opts["progress"] = lambda d, _t, d0=done: progress(d0 + d, total)
        if folder is None:
            t1 = time.perf_counter()
            arm.metrics, arm.params = arm_metrics(arm.loaded, runs, seed, **opts)
            arm.seconds = time.perf_counter() - t1
        else:
            cols, layout, arm.seconds = folder.arm_columns(i, arm.loaded, runs, seed, **opts)
            arm.metrics, arm.params = metrics_of(arm.loaded, cols, layout, runs)
        done += left
    sw.seconds = time.perf_counter() - t0
    names = [n for n in sw.catalogue if all(n in a.metrics for a in arms)]
    sw.catalogue = {n: sw.catalogue[n] for n in names}
    sw.varied_params = crn_check(arms)
    sw.estimates, sw.comparisons = comparison(arms, names)
    sw.sensitivity = sensitivity_table(arms, names)
    return sw
