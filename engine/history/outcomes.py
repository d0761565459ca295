"""Battle outcomes fitted on a fixed half of CDB90 and scored on the other half.

The outcome model (docs/model.md section 3.3, "Battle outcomes", engine/crisis/battle.py) decides a
battle by the attrition race to breakpoints drawn per side and battle, except that
with probability ``decisive_share`` a decisive event outside attrition (surprise,
manoeuvre, leadership, a collapse of morale) makes one side give way early, at
``rout_fraction`` of its breakpoint: the defender with probability
``attacker_favoured`` (the attacker chooses where and when to attack). A winner that
has itself used up ``draw_pressure`` of its breakpoint when the loser gives way does
not pursue: the battle is a draw.

For the engine's CDB90 battle (square law, equal lethality, posture multiplier m,
force ratio r) the race has a closed form. With g(f) = f (2 - f) the share of the
square-law invariant a side's loss fraction f uses up, the defender gives way first
iff 2 ln r - ln m + ln g(f_att) - ln g(f_def) > 0 (cdb90.py's breakpoint test with
drawn breakpoints). ``probabilities`` integrates it over the two breakpoints
(Gauss-Hermite, 24 nodes each) and the decisive event: P(attacker wins, draw,
attacker loses) per battle. ``fit`` estimates

* the breakpoints' medians (attacker, defender) and log spread from the loss
  fractions of the sides that lost on the fit half (in the model a loser stops at
  its breakpoint), and
* decisive_share, attacker_favoured, draw_pressure and rout_fraction by maximum
  likelihood of the fit half's outcomes.

The split: every usable battle gets a Philox uniform keyed by its number (seed
SPLIT_SEED, purpose EXTRA); the lower half of the uniforms is the fit half. It is
stored in data/validation/cdb90/fit_half.csv and checked against this rule.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from wargame import kernels
from wargame.kernels import streams

from wargame.history.data import DEFAULT_DIR, DataError, number, read_csv

SPLIT_SEED = 20261203
SPLIT_FILE = "fit_half.csv"
MULT = {"HD": 1.0, "PD": 1.5, "FD": 2.0}   # the engine's posture multipliers (docs/model.md 3.3)
NODES = 24
# The fitted rule's battles are fought in quarter days: a loser giving way early does so within hours,
# and a day's step would overshoot both sides' losses (and so call draws the closed form does not).
STEP_DAYS = 0.25


def split(battles: list[dict]) -> tuple[list[int], list[int]]:
    """(fit, held-out) battle numbers: the lower and upper halves of a Philox uniform per battle."""
    q = np.array(sorted(b["isqno"] for b in battles), dtype=np.int64)
    u = kernels.uniforms(SPLIT_SEED, q, streams.EXTRA, 0, 1)[:, 0]
    order = np.argsort(u, kind="stable")
    half = len(q) // 2
    return sorted(int(v) for v in q[order[:half]]), sorted(int(v) for v in q[order[half:]])


def stored_split(data_dir: Path = DEFAULT_DIR) -> list[int]:
    """The fit half's battle numbers as shipped (data/validation/cdb90/fit_half.csv)."""
    path = Path(data_dir) / "cdb90" / SPLIT_FILE
    return sorted(int(number(path, i, "isqno", r["isqno"])) for i, r in enumerate(read_csv(path, ("isqno",))))


def write_split(battles: list[dict], data_dir: Path = DEFAULT_DIR) -> Path:
    fit_ids, _ = split(battles)
    path = Path(data_dir) / "cdb90" / SPLIT_FILE
    path.write_text("isqno\n" + "".join(f"{q}\n" for q in fit_ids))
    return path


def casualties(battles: list[dict], data_dir: Path = DEFAULT_DIR) -> None:
    """Add each side's loss fraction (CDB90 ``cas`` / ``str``; NaN when unknown) as frac_att, frac_def."""
    path = Path(data_dir) / "cdb90" / "belligerents.csv"
    cas = {}
    for i, r in enumerate(read_csv(path, ("isqno", "attacker", "cas"))):
        if r["cas"] not in ("", "NA"):
            cas[(int(r["isqno"]), r["attacker"])] = number(path, i, "cas", r["cas"])
    for b in battles:
        b["frac_att"] = cas.get((b["isqno"], "1"), math.nan) / b["str_att"]
        b["frac_def"] = cas.get((b["isqno"], "0"), math.nan) / b["str_def"]


