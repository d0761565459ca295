"""The stacked projection (kernels/projection.py via crisis/projecting.py) gives the same bits as
the numpy path it replaces.

``doctrines.FUSED = False`` projects one case at a time in numpy (front_modifiers,
lanchester_step and deitchman_step as separate calls), and third parties decide one after
the other; ``FUSED = True`` stacks every case of a decision point (all third parties, with
and without their forces; both primaries' consent; the attacker's cases) and projects them
in two kernel calls. Full runs of the shipped scenarios and of hand-built worlds (several
third parties of every doctrine, amphibious and naval fronts, guerrilla fronts, eight
states) must leave every World array, every event and every logged decision the same.
"""

from pathlib import Path

import numpy as np
import pytest

from wargame import kernels
from wargame.crisis import doctrines, events, projecting
from wargame.crisis.combat import KernelClock
from wargame.crisis.world import World
from wargame.model import scenario

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
SHIPPED = ["duel", "taiwan_strait", "baltic", "korea", "falklands_1982", "kuwait_1990", "ukraine_2022",
           "afghanistan_2021", "iran_israel_2024"]
PROJECTING = {"taiwan_strait", "baltic", "korea", "kuwait_1990", "ukraine_2022"}

_HEAD = '''
[scenario]
name = "hand"
attacker = "BLUE"
defender = "RED"
horizon_days = 90
warning_days = 10
stochastic = true

[invasion]
mode = "scheduled"
day = 10
decision = "expected_utility"
value = 3.0
postpone_days = 20

[states.BLUE]
name = "Blue"
doctrine = "self_help"
casualty_tolerance = 0.4
perception_error = 0.2
forces.ground = { manpower = 400000 }
forces.air = { manpower = 20000, combat_power = 600 }
forces.naval = { manpower = 20000, combat_power = 60 }
commit = { ground = 0.6, air = 0.8, naval = 0.8 }

[states.RED]
name = "Red"
doctrine = "self_help"
casualty_tolerance = 0.5
perception_error = 0.1
forces.ground = { manpower = 120000 }
forces.air = { manpower = 10000, combat_power = 300 }
commit = { ground = 1.0, air = 1.0 }
treaties = ["GRN"]
'''

_PARTY = '''
[states.{name}]
name = "{name}"
doctrine = "{doctrine}"
casualty_tolerance = 0.3
perception_error = 0.3
forces.ground = {{ manpower = {ground} }}
forces.air = {{ manpower = 5000, combat_power = {air} }}
commit = {{ ground = 0.3, air = 0.5 }}
deploy_delay_days = 5
interests = {{ RED = {red}, BLUE = {blue} }}
'''

_FRONTS = {
    "land": '''
[fronts.land]
name = "land"
law = "square"
attacker_lethality = {{ dist = "uniform", low = 0.005, high = 0.02 }}
defender_lethality = 0.01
posture = "prepared"
terrain = 1.2
air_weight = 0.4
breakthrough_ratio = 3.0
advance_km_per_day = 10
depth_km = 100
counter_depth_km = {counter}
decisive = true
''',
    "sea": '''
[fronts.sea]
name = "sea"
law = "linear"
attacker_lethality = 0.000001
defender_lethality = 0.000001
posture = "hasty"
terrain = 1.0
air_weight = 0.3
amphibious = true
lift_per_day = 5000
naval = true
breakthrough_ratio = 2.0
advance_km_per_day = 5
depth_km = 50
decisive = true
''',
    "hills": '''
[fronts.hills]
name = "hills"
law = "deitchman"
guerrilla = "defender"
attacker_lethality = 0.0000002
defender_lethality = 0.003
posture = "fortified"
terrain = 2.0
breakthrough_ratio = 3.0
advance_km_per_day = 3
depth_km = 60
decisive = false
''',
}

_DOCTRINES = ["self_help", "bandwagon", "buck_passing", "collective_security"]


