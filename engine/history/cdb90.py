"""Force ratio and victory: the CAA Database of Battles (CDB90) against the engine's ground combat.

For each battle with a single stated defensive posture the engine can represent
(hasty, prepared, fortified defence), known strengths and a known result, the
engine fights the battle: the scenario ``BATTLE`` below, with the battle's two
strengths and posture, run to a decision by the full engine (``runner.run``),
``runs`` replications. History and engine are then compared bin by bin on

* the attacker's win rate, by defender posture and attacker/defender ratio, and
* the stronger side's win rate, by ratio (larger / smaller strength).

Each rate carries a 95% Wilson interval: over battles for history, over battles x
replications for the engine (which only measures the engine's own noise). Draws
(CDB90 wina = 0; engine ceasefire or unresolved) count as no win for either side.

Data: ``battles.csv`` (posture post1/postype) and ``belligerents.csv`` (``str``,
total personnel strength) of jrnold's CDB90 9.0.3; the result (WINA) comes from the
CAA original table (``wina_orig.csv``), because the tidy ``battles.csv`` leaves the
attacker's losses (WINA = -1) blank. See data/validation/PROVENANCE.md.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from wargame.execution import runner
from wargame.model import scenario
from wargame.crisis import batch
from wargame.estimate import wilson
from wargame.crisis.world import OUTCOMES
from wargame.errors import WargameError
from wargame.history.data import DEFAULT_DIR, DataError, number, read_csv

POSTURES = {"HD": "hasty", "PD": "prepared", "FD": "fortified"}
RATIO_BINS = (0.0, 1.0, 1.5, 2.0, 3.0, math.inf)          # attacker / defender
STRONGER_BINS = (1.0, 1.25, 1.5, 2.0, 3.0, math.inf)      # larger / smaller
README_BATTLES = 660  # "battles 1 through 74 ... battles 600 through 660" (CDB90_original_README.TXT)

# The engine's battle: one land front, square law, the engine's defaults for
# posture multipliers (1.0 / 1.5 / 2.0), breakthrough ratio 3 and advance rate.
# ASSUMPTIONS, not fitted to CDB90 and not tuned to its answer: equal lethality
# 0.01 per day and equal casualty tolerance 0.5 on both sides (as configs/duel.toml),
# terrain 1.0 (CDB90's terrain codes have no sourced multiplier), no air, no third
# parties; horizon and stalemate window (120 days) long enough that a battle is fought
# to a breakpoint or the objective (at 0.01/day a side loses half its strength in at
# most ~70 days), except within a hair of the exact balance, which then counts as a draw.
BATTLE = """
[scenario]
name = "cdb90_battle"
title = "A CDB90 battle fought by the engine"
attacker = "ATT"
defender = "DEF"
horizon_days = 120
warning_days = 0
stochastic = true

[invasion]
mode = "scheduled"
day = 0

[states.ATT]
name = "Attacker"
casualty_tolerance = 0.5
perception_error = 0.0
forces.ground = { manpower = 1000 }
commit = { ground = 1.0 }

[states.DEF]
name = "Defender"
casualty_tolerance = 0.5
perception_error = 0.0
forces.ground = { manpower = 1000 }
commit = { ground = 1.0 }

[fronts.land]
law = "square"
attacker_lethality = 0.01
defender_lethality = 0.01
posture = "hasty"
terrain = 1.0
air_weight = 0.0
breakthrough_ratio = 3.0
advance_km_per_day = 10
depth_km = 100

