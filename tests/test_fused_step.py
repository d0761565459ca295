"""The fused ground day (kernels/step.py) and termination thresholds (kernels/thresholds.py) give
the same bits as the step-by-step paths they replace.

``combat.FUSED = False`` (or ``combat.step(..., fused=False)``, ``events.terminate(...,
fused=False)``) keeps the old paths: front_modifiers, lanchester_step, _apply and advance as
separate calls, and the loss fractions, objectives and side sums in numpy. Full runs of shipped scenarios under both must
leave every array of the World equal, bit for bit (NaNs in the same places), and the
fused kernel must not depend on the batch size.

Multi-day windows (crisis/window.py, kernels/window.py: several ground-only days in one call)
must give the bits of one call per day (``window.ENABLED = False``) for every shipped crisis
scenario and duel variants that bound windows by call-ups, stalemate checks and quarter-day
steps, whatever the batch size, thread count or number of worker processes.
"""

import contextlib

import numpy as np
import pytest

from wargame.crisis import combat, events, window
from wargame.crisis.combat import KernelClock
from wargame.crisis.world import World
from wargame.model import scenario
from wargame import kernels

from pathlib import Path

CONFIGS = Path(__file__).resolve().parents[1] / "configs"


# The duel with RED reinforced on its front (a lump and a flow, crisis/arrivals.py): none of the
# shipped conventional scenarios sends ground arrivals into a fighting front, and they are the
# Lanchester step's reinforcement term (w.inflow).
ARRIVALS = ('\n[[arrivals]]\nstate = "RED"\nfront = "land"\namount = { dist = "uniform", low = 0, high = 20000 }\n'
            'day = { dist = "uniform", low = 1, high = 9 }\n'
            '\n[[arrivals]]\nstate = "RED"\nfront = "land"\nrate_per_day = 1500\nfrom_day = 2.5\nto_day = 14\n')


@contextlib.contextmanager
def _two_threads():
    """numba on two threads inside the block (the chunks of a batch then run in parallel)."""
    import numba

    old = numba.get_num_threads()
    numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
    try:
        yield
    finally:
        numba.set_num_threads(old)

def _scenario(name: str):
    if name == "duel_arrivals":
        return scenario.loads((CONFIGS / "duel.toml").read_text() + ARRIVALS, "duel_arrivals.toml").scenario
    return scenario.load(CONFIGS / f"{name}.toml").scenario


def _run(name: str, reps: np.ndarray, fused: bool, monkeypatch, seed: int = 7, calls: list | None = None):
    sc = _scenario(name)
    w = World(sc, seed, reps)
    with monkeypatch.context() as m:
        m.setattr(combat, "FUSED", fused)
        # One call per day: these tests compare the fused day itself (windows of several days
        # are compared with it below, test_windows_equal_one_call_per_day).
        m.setattr(window, "ENABLED", False)
        if calls is not None:  # count the fused kernels' calls
            for name in ("ground_day", "thresholds"):
                fn = getattr(kernels, name)
                m.setattr(kernels, name, lambda *a, _fn=fn, _nm=name, **k: calls.append(_nm) or _fn(*a, **k))
        log = events.run_batch(w, KernelClock())
    return w, log


def _arrays(w: World) -> dict:
    return {k: v for k, v in vars(w).items() if isinstance(v, np.ndarray)}


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.kind == "f":
        return a.tobytes() == b.tobytes()
    return bool(np.array_equal(a, b))


# Every shipped crisis scenario with a front; afghanistan_2021 (irregular: morale and Deitchman
# fronts) fuses only the thresholds.
SCENARIOS = ["duel", "duel_arrivals", "taiwan_strait", "baltic", "korea", "falklands_1982", "kuwait_1990",
             "ukraine_2022", "afghanistan_2021"]


@pytest.mark.parametrize("name", SCENARIOS)
def test_fused_equals_step_by_step(name, monkeypatch):
    reps = np.arange(40, dtype=np.int64)
    fused_calls, step_calls = [], []
    wf, logf = _run(name, reps, True, monkeypatch, calls=fused_calls)
    wo, logo = _run(name, reps, False, monkeypatch, calls=step_calls)
    assert step_calls == [] and "thresholds" in fused_calls
    assert ("ground_day" in fused_calls) == (name != "afghanistan_2021")
    assert wf.stochastic  # the draws are compared too
    af, ao = _arrays(wf), _arrays(wo)
    assert af.keys() == ao.keys()
    differ = [k for k in af if not _same(af[k], ao[k])]
    assert differ == [], f"{name}: arrays differ between the fused and step-by-step paths: {differ}"
    assert wf.lost[..., combat.GROUND].sum() > 0  # the ground war was fought
    assert logf.events().tobytes() == logo.events().tobytes()


