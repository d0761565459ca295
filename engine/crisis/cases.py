"""Historical cases: metrics in the terms of a case, and where history falls in their distribution.

A scenario with a ``[case]`` table names its capital front and lists what happened
(``[[case.history]]``: a metric, its historical value, the source). From a results
file (or the dictionary ``results.read`` returns) this module computes, for every
replication, the case's metrics:

* ``days_to_capital``: days from the start of the war to the capital's fall (the
  defender capitulates: objective taken or the force broken); inf if it never falls;
* ``days_to_first_fall``: days to the first front lost (a region that falls, or the
  capital itself if it goes first); inf if none;
* ``days_first_fall_to_capital``: from the first front lost to the capital's fall;
* ``capital_taken``, ``direct_intervention`` (any third party joined either side),
  ``war_ongoing`` (unresolved at the horizon): 1 or 0;
* ``days_to_attacker_breaks``: days to the attacker suing for peace; inf if never;
* ``war``: 1 if the attacker invaded at all (0: it stood down, deterred or not);
* ``attacker_ships_lost``, ``defender_ships_lost``: naval combat power the primary lost, in
  ships (naval cp counts major combatants, docs/model.md section 1);
* ``attacker_aircraft_lost``, ``defender_aircraft_lost``: air combat power lost, in aircraft;
* ``attacker_casualties``, ``defender_casualties``: personnel lost, summed over the domains of
  ``states/losses`` (lost cp x manpower per cp x CASUALTY_SHARE, engine/crisis/columns.py).

Losses are the primaries' own (not their side's third parties'), over the whole replication.

The check for each historical value ``v``: it lies inside the engine's central 90%
interval, q(5%) <= v <= q(95%) with q the inverse empirical CDF (for a yes/no
metric: the historical outcome has probability of at least about 5%). The
percentile shown is the mid-rank P(X < v) + P(X = v)/2.
"""

from __future__ import annotations

import json

import h5py
import numpy as np

from wargame.model.log import EV
from wargame.model.sampling import sample
from wargame.model.scenario import CASE_METRICS, ScenarioError, loads
from wargame.crisis.world import ATTACKER_WINS, DEFENDER_HOLDS, UNRESOLVED

YES_NO = ("capital_taken", "direct_intervention", "war_ongoing", "war")
LOSS_METRICS = ("attacker_ships_lost", "defender_ships_lost", "attacker_aircraft_lost", "defender_aircraft_lost",
                "attacker_casualties", "defender_casualties")
AIR, NAVAL = 1, 2  # domain axis of states/losses_cp (engine/crisis/columns.py DOMAINS)
DAY_METRICS = ("days_to_capital", "days_to_first_fall", "days_first_fall_to_capital", "days_to_attacker_breaks")
PEOPLE = ("attacker_casualties", "defender_casualties")  # personnel: shown with thousands separators
HELD_DAYS = (30, 60, 90, 120, 150, 180, 270, 365, 730, 1095)  # up to the horizon: wars can run for years
METRICS = CASE_METRICS


def case_of(attrs: dict):
    """The ``[case]`` table of the scenario a results file was run from, or None."""
    try:
        pairs = [tuple(p) for p in json.loads(attrs.get("overrides") or "[]")]
        sc = loads(str(attrs.get("config_text", "")), str(attrs.get("config_path", "")), pairs).scenario
    except (ScenarioError, ValueError, TypeError):
        return None, None
    return sc.case, sc