def hand_built(parties: int = 3, fronts=("land", "sea", "hills"), counter: int = 20) -> str:
    """A crisis with ``parties`` third parties (cycling through the doctrines; GRN, the first, is
    RED's treaty partner) on the given fronts."""
    text = _HEAD
    for i in range(parties):
        name = "GRN" if i == 0 else f"P{i}"
        text += _PARTY.format(name=name, doctrine=_DOCTRINES[i % len(_DOCTRINES)], ground=40000 + 15000 * i,
                              air=100 + 50 * i, red=round(0.8 - 0.15 * i, 2), blue=round(0.1 * (i % 3), 2))
    if parties == 0:
        text = text.replace('treaties = ["GRN"]\n', "")
    for f in fronts:
        text += _FRONTS[f].format(counter=counter)
    return text


def _scenario(name: str, text: str | None):
    if text is not None:
        return scenario.loads(text, f"{name}.toml").scenario
    return scenario.load(CONFIGS / f"{name}.toml").scenario


def _run(name, text, fused: bool, monkeypatch, reps=40, calls=None):
    w = World(_scenario(name, text), 11, np.arange(reps, dtype=np.int64))
    with monkeypatch.context() as m:
        m.setattr(doctrines, "FUSED", fused)
        if calls is not None:
            fn = projecting.projection_fronts
            m.setattr(projecting, "projection_fronts", lambda *a, **k: calls.append(a[1].size) or fn(*a, **k))
        log = events.run_batch(w, KernelClock())
    return w, log


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    return a.tobytes() == b.tobytes() if a.dtype.kind == "f" else bool(np.array_equal(a, b))


def _compare(name, text, monkeypatch, reps=40):
    calls = []
    wf, logf = _run(name, text, True, monkeypatch, reps, calls)
    wo, logo = _run(name, text, False, monkeypatch, reps)
    af = {k: v for k, v in vars(wf).items() if isinstance(v, np.ndarray)}
    ao = {k: v for k, v in vars(wo).items() if isinstance(v, np.ndarray)}
    assert af.keys() == ao.keys()
    differ = [k for k in af if not _same(af[k], ao[k])]
    assert differ == [], f"{name}: arrays differ between the stacked and numpy projections: {differ}"
    assert logf.events().tobytes() == logo.events().tobytes()
    assert logf.decisions().tobytes() == logo.decisions().tobytes()
    return calls, logf


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenarios_same_bits(name, monkeypatch):
    calls, log = _compare(name, None, monkeypatch)
    # The others have no third party that weighs a war, no weighed invasion and no consent to a ceasefire.
    if name in PROJECTING:
        assert calls, f"{name}: the stacked projection was never used"
        assert log.decisions().size > 0


@pytest.mark.parametrize("parties,fronts", [
    (3, ("land", "sea", "hills")),  # every doctrine's first three, amphibious, naval and guerrilla fronts
    (4, ("land", "hills")),  # a collective-security party too; guerrilla next to a conventional front
    (1, ("sea",)),  # one party, one amphibious front
    (6, ("land", "sea")),  # eight states: the side totals as numpy's pairwise sums
])
def test_hand_built_worlds_same_bits(parties, fronts, monkeypatch):
    redone = []
    redo = doctrines._redo
    monkeypatch.setattr(doctrines, "_redo", lambda ahead, changed, again: redone.append(changed.sum())
                        or redo(ahead, changed, again))
    calls, log = _compare("hand", hand_built(parties, fronts), monkeypatch)
    assert calls and log.decisions().size > 0
    # Several third parties' cases are stacked into one call: more rows than one case holds; and
    # after a party joined or left in some rows, the later ones were projected again there.
    if parties > 1:
        assert max(calls) >= 2 * parties * 40
        assert redone and min(redone) < 40