def _g(f):
    f = np.minimum(f, 1.0)
    return np.log(f * (2.0 - f))


def probabilities(p: dict, ratio, mult) -> np.ndarray:
    """(n, 3): P(attacker wins, draw, attacker loses) per battle under the outcome model ``p``."""
    z, wz = np.polynomial.hermite_e.hermegauss(NODES)
    W = (wz / wz.sum())[:, None] * (wz / wz.sum())[None, :]
    fa0 = p["median_att"] * np.exp(p["breakpoint_sd"] * z)
    fd0 = p["median_def"] * np.exp(p["breakpoint_sd"] * z)
    c = (2.0 * np.log(np.asarray(ratio, float)) - np.log(np.asarray(mult, float)))[:, None, None]
    k, rho, pi, pa = p["draw_pressure"], p["rout_fraction"], p["decisive_share"], p["attacker_favoured"]
    out = np.zeros((c.shape[0], 3))
    for fa, fd, weight in ((fa0, fd0, 1.0 - pi), (fa0, rho * fd0, pi * pa), (rho * fa0, fd0, pi * (1.0 - pa))):
        ha, hd = _g(fa)[None, :, None], _g(fd)[None, None, :]
        win = ((c + _g(k * fa)[None, :, None] - hd > 0) * W).sum(axis=(1, 2))
        lose = ((c + ha - _g(k * fd)[None, None, :] < 0) * W).sum(axis=(1, 2))
        out += weight * np.stack([win, 1.0 - win - lose, lose], axis=1)
    return out


def _arrays(battles):
    ratio = np.array([b["str_att"] / b["str_def"] for b in battles])
    mult = np.array([MULT[b["post1"]] for b in battles])
    wina = np.array([b["wina"] for b in battles])
    return ratio, mult, wina


def _observed(wina) -> np.ndarray:
    return np.stack([wina == 1, wina == 0, wina == -1], axis=1).astype(float)


def _loser_fractions(battles):
    """Log loss fractions of the losing attackers and of the losing defenders (known, in (0, 1])."""
    fa = np.array([b["frac_att"] for b in battles if b["wina"] == -1])
    fd = np.array([b["frac_def"] for b in battles if b["wina"] == 1])
    fa, fd = fa[np.isfinite(fa) & (fa > 0) & (fa <= 1)], fd[np.isfinite(fd) & (fd > 0) & (fd <= 1)]
    if fa.size < 2 or fd.size < 2:
        raise DataError("CDB90 fit half: fewer than two losing sides with known casualties on one side")
    return np.log(fa), np.log(fd)


def loser_breakpoints(battles: list[dict]) -> dict:
    """Medians of the losers' loss fractions (attacker, defender) and their pooled log spread."""
    la, ld = _loser_fractions(battles)
    sd = math.sqrt((((la - la.mean()) ** 2).sum() + ((ld - ld.mean()) ** 2).sum()) / (la.size + ld.size - 2))
    return {"median_att": float(np.exp(np.median(la))), "median_def": float(np.exp(np.median(ld))),
            "breakpoint_sd": sd}


def _logit(v):
    return math.log(v / (1.0 - v))


NAMES = ("decisive_share", "attacker_favoured", "draw_pressure", "rout_fraction")


def fit(battles: list[dict]) -> dict:
    """The outcome model's parameters from ``battles`` (the fit half): see the module docstring.

    Breakpoints: moments of the losers' loss fractions. The rest: maximum likelihood of
    who won, drew or lost, from four starts of Nelder-Mead on the logits.
    """
    from scipy.optimize import minimize

    base = loser_breakpoints(battles)
    ratio, mult, wina = _arrays(battles)
    y = _observed(wina)

    def params(v):
        return {**base, **{n: 1.0 / (1.0 + math.exp(-x)) for n, x in zip(NAMES, v)}}

    def nll(v):
        pr = probabilities(params(v), ratio, mult)
        return -float(np.log(np.maximum((pr * y).sum(axis=1), 1e-12)).sum())

    best = None
    for start in ((0.5, 0.6, 0.8, 0.2), (0.8, 0.6, 0.7, 0.05), (0.3, 0.5, 0.9, 0.5), (0.9, 0.7, 0.6, 0.02)):
        r = minimize(nll, [_logit(v) for v in start], method="Nelder-Mead",
                     options={"xatol": 1e-7, "fatol": 1e-10, "maxiter": 4000})
        if best is None or r.fun < best.fun:
            best = r
    out = params(best.x)
    out["nll"] = float(best.fun)
    return out