def metrics(reps: dict, states: dict, fall_day: np.ndarray, layout: dict, capital: int) -> dict:
    """Per-replication metrics. fall_day: (n, F) day each front fell (nan if never)."""
    war, end, out = reps["war_day"].astype(float), reps["end_day"].astype(float), reps["outcome"]
    taken = out == ATTACKER_WINS
    cap_day = np.where(taken, end - war, np.inf)
    fd = fall_day - war[:, None]
    fd[:, capital] = np.where(taken, cap_day, fd[:, capital])
    first = np.where(np.isfinite(fd), fd, np.inf).min(axis=1)
    with np.errstate(invalid="ignore"):  # inf - inf where nothing fell: masked below
        gap = cap_day - first
    third = np.array([s not in (layout["attacker"], layout["defender"]) for s in range(len(layout["states"]))])
    return {
        "days_to_capital": cap_day,
        "days_to_first_fall": first,
        "days_first_fall_to_capital": np.where(taken, gap, np.inf),
        "capital_taken": taken.astype(float),
        "direct_intervention": (states["intervened"][:, third].any(axis=1) if third.any()
                                else np.zeros(out.size, dtype=bool)).astype(float),
        "days_to_attacker_breaks": np.where(out == DEFENDER_HOLDS, end - war, np.inf),
        "war_ongoing": (out == UNRESOLVED).astype(float),
        "war": np.isfinite(war).astype(float),
        **losses(states, layout["attacker"], layout["defender"]),
        "_fall_rel": fd,  # (n, F) days from the war's start each front fell; the capital: its capture
    }


def losses(states: dict, att: int, dfd: int) -> dict:
    """The primaries' platforms (ships, aircraft: lost cp) and casualties (personnel) per replication."""
    cp = np.asarray(states["losses_cp"], dtype=float)
    people = np.asarray(states["losses"], dtype=float).sum(axis=2)
    return {"attacker_ships_lost": cp[:, att, NAVAL], "defender_ships_lost": cp[:, dfd, NAVAL],
            "attacker_aircraft_lost": cp[:, att, AIR], "defender_aircraft_lost": cp[:, dfd, AIR],
            "attacker_casualties": people[:, att], "defender_casualties": people[:, dfd]}


def _quantile(x: np.ndarray, q: float) -> float:
    """Inverse empirical CDF (no interpolation, so inf and yes/no values stay what they are)."""
    s = np.sort(x)
    return float(s[min(s.size - 1, max(0, int(np.ceil(q * s.size)) - 1))])


def _spread(x: np.ndarray) -> dict:
    return {"median": _quantile(x, 0.5), "q05": _quantile(x, 0.05), "q95": _quantile(x, 0.95)}


def where_history_falls(x: np.ndarray, v: float) -> dict:
    """Median, central 90% interval, mid-rank percentile of v, and whether v is inside the interval."""
    lo, hi = _quantile(x, 0.05), _quantile(x, 0.95)
    pct = float((x < v).mean() + 0.5 * (x == v).mean())
    return {"median": _quantile(x, 0.5), "q05": lo, "q95": hi, "percentile": pct, "inside": bool(lo <= v <= hi),
            "p_equal": float((x == v).mean())}


def evaluate(case, sc, m: dict, n: int) -> dict:
    """The case's summary figures from per-replication metrics ``m``."""
    fronts = list(sc.fronts)
    cap = fronts.index(case.capital_front)
    falls = np.array([sc.fronts[f].falls and not sc.fronts[f].decisive for f in fronts])
    rel = m["_fall_rel"]
    held = {}
    for d in HELD_DAYS:
        if d > sc.scenario.horizon_days:
            break
        gone = m["days_to_capital"] <= d
        h = np.where(gone, 0, (falls[None, :] & ~(rel <= d)).sum(axis=1))
        held[d] = (float(np.median(h)), _quantile(h, 0.05), _quantile(h, 0.95))
    checks = []
    for hc in case.history:
        r = where_history_falls(m[hc.metric], hc.value)
        checks.append({"metric": hc.metric, "value": hc.value, "what": hc.what, "source": hc.source, **r})
    return {"capital_front": case.capital_front, "front_word": case.front_word, "n": n,
            "fronts_that_fall": int(falls.sum()), "capital": cap,
            "capital_taken": float(m["capital_taken"].mean()),
            "days_to_capital": _spread(m["days_to_capital"]),
            "first_to_capital": _spread(m["days_first_fall_to_capital"]),
            "direct_intervention": float(m["direct_intervention"].mean()),
            "held": held, "checks": checks}


