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

import datetime as _dt
import itertools
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np

from . import runner, scenario, sensitivity, stats
from .results import package_versions

SCHEMA_VERSION = "1.0"
FILE_KIND = "wargame-sweep"
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


# One entry per scenario kind: (arm_metrics, catalogue). engine/system/ adds its own.
KINDS = {"battle": (arm_metrics, catalogue)}


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
        for name in names:
            for r in sensitivity.prcc(arm.params, arm.metrics[name]):
                rows.append({"arm": i, "metric": name, **r})
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


# --------------------------------------------------------------------------- running and storing


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


def _records(rows: list[dict], fields: list[tuple[str, str]]) -> np.ndarray:
    arr = np.zeros(len(rows), dtype=[(k, t) for k, t in fields])
    for i, r in enumerate(rows):
        for k, _ in fields:
            arr[i][k] = r[k].encode() if isinstance(r[k], str) else r[k]
    return arr


EST_FIELDS = [("metric", "S48"), ("arm", "<i4"), ("estimate", "<f8"), ("low", "<f8"), ("high", "<f8")]
CMP_FIELDS = [("metric", "S48"), ("arm_a", "<i4"), ("arm_b", "<i4"), ("diff", "<f8"), ("low", "<f8"),
              ("high", "<f8"), ("test", "S16"), ("p", "<f8"), ("p_holm", "<f8"), ("significant", "?")]
SENS_FIELDS = [("arm", "<i4"), ("metric", "S48"), ("param", "S96"), ("prcc", "<f8"), ("low", "<f8"),
               ("high", "<f8"), ("p", "<f8"), ("p_holm", "<f8")]


def write(sw: Sweep, out: Path, command: str = "") -> None:
    """Write the sweep to one HDF5 file (written aside, then renamed into place)."""
    out = Path(out)
    tmp = out.with_name(out.name + ".tmp")
    base = sw.arms[0].loaded
    with h5py.File(tmp, "w") as f:
        a = f.attrs
        a["kind"], a["schema_version"], a["scenario_kind"] = FILE_KIND, SCHEMA_VERSION, sw.kind
        a["scenario"], a["config_path"], a["config_text"] = base.scenario.scenario.name, sw.config, base.text
        a["config_sha256"] = scenario.loads(base.text, sw.config, sw.base).sha256
        a["base_overrides"] = json.dumps([list(o) for o in sw.base])
        a["varied"] = json.dumps([[k, v] for k, v in sw.varied])
        a["arms"] = json.dumps([{"label": arm.label, "overrides": [list(o) for o in arm.overrides]} for arm in sw.arms])
        a["seed"], a["runs"], a["seconds"] = sw.seed, sw.runs, sw.seconds
        a["metrics"] = json.dumps(sw.catalogue)
        a["varied_params"] = json.dumps(sw.varied_params)
        a["engine_version"], a["package_versions"] = package_versions()["wargame"], json.dumps(package_versions())
        a["created"] = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
        a["command"] = command
        for i, arm in enumerate(sw.arms):
            g = f.create_group(f"arms/{i}")
            g.attrs["label"], g.attrs["overrides"] = arm.label, json.dumps([list(o) for o in arm.overrides])
            g.attrs["config_sha256"], g.attrs["seconds"] = arm.loaded.sha256, arm.seconds
            for k, v in arm.metrics.items():
                g.create_dataset(f"metrics/{k}", data=v, dtype="?" if v.dtype == bool else "<f8", compression="gzip")
            for k, v in arm.params.items():
                g.create_dataset(f"params/{k}", data=v, dtype="<f8", compression="gzip")
        f.create_dataset("estimates", data=_records(sw.estimates, EST_FIELDS))
        f.create_dataset("comparison", data=_records(sw.comparisons, CMP_FIELDS))
        f.create_dataset("sensitivity", data=_records(sw.sensitivity, SENS_FIELDS))
    os.replace(tmp, out)


