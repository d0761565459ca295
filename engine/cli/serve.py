"""`wargame serve`: its options checked (one line, exit 2), the join links printed, the server run."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

from wargame.cli.support import UserError, at_least_one, overrides
from wargame.cli.support import seed as seed_of
from wargame.model import scenario


def add_parser(sub, runner) -> None:
    v = sub.add_parser("serve", help="play a scenario with a class in the browser: one link per team")
    v.add_argument("config", nargs="?")
    v.add_argument("--play", metavar="STATE[,STATE...]", help="states the teams play, one team each (needed "
                   "unless --load)")
    v.add_argument("--load", metavar="FILE", help="resume a game from its save (the same links still work)")
    v.add_argument("--save", metavar="FILE", help="save the game here after every decision; the same "
                   "command again resumes it (default: wargame-class.json; with --load, the loaded file)")
    v.add_argument("--overwrite", action="store_true", help="replace an existing --save file")
    v.add_argument("--host", default="127.0.0.1", help="address to listen on: 127.0.0.1 is this laptop only, "
                   "0.0.0.0 every network it is on (a classroom's)")
    v.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    v.add_argument("--seed", type=int, help=f"random seed (default: {runner.DEFAULT_SEED})")
    v.add_argument("--rep", type=int, metavar="N", default=0, help="which replication of the seed to play")
    v.add_argument("--turn-minutes", type=float, metavar="M", default=0.0, help="minutes per turn, 0 for no "
                   "timer; a team that has not decided when it runs out keeps the status quo")
    v.add_argument("--lookahead-runs", type=int, metavar="N", default=2000, help="copies per option for a look-ahead")
    v.add_argument("--compare-runs", type=int, metavar="N", default=2000,
                   help="engine-played games the after-action report compares the class's game with")
    v.add_argument("--report", metavar="FILE", help="the game's results file, written for the report at the end "
                   "(default: the save's name with .h5)")
    v.add_argument("--doctrine", action="append", metavar="STATE=DOCTRINE", help="set a state's doctrine")
    v.add_argument("--set", action="append", metavar="KEY=VALUE", help="override any scenario value (repeatable)")
    v.set_defaults(fn=cmd_serve)


def cmd_serve(args) -> int:
    from wargame.play import exercise as ex
    from wargame.serve.session import Session

    at_least_one(("--compare-runs", args.compare_runs), ("--lookahead-runs", args.lookahead_runs))
    if not 1 <= args.port <= 65535:
        raise UserError(f"--port {args.port}: expected a port number 1-65535")
    if not args.turn_minutes >= 0 or args.turn_minutes == float("inf"):
        raise UserError(f"--turn-minutes {args.turn_minutes}: expected minutes >= 0 (0: no timer)")
    kw = dict(lookahead_runs=args.lookahead_runs, compare_runs=args.compare_runs,
              turn_seconds=60.0 * args.turn_minutes)
    try:
        if args.load:
            if args.config or args.play:
                raise UserError("serve: --load resumes a saved game; give no scenario or --play with it")
            s = Session.resume(args.load, save_to=args.save, **kw)
        else:
            if not args.config:
                raise UserError("serve: give a scenario name (`wargame scenarios` lists them) or file, "
                                "or --load a saved game")
            if not args.play:
                raise UserError("serve: --play STATE[,STATE...] names the states the teams play")
            play = [p.strip() for p in args.play.split(",")]
            if "" in play:
                raise UserError(f"--play {args.play}: expected state ids separated by commas, e.g. PRC,USA")
            if len(set(play)) < len(play):
                raise UserError(f"--play {args.play}: names a state twice")
            if args.rep < 0:
                raise UserError(f"--rep {args.rep}: expected a replication number >= 0")
            save = args.save or "wargame-class.json"
            loaded = scenario.load(args.config, overrides(args))
            if loaded.kind != "crisis":
                raise UserError(f"serve: {loaded.path} is a system scenario (kind = \"system\"); classroom games "
                                "are for crisis scenarios")
            if not loaded.scenario.fronts:
                raise UserError(f"serve: {loaded.path} has no fronts (a raids-only scenario); classroom games "
                                "are about a ground war")
            seed = seed_of(args)
            if Path(save).exists() and not args.overwrite:
                # The same command again after a crash resumes the game; another game's file is kept.
                _same_game(save, loaded, seed, play, args.rep)
                s = Session.resume(save, **kw)
                print(f"resuming the game saved in {save} ({len(s.g.decisions)} decisions and injects); "
                      "--overwrite starts afresh")
            else:
                try:
                    s = Session(loaded, seed, play, args.rep, save, **kw)
                except ValueError as e:
                    raise UserError(str(e)) from None
                s.start()
    except ex.ExerciseError as e:
        raise UserError(str(e)) from None
    _check_free(args.host, args.port)
    return _run(s, args)


def _same_game(save: str, loaded, seed: int, play: list[str], rep: int) -> None:
    """Refuse (one line) a --save file that holds anything but this very game."""
    from wargame.play import exercise as ex

    try:
        other, seed2, rep2, play2, _ = ex.load_saved(save)
        same = (other.text, list(other.overrides), seed2, rep2, play2) == (
            loaded.text, list(loaded.overrides), seed, rep, play)
    except (ex.ExerciseError, ValueError):
        same = False
    if not same:
        raise UserError(f"{save}: holds something other than this game (scenario, seed, --play); resume it "
                        "with --load, or pass --overwrite or another --save")


def _check_free(host: str, port: int) -> None:
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as e:
        raise UserError(f"--host {host} --port {port}: cannot listen there ({e.strerror or e})") from None


def _run(s, args) -> int:
    import uvicorn

    from wargame.serve.app import build

    report = args.report or str(Path(s.save_to).with_suffix(".h5"))
    shown = "localhost" if args.host in ("127.0.0.1", "0.0.0.0") else args.host
    base = f"http://{shown}:{args.port}"
    print(f"wargame serve: {s.g.w.sc.scenario.name}, teams {', '.join(s.play)}; saving to {s.save_to}")
    for who, link in s.links(base).items():
        print(f"  {who:<12} {link}")
    if args.host == "0.0.0.0":
        print("  (on the other laptops, put this laptop's network address in place of localhost)")
    print("Give each team its own link only; Ctrl-C stops the server (the game is saved: --load resumes it).",
          flush=True)
    uvicorn.run(build(s, report), host=args.host, port=args.port, log_level="warning")
    return 0