def _fall_days(events: np.ndarray, reps: np.ndarray, F: int) -> np.ndarray:
    """(n, F) day each front fell, from the event log (rows follow ``reps``)."""
    out = np.full((reps.size, F), np.nan)
    e = events[events["type"] == EV["front_falls"]]
    if e.size:
        pos = {int(r): i for i, r in enumerate(reps)}
        rows = np.array([pos.get(int(r), -1) for r in e["rep"]])
        ok = rows >= 0
        out[rows[ok], e["value"][ok].astype(int)] = e["day"][ok]
    return out


def compute(res: dict) -> dict | None:
    """The case section for results held in memory; None when the scenario has no ``[case]``."""
    case, sc = case_of(res["attrs"])
    if case is None:
        return None
    lay = res["layout"]
    fall = _fall_days(res["events"], res["reps"], len(lay["fronts"]))
    m = metrics(res["replications"], res["states"], fall, lay, lay["fronts"].index(case.capital_front))
    out = evaluate(case, sc, m, res["reps"].size)
    cap = res["events"][res["events"]["type"] == EV["capitulate"]]
    n = max(res["reps"].size, 1)
    out["taken_by_assault"] = float((cap["value"] >= 0).sum() / n)  # the line reached the capital
    out["force_broke"] = float((cap["value"] < 0).sum() / n)  # breakpoint or no ground force left
    out["strength"] = _strength(sc, res, lay)
    out["morale"] = _morale_breaks(res, lay, sc)
    return out


def _strength(sc, res: dict, lay: dict) -> dict:
    """The defender's ground force on the rolls (manpower) and present (combat power), medians."""
    sid = lay["states"][lay["defender"]]
    fo = sc.states[sid].forces.ground
    seed = int(res["attrs"].get("seed", 0))
    # The draws again, from the same streams as the run (engine/model/sampling.py): no need to store them.
    get = lambda v, key: float(np.median(sample(v, key, seed, res["reps"])))  # noqa: E731
    base = f"states.{sid}.forces.ground"
    nominal = get(fo.manpower, f"{base}.manpower")
    effective = nominal if fo.combat_power is None else get(fo.combat_power, f"{base}.combat_power")
    return {"state": sid, "nominal": nominal, "effective": effective}


def _morale_breaks(res: dict, lay: dict, sc) -> list[dict]:
    """For each state with a morale table: share of replications whose morale broke, and on which day of the war."""
    ev = res["events"][res["events"]["type"] == EV["morale_breaks"]]
    war = dict(zip(res["reps"].tolist(), res["replications"]["war_day"].tolist()))
    out = []
    for s, (sid, st) in enumerate(sc.states.items()):
        if st.morale is None:
            continue
        e = ev[ev["actor"] == s]
        days = np.array([d - war[int(r)] for r, d in zip(e["rep"], e["day"])]) if e.size else np.empty(0)
        out.append({"state": sid, "share": e.size / max(res["reps"].size, 1),
                    "days": _spread(days) if days.size else None})
    return out


def compute_file(path) -> dict | None:
    """The case section for a results file (reads the per-replication columns and the fall events)."""
    from wargame.execution.store import read, read_meta

    attrs, _ = read_meta(path)
    if case_of(attrs)[0] is None:
        return None
    res = read(path, logs=False)
    with h5py.File(path, "r") as f:
        groups = [f["batches"][k] for k in sorted(f["batches"])] if "batches" in f else [f]
        ev = []
        for g in groups:
            e = g["events"]
            for a in range(0, e.shape[0], 500_000):
                chunk = e[a:a + 500_000]
                ev.append(chunk[np.isin(chunk["type"], (EV["front_falls"], EV["capitulate"], EV["morale_breaks"]))])
    res["events"] = np.concatenate(ev) if ev else np.empty(0)
    return compute(res)


