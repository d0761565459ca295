"""Benchmark harness: runs every measurement, prints the table, checks ratios against floors.

    python -m wargame.bench [--quick] [--json PATH] [--floors PATH] [--record-floors]

Owns the configurations (``small`` for --quick, ``large`` otherwise), the table,
the floors file and the exit code: 1 when a gated ratio is below its floor, else 0.
Only ratios of pairs timed in the same run are gated; absolute figures (compile
time, RSS, time to first result) are reported against their targets, never gated,
because the machine is shared and its absolute speed is noise.  docs/bench.md
explains each figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

from wargame.bench import measure, system
from wargame.model import shipped

HERE = Path(__file__).resolve().parent
DEFAULT_FLOORS = HERE / "floors.json"
# The shipped scenarios, found in the installed package: `wargame bench` runs from any directory.
DUEL, TAIWAN = str(shipped.find("duel")), str(shipped.find("taiwan_strait"))

CONFIGS = {
    "small": {"kernel": {"n": 200_000, "days": 20, "k": 5, "seed": 20261124},
              "e2e": {"duel": (DUEL, 10_000, 1000), "taiwan": (TAIWAN, 2000, 10)}, "e2e_k": 3, "e2e_seed": 20261124,
              "rss_runs": (10_000, 20_000), "ttfr_runs": 1000},
    "large": {"kernel": {"n": 2_000_000, "days": 30, "k": 5, "seed": 20261124},
              "e2e": {"duel": (DUEL, 20_000, 2000), "taiwan": (TAIWAN, 10_000, 40)}, "e2e_k": 3,
              "e2e_seed": 20261124, "rss_runs": (10_000, 1_000_000), "ttfr_runs": 1000},
}

# Gated ratios: name -> design target (issue 18 for the end-to-end ones). Each is the engine's
# rate over a peer's rate, both timed in the same run; the floors (floors.json) gate them.
GATED = {
    "kernel/numpy": 6.0,
    "kernel/rng_limit": 0.8,
    "duel engine/naive": 100.0,
    "duel engine/vectorised": 2.0,
    "duel engine_hdf5/vectorised_hdf5": 2.0,
    "taiwan engine/per_replication": 100.0,
}
# End-to-end rows: (figures key, engine side, peer); E2E are gated, LIMITS information (the limit
# peer keeps a copy of every kernel call's arguments: ~6 MiB per 1,000 duel replications).
E2E = (("duel", "engine", "naive"), ("duel", "engine", "vectorised"), ("duel", "engine_hdf5", "vectorised_hdf5"),
       ("taiwan", "engine", "per_replication"))
LIMITS = (("duel", "engine", "limit"), ("taiwan", "engine", "limit"))


def run_all(cfg: dict, log) -> dict:
    """Every measurement of one configuration -> figures dict (errors recorded, not raised)."""
    figs: dict = {"errors": {}}

    def attempt(name, fn):
        t0 = time.perf_counter()
        log(f"  {name} ...")
        try:
            figs[name] = fn()
        except Exception as e:  # one broken measurement must not hide the others
            figs["errors"][name] = f"{type(e).__name__}: {e}"
        log(f"  {name} done in {time.perf_counter() - t0:.1f} s")

    kc = cfg["kernel"]
    attempt("kernel", lambda: measure.kernel_throughput(kc["n"], kc["days"], kc["k"], kc["seed"]))
    for key, (path, er, nr) in cfg["e2e"].items():
        fn = getattr(measure, key)
        attempt(key, lambda fn=fn, p=path, er=er, nr=nr: fn(p, er, nr, cfg["e2e_k"], cfg["e2e_seed"]))
    attempt("compile", system.compile_times)
    for n in cfg["rss_runs"]:
        attempt(f"rss_{n}", lambda n=n: system.peak_rss(TAIWAN, n))
    attempt("ttfr", lambda: system.time_to_first_result(TAIWAN, cfg["ttfr_runs"]))
    return figs


def ratios(figs: dict) -> dict:
    """The gated ratios that could be computed from the figures."""
    out = {}
    if "kernel" in figs:
        r = figs["kernel"]["front_days_per_s"]
        out["kernel/numpy"] = r["kernel"] / r["numpy"]
        out["kernel/rng_limit"] = r["kernel"] / r["rng_limit"]
    for key, eng, peer in E2E + LIMITS:
        if key in figs:
            r = figs[key]["reps_per_s"]
            out[f"{key} {eng}/{peer}"] = r[eng] / r[peer]
    return out


def rows(figs: dict, ratio: dict, floors: dict) -> list[tuple]:
    """Table rows: (measurement, value, peer, peer value, ratio, target, floor, status)."""
    out = []
    if "kernel" in figs:
        r = figs["kernel"]["front_days_per_s"]
        for peer in ("numpy", "rng_limit"):
            out.append(("kernel front-days/s", f"{r['kernel']:.3g}", peer, f"{r[peer]:.3g}", f"kernel/{peer}"))
    for key, eng, peer in E2E:
        if key in figs:
            r = figs[key]["reps_per_s"]
            out.append((f"{key} {eng.replace('engine', 'engine reps/s').replace('_hdf5', ', to HDF5')}",
                        f"{r[eng]:.4g}", peer, f"{r[peer]:.3g}", f"{key} {eng}/{peer}"))
    table = []
    for meas, val, peer, pval, name in out:
        rv, floor, target = ratio[name], floors.get(name), GATED[name]
        status = "pass" if floor is None or rv >= floor else "FAIL"
        table.append((meas, val, peer, pval, f"{rv:.3g}", f">= {target:g} ({'met' if rv >= target else 'not met'})",
                      "-" if floor is None else f"{floor:g}", status if floor is not None else "no floor"))
    for key, eng, peer in LIMITS:
        if key in figs:
            r = figs[key]["reps_per_s"]
            # The limit is the engine's kernel calls alone: engine/limit is the engine's share of that speed.
            table.append((f"{key} engine reps/s", f"{r[eng]:.4g}", "limit (kernels alone)", f"{r[peer]:.4g}",
                          f"{ratio[f'{key} {eng}/{peer}']:.3g}", "", "", "info"))
    for name in GATED:
        if name not in ratio:
            table.append((name, "error", "", "", "", f">= {GATED[name]:g}", str(floors.get(name, "-")), "FAIL"))
    for key in ("duel", "taiwan"):
        if key in figs:
            f = figs[key]
            if "simpy_events" in f:
                ev = f["simpy_events"]
                table.append((f"{key} SimPy events/replication", f"{ev['engine_per_replication']:.3g}",
                              "1 env/replication", f"{ev['one_env_per_replication']:.3g}", "", "", "", "info"))
            # The engine's own clock around each kernel call (Python wrappers included), and the
            # compiled code alone in a batch run timed apart (bench.measure.kernel_shares).
            share = f["kernel_share"]
            target = ">= 60% ({})".format("met" if share >= 0.6 else "not met") if key == "taiwan" else ""
            comp = f.get("kernel_shares", {}).get("compiled", float("nan"))
            table.append((f"{key} share of time in kernels", f"{100 * share:.0f}%", "compiled code only",
                          f"{100 * comp:.0f}%", "", target, "", "info"))
    if "compile" in figs:
        c = figs["compile"]
        table.append(("numba compile, cold", f"{c['cold_s']:.1f} s", "warm (cached)", f"{c['warm_s']:.2f} s",
                      f"{c['cold_s'] / c['warm_s']:.3g}", "", "", "info"))
    rss = sorted((v["runs"], v["bytes"]) for k, v in figs.items() if k.startswith("rss_"))
    if len(rss) == 2:
        (n0, b0), (n1, b1) = rss
        grow = b1 / b0
        target = f"<= 1.2 ({'met' if grow <= 1.2 else 'not met'})"
        if n1 >= 1_000_000:
            target += f"; < 1 GiB ({'met' if b1 < system.GIB else 'not met'})"
        table.append((f"peak RSS, {n1:.0e} runs", f"{b1 / 2**20:.0f} MiB", f"{n0:.0e} runs", f"{b0 / 2**20:.0f} MiB",
                      f"{grow:.3g}", target, "", "info"))
    if "ttfr" in figs:
        t = figs["ttfr"]
        table.append((f"time to first result, {t['runs']} runs, best of {len(t['tries_seconds'])} ({t['how']})",
                      f"{t['seconds']:.2f} s",
                      "whole run", f"{t['whole_run_seconds']:.2f} s", "",
                      f"<= 1.5 s ({'met' if t['seconds'] <= 1.5 else 'not met'})", "", "info"))
    for name, err in figs["errors"].items():
        table.append((f"{name}: {err}"[:100], "", "", "", "", "", "", "error"))
    return table


def print_table(table: list[tuple], out=sys.stdout) -> None:
    head = ("measurement", "value", "peer", "peer value", "ratio", "target", "floor", "status")
    widths = [max(len(str(r[i])) for r in [head, *table]) for i in range(len(head))]
    for r in [head, tuple("-" * w for w in widths), *table]:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip(), file=out)


def load_floors(path: Path) -> dict:
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    return {k: float(v) for k, v in data.get("floors", {}).items()}


def record_floors(path: Path, ratio: dict, mode: str, argv: list[str]) -> None:
    # Half the measured ratio: machine noise (often 20-40% here) never fails CI, a real 2x regression does.
    data = {"note": "floors = half the ratios measured by the command below; see docs/bench.md",
            "command": "python -m wargame.bench " + " ".join(argv), "mode": mode,
            "measured": {k: float(f"{v:.4g}") for k, v in ratio.items()},  # 4 significant digits: ratios run 0.05-500
            "floors": {k: float(f"{v / 2:.4g}") for k, v in ratio.items() if k in GATED}}
    path.write_text(json.dumps(data, indent=2) + "\n")


def main(argv: list[str] | None = None, prog: str = "python -m wargame.bench") -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    p = argparse.ArgumentParser(prog=prog, description="Benchmark the engine against its peers.")
    p.add_argument("--quick", action="store_true", help="small configuration (< 2 minutes)")
    p.add_argument("--json", metavar="PATH", help="write every figure to this JSON file")
    p.add_argument("--floors", metavar="PATH", default=str(DEFAULT_FLOORS), help="floors file (default: the floors.json shipped in wargame.bench)")
    p.add_argument("--record-floors", action="store_true", help="write floors at half the measured ratios")
    p.add_argument("--step-by-step", action="store_true",
                   help="run the engine's step-by-step day (combat.FUSED = False) instead of the fused kernels, "
                        "to measure what they buy (docs/bench.md)")
    p.add_argument("--numpy-projection", action="store_true",
                   help="decisions project one case at a time in numpy (doctrines.FUSED = False) instead of the "
                        "stacked projection kernels, to measure what they buy (docs/bench.md)")
    args = p.parse_args(argv)
    for flag, on in (("--step-by-step", args.step_by_step), ("--numpy-projection", args.numpy_projection)):
        if on and args.record_floors:
            print(f"wargame bench: {flag} measures the old path; it cannot --record-floors", file=sys.stderr)
            return 2
    if args.step_by_step:
        from wargame.crisis import combat

        combat.FUSED = False
    if args.numpy_projection:
        from wargame.crisis import doctrines

        doctrines.FUSED = False
    floors_path = Path(args.floors)
    if not args.record_floors and not floors_path.exists():
        print(f"wargame bench: floors file {floors_path} not found", file=sys.stderr)
        return 2
    mode = "small" if args.quick else "large"
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    log(f"bench: {mode} configuration")
    load = os.getloadavg()[0]
    if load > 0.5:
        # numba's prange threads slow down several-fold when other jobs hold the cores, and the
        # naive peer (one thread) much less: ratios measured under load are not comparable.
        log(f"bench: warning: load average {load:.1f} before starting; other CPU-bound jobs skew the ratios")
    t0 = time.perf_counter()
    figs = run_all(CONFIGS[mode], log)
    ratio = ratios(figs)
    floors_path = Path(args.floors)
    if args.record_floors:
        record_floors(floors_path, ratio, mode, argv)
    floors = load_floors(floors_path)
    table = rows(figs, ratio, floors)
    print_table(table)
    failed = [f"{r[0]} vs {r[2]}" if r[2] else r[0] for r in table if r[-1] == "FAIL"]
    elapsed = time.perf_counter() - t0
    print(f"\n{mode} configuration, {elapsed:.0f} s; {'FAILED: ' + ', '.join(failed) if failed else 'all ratios at or above their floors'}")
    if args.json:
        doc = {"mode": mode, "fused": not args.step_by_step, "projection_fused": not args.numpy_projection,
               "config": CONFIGS[mode], "seconds": elapsed, "ratios": ratio, "floors": floors,
               "failed": failed, "figures": figs,
               "machine": {"python": platform.python_version(), "platform": platform.platform(),
                           "cpus": os.cpu_count(), "load_average_at_start": load}}
        Path(args.json).write_text(json.dumps(doc, indent=2, default=str) + "\n")
    return 1 if failed else 0