def test_stack_equals_each_case_alone():
    """project_cases over perturbed cases (own lethalities included) equals projecting each alone."""
    w = events.attach(World(_scenario("hand", hand_built(3)), 5, np.arange(30, dtype=np.int64)))
    rows = np.arange(0, 30, 2)
    rng = np.random.default_rng(3)
    n = rows.size
    cases = []
    for k in range(5):
        cp = rng.uniform(0, 5e4, (n, w.F, w.S, 3)) * (rng.random((n, w.F, w.S, 3)) < 0.7)
        afl = rng.uniform(0, 2e4, (n, w.F, w.S)) * (k % 2)
        side = rng.integers(-1, 2, (n, w.S)).astype(np.int8)
        eps = rng.normal(0, 0.2, n)
        case = (cp, afl, side, eps)
        if k == 3:
            case += (w.att_leth[rows] * 1.5, w.def_leth[rows].copy())
        cases.append(case)
    stacked = projecting.project_stack(w, rows, cases, KernelClock())
    alone = [projecting.project_numpy(w, rows, c, KernelClock()) for c in cases]
    for k, (s, a) in enumerate(zip(stacked, alone)):
        for x, y in zip(s, a):
            assert x.tobytes() == y.tobytes(), k
    assert stacked[3][0].tobytes() != projecting.project_numpy(w, rows, cases[3][:4], KernelClock())[0].tobytes()


def test_bad_strength_names_the_case_row_and_front():
    w = events.attach(World(_scenario("duel", None), 1, np.arange(3, dtype=np.int64)))
    rows = np.arange(3)
    cp = w.front[rows].copy()
    cp[2, 0, 1, 0] = np.nan
    with pytest.raises(ValueError, match=r"case row 2 \(replication row 2\), front 0"):
        doctrines.project(w, rows, cp, w.afloat[rows], w.side[rows], np.zeros(3), KernelClock())


@pytest.mark.parametrize("S", [1, 2, 5, 7, 8, 9, 15, 16, 17, 23, 40])
def test_totals_are_numpys_sums(S):
    """The kernel's side totals equal side_sum's numpy sums bit for bit, in order below 8 states and
    with numpy's pairwise block from 8 (this fails loudly should a numpy sum differently)."""
    from wargame.crisis.world import side_sum

    rng = np.random.default_rng(S)
    N, F = 257, 3
    cp = rng.uniform(0, 1e5, (N, F, S, 3)) * (rng.random((N, F, S, 3)) < 0.6) * rng.choice([1, 1e-9, 1e7], (N, F, S, 3))
    afl = rng.uniform(0, 1e4, (N, F, S)) * rng.choice([1, 1e-9, 1e7], (N, F, S))
    side = rng.integers(-1, 2, (N, S)).astype(np.int8)
    tot = kernels.projection_totals(cp, afl, side)
    want = [side_sum(cp[:, :, :, d], side, sg) for d in (1, 2, 0) for sg in (1, -1)] + [side_sum(afl, side, 1)]
    for k, v in enumerate(want):
        assert tot[k].tobytes() == v.tobytes(), k


def test_totals_refuse_long_state_axes():
    with pytest.raises(ValueError, match="at most 128"):
        kernels.projection_totals(np.zeros((1, 1, 129, 3)), np.zeros((1, 1, 129)), np.zeros((1, 129), dtype=np.int8))


def test_limit_peer_replays_the_projection_on_its_snapshot():
    """The bench's limit peer copies the World's arrays a projection call reads, for its (stacked, repeated)
    rows: replayed after the run, the call gives what it gave in the run."""
    from wargame.bench.peers import limit
    from wargame.kernels.projection import projection_fronts

    class Keep(limit.Recorder):
        outs: list = []

        def __call__(self, fn, *a, **k):
            self.outs.append(super().__call__(fn, *a, **k))
            return self.outs[-1]

    rec = Keep()
    events.run_batch(World(_scenario("hand", hand_built(3)), 4, np.arange(30, dtype=np.int64)), rec)
    pairs = [(f(*a, **k), out) for (f, a, k), out in zip(rec.log, rec.outs) if f is projection_fronts]
    assert pairs and max(out.shape[1] for _, out in pairs) > 30  # stacked cases: rows come more than once
    assert all(again.tobytes() == out.tobytes() for again, out in pairs)