def _d(x: float) -> str:
    """Days, platforms or people: 1,717 with separators; 10,000 and above in thousands (12.3k) to fit the table."""
    if not np.isfinite(x):
        return "never"
    return f"{x:,.0f}" if abs(x) < 10_000 else f"{x / 1000:,.1f}k"


def shown(metric: str, x: float) -> str:
    """A metric's value as the table shows it: personnel with thousands separators (1,717), days as _d."""
    return f"{x:,.0f}" if metric in PEOPLE and np.isfinite(x) else _d(x)


def format_lines(c: dict) -> list[str]:
    """Summary lines in the terms of the case, then the history table (appended to the run summary)."""
    return case_lines(c) + history_lines(c)


def case_lines(c: dict) -> list[str]:
    """The case's own figures: the capital, the fronts lost and held, outside intervention."""
    w, cap = c["front_word"], c["capital_front"]
    dc, fc = c["days_to_capital"], c["first_to_capital"]
    L = ["", f"Case: capital front '{cap}', {c['fronts_that_fall']} {w} that can fall",
         f"  capital taken in {100 * c['capital_taken']:.1f}% of replications; days to the capital's fall: "
         f"median {_d(dc['median'])} (5-95%: {_d(dc['q05'])}-{_d(dc['q95'])})",
         f"  how: the line reached the capital in {100 * c.get('taken_by_assault', 0):.1f}%, the defender's "
         f"force broke first (breakpoint or no ground force left) in {100 * c.get('force_broke', 0):.1f}%",
         *_strength_lines(c),
         f"  outside powers intervened directly in {100 * c['direct_intervention']:.1f}% of replications"]
    if c["fronts_that_fall"]:
        L += [f"  days from the first {w[:-1] if w.endswith('s') else w} lost to the capital's fall: "
              f"median {_d(fc['median'])} (5-95%: {_d(fc['q05'])}-{_d(fc['q95'])})",
              f"  {w} held, median [5%, 95%], by day of the war: "
              + ", ".join(f"{d}: {m:.0f} [{a:.0f}, {b:.0f}]" for d, (m, a, b) in c["held"].items())]
    return L


def _strength_lines(c: dict) -> list[str]:
    L = []
    st = c.get("strength")
    if st and st["effective"] != st["nominal"]:
        L.append(f"  {st['state']} ground force: {st['nominal']:,.0f} on the rolls, {st['effective']:,.0f} present "
                 f"(median: nominal versus effective strength)")
    for mb in c.get("morale", []):
        when = (f", day of the war median {_d(mb['days']['median'])} (5-95%: {_d(mb['days']['q05'])}-"
                f"{_d(mb['days']['q95'])})" if mb["days"] else "")
        L.append(f"  {mb['state']} cohesion broke (desertion and surrender began) in {100 * mb['share']:.1f}% of "
                 f"replications{when}")
    return L


def history_lines(c: dict) -> list[str]:
    """One line per historical check: the value, the engine's distribution, where history falls."""
    L = []
    if c["checks"]:
        rows = [(k["metric"], shown(k["metric"], k["value"]),
                 f"{shown(k['metric'], k['median']):>6} [{shown(k['metric'], k['q05'])}, {shown(k['metric'], k['q95'])}]",
                 where(k), "yes" if k["inside"] else "NO") for k in c["checks"]]
        wv = max(6, *(len(r[1]) for r in rows))  # personnel figures are wider than days
        we = max(23, *(len(r[2]) for r in rows))
        L += ["", f"History                    {'actual':>{wv + 1}}  {'engine median [5%, 95%]':<{we}}  "
                  "where history falls  inside 90%"]
        L += [f"  {m:<26} {v:>{wv}}  {e:<{we}}{w:>21}  {i}" for m, v, e, w, i in rows]
    return L


def where(k: dict) -> str:
    """A days metric: the historical value's percentile; a yes/no metric: the probability of what happened."""
    if k["metric"] in YES_NO:
        return f"P(as history) {100 * k['p_equal']:.1f}%"
    return f"percentile {100 * k['percentile']:.1f}"
