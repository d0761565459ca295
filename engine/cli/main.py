"""Command line: argument parsing, exit codes and printing; no model logic lives here.

`wargame run` itself (fresh or resumed, its checks, interrupts and write errors) is
engine/run_command.py; what the subcommands share (UserError, overrides, the
progress bar) is engine/cli_support.py.

Exit codes: 0 success, 1 internal error, 2 a user mistake (bad config, bad option,
output in the way), 130 interrupted (finished batches are kept).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from wargame.execution import runner
from wargame.model import scenario
from wargame.cli.support import UserError, overrides
from wargame.cli.run import run as cmd_run
from wargame.execution.store import read_meta
from wargame.model.scenario import ScenarioError
from wargame import kinds
from wargame.kernels._startup import skip_blas_probe


def cmd_sweep(args) -> int:
    from wargame.cli import sweep as sweep_command  # fresh or resumed, its checks, interrupts, write errors

    return sweep_command.run(args)


def cmd_validate(args) -> int:
    bad = 0
    for path in args.configs:
        try:
            loaded = scenario.load(path)
        except ScenarioError as e:
            bad += 1
            for line in e.lines:
                print(line, file=sys.stderr)
            continue
        sc = loaded.scenario
        if loaded.kind == "system":
            print(f"{path}: ok ({sc.scenario.name}: system of {len(sc.states)} states over {sc.scenario.horizon_years} years)")
            continue
        n_f, n_r = len(sc.fronts), len(sc.raids)
        what = f"{n_f} front{'s' * (n_f != 1)}" + (f", {n_r} raid{'s' * (n_r != 1)}" if n_r else "")
        print(f"{path}: ok ({sc.scenario.name}: {len(sc.states)} states, {what})")
    return 2 if bad else 0


def cmd_schema(args) -> int:
    text = json.dumps(scenario.json_schema(), indent=2)
    if args.out:
        Path(args.out).write_text(text + "\n")
    else:
        print(text)
    return 0


def cmd_summary(args) -> int:
    path = Path(args.results)
    if not path.exists():
        raise UserError(f"{path}: no such file")
    try:
        table = kinds.named(read_meta(path)[1].get("kind")).summary
        res = table.compute_file(path)
    except (OSError, KeyError, ValueError) as e:
        raise UserError(f"{path}: not a wargame results file ({e.__class__.__name__}: {e})") from None
    print(table.format_table(res))
    return 0


def cmd_report(args) -> int:
    from wargame.report import html as report

    path = Path(args.results)
    if not path.exists():
        raise UserError(f"{path}: no such file")
    out = Path(args.out) if args.out else path.with_suffix(".html")
    try:
        if read_meta(path)[1].get("kind") == "system":
            raise UserError(f"{path}: holds a system-kind run; it has no HTML report yet: use wargame summary {path}")
    except (OSError, KeyError, ValueError):
        pass  # not readable as results: report.build says why
    try:
        html, figs = report.build(path)
        out.write_text(html, encoding="utf-8")
        pngs = report.write_pngs(figs, Path(args.png)) if args.png else []
    except report.ReportError as e:
        raise UserError(str(e)) from None
    except OSError as e:
        raise UserError(f"{out}: cannot write the report ({e.strerror or e})") from None
    print(f"wrote {out} ({len(figs)} figures)" + (f" and {len(pngs)} PNG files in {args.png}" if pngs else ""))
    return 0


def cmd_exercise(args) -> int:
    from wargame.play import exercise as ex
    from wargame.play.game import Game

    try:
        if args.load:
            loaded, seed, rep, play, script_rows = ex.load_saved(args.load)
        else:
            if not args.config:
                raise UserError("exercise: give a scenario file (or --load a saved game)")
            if not args.play:
                raise UserError("exercise: --play STATE[,STATE...] names the states your class plays")
            loaded = scenario.load(args.config, overrides(args))
            seed = args.seed if args.seed is not None else runner.DEFAULT_SEED
            rep, play = args.rep, [p.strip() for p in args.play.split(",") if p.strip()]
            script_rows = []
        if loaded.kind != "crisis":
            raise UserError(f"exercise: {loaded.path} is a system scenario (kind = \"system\"); classroom games "
                            "are for crisis scenarios")
        if not loaded.scenario.fronts:
            raise UserError(f"exercise: {loaded.path} has no fronts (a raids-only scenario); in classroom games "
                            "people decide about a ground war, and joining an air defence is not a choice yet")
        if args.decisions:
            script_rows += ex.load_decisions(args.decisions)
        if args.out and (Path(args.out).exists() and not args.overwrite):
            raise UserError(f"{args.out}: output exists; pass --overwrite to replace it or --out to choose another name")
        try:
            g = Game(loaded.scenario, seed, play, rep)
        except ValueError as e:
            raise UserError(str(e)) from None
        g.config_path, g.config_text, g.overrides = loaded.path, loaded.text, [list(o) for o in loaded.overrides]
        script = ex.Script(script_rows)
        term = ex.Terminal(color=sys.stdout.isatty() and not args.no_color)
        ex.play(g, term, script, args.lookahead_runs, args.save)
    except ex.ExerciseError as e:
        raise UserError(str(e)) from None
    except KeyboardInterrupt:
        if args.save and "g" in locals():
            ex.save(g, args.save)
        print(f"\ninterrupted{'; saved to ' + args.save if args.save else ''}", file=sys.stderr)
        return 130
    if args.out:
        ex.write(g, loaded, args.out, " ".join(sys.argv))
        term.say(f"wrote {args.out}")
    return 0


def cmd_history(args) -> int:
    from wargame.history import ardennes
    from wargame.history import cdb90
    from wargame.history.data import DEFAULT_DIR, DataError

    data = Path(args.data) if args.data else DEFAULT_DIR
    plot = Path(args.plot) if args.plot else None
    if args.runs < 1:
        raise UserError(f"--runs {args.runs}: must be >= 1")
    if args.max_battles is not None and args.max_battles < 1:
        raise UserError(f"--max-battles {args.max_battles}: must be >= 1")
    try:
        if args.dataset == "ardennes":
            text, paths = ardennes.report(data, plot)
        elif args.dataset == "cdb90":
            seed = args.seed if args.seed is not None else runner.DEFAULT_SEED
            text, paths = cdb90.report(args.runs, seed, data, plot, args.max_battles)
        else:
            raise UserError(f"history {args.dataset}: unknown dataset; expected ardennes or cdb90")
    except DataError as e:
        raise UserError(str(e)) from None
    except OSError as e:
        raise UserError(f"{plot}: cannot write the figures ({e.strerror or e})") from None
    print(text)
    for p in paths:
        print(f"wrote {p}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="wargame", description="Discrete-event wargame engine: Monte Carlo of "
                                "scenarios of invasion, intervention and escalation.")
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="run a scenario's Monte Carlo into an HDF5 file")
    r.add_argument("config", help="scenario TOML file, e.g. configs/taiwan_strait.toml")
    r.add_argument("--runs", type=int, help="replications (default: the scenario's default_runs)")
    r.add_argument("--seed", type=int, help=f"random seed (default {runner.DEFAULT_SEED})")
    r.add_argument("--out", help="output HDF5 file (default: CONFIG's name with .h5, in the current directory)")
    r.add_argument("--batch-size", type=int, default=runner.DEFAULT_BATCH, help="replications per batch")
    r.add_argument("--timeseries", action="store_true", help="also store daily series per front")
    r.add_argument("--doctrine", action="append", metavar="STATE=DOCTRINE", help="override a state's doctrine")
    r.add_argument("--set", action="append", metavar="KEY=VALUE", help="override any scenario value, e.g. fronts.landing.terrain=2")
    r.add_argument("--overwrite", action="store_true", help="replace an existing output file")
    r.add_argument("--resume", action="store_true", help="finish an interrupted run in --out (same config)")
    r.add_argument("--workers", type=int, help="local worker processes (default: every core)")
    r.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run batches on this Dask scheduler")
    r.add_argument("--dask-local", type=int, metavar="N", help="start a Dask LocalCluster of N workers on 127.0.0.1")
    r.add_argument("--quiet", action="store_true", help="print nothing but errors")
    r.add_argument("--compare-doctrines", action="store_true",
                   help="system scenarios: run every doctrine (same seed) into OUT_<doctrine>.h5 and compare")
    r.set_defaults(fn=cmd_run)
    w = sub.add_parser("sweep", help="compare arms (every combination of --vary values) with common random numbers")
    w.add_argument("config", help="scenario TOML file")
    w.add_argument("--vary", action="append", metavar="KEY=V1,V2,...",
                   help="a setting and its values, e.g. states.USA.doctrine=self_help,collective_security")
    w.add_argument("--runs", type=int, help="replications per arm (default: the scenario's default_runs)")
    w.add_argument("--seed", type=int, help=f"random seed shared by every arm (default {runner.DEFAULT_SEED})")
    w.add_argument("--out", help="output HDF5 file (default: CONFIG's name with _sweep.h5)")
    w.add_argument("--overwrite", action="store_true", help="replace an existing output file (and its arms folder)")
    w.add_argument("--resume", action="store_true", help="finish an interrupted sweep in --out (same config, "
                   "--vary, overrides, runs and seed)")
    w.add_argument("--batch-size", type=int, help=f"replications per batch (default {runner.DEFAULT_BATCH}; "
                   "on --resume, the interrupted sweep's)")
    w.add_argument("--workers", type=int, help="local worker processes (default: every core)")
    w.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run batches on this Dask scheduler")
    w.add_argument("--dask-local", type=int, metavar="N", help="start a Dask LocalCluster of N workers on 127.0.0.1")
    w.add_argument("--doctrine", action="append", metavar="STATE=DOCTRINE", help="override a doctrine in every arm")
    w.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a scenario value in every arm")
    w.add_argument("--quiet", action="store_true", help="print nothing but errors")
    w.set_defaults(fn=cmd_sweep)
    v = sub.add_parser("validate", help="check scenario files; exit 2 if any is invalid")
    v.add_argument("configs", nargs="+")
    v.set_defaults(fn=cmd_validate)
    s = sub.add_parser("schema", help="print the JSON schema of scenario files")
    s.add_argument("--out", help="write it to this file instead")
    s.set_defaults(fn=cmd_schema)
    b = sub.add_parser("bench", help="benchmarks against peers measured in the same run (see docs/bench.md)",
                       add_help=False)
    b.add_argument("options", nargs="*", help="the harness's own options: wargame bench --help")
    e = sub.add_parser("exercise", help="play a scenario with a class: people decide for some states")
    e.add_argument("config", nargs="?", help="scenario TOML file")
    e.add_argument("--play", help="states your class plays, e.g. USA,JPN")
    e.add_argument("--seed", type=int, help=f"random seed (default {runner.DEFAULT_SEED})")
    e.add_argument("--rep", type=int, default=0, help="which replication of the seed to play (default 0)")
    e.add_argument("--decisions", help="JSON file of scripted decisions [{day, state, action} or {day, inject}, ...]")
    e.add_argument("--save", help="save the game here after every turn (and on Ctrl-C)")
    e.add_argument("--load", help="continue a saved game")
    e.add_argument("--out", help="write the game to this HDF5 file (the batch format)")
    e.add_argument("--overwrite", action="store_true", help="replace an existing --out file")
    e.add_argument("--lookahead-runs", type=int, default=2000, help="copies per option for `look`")
    e.add_argument("--no-color", action="store_true")
    e.add_argument("--doctrine", action="append", metavar="STATE=DOCTRINE", help="override a state's doctrine")
    e.add_argument("--set", action="append", metavar="KEY=VALUE", help="override any scenario value")
    e.set_defaults(fn=cmd_exercise)
    rp = sub.add_parser("report", help="write a self-contained HTML report of a results file")
    rp.add_argument("results")
    rp.add_argument("--out", help="HTML file (default: RESULTS with .html)")
    rp.add_argument("--png", metavar="DIR", help="also write each figure as PNG into DIR (needs Chromium)")
    rp.set_defaults(fn=cmd_report)
    h = sub.add_parser("history", help="validation against history: ardennes (Lanchester fit), cdb90 (force ratios)")
    h.add_argument("dataset", help="ardennes or cdb90 (see docs/validation.md)")
    h.add_argument("--plot", metavar="DIR", help="also write the SVG figures into DIR")
    h.add_argument("--data", metavar="DIR", help="validation data folder (default: the repository's data/validation)")
    h.add_argument("--runs", type=int, default=200, help="cdb90: engine replications per battle (default 200)")
    h.add_argument("--seed", type=int, help=f"cdb90: random seed (default {runner.DEFAULT_SEED})")
    h.add_argument("--max-battles", type=int, help="cdb90: only the first N usable battles (a quick look)")
    h.set_defaults(fn=cmd_history)
    m = sub.add_parser("summary", help="print the summary table of a results file")
    m.add_argument("results")
    m.set_defaults(fn=cmd_summary)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    skip_blas_probe()  # numba would import SciPy's linear algebra before the first kernel: 0.25-0.45 s
    if argv[:1] == ["bench"]:  # the harness parses its own options (argparse would eat --help)
        from wargame.bench.harness import main as bench_main

        return bench_main(argv[1:])
    args = build_parser().parse_args(argv)
    try:
        return args.fn(args)
    except ScenarioError as e:
        for line in e.lines:
            print(line, file=sys.stderr)
        return 2
    except UserError as e:
        print(f"wargame: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