def test_fused_does_not_depend_on_batch_size(monkeypatch):
    """Replications 0-63 in one batch of 64 and in batches of 7 end the same."""
    whole, _ = _run("taiwan_strait", np.arange(64, dtype=np.int64), True, monkeypatch)
    for a in range(0, 64, 7):
        part, _ = _run("taiwan_strait", np.arange(a, min(a + 7, 64), dtype=np.int64), True, monkeypatch)
        for k in ("front", "lost", "position", "end_day", "outcome"):
            assert _same(getattr(part, k), getattr(whole, k)[a:a + 7]), (k, a)


def test_irregular_wars_keep_the_step_by_step_path(monkeypatch):
    """Morale and Deitchman fronts are not fused: the fused kernel is never called for them."""
    calls = []
    orig = kernels.ground_day
    monkeypatch.setattr(kernels, "ground_day", lambda *a, **k: calls.append(1) or orig(*a, **k))
    _run("afghanistan_2021", np.arange(8, dtype=np.int64), True, monkeypatch)
    assert calls == []
    _run("duel", np.arange(8, dtype=np.int64), True, monkeypatch)
    assert calls


def test_bad_strength_names_replication_and_front():
    sc = scenario.load(CONFIGS / "duel.toml").scenario
    w = events.attach(World(sc, 1, np.arange(3, dtype=np.int64)))
    w.front[1, 0, :, combat.GROUND] = [np.nan, 5.0]
    with pytest.raises(ValueError, match=r"replication 1, front 0"):
        kernels.ground_day(w, np.arange(3), 1.0, 1, kernels.streams.GROUND)


def test_fused_on_threads_and_across_chunks(monkeypatch):
    """2,100 replications span three of the kernels' 1,024-row chunks; on numba's threads (the
    threshold lowered so a batch this size uses them) the fused path still equals the step-by-step one."""
    from wargame.kernels import _dispatch

    monkeypatch.setattr(_dispatch, "PARALLEL_MIN_ROWS", 1)
    reps = np.arange(2100, dtype=np.int64)
    with _two_threads():
        wf, logf = _run("duel", reps, True, monkeypatch)
    wo, logo = _run("duel", reps, False, monkeypatch)
    for k in ("front", "lost", "position", "end_day", "outcome"):
        assert _same(getattr(wf, k), getattr(wo, k)), k
    assert logf.events().tobytes() == logo.events().tobytes()


# -- Multi-day windows (crisis/window.py, kernels/window.py) -------------------------------------------
# Duel variants that put each of the window's bounds inside a war: call-ups that begin and flow
# (mobilise), a stalemate check every 10 days, quarter-day steps, a deterministic run.
MOBILISE = ("forces.ground = { manpower = 60000 }",
            "forces.ground = { manpower = 60000 }\n"
            "mobilisation = { reserve = 20000, rate_per_day = 4000, delay_days = 3 }")
VARIANTS = {
    "duel_mobilise": lambda: scenario.loads((CONFIGS / "duel.toml").read_text().replace(*MOBILISE),
                                            "duel_mobilise.toml").scenario,
    "duel_stalemate": lambda: scenario.loads((CONFIGS / "duel.toml").read_text(), "duel.toml",
                                             [("termination.stalemate_days", "10"),
                                              ("fronts.land.attacker_lethality", "0.004")]).scenario,
    "duel_quarter_days": lambda: scenario.loads((CONFIGS / "duel.toml").read_text(), "duel.toml",
                                                [("scenario.step_days", "0.25"),
                                                 ("scenario.horizon_days", "30")]).scenario,
    "duel_deterministic": lambda: scenario.loads((CONFIGS / "duel.toml").read_text(), "duel.toml",
                                                 [("scenario.stochastic", "false")]).scenario,
}
# Every shipped crisis scenario and the duel variants; windows run in those listed in WINDOWED.
WINDOW_SCENARIOS = sorted(set(SCENARIOS) | {"iran_israel_2024"}) + sorted(VARIANTS)
WINDOWED = {"duel", "duel_arrivals", "kuwait_1990"} | set(VARIANTS)


