"""Child process for the compile-time figure: import kernels and call each public kernel once.

Run as ``python -m wargame.bench.compile_child`` with NUMBA_CACHE_DIR pointing at an empty
directory (cold: everything compiles) or at one a previous run filled (warm: numba
loads the cached machine code).  Prints one JSON line: {"seconds": ...}, the time
from before ``import kernels`` to the end of the last call.
"""

import json
import time
from types import SimpleNamespace

t0 = time.perf_counter()
import numpy as np  # noqa: E402

from wargame import kernels  # noqa: E402


def call_each() -> None:
    n = 4
    x = np.full(n, 100.0)
    reps = np.arange(n, dtype=np.int64)
    kernels.uniforms(1, reps, purpose=1, step=0, k=5)
    kernels.normals(1, reps, purpose=1, step=0, k=5)
    square = dict(a=0.01, b=0.01, p=0.0, q=1.0, rx=0.0, ry=0.0, dt=1.0)  # square law, no reinforcement, one day
    kernels.lanchester_step(x, x, **square)
    kernels.lanchester_step(x, x, **square, stochastic=True, seed=1, reps=reps, slots=reps, step=0, purpose=2)
    salvo = dict(alpha=2.0, beta=2.0, a1=1.0, b1=1.0, a3=1.0, b3=1.0)
    kernels.salvo_step(x, x, **salvo)
    kernels.salvo_step(x, x, **salvo, stochastic=True, seed=1, reps=reps, slots=reps, step=0, purpose=4)
    front = dict(terrain=1.0, amphib_penalty=3.0, air_control=0.5, air_weight=0.5, sea_control=0.5, sea_weight=0.5)
    kernels.front_modifiers(np.zeros(n, dtype=np.int64), amphibious=np.zeros(n, dtype=bool), **front)
    kernels.advance(x, breakthrough=3.0, v_max=10.0, dt=1.0)
    kernels.attack_factor(0, amphibious=False, **front)
    kernels.control_share(1.0, 2.0, k=2.0)
    kernels.advance_km(4.0, breakthrough=3.0, v_max=10.0, dt=1.0)
    kernels.binomial(100.0, 0.3, u1=0.5, u2=0.5)
    kernels.poisson(3.0, u1=0.5, u2=0.5)
    kernels.philox4x64(0, 0, 0, 0, k0=1, k1=2)
    w = _world(n)  # the fused day's kernels and the window, on a two-state, one-front World's arrays
    kernels.ground_day(w, reps, 1.0, 1, purpose=2)
    kernels.thresholds(w, reps, np.array([1.0, 0.02, 0.25]))
    # The decisions' stacked projection (kernels/projection.py) on the same World's arrays.
    tot = kernels.projection_totals(w.front, w.afloat, w.side)
    half = np.full((n, 1), 0.5)
    kernels.projection_fronts(w, reps, tot, half, half, w.att_leth, w.def_leth, np.full(n, 30.0))
    kernels.window(w, reps, 2, 3, purpose=2, marks=np.array([7.0, 21.0, 30.0]),
                   casualty_share=np.array([1.0, 0.02, 0.25]))


def _world(n: int) -> SimpleNamespace:
    """The arrays of a crisis World (engine/crisis/world.py) that kernels.ground_day,
    kernels.thresholds, kernels.projection_fronts and kernels.window read, with the engine's
    dtypes (numba compiles per type)."""
    full = lambda v, *shape: np.full((n, *shape), v)  # noqa: E731
    side = np.tile(np.array([1, -1], dtype=np.int8), (n, 1))
    return SimpleNamespace(
        F=1, dt=1.0, stochastic=True, seed=1, att=0, dfd=1, reps=np.arange(n, dtype=np.int64), side=side,
        posture=np.zeros(1, dtype=np.int64), amphibious=np.zeros(1, dtype=bool), decisive=np.ones(1, dtype=bool),
        guerrilla=np.zeros(1, dtype=np.int64), transit_loss=full(0.1, 1),
        front=full(100.0, 1, 2, 3), lost=full(0.0, 2, 3), committed=full(100.0, 2, 3), mpc=full(1.0, 2, 3),
        inflow=full(0.0, 1, 2), afloat=full(0.0, 1, 2), homeland_pressure=full(0.0, 2), tolerance=full(0.5, 2),
        breakpoint=full(1.0, 2), position=full(0.0, 1), terrain=full(1.0, 1), penalty=full(3.0, 1),
        air_control=full(0.5, 1), air_weight=full(0.5, 1), sea_control=full(0.5, 1), sea_weight=full(0.5, 1),
        landing_day=full(np.inf, 1), assault_days=full(0.0, 1), att_leth=full(0.01, 1), def_leth=full(0.01, 1),
        law_p=full(0.0, 1), law_q=full(1.0, 1), breakthrough=full(3.0, 1), vmax=full(10.0, 1),
        counter_depth=full(0.0, 1), depth=full(100.0, 1), war_day=full(0.0), surrendered=full(0.0, 2),
        captured_share=full(0.1, 2, 3), wounded_per_killed=full(3.0, 2, 3), loss_marks=full(0.0, 2, 3, 3, 3),
        ref_day=full(0.0), stalemate_days=full(60.0))


if __name__ == "__main__":
    call_each()
    print(json.dumps({"seconds": time.perf_counter() - t0}))
