"""Mutated scenarios get a clean one-line refusal or a finite result: never a traceback or a hang.

Hypothesis takes a shipped config and applies one to three mutations: a number set to an edge
value (NaN, infinities, zero, negatives, tiny and huge magnitudes), a value of the wrong type
(boolean, string, list, table), a deleted key, a renamed id (``BL/UE``, ``""``, ``A.B``, a NUL,
a long name), a reference pointed elsewhere, or a value nested deep in lists. The text goes
through the loader as a file would; what validates is run for a few replications, whose
results must be finite (the batch check raises ``NonFiniteResult`` otherwise).

The budget fits CI (``--fuzz-examples``, default 40 per kind of scenario); pass a larger one
to search harder, e.g. ``pytest tests/test_fuzz_configs.py --fuzz-examples 2000``.
"""

from __future__ import annotations

import math
import signal
import tomllib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CONFIGS

tomli_w = pytest.importorskip("tomli_w", reason="the test extra installs tomli-w to write mutated scenarios")

SHIPPED = {p.stem: tomllib.loads(p.read_text()) for p in sorted(CONFIGS.glob("*.toml"))}
EDGE = [math.nan, math.inf, -math.inf, 0, 0.0, -1, -1e-300, 1e-300, 1e-9, 1e308, -1e308, 2**63, 2**64 + 1,
        True, False, "6e4", "", [], {}, [1, 2], {"dist": "uniform", "low": 2, "high": 1},
        {"dist": "normal", "mean": 1, "sd": math.inf}, {"dist": "pert", "low": 0, "mode": 5, "high": 1}]
BAD_IDS = ["BL/UE", "", "A.B", "\x00", "x" * 200, "ÄÖ", "1abc", "a b"]


def leaves(node, path=()):
    """Every (path, value) below a table or list, tables and lists included."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for k, v in items:
        yield path + (k,), v
        yield from leaves(v, path + (k,))


def parent(doc, path):
    for k in path[:-1]:
        doc = doc[k]
    return doc


@st.composite
def mutated(draw, names):
    name = draw(st.sampled_from(names))
    doc = tomllib.loads(tomli_w.dumps(SHIPPED[name]))  # a deep copy
    what = []
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p, _ in leaves(doc)]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        # Half the mutations keep a number valid but move it (scaled, or zero): those runs must be finite.
        op = draw(st.sampled_from(["scale", "scale", "scale", "edge", "delete", "rename", "reference", "nest"]))
        box = parent(doc, path)
        key = path[-1]
        if op == "scale":
            numbers = [p for p, v in leaves(doc) if isinstance(v, (int, float)) and not isinstance(v, bool)]
            if not numbers:
                continue
            path = draw(st.sampled_from(numbers))
            box, key = parent(doc, path), path[-1]
            box[key] = box[key] * draw(st.sampled_from([0, 0.1, 0.5, 2, 10]))
        elif op == "edge":
            box[key] = draw(st.sampled_from(EDGE))
        elif op == "delete":
            if isinstance(box, list):
                box.pop(key)
            else:
                del box[key]
        elif op == "rename" and isinstance(box, dict):
            box[draw(st.sampled_from(BAD_IDS))] = box.pop(key)
        elif op == "reference":
            ids = [k for k in doc.get("states", {})] + [k for k in doc.get("fronts", {})] + ["NOBODY"]
            box[key] = draw(st.sampled_from(ids))
        elif op == "nest":
            v = box[key]
            for _ in range(draw(st.sampled_from([2, 40, 400]))):
                v = [v]
            box[key] = v
        what.append(f"{op} {'.'.join(map(str, path))}")
    return name, doc, what


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang("the run took longer than its budget")


def check(name, doc, what):
    from wargame import kinds
    from wargame.errors import WargameError
    from wargame.execution.results import MemoryResults
    from wargame.model import scenario

    try:
        text = tomli_w.dumps(doc)
    except (TypeError, ValueError, RecursionError):
        return "unwritable"  # a value TOML cannot hold: nothing a user could write either
    try:
        loaded = scenario.loads(text, f"{name}.toml")
    except WargameError as e:
        lines = str(e).splitlines()
        assert lines and all(0 < len(line) < 1000 for line in lines), (what, str(e)[:2000])
        assert all(line.startswith(f"{name}.toml") for line in lines), (what, lines[:3])
        return "refused"
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(180)
    try:
        sink = MemoryResults()
        kinds.run(loaded, 6, seed=1, sink=sink, batch_size=6)  # NonFiniteResult if a number is NaN or inf
        res = sink.read()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert res["reps"].size == 6, what
    return "ran"


SETTINGS = dict(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


def test_mutated_crisis_scenarios(fuzz_examples):
    names = [n for n, d in SHIPPED.items() if d.get("kind", "crisis") == "crisis"]
    seen = {}

    @settings(max_examples=fuzz_examples, **SETTINGS)
    @given(mutated(names))
    def run(case):
        r = check(*case)
        seen[r] = seen.get(r, 0) + 1

    run()
    print(f"crisis mutations: {seen}")  # shown with -s: how many were refused, ran, or unwritable
    assert seen.get("refused", 0) > 0 and seen.get("ran", 0) > 0, seen  # both branches were exercised


def test_mutated_system_scenarios(fuzz_examples):
    names = [n for n, d in SHIPPED.items() if d.get("kind") == "system"]
    seen = {}

    @settings(max_examples=max(10, fuzz_examples // 2), **SETTINGS)
    @given(mutated(names))
    def run(case):
        name, doc, what = case
        if isinstance(doc.get("scenario"), dict):
            doc["scenario"]["horizon_years"] = 20  # short systems: the budget goes to variety
        r = check(name, doc, what)
        seen[r] = seen.get(r, 0) + 1

    run()
    print(f"system mutations: {seen}")
    assert seen.get("refused", 0) > 0 and seen.get("ran", 0) > 0, seen


@pytest.mark.parametrize("mutation, value", [
    (("fronts", "land", "attacker_lethality"), math.nan),
    (("fronts", "land", "attacker_lethality"), True),
    (("states", "BLUE", "forces", "ground", "manpower"), "6e4"),
    (("scenario", "step_days"), 1e-6),
])
def test_the_reproducers_are_refused(mutation, value):
    doc = tomllib.loads(tomli_w.dumps(SHIPPED["duel"]))
    parent(doc, mutation)[mutation[-1]] = value
    assert check("duel", doc, [str(mutation)]) == "refused"
