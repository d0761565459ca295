"""The vectorised peer: configs/duel.toml's model in idiomatic numpy, across replications.

The script a numpy-fluent analyst writes from docs/model.md (§2.7, §3.3, §3.4): every
replication is a row, each day one set of array operations on the rows still at war,
losses drawn with numpy's Generator. Same model and outputs as bench/peers/naive.py
(which reads the numbers: ``duel_params``); single-threaded, as numpy is.
"""

import numpy as np

OUTCOMES = ("no_war", "attacker_wins", "defender_holds", "ceasefire", "unresolved")


def square(x, y, a, b, t):
    """Exact square law over t days for arrays x, y (the loser stops at 0)."""
    g, s = np.sqrt(a * b), np.sqrt(b / a)
    ch, sh = np.cosh(g * t), np.sinh(g * t)
    x1, y1 = x * ch - s * y * sh, y * ch - x / s * sh
    xw, yw = np.sqrt(np.maximum(x * x - s * s * y * y, 0)), np.sqrt(np.maximum(y * y - x * x / s / s, 0))
    return np.where(x1 < 0, 0.0, np.where(y1 < 0, xw, x1)), np.where(y1 < 0, 0.0, np.where(x1 < 0, yw, y1))


def drawn(rng, s, s1):
    m = np.floor(s + 0.5)
    return np.maximum(s - rng.binomial(m.astype(np.int64), np.clip((s - s1) / np.maximum(m, 1), 0, 1)), 0.0)


def run(p: dict, runs: int, seed: int) -> dict:
    """``runs`` replications at once: outcome codes (index into OUTCOMES), end day, losses, line."""
    rng = np.random.default_rng(seed)
    x, y, pos = np.full(runs, float(p["x0"])), np.full(runs, float(p["y0"])), np.zeros(runs)
    ref, ref_day = np.zeros(runs), np.zeros(runs)
    outcome, end_day = np.full(runs, 4, dtype=np.int8), np.full(runs, float(p["horizon"]))
    live, t = np.ones(runs, dtype=bool), np.ceil(p["day"] / p["dt"]) * p["dt"]
    ref_day[:] = t
    if t > p["horizon"]:
        outcome[:], live[:] = 0, False
    while live.any() and t + p["dt"] <= p["horizon"]:
        t += p["dt"]
        i = np.flatnonzero(live)
        x1, y1 = square(x[i], y[i], p["a"], p["b"], p["dt"])
        x[i], y[i] = drawn(rng, x[i], x1), drawn(rng, y[i], y1)
        with np.errstate(divide="ignore"):
            ratio = np.where(y[i] > 0, x[i] / y[i], np.where(x[i] > 0, np.inf, 1.0))
            move = np.where(ratio >= p["B"], np.tanh(np.log(ratio / p["B"])),
                            np.where(ratio < 1 / p["B"], -np.tanh(np.log(1 / (ratio * p["B"]))), 0.0))
        pos[i] = np.clip(pos[i] + p["v"] * p["dt"] * move, -p["back"], p["depth"])
        px, py = (p["x0"] - x[i]) / p["x0"] / p["tol_x"], (p["y0"] - y[i]) / p["y0"] / p["tol_y"]
        x_breaks = (px >= 1) | ((p["back"] > 0) & (pos[i] <= -p["back"])) | (x[i] < 1)
        wins = (pos[i] >= p["depth"]) | (((py >= 1) | (y[i] < 1)) & ~(x_breaks & (px > py)))
        holds = ~wins & x_breaks
        due = ~wins & ~holds & (t - ref_day[i] >= p["stalemate_days"])
        still = due & (np.abs(pos[i] - ref[i]) < p["stalemate_km"])
        ref[i[due & ~still]], ref_day[i[due & ~still]] = pos[i[due & ~still]], t
        done = wins | holds | still
        outcome[i[done]] = np.select([wins[done], holds[done]], [1, 2], 3)
        end_day[i[done]], live[i[done]] = t, False
    return {"outcome": outcome, "end_day": end_day, "lost": np.stack([p["x0"] - x, p["y0"] - y], axis=1), "position": pos}


def save(results: dict, path) -> None:
    """Write the results to an HDF5 file, one dataset per output (as the analyst would)."""
    import h5py

    with h5py.File(path, "w") as f:
        for k, v in results.items():
            f.create_dataset(k, data=v)
