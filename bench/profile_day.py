"""Where a simulated day's time goes: ``python -m wargame.bench.profile_day CONFIG RUNS [--step-by-step|--per-day]``.

Runs ``RUNS`` replications of a crisis scenario in process into memory (what ``wargame run
--workers 1`` does, without the file), first three times without the profiler (the best
rate and the share of time in kernel calls), then once under cProfile, and prints the
cumulative seconds of the day loop's parts as a Markdown table (docs/bench.md, "Where a
simulated day's time goes"). ``--step-by-step``: ``combat.FUSED = False``, the numpy
path that kernels/step.py and kernels/thresholds.py replace (one call per day too);
``--per-day``: ``window.ENABLED = False``, the fused day without multi-day windows
(crisis/window.py). ``--numpy-projection``:
``doctrines.FUSED = False``, the decisions' projections one case at a time in numpy (what
kernels/projection.py replaces). Kernel time is what the engine's KernelClock measured: the
calls made through it (kernel wrappers with their argument checks), not the numpy around them.
``--ab-projection ROUNDS``: no profile; ROUNDS rounds alternating the two projection paths in
one process, the best rate of each and the speed-up.
"""

import argparse
import cProfile
import pstats
import time

# (file, function) pairs of the day loop and what it calls, as cProfile names them.
PARTS = [("events.py", n) for n in ("daily", "decisions", "invasion", "terminate", "_mobilise")] + [
    ("combat.py", n) for n in ("step", "_ground", "_apply", "side_totals", "control")] + [
    ("breakoff.py", "settle"), ("breakoff.py", "fighting"), ("strikes.py", "strike"), ("casualties.py", "mark"),
    ("aid.py", "step"), ("doctrines.py", "decide"), ("doctrines.py", "project"), ("deterrence.py", "decide"),
    ("escalation.py", "climb"), ("termination.py", "consent"), ("world.py", "loss_fraction"),
    ("step.py", "ground_day"), ("thresholds.py", "thresholds"), ("window.py", "window"), ("window.py", "last_step"),
    ("lanchester.py", "lanchester_step"),
    ("salvo.py", "salvo_step"), ("modifiers.py", "front_modifiers"), ("modifiers.py", "advance"),
    ("columns.py", "collect"), ("doctrines.py", "project_cases"), ("projecting.py", "project_stack"),
    ("projecting.py", "project_numpy"), ("projection.py", "projection_totals"), ("projection.py", "projection_fronts"),
    ("aid_decision.py", "decide"), ("philox.py", "normals"), ("philox.py", "uniforms")]


def main(argv=None) -> None:
    p = argparse.ArgumentParser(prog="python -m wargame.bench.profile_day", description=__doc__.split("\n")[0])
    p.add_argument("config")
    p.add_argument("runs", type=int)
    how = p.add_mutually_exclusive_group()
    how.add_argument("--step-by-step", action="store_true", help="the numpy path (combat.FUSED = False)")
    how.add_argument("--per-day", action="store_true", help="one call per day (window.ENABLED = False)")
    p.add_argument("--numpy-projection", action="store_true",
                   help="decisions project one case at a time in numpy (doctrines.FUSED = False)")
    p.add_argument("--ab-projection", type=int, metavar="ROUNDS", default=0,
                   help="instead of profiling: ROUNDS rounds alternating the numpy projection and the stacked one in "
                        "this process, best of each (on a shared machine both see the same load)")
    args = p.parse_args(argv)
    from wargame import kinds
    from wargame.crisis import combat, doctrines, window
    from wargame.execution import results
    from wargame.model.scenario import load

    combat.FUSED = not args.step_by_step
    doctrines.FUSED = not args.numpy_projection
    window.ENABLED = not (args.step_by_step or args.per_day)
    loaded = load(args.config)
    kinds.warm_up(loaded)

    def go():
        sink = results.MemoryResults()
        stats = kinds.run(loaded, args.runs, seed=1, sink=sink)
        sink.read()
        return stats

    go()
    if args.ab_projection:
        _ab(go, doctrines, args)
        return
    best = None
    for _ in range(3):
        t0 = time.perf_counter()
        stats = go()
        el = time.perf_counter() - t0
        best = (el, stats) if best is None or el < best[0] else best
    print(f"{args.config}, {args.runs} runs, fused={combat.FUSED}, windows={window.ENABLED}, "
          f"projection fused={doctrines.FUSED}: {args.runs / best[0]:,.0f} reps/s (best of 3, no profiler), "
          f"{100 * best[1].kernel_seconds / best[1].seconds:.0f}% of simulation time in kernel calls")
    prof = cProfile.Profile()
    prof.enable()
    go()
    prof.disable()
    st = pstats.Stats(prof).stats
    total = next(v[3] for (f, _, n), v in st.items() if f.endswith("kinds.py") and n == "run")
    found = [(v[3], f"{f.rsplit('/', 1)[-1]}:{n}", v[1]) for (f, _, n), v in st.items()
             if (f.rsplit("/", 1)[-1], n) in PARTS]
    print(f"profiled run: {total:.3f} s\n\n| function | calls | cumulative s | share |\n|---|---|---|---|")
    for cum, name, calls in sorted(found, reverse=True):
        print(f"| `{name}` | {calls} | {cum:.3f} | {100 * cum / total:.0f}% |")


def _ab(go, doctrines, args) -> None:
    """Alternate doctrines.FUSED off and on for ``args.ab_projection`` rounds; print each side's best."""
    best = {}
    for _ in range(args.ab_projection):
        for fused in (False, True):
            doctrines.FUSED = fused
            t0 = time.perf_counter()
            stats = go()
            el = time.perf_counter() - t0
            if fused not in best or el < best[fused][0]:
                best[fused] = (el, stats)
    for fused, name in ((False, "numpy projection"), (True, "stacked projection")):
        el, stats = best[fused]
        print(f"{args.config}, {args.runs} runs, {name}: {args.runs / el:,.0f} reps/s (best of {args.ab_projection}), "
              f"{100 * stats.kernel_seconds / stats.seconds:.0f}% of simulation time in kernel calls")
    print(f"speed-up {best[False][0] / best[True][0]:.2f}x")


if __name__ == "__main__":
    main()