def read(path) -> dict:
    """A sweep file's attributes and tables (strings decoded), plus each arm's columns."""
    with h5py.File(path, "r") as f:
        if f.attrs.get("kind") != FILE_KIND:
            raise ValueError("not a sweep file")
        attrs = {k: (v.item() if hasattr(v, "item") else v) for k, v in f.attrs.items()}
        out = {"attrs": attrs, "arms": json.loads(attrs["arms"]), "metrics": json.loads(attrs["metrics"])}
        for name in ("estimates", "comparison", "sensitivity"):
            arr = f[name][()]
            out[name] = [{k: (r[k].decode() if isinstance(r[k], bytes) else r[k].item()) for k in arr.dtype.names}
                         for r in arr]
        out["columns"] = [{g: {k: f[f"arms/{i}/{g}/{k}"][()] for k in f[f"arms/{i}"].get(g, {})}
                           for g in ("metrics", "params")} for i in range(len(out["arms"]))]
    return out


def is_sweep(path) -> bool:
    try:
        with h5py.File(path, "r") as f:
            return f.attrs.get("kind") == FILE_KIND
    except OSError:
        return False


# --------------------------------------------------------------------------- printing


def _fmt(name: str, v: float) -> str:
    if not np.isfinite(v):
        return "-"
    return f"{100 * v:.1f}%" if not name.startswith("losses.") else f"{v:,.0f}"


def _fmt_d(name: str, v: float) -> str:
    if not np.isfinite(v):
        return "-"
    return f"{100 * v:+.1f}pp" if not name.startswith("losses.") else f"{v:+,.0f}"


def format_table(d: dict, top: int = 3) -> str:
    """The comparison as plain text: arms' estimates, the paired differences, the main drivers."""
    a, arms, names = d["attrs"], d["arms"], list(d["metrics"])
    letters = [chr(65 + i) if i < 26 else f"#{i}" for i in range(len(arms))]
    L = [f"{a['scenario']}: {a['runs']} replications per arm, seed {a['seed']}, common random numbers"]
    L += [f"  arm {letters[i]}: {arm['label']}" for i, arm in enumerate(arms)]
    if json.loads(a.get("varied_params", "[]")):
        L.append(f"  note: arms sample different values of {', '.join(json.loads(a['varied_params']))} (varied)")
    L += ["", "Estimates (95% interval)"]
    est = {(r["metric"], r["arm"]): r for r in d["estimates"]}
    head = f"  {'metric':<26}" + "".join(f"{'arm ' + letters[i]:>30}" for i in range(len(arms)))
    L.append(head)
    for n in names:
        cells = []
        for i in range(len(arms)):
            r = est[(n, i)]
            cells.append(f"{_fmt(n, r['estimate'])} [{_fmt(n, r['low'])}, {_fmt(n, r['high'])}]")
        L.append(f"  {n:<26}" + "".join(f"{c:>30}" for c in cells))
    L += ["", "Paired differences (95% interval); p: McNemar mid-p (probabilities) or paired t (means), "
          "Holm-adjusted over the table; * significant at 5%"]
    for r in d["comparison"]:
        pair = f"{letters[r['arm_b']]}-{letters[r['arm_a']]}"
        L.append(f"  {pair:<4} {r['metric']:<26} {_fmt_d(r['metric'], r['diff']):>10} "
                 f"[{_fmt_d(r['metric'], r['low'])}, {_fmt_d(r['metric'], r['high'])}]".ljust(72)
                 + (f"p={r['p_holm']:.2g}" if r["p_holm"] > 0 else "p<1e-300") + (" *" if r["significant"] else ""))
    if d["sensitivity"]:
        L += ["", f"Main drivers (partial rank correlation, top {top}; * Holm-significant at 5%)"]
        for i in range(len(arms)):
            for n in names[:2]:
                rows = [r for r in d["sensitivity"] if r["arm"] == i and r["metric"] == n and np.isfinite(r["prcc"])]
                rows.sort(key=lambda r: -abs(r["prcc"]))
                txt = ", ".join(f"{r['param']} {r['prcc']:+.2f}{'*' if r['p_holm'] < 0.05 else ''}" for r in rows[:top])
                L.append(f"  arm {letters[i]} {n}: {txt or '- (no variation)'}")
    return "\n".join(L)