def _windowed_run(name: str, reps: np.ndarray, on: bool, monkeypatch, calls: list | None = None):
    sc = VARIANTS[name]() if name in VARIANTS else _scenario(name)
    w = World(sc, 7, reps)
    with monkeypatch.context() as m:
        m.setattr(window, "ENABLED", on)
        if calls is not None:  # (first day, last day allowed, last day done) of each window call
            fn = kernels.window
            m.setattr(kernels, "window",
                      lambda w_, r, k0, k1, *a, **k: calls.append((k0, k1, (out := fn(w_, r, k0, k1, *a, **k))[0]))
                      or out)
        log = events.run_batch(w, KernelClock())
    return w, log


@pytest.mark.parametrize("name", WINDOW_SCENARIOS)
def test_windows_equal_one_call_per_day(name, monkeypatch):
    """Every array of the World and both logs are the same bits with windows on and off."""
    reps = np.arange(48, dtype=np.int64)
    calls = []
    won, logon = _windowed_run(name, reps, True, monkeypatch, calls)
    woff, logoff = _windowed_run(name, reps, False, monkeypatch)
    if name in WINDOWED:  # several days went through one call, some window was cut short by an event
        assert sum(done - k0 + 1 for k0, _, done in calls) > len(calls) > 0, calls
    else:
        assert calls == []
    a, b = _arrays(won), _arrays(woff)
    differ = [k for k in a if not _same(a[k], b[k])]
    assert differ == [], f"{name}: arrays differ with windows on and off: {differ}"
    assert logon.events().tobytes() == logoff.events().tobytes()
    assert logon.decisions().tobytes() == logoff.decisions().tobytes()
    assert (won.ended | ~won.at_war).all()


def test_a_window_stops_on_the_day_something_happens(monkeypatch):
    """Windows end at the first day a replication may end or break through, not at their bound:
    the stalemate variant's wars end inside windows, and the ends land on the same days."""
    calls = []
    w, _ = _windowed_run("duel", np.arange(200, dtype=np.int64), True, monkeypatch, calls)
    assert any(done < k1 for _, k1, done in calls), calls
    ends = np.unique(w.end_day[w.outcome != 0])
    assert ends.size > 1


def test_windows_do_not_depend_on_the_batch_size(monkeypatch):
    """Replications 0-63 in one batch of 64 and in batches of 7 end the same, windows on."""
    for name in ("duel", "duel_mobilise"):
        whole, _ = _windowed_run(name, np.arange(64, dtype=np.int64), True, monkeypatch)
        for a in range(0, 64, 7):
            part, _ = _windowed_run(name, np.arange(a, min(a + 7, 64), dtype=np.int64), True, monkeypatch)
            for k in ("front", "lost", "position", "end_day", "outcome", "loss_marks"):
                assert _same(getattr(part, k), getattr(whole, k)[a:a + 7]), (name, k, a)


def test_windows_on_threads_and_across_chunks(monkeypatch):
    """2,100 replications (three 1,024-row chunks) on two numba threads, windows on, equal one
    call per day on one thread."""
    from wargame.kernels import _dispatch

    reps = np.arange(2100, dtype=np.int64)
    off, logoff = _windowed_run("duel", reps, False, monkeypatch)
    monkeypatch.setattr(_dispatch, "PARALLEL_MIN_ROWS", 1)
    with _two_threads():
        on, logon = _windowed_run("duel", reps, True, monkeypatch)
    for k in ("front", "lost", "position", "end_day", "outcome", "loss_marks"):
        assert _same(getattr(on, k), getattr(off, k)), k
    assert logon.events().tobytes() == logoff.events().tobytes()


def test_windows_across_workers_give_the_same_bits(monkeypatch):
    """Two worker processes (windows on, the default there) give the bits of one process
    stepping one day per call."""
    import wargame

    from digest import digest

    on = wargame.run("duel", runs=600, seed=8, batch_size=150, workers=2)
    monkeypatch.setattr(window, "ENABLED", False)
    off = wargame.run("duel", runs=600, seed=8, batch_size=150)
    assert digest(on.arrays()) == digest(off.arrays())
