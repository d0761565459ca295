"""Command line: argument parsing, exit codes and printing; no model logic lives here.

`wargame run` itself (fresh or resumed, its checks, interrupts and write errors) is
wargame.cli.run; what the subcommands share (UserError, overrides, the progress bar,
the help formatter and ``--version``) is wargame.cli.support. Every command that takes
a scenario takes a shipped one's name (``wargame scenarios`` lists them) or a file.

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
from wargame.model import scenario, shipped
from wargame.cli.support import CONFIG_HELP, DOCTRINE_HELP, Parser, UserError, at_least_one, overrides, version
from wargame.cli.support import seed as seed_of
from wargame.errors import WargameError
from wargame.cli.run import run as cmd_run
from wargame.cli import serve
from wargame.execution.store import ResultsFileError, read_meta
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


def cmd_scenarios(args) -> int:
    rows = [(r.name, r.path) if args.paths else (r.name, r.kind, r.size, r.title) for r in shipped.listing()]
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]) - 1)]  # the last is not padded
    for row in rows:
        print("  ".join(f"{str(v):<{w}}" for v, w in zip(row, widths)) + f"  {row[-1]}")
    return 0


def cmd_schema(args) -> int:
    text = json.dumps(scenario.json_schema(), indent=2)
    if args.out:
        try:
            Path(args.out).write_text(text + "\n")
        except OSError as e:
            raise UserError(f"{args.out}: cannot write the schema ({e.strerror or e})") from None
    else:
        print(text)
    return 0


def _results_file(name: str) -> Path:
    path = Path(name)
    if not path.exists():
        raise UserError(f"{path}: no such file")
    if not path.is_file():
        raise UserError(f"{path}: not a file; expected a results file from wargame run (or exercise --out)")
    return path


def cmd_summary(args) -> int:
    from wargame.cli import summary

    return summary.cmd_summary(args, _results_file(args.results))


def cmd_report(args) -> int:
    from wargame.report import html as report

    path = _results_file(args.results)
    out = Path(args.out) if args.out else path.with_suffix(".html")
    at_least_one(("--dpi", args.dpi))
    if args.format != "html":  # one file per figure, into a folder
        out = Path(args.out) if args.out else path.with_name(f"{path.stem}_figures")
    try:
        html, figs = report.build(path)
        if args.format == "html":
            out.write_text(html, encoding="utf-8")
            files = report.write_figures(figs, Path(args.png), "png", args.dpi) if args.png else []
        else:
            files = report.write_figures(figs, out, args.format, args.dpi)
    except report.ReportError as e:
        raise UserError(str(e)) from None
    except OSError as e:
        raise UserError(f"{out}: cannot write the report ({e.strerror or e})") from None
    if args.format == "html":
        print(f"wrote {out} ({len(figs)} figures)" + (f" and {len(files)} PNG files in {args.png}" if files else ""))
    else:
        print(f"wrote {len(files)} {args.format.upper()} files in {out}")
    return 0


def cmd_exercise(args) -> int:
    from wargame.play import exercise as ex
    from wargame.play.game import Game

    try:
        if args.load:
            loaded, seed, rep, play, script_rows = ex.load_saved(args.load)
        else:
            if not args.config:
                raise UserError("exercise: give a scenario name (`wargame scenarios` lists them) or file, "
                                "or --load a saved game")
            if not args.play:
                raise UserError("exercise: --play STATE[,STATE...] names the states your class plays")
            loaded = scenario.load(args.config, overrides(args))
            seed = seed_of(args)
            rep, play = args.rep, [p.strip() for p in args.play.split(",")]
            if "" in play:
                raise UserError(f"--play {args.play}: expected state ids separated by commas, e.g. USA,JPN")
            if len(set(play)) < len(play):
                raise UserError(f"--play {args.play}: names a state twice")
            if rep < 0:
                raise UserError(f"--rep {rep}: expected a replication number >= 0")
            script_rows = []
        if loaded.kind != "crisis":
            raise UserError(f"exercise: {loaded.path} is a system scenario (kind = \"system\"); classroom games "
                            "are for crisis scenarios")
        if not loaded.scenario.fronts:
            raise UserError(f"exercise: {loaded.path} has no fronts (a raids-only scenario); in classroom games "
                            "people decide about a ground war, and joining an air defence is not a choice yet")
        if args.decisions:
            script_rows += ex.load_decisions(args.decisions)
        at_least_one(("--compare-runs", args.compare_runs), ("--lookahead-runs", args.lookahead_runs))
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
        ex.write(g, loaded, args.out, " ".join(sys.argv), args.compare_runs)
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
            # Battle k draws from seed * 1024 + its number (cdb90.engine_outcomes), a 64-bit key too.
            seed = seed_of(args, cdb90.SEED_LIMIT, "history cdb90 mixes the seed with each battle's number")
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
    p = Parser(prog="wargame", description="Discrete-event wargame engine: Monte Carlo of scenarios of invasion, "
               "intervention and escalation.", epilog="A scenario is a shipped one's name (`wargame scenarios` "
               "lists them) or a TOML file. `wargame COMMAND --help` shows a command's options.")
    p.add_argument("-V", "--version", action="version", version=version())
    sub = p.add_subparsers(dest="cmd", required=True, title="commands", metavar="COMMAND")
    r = sub.add_parser("run", help="run a scenario's Monte Carlo into an HDF5 file")
    r.add_argument("config")
    r.add_argument("--runs", type=int, metavar="N", help="replications (default: the scenario's default_runs)")
    r.add_argument("--seed", type=int, help=f"random seed (default: {runner.DEFAULT_SEED})")
    r.add_argument("--out", metavar="FILE", help="output HDF5 file (default: the scenario's name with .h5, "
                   "in the current directory)")
    r.add_argument("--batch-size", type=int, metavar="N",
                   help=f"replications per batch (default: {runner.DEFAULT_BATCH} first, then grown with what a batch "
                        "costs, up to about 4 s a batch; results do not depend on it)")
    r.add_argument("--timeseries", action="store_true", help="also store daily series per front")
    r.add_argument("--doctrine", action="append", metavar="STATE=DOCTRINE", help="set a state's doctrine")
    r.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help="override any scenario value, e.g. fronts.landing.terrain=2 (repeatable)")
    r.add_argument("--overwrite", action="store_true", help="replace an existing output file")
    r.add_argument("--resume", action="store_true", help="finish an interrupted run in --out (same scenario)")
    r.add_argument("--workers", type=int, metavar="N",
                   help="local worker processes (default: every core, once the first batches show they pay)")
    r.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="run batches on this Dask scheduler (default: local worker processes)")
    r.add_argument("--dask-local", type=int, metavar="N", help="start a Dask LocalCluster of N workers on 127.0.0.1")
    r.add_argument("--quiet", action="store_true", help="print nothing but errors")
    r.add_argument("--compare-doctrines", action="store_true",
                   help="system scenarios: run every doctrine (same seed) into OUT_<doctrine>.h5 and compare")
    r.set_defaults(fn=cmd_run)
    w = sub.add_parser("sweep", help="compare arms (every combination of --vary values) with common random numbers")
    w.add_argument("config", help="scenario TOML file")
    w.add_argument("--vary", action="append", metavar="KEY=V1,V2,...",
                   help="a setting and its values, e.g. states.USA.doctrine=self_help,collective_security")
    w.add_argument("--runs", type=int, metavar="N", help="replications per arm (default: the scenario's default_runs)")
    w.add_argument("--seed", type=int, help=f"random seed shared by every arm (default: {runner.DEFAULT_SEED})")
    w.add_argument("--out", metavar="FILE", help="output HDF5 file (default: CONFIG's name with _sweep.h5)")
    w.add_argument("--overwrite", action="store_true", help="replace an existing output file (and its arms folder)")
    w.add_argument("--resume", action="store_true", help="finish an interrupted sweep in --out (same config, "
                   "--vary, overrides, runs and seed)")
    w.add_argument("--batch-size", type=int, metavar="N", help=f"replications per batch (default: {runner.DEFAULT_BATCH}; "
                   "on --resume, the interrupted sweep's)")
    w.add_argument("--workers", type=int, metavar="N", help="local worker processes (default: every core)")
    w.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run batches on this Dask scheduler (default: local worker processes)")
    w.add_argument("--dask-local", type=int, metavar="N", help="start a Dask LocalCluster of N workers on 127.0.0.1")
    w.add_argument("--doctrine", action="append", metavar="STATE=DOCTRINE", help="override a doctrine in every arm")
    w.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a scenario value in every arm")
    w.add_argument("--quiet", action="store_true", help="print nothing but errors")
    w.set_defaults(fn=cmd_sweep)
    v = sub.add_parser("validate", help="check scenarios; exit 2 if any is invalid")
    v.add_argument("configs", nargs="+")
    v.set_defaults(fn=cmd_validate)
    ls = sub.add_parser("scenarios", help="list the shipped scenarios, one line each")
    ls.add_argument("--paths", action="store_true", help="print each one's name and file instead (copy one to "
                    "start your own)")
    ls.set_defaults(fn=cmd_scenarios)
    s = sub.add_parser("schema", help="print the JSON schema of scenario files")
    s.add_argument("--out", metavar="FILE", help="write it to this file (default: print it)")
    s.set_defaults(fn=cmd_schema)
    b = sub.add_parser("bench", help="benchmarks against peers measured in the same run (see docs/bench.md)",
                       add_help=False)
    b.add_argument("options", nargs="*", help="the harness's own options: wargame bench --help")
    e = sub.add_parser("exercise", help="play a scenario with a class: people decide for some states")
    e.add_argument("config", nargs="?")
    e.add_argument("--play", metavar="STATE[,STATE...]",
                   help="states your class plays, e.g. USA,JPN (needed unless --load)")
    e.add_argument("--seed", type=int, help=f"random seed (default: {runner.DEFAULT_SEED})")
    e.add_argument("--rep", type=int, metavar="N", default=0, help="which replication of the seed to play")
    e.add_argument("--decisions", metavar="FILE", help="JSON file of scripted decisions [{day, state, action} or "
                   "{day, inject}, ...] (default: people decide every turn)")
    e.add_argument("--save", metavar="FILE", help="save the game here after every turn and on Ctrl-C "
                   "(default: not saved)")
    e.add_argument("--load", metavar="FILE", help="continue a game saved with --save, or replay one written "
                   "with --out, instead of a scenario")
    e.add_argument("--out", metavar="FILE", help="write the game to this HDF5 file, the batch format "
                   "(default: not written)")
    e.add_argument("--overwrite", action="store_true", help="replace an existing --out file")
    e.add_argument("--compare-runs", type=int, metavar="N", default=2000,
                   help="engine-played games stored with --out, for the report to compare the class's game with")
    e.add_argument("--lookahead-runs", type=int, metavar="N", default=2000, help="copies per option for `look`")
    e.add_argument("--no-color", action="store_true", help="plain text even on a terminal")
    e.add_argument("--doctrine", action="append", metavar="STATE=DOCTRINE", help="set a state's doctrine")
    e.add_argument("--set", action="append", metavar="KEY=VALUE", help="override any scenario value (repeatable)")
    e.set_defaults(fn=cmd_exercise)
    serve.add_parser(sub, runner)
    rp = sub.add_parser("report", help="write a self-contained HTML report of a results file")
    rp.add_argument("results", help="results file from wargame run (or exercise --out)")
    rp.add_argument("--out", metavar="PATH", help="html: the HTML file (default: RESULTS with .html); png, pdf, "
                    "svg: the folder for one file per figure (default: RESULTS_figures)")
    rp.add_argument("--format", choices=("html", "png", "pdf", "svg"), default="html",
                    help="html: one self-contained page; png (300 dpi), pdf or svg: one file per figure (default: html)")
    rp.add_argument("--png", metavar="DIR", help="with html: also write each figure as PNG into DIR (default: none)")
    rp.add_argument("--dpi", type=int, default=300, metavar="N", help="PNG resolution in dots per inch, 300 for print (default: 300)")
    rp.set_defaults(fn=cmd_report)
    h = sub.add_parser("history", help="validation against history: ardennes (Lanchester fit), cdb90 (force ratios)")
    # Not argparse choices: its error takes two lines (usage, then the error); ours takes one.
    h.add_argument("dataset", metavar="{ardennes,cdb90}", help="which check (see docs/validation.md)")
    h.add_argument("--plot", metavar="DIR", help="also write the SVG figures into DIR (default: no figures)")
    h.add_argument("--data", metavar="DIR", help="validation data folder (default: the data shipped with wargame)")
    h.add_argument("--runs", type=int, metavar="N", default=200, help="cdb90: engine replications per battle")
    h.add_argument("--seed", type=int, help=f"cdb90: random seed (default: {runner.DEFAULT_SEED})")
    h.add_argument("--max-battles", type=int, metavar="N",
                   help="cdb90: only the first N usable battles, a quick look (default: every usable battle)")
    h.set_defaults(fn=cmd_history)
    m = sub.add_parser("summary", help="print the summary of any file wargame writes (run, sweep, game, system)")
    m.add_argument("results", help="file from wargame run, sweep or exercise --out")
    fm = m.add_mutually_exclusive_group()
    fm.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    fm.add_argument("--csv", action="store_true", help="print the summary as key,value rows")
    m.set_defaults(fn=cmd_summary)
    _say_once(sub)
    return p


def _say_once(sub) -> None:
    """Help every subcommand shares, written once: what a scenario argument takes, which
    doctrines exist, and a description (the one-line help) atop each subcommand's --help.
    argparse keeps a subcommand's help and a parser's arguments only in these attributes."""
    for choice in sub._choices_actions:
        parser = sub.choices[choice.dest]
        parser.description = parser.description or choice.help[0].upper() + choice.help[1:] + "."
        for a in parser._actions:
            if a.dest == "config":
                a.help = CONFIG_HELP
            elif a.dest == "configs":
                a.help = "one or more: " + CONFIG_HELP
            elif a.dest == "doctrine":
                a.help = f"{a.help}; {DOCTRINE_HELP}"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    skip_blas_probe()  # numba would import SciPy's linear algebra before the first kernel: 0.25-0.45 s
    if argv[:1] == ["bench"]:  # the harness parses its own options (argparse would eat --help)
        from wargame.bench.harness import main as bench_main

        return bench_main(argv[1:], prog="wargame bench")
    args = build_parser().parse_args(argv)
    try:
        return args.fn(args)
    except ScenarioError as e:
        for line in e.lines:
            print(line, file=sys.stderr)
        return 2
    except WargameError as e:  # UserError, and the others (results files, sweeps, a model error)
        text = " ".join(str(e).splitlines())  # one line, whatever a library put in the message
        print(text if text.startswith("model error") else f"wargame: {text}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