# ----------------------------------------------------------------------------- the check on both halves

def overrides(p: dict) -> list[tuple[str, str]]:
    """The CDB90 battle's (key path, value) overrides that run it under the fitted outcome model."""
    ov = [("scenario.step_days", repr(STEP_DAYS)), ("states.ATT.casualty_tolerance", repr(p["median_att"])),
          ("states.DEF.casualty_tolerance", repr(p["median_def"]))]
    return ov + [(f"battle.{k}", repr(p[k])) for k in ("breakpoint_sd", *NAMES)]


def _engine_probs(counts: np.ndarray, runs: int) -> np.ndarray:
    # Replication shares (win, draw, loss), with half a count added per class so that a
    # class the engine never produced still has a finite log loss.
    c = np.stack([counts[:, 0], counts[:, 2], counts[:, 1]], axis=1).astype(float)
    return (c + 0.5) / (runs + 1.5)


def scores(prob: np.ndarray, wina: np.ndarray) -> dict:
    """Brier score (sum over win/draw/loss, mean over battles) and log loss of per-battle forecasts."""
    y = _observed(wina)
    p = np.broadcast_to(prob, y.shape)
    return {"brier": float(((p - y) ** 2).sum(axis=1).mean()),
            "log_loss": float(-np.log(np.maximum((p * y).sum(axis=1), 1e-12)).mean())}


def _mean(v) -> float:
    v = np.asarray(v, float)
    v = v[np.isfinite(v)]
    return float(v.mean()) if v.size else math.nan


def half_table(battles: list[dict], new: tuple, old_counts: np.ndarray, runs: int, p: dict, const) -> dict:
    """Rows by force ratio and scores for one half: history, the fitted rule in the engine, the old rule."""
    from wargame.estimate import wilson
    from wargame.history.cdb90 import RATIO_BINS, _bin, _label

    counts, losses = new
    ratio, mult, wina = _arrays(battles)
    rows = []
    for i in range(len(RATIO_BINS) - 1):
        m = np.array([_bin(r, RATIO_BINS) == i for r in ratio], dtype=bool)
        n = int(m.sum())
        if n == 0:
            continue
        hist = wilson(int((wina[m] == 1).sum()), n)
        eng = wilson(int(counts[m, 0].sum()), n * runs)
        rows.append({"bin": _label(RATIO_BINS, i), "n": n, "hist": hist, "hist_draw": float((wina[m] == 0).mean()),
                     "engine": eng, "engine_draw": float(counts[m, 2].sum() / (n * runs)),
                     "old": float(old_counts[m, 0].sum() / (n * runs)), "inside": hist[1] <= eng[0] <= hist[2],
                     "loss_hist": (_mean([b["frac_att"] for b, k in zip(battles, m) if k]),
                                   _mean([b["frac_def"] for b, k in zip(battles, m) if k])),
                     "loss_engine": (float(losses[m, 0].mean()), float(losses[m, 1].mean()))})
    sc = {"constant": scores(np.asarray(const), wina), "old rule": scores(_engine_probs(old_counts, runs), wina),
          "fitted rule (engine)": scores(_engine_probs(counts, runs), wina),
          "fitted rule (closed form)": scores(probabilities(p, ratio, mult), wina)}
    return {"n": len(battles), "rows": rows, "scores": sc, "draws_hist": float((wina == 0).mean()),
            "draws_engine": float(counts[:, 2].sum() / max(len(battles) * runs, 1))}


