"""The fused ground day (kernels/step.py) and termination thresholds (kernels/thresholds.py) give
the same bits as the step-by-step paths they replace.

``combat.FUSED = False`` (or ``combat.step(..., fused=False)``, ``events.terminate(...,
fused=False)``) keeps the old paths: front_modifiers, lanchester_step, _apply and advance as
separate calls, and the loss fractions, objectives and side sums in numpy. Full runs of shipped scenarios under both must
leave every array of the World equal, bit for bit (NaNs in the same places), and the
fused kernel must not depend on the batch size.
"""

import numpy as np
import pytest

from wargame.crisis import combat, events
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


def _scenario(name: str):
    if name == "duel_arrivals":
        return scenario.loads((CONFIGS / "duel.toml").read_text() + ARRIVALS, "duel_arrivals.toml").scenario
    return scenario.load(CONFIGS / f"{name}.toml").scenario


def _run(name: str, reps: np.ndarray, fused: bool, monkeypatch, seed: int = 7, calls: list | None = None):
    sc = _scenario(name)
    w = World(sc, seed, reps)
    with monkeypatch.context() as m:
        m.setattr(combat, "FUSED", fused)
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
    import numba

    from wargame.kernels import _dispatch

    monkeypatch.setattr(_dispatch, "PARALLEL_MIN_ROWS", 1)
    reps = np.arange(2100, dtype=np.int64)
    old = numba.get_num_threads()
    numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
    try:
        wf, logf = _run("duel", reps, True, monkeypatch)
    finally:
        numba.set_num_threads(old)
    wo, logo = _run("duel", reps, False, monkeypatch)
    for k in ("front", "lost", "position", "end_day", "outcome"):
        assert _same(getattr(wf, k), getattr(wo, k)), k
    assert logf.events().tobytes() == logo.events().tobytes()
