"""The naive peer: configs/duel.toml's model written from docs/model.md, as a user would.

One SimPy environment per replication, plain Python, numpy Generator draws. It does
not import wargame (tests/test_bench.py checks): it is what someone who has read
docs/model.md §2.7, §3.3 and §3.4 writes for the duel (one land front, square law,
no air, naval, mobilisation or third parties), reading the numbers from the TOML.
"""

import math
import tomllib

import numpy as np
import simpy

POSTURE = {"hasty": 1.0, "prepared": 1.5, "fortified": 2.0}


def duel_params(path) -> dict:
    """The duel's numbers from its TOML (one front, two states, plain numbers)."""
    with open(path, "rb") as fh:
        c = tomllib.load(fh)
    (fr,) = c["fronts"].values()
    s, att, dfd = c["scenario"], c["states"][c["scenario"]["attacker"]], c["states"][c["scenario"]["defender"]]
    return {"x0": att["forces"]["ground"]["manpower"] * att["commit"]["ground"],
            "y0": dfd["forces"]["ground"]["manpower"] * dfd["commit"]["ground"],
            "tol_x": att["casualty_tolerance"], "tol_y": dfd["casualty_tolerance"],
            "a": fr["attacker_lethality"] / (POSTURE[fr["posture"]] * max(fr["terrain"], 0.1)),
            "b": fr["defender_lethality"], "B": fr["breakthrough_ratio"], "v": fr["advance_km_per_day"],
            "depth": fr["depth_km"], "back": fr.get("counter_depth_km", 0.0), "dt": s.get("step_days", 1.0),
            "horizon": s["horizon_days"], "day": c["invasion"]["day"],
            "stalemate_days": c["termination"]["stalemate_days"],
            "stalemate_km": c["termination"].get("stalemate_km", 2.0)}


def square(x, y, a, b, t):
    """Exact square law over t days: dx/dt = -b y, dy/dt = -a x (the loser stops at 0)."""
    g, s = math.sqrt(a * b), math.sqrt(b / a)
    x1 = x * math.cosh(g * t) - s * y * math.sinh(g * t)
    y1 = y * math.cosh(g * t) - x / s * math.sinh(g * t)
    if x1 < 0:
        return 0.0, math.sqrt(y * y - x * x / s / s)
    if y1 < 0:
        return math.sqrt(x * x - s * s * y * y), 0.0
    return x1, y1


def drawn(rng, s, s1):
    """Binomial losses around the expected ones: s - Binomial(round(s), (s - s1) / round(s))."""
    m = math.floor(s + 0.5)
    return s if m == 0 else max(s - rng.binomial(m, min((s - s1) / m, 1.0)), 0.0)


def war(env, p, rng, out):
    yield env.timeout(math.ceil(p["day"] / p["dt"]) * p["dt"])
    x, y, pos, ref, ref_day = p["x0"], p["y0"], 0.0, 0.0, env.now
    end = lambda outcome, day: out.update(outcome=outcome, end_day=day, lost=(p["x0"] - x, p["y0"] - y), pos=pos)  # noqa: E731
    if env.now > p["horizon"]:
        return end("no_war", p["horizon"])
    while env.now + p["dt"] <= p["horizon"]:
        yield env.timeout(p["dt"])
        x1, y1 = square(x, y, p["a"], p["b"], p["dt"])
        x, y = drawn(rng, x, x1), drawn(rng, y, y1)
        ratio = x / y if y > 0 else (math.inf if x > 0 else 1.0)
        if ratio >= p["B"]:
            pos += p["v"] * p["dt"] * math.tanh(math.log(ratio / p["B"]))
        elif ratio < 1 / p["B"]:
            pos -= p["v"] * p["dt"] * math.tanh(math.log(1 / (ratio * p["B"])))
        pos = min(max(pos, -p["back"]), p["depth"])
        px, py = (p["x0"] - x) / p["x0"] / p["tol_x"], (p["y0"] - y) / p["y0"] / p["tol_y"]
        x_breaks = px >= 1 or (p["back"] > 0 and pos <= -p["back"]) or x < 1
        if pos >= p["depth"] or ((py >= 1 or y < 1) and not (x_breaks and px > py)):
            return end("attacker_wins", env.now)
        if x_breaks:
            return end("defender_holds", env.now)
        if env.now - ref_day >= p["stalemate_days"]:
            if abs(pos - ref) < p["stalemate_km"]:
                return end("ceasefire", env.now)
            ref, ref_day = pos, env.now
    end("unresolved", p["horizon"])


def run(p: dict, runs: int, seed: int) -> list[dict]:
    """``runs`` replications, each in its own SimPy environment: outcome, end day, losses, line."""
    results = []
    for i in range(runs):
        env, out = simpy.Environment(), {}
        env.process(war(env, p, np.random.default_rng([seed, i]), out))
        env.run()
        results.append(out)
    return results