def run(used: list[dict], old_counts: np.ndarray, runs: int, seed: int, data_dir: Path = DEFAULT_DIR) -> dict:
    """Fit on the stored fit half, fight ``used`` battles under the fitted rule, tables for both halves.

    ``used``: the battles the check runs (all usable ones, or the first N); ``old_counts``:
    their counts under the old rule (``cdb90.engine_outcomes``). The fit always uses the
    whole fit half.
    """
    from wargame.history import cdb90

    everyone = cdb90.usable(cdb90.load(data_dir))
    fit_ids = stored_split(data_dir)
    if fit_ids != split(everyone)[0]:
        raise DataError(f"{Path(data_dir) / 'cdb90' / SPLIT_FILE}: not the split of seed {SPLIT_SEED} "
                        "(engine/history/outcomes.py split); restore the shipped file")
    casualties(everyone, data_dir)
    ids = set(fit_ids)
    p = fit([b for b in everyone if b["isqno"] in ids])
    const = _observed(np.array([b["wina"] for b in everyone if b["isqno"] in ids])).mean(axis=0)
    casualties(used, data_dir)
    out = {"params": p, "runs": runs, "seed": seed}
    for name, keep in (("fit", True), ("held-out", False)):
        idx = [k for k, b in enumerate(used) if (b["isqno"] in ids) == keep]
        bs = [used[k] for k in idx]
        new = cdb90.engine_battles(bs, runs, seed, overrides(p))
        out[name] = half_table(bs, new, old_counts[idx], runs, p, const)
    return out


def _pct(w) -> str:
    return f"{100 * w[0]:5.1f}% [{100 * w[1]:5.1f}, {100 * w[2]:5.1f}]"


def format_table(res: dict) -> str:
    """The fitted parameters, then per half the table by force ratio and the scores."""
    p = res["params"]
    lines = ["", "Battle outcomes (docs/model.md 3.3) fitted on the CDB90 fit half "
             f"(seed {SPLIT_SEED}, data/validation/cdb90/{SPLIT_FILE}):",
             f"  breakpoint medians: attacker {p['median_att']:.3f}, defender {p['median_def']:.3f}; "
             f"breakpoint_sd {p['breakpoint_sd']:.3f}",
             f"  decisive_share {p['decisive_share']:.3f}, attacker_favoured {p['attacker_favoured']:.3f}, "
             f"rout_fraction {p['rout_fraction']:.3f}, draw_pressure {p['draw_pressure']:.3f}"]
    for name in ("fit", "held-out"):
        h = res[name]
        lines += ["", f"{name} half: {h['n']} battles; attacker win rate by force ratio (attacker/defender), 95% Wilson "
                  f"intervals; engine: fitted rule, {res['runs']} replications per battle",
                  f"{'ratio':<8} {'n':>4}  {'history':<22} {'draws':>6}  {'engine':<22} {'draws':>6} {'old':>6} "
                  f"{'inside':>6}  {'att loss h/e':>13} {'def loss h/e':>13}"]
        for r in h["rows"]:
            lines.append(f"{r['bin']:<8} {r['n']:>4}  {_pct(r['hist']):<22} {100 * r['hist_draw']:5.1f}%  "
                         f"{_pct(r['engine']):<22} {100 * r['engine_draw']:5.1f}% {100 * r['old']:5.1f}% "
                         f"{'yes' if r['inside'] else 'NO':>6}  {100 * r['loss_hist'][0]:5.1f}/{100 * r['loss_engine'][0]:5.1f}% "
                         f"{100 * r['loss_hist'][1]:5.1f}/{100 * r['loss_engine'][1]:5.1f}%")
        lines.append(f"draws: history {100 * h['draws_hist']:.1f}%, engine {100 * h['draws_engine']:.1f}%")
        lines.append(f"{'forecast of win/draw/loss':<28} {'Brier':>7} {'log loss':>9}")
        for k, v in h["scores"].items():
            lines.append(f"{k:<28} {v['brier']:7.4f} {v['log_loss']:9.4f}")
    lines += ["", "inside: the engine's win rate lies in history's 95% interval. old: the rule before the outcome "
              "model (tolerance 0.5, attrition race). constant: the fit half's shares of wins, draws and losses. "
              "Loss: mean loss fraction, history (battles with known casualties) / engine."]
    return "\n".join(lines)
