"""Battle outcomes fitted on a fixed half of CDB90 and scored on the other half.

The outcome model (docs/model.md section 3.6, engine/crisis/battle.py) decides a
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