[termination]
stalemate_days = 120
"""


def load(data_dir: Path = DEFAULT_DIR) -> list[dict]:
    """Every CDB90 battle: isqno, name, war, post1, postype, wina (None if unknown), str_att, str_def."""
    base = Path(data_dir) / "cdb90"
    bat = read_csv(base / "battles.csv", ("isqno", "name", "war", "postype", "post1"))
    bel = read_csv(base / "belligerents.csv", ("isqno", "attacker", "str"))
    res = read_csv(base / "wina_orig.csv", ("ISQNO", "WINA"))
    wina = {int(number(base / "wina_orig.csv", i, "ISQNO", r["ISQNO"])):
            int(number(base / "wina_orig.csv", i, "WINA", r["WINA"])) for i, r in enumerate(res)}
    strength: dict = {}
    for i, r in enumerate(bel):
        s = number(base / "belligerents.csv", i, "str", r["str"]) if r["str"] not in ("", "NA") else math.nan
        strength[(int(r["isqno"]), r["attacker"])] = s
    out = []
    for i, r in enumerate(bat):
        q = int(number(base / "battles.csv", i, "isqno", r["isqno"]))
        if q not in wina:
            raise DataError(f"{base / 'wina_orig.csv'}: ISQNO = {q}: missing; every battle of battles.csv needs its WINA")
        w = wina[q]
        out.append({"isqno": q, "name": r["name"], "war": r["war"], "post1": r["post1"],
                    "postype": r["postype"], "wina": w if w in (-1, 0, 1) else None,
                    "str_att": strength.get((q, "1"), math.nan), "str_def": strength.get((q, "0"), math.nan)})
    return out


def usable(battles: list[dict]) -> list[dict]:
    """Battles the comparison uses: one posture (postype 0) that is HD/PD/FD, both strengths > 0, known result."""
    return [b for b in battles if b["postype"] == "0" and b["post1"] in POSTURES and b["wina"] is not None
            and b["str_att"] > 0 and b["str_def"] > 0]


# Seeds a history check takes: battle k draws from seed * 1024 + its number, which must stay
# below 2**64 (the Philox key word); battle numbers (isqno) are below 1024.
SEED_LIMIT = 2**64 // 1024


def engine_battles(battles: list[dict], runs: int, seed: int, extra=()) -> tuple[np.ndarray, np.ndarray]:
    """Per battle, the engine's counts (attacker wins, defender holds, other) over ``runs`` replications
    and its mean loss fractions (attacker, defender); ``extra``: more (key path, value) overrides of BATTLE.

    Battle k uses seed ``seed * 1024 + isqno``: distinct streams per battle, and the
    same answer for a battle whichever other battles are run with it.
    """
    counts = np.zeros((len(battles), 3), dtype=np.int64)
    losses = np.zeros((len(battles), 2))
    win, hold = OUTCOMES.index("attacker_wins"), OUTCOMES.index("defender_holds")
    for k, b in enumerate(battles):
        ov = [("states.ATT.forces.ground.manpower", repr(float(b["str_att"]))),
              ("states.DEF.forces.ground.manpower", repr(float(b["str_def"]))),
              ("fronts.land.posture", f'"{POSTURES[b["post1"]]}"'), *extra]
        loaded = scenario.loads(BATTLE, "cdb90_battle", ov)
        # One batch through the runner's own task path (runner.run would also build file
        # attributes, a third of the time for a battle this small).
        task = next(runner.tasks_for(loaded, [(0, runs)], seed * 1024 + b["isqno"], runs, {}, False, batch.run_task))
        res = batch.run_task(task)[0]
        out = res["replications"]["outcome"]
        counts[k] = [(out == win).sum(), (out == hold).sum(), ((out != win) & (out != hold)).sum()]
        lost = res["states"]["losses"][:, :, 0]
        losses[k] = lost[:, 0].mean() / b["str_att"], lost[:, 1].mean() / b["str_def"]
    return counts, losses


def engine_outcomes(battles: list[dict], runs: int, seed: int) -> np.ndarray:
    """Per battle, the engine's counts (attacker wins, defender holds, other): ``engine_battles``' first part."""
    return engine_battles(battles, runs, seed)[0]


def decision_rule(battles: list[dict]) -> np.ndarray:
    """Per battle, the attacker's win probability as the engine's deciding states perceive it.

    ``doctrines.project`` (docs/model.md section 4.1) on the battle's scenario: the
    deterministic law over projection_days (30), then 1 - hold with
    hold = 1 / (1 + (m / breakthrough_ratio)^sharpness), no perception error.
    """
    from wargame.crisis.combat import GROUND, KernelClock
    from wargame.crisis.doctrines import project
    from wargame.crisis.events import attach
    from wargame.crisis.world import World

    out = np.empty(len(battles))
    for k, b in enumerate(battles):
        loaded = scenario.loads(BATTLE, "cdb90_battle", [("fronts.land.posture", f'"{POSTURES[b["post1"]]}"')])
        w = attach(World(loaded.scenario, 0, np.arange(1, dtype=np.int64), {}))  # its mechanisms, as every world
        rows = np.arange(1)
        cp = np.zeros((1, w.F, w.S, 3))
        cp[0, 0, w.att, GROUND], cp[0, 0, w.dfd, GROUND] = b["str_att"], b["str_def"]
        p_def, _, _, _ = project(w, rows, cp, np.zeros((1, w.F, w.S)), w.side[rows], np.zeros(1), KernelClock())
        out[k] = 1.0 - p_def[0]
    return out


def _bin(v: float, edges) -> int:
    return int(np.searchsorted(edges, v, side="right") - 1)


def _label(edges, i) -> str:
    lo, hi = edges[i], edges[i + 1]
    return f">= {lo:g}" if math.isinf(hi) else (f"< {hi:g}" if lo == 0 else f"{lo:g}-{hi:g}")


def compare(battles: list[dict], counts: np.ndarray, runs: int, belief: np.ndarray | None = None) -> dict:
    """Rows of the two comparison tables (see module docstring); belief: ``decision_rule``'s."""
    belief = np.full(len(battles), np.nan) if belief is None else np.asarray(belief, dtype=float)
    ratio = np.array([b["str_att"] / b["str_def"] for b in battles])
    wina = np.array([b["wina"] for b in battles])
    post = np.array([b["post1"] for b in battles])
    by_posture = []
    for pc in ("all", *POSTURES):
        for i in range(len(RATIO_BINS) - 1):
            m = np.array([_bin(r, RATIO_BINS) == i for r in ratio]) & ((post == pc) if pc != "all" else True)
            n = int(m.sum())
            if n == 0:
                continue
            by_posture.append({"posture": "all" if pc == "all" else POSTURES[pc], "bin": _label(RATIO_BINS, i),
                               "n": n, "hist": wilson(int((wina[m] == 1).sum()), n),
                               "hist_draw": float((wina[m] == 0).mean()),
                               "engine": wilson(int(counts[m, 0].sum()), n * runs),
                               "engine_draw": float(counts[m, 2].sum() / (n * runs)),
                               "belief": float(belief[m].mean())})
    stronger = []
    big = np.maximum(ratio, 1 / ratio)
    att_stronger = ratio > 1
    hist_win = np.where(att_stronger, wina == 1, wina == -1)
    eng_win = np.where(att_stronger, counts[:, 0], counts[:, 1])
    for i in range(len(STRONGER_BINS) - 1):
        m = np.array([_bin(r, STRONGER_BINS) == i for r in big]) & (ratio != 1)
        n = int(m.sum())
        if n == 0:
            continue
        stronger.append({"bin": _label(STRONGER_BINS, i), "n": n, "hist": wilson(int(hist_win[m].sum()), n),
                         "engine": wilson(int(eng_win[m].sum()), n * runs),
                         "att_stronger": float(att_stronger[m].mean()),
                         "belief": float(np.where(att_stronger, belief, 1 - belief)[m].mean())})
    return {"by_posture": by_posture, "stronger": stronger, "n": len(battles), "runs": runs,
            "ties": int((ratio == 1).sum())}


def run(runs: int = 200, seed: int = runner.DEFAULT_SEED, data_dir: Path = DEFAULT_DIR,
        max_battles: int | None = None) -> dict:
    """Load, select, fight every battle in the engine and compare: the whole check.

    max_battles keeps only the first N usable battles (by isqno): for quick looks.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < SEED_LIMIT:
        raise WargameError(f"seed {seed!r}: expected a whole number from 0 to {SEED_LIMIT - 1} (history cdb90 "
                           "mixes the seed with each battle's number)")
    allb = load(data_dir)
    use = usable(allb)[:max_battles]
    counts = engine_outcomes(use, runs, seed)
    res = compare(use, counts, runs, decision_rule(use))
    res.update(total=len(allb), seed=seed, battles=use, counts=counts)
    return res


def _pct(w) -> str:
    p, lo, hi = w
    return f"{100 * p:5.1f}% [{100 * lo:5.1f}, {100 * hi:5.1f}]"


def format_table(res: dict) -> str:
    """Both tables as text (what ``wargame history cdb90`` prints)."""
    lines = [f"CDB90: {res['n']} of {res['total']} battles usable (one posture HD/PD/FD, both strengths, known "
             f"result); engine: {res['runs']} replications per battle, seed {res['seed']}", "",
             "Attacker win rate by defender posture and force ratio (attacker/defender), 95% Wilson intervals",
             f"{'posture':<10} {'ratio':<8} {'n':>4}  {'history':<22} {'draws':>6}  {'engine':<22} {'draws':>6}"
             f"  {'belief':>6}"]
    for r in res["by_posture"]:
        lines.append(f"{r['posture']:<10} {r['bin']:<8} {r['n']:>4}  {_pct(r['hist']):<22} "
                     f"{100 * r['hist_draw']:5.1f}%  {_pct(r['engine']):<22} {100 * r['engine_draw']:5.1f}%"
                     f"  {100 * r['belief']:5.1f}%")
    lines += ["", "Stronger side's win rate by force ratio (larger/smaller strength), all postures"
              f" ({res['ties']} battles at exactly 1:1 left out)",
              f"{'ratio':<8} {'n':>4}  {'history':<22}  {'engine':<22} {'belief':>6} {'attacker stronger':>17}"]
    for r in res["stronger"]:
        lines.append(f"{r['bin']:<8} {r['n']:>4}  {_pct(r['hist']):<22}  {_pct(r['engine']):<22} "
                     f"{100 * r['belief']:5.1f}% {100 * r['att_stronger']:16.0f}%")
    lines += ["", "history: CDB90 (draws count as no win); engine: the battle fought by the engine (interval over "
              "replications: the engine's own noise only); belief: the win probability the engine's deciding "
              "states read from the same forces (doctrines.project), averaged over the bin's battles."]
    return "\n".join(lines)


def report(runs: int, seed: int, data_dir: Path = DEFAULT_DIR, plot_dir: Path | None = None,
           max_battles: int | None = None) -> tuple[str, list[Path]]:
    """The comparison tables and, with plot_dir, its SVG figures: what the CLI prints and writes."""
    from wargame.history import plots

    from wargame.history import outcomes

    res = run(runs, seed, data_dir, max_battles)
    paths = plots.write(plots.cdb90_figures(res), plot_dir) if plot_dir is not None else []
    fitted = outcomes.run(res["battles"], res["counts"], runs, seed, data_dir)
    return format_table(res) + "\n" + outcomes.format_table(fitted), paths
