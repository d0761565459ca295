"""Validation refuses what would make a run meaningless, in one line and before anything runs.

Non-finite numbers, booleans and strings as numbers, overflowing values, inverted ranges, steps
too small to finish, ids that are not plain identifiers, deep nesting and huge values: through
``wargame validate`` / ``run`` / ``sweep`` (exit 2, one line, no traceback, nothing written),
through ``scenario.load`` (``--set`` goes the same way), and through injects, scheduled or typed.
"""

import pytest

from conftest import CONFIGS, cli
from wargame.model import injects, scenario
from wargame.model.scenario import DOCTRINES, ScenarioError

DUEL = CONFIGS / "duel.toml"
LETH = "fronts.land.attacker_lethality"


def refused(name, overrides) -> str:
    """The one line ``scenario.load`` refuses a scenario with."""
    with pytest.raises(ScenarioError) as e:
        scenario.load(name, overrides)
    assert len(e.value.lines) == 1, e.value.lines
    assert "\n" not in e.value.lines[0] and len(e.value.lines[0]) < 400
    return e.value.lines[0]


# (overrides, expected tail of the line)
CASES = [
    ([(LETH, "nan")], f"{LETH} = nan: expected a finite number"),
    ([(LETH, "inf")], f"{LETH} = inf: expected a finite number"),
    ([(LETH, "-inf")], f"{LETH} = -inf: expected a finite number"),
    ([(LETH, "true")], f"{LETH} = True: expected a number, got a boolean"),
    ([(LETH, '"6e4"')], f"{LETH} = '6e4': expected a number, got a string"),
    ([(LETH, "1e300")], f"{LETH} = 1e+300: must be between -1e+12 and 1e+12"),
    ([(LETH, "1" + "0" * 400)], "... (401 characters): must be between -1e+12 and 1e+12"),
    ([(LETH, '{dist="uniform", low=0, high=nan}')], f"{LETH}.high = nan: expected a finite number"),
    ([(LETH, '{dist="normal", mean=1, sd=inf, low=0}')], f"{LETH}.sd = inf: expected a finite number"),
    ([(LETH, '{dist="pert", low=0, mode=nan, high=1}')], f"{LETH}.mode = nan: expected a finite number"),
    ([(LETH, '{dist="fixed", value=true}')], f"{LETH}.value = True: expected a number, got a boolean"),
    ([(LETH, '{dist="uniform", low=2, high=1}')], "low (2.0) must be <= high (1.0)"),
    ([(LETH, '{dist="triangular", low=0, mode=3, high=1}')], "needs low <= mode <= high"),
    ([(LETH, '{dist="normal", mean=1, sd=0, low=0}')], f"{LETH}.sd = 0: must be > 0"),
    ([("states.RED.forces.ground.manpower", "1e11")], "manpower = 100000000000.0: must be <= 1e+10"),
    ([("doctrine.power_weight", "10")], "doctrine.power_weight = 10: must be <= 3"),
    ([("doctrine.loss_weight", "1e6")], "doctrine.loss_weight = 1000000.0: must be <= 1000"),
    ([("doctrine.severity", "[0.1, nan, 0.6, 1]")], "doctrine.severity[1] = nan: expected a finite number"),
    ([("scenario.step_days", "1e-6")], "scenario.step_days = 1e-06: must be >= 0.01"),
    ([("scenario.horizon_days", "3650"), ("scenario.step_days", "0.1")],
     "scenario.step_days = 0.1: 3650 days would take 36500 steps; at most 20000"),
    ([("scenario.horizon_days", "nan")], "scenario.horizon_days = nan: expected a finite number"),
    ([("scenario.default_runs", "true")], "scenario.default_runs = True: expected a whole number, got a boolean"),
    ([("raids", '[{day=1, attacker="BLUE", target="RED", weapons={}, repeat=true}]')],
     "raids[0].repeat = True: expected a whole number, got a boolean"),
    ([("injects", '[{day=nan, text="x"}]')], "injects[0].day = nan: expected a finite number"),
    ([("injects", f'[{{day=1, text="x", effects=[{{target="{LETH}", value=inf}}]}}]')],
     "injects[0].effects[0].value = inf: expected a finite number"),
    ([("injects", f'[{{day=1, text="x", effects=[{{target="{LETH}", value=true}}]}}]')],
     "injects[0].effects[0].value = True: expected a number, got a boolean"),
    ([("injects", f'[{{day=1, text="x", effects=[{{target="{LETH}", value=2, days=inf}}]}}]')],
     "injects[0].effects[0].days = inf: expected a finite number"),
    ([(LETH, "[" + "1," * 100000 + "]")], "... (100000 items): expected a number or a distribution table"),
    ([("scenario.attacker", '"' + "x" * 100000 + '"')], "... (100002 characters): not a state of this scenario"),
    ([("fronts.land.deep", "[" * 40 + "]" * 40)], "nested more than 32 levels of tables and lists deep"),
    ([("fronts.land.deep", "[" * 1000 + "]" * 1000)], "nested too deep"),
]


@pytest.mark.parametrize("overrides, tail", CASES, ids=[str(i) for i in range(len(CASES))])
def test_load_refuses_in_one_line(overrides, tail):
    line = refused(DUEL, overrides)
    assert line.startswith(f"{DUEL}: ")
    assert tail in line


@pytest.mark.parametrize("key", ['"BL/UE"', '""', '"A.B"', '"\\u0000"', '"x y"', '"' + "A" * 33 + '"', "1ABC"])
def test_ids_must_be_plain_identifiers(tmp_path, key):
    text = DUEL.read_text().replace("[states.BLUE", f"[states.{key}")
    with pytest.raises(ScenarioError) as e:
        scenario.loads(text, "bad.toml")
    assert e.value.lines[0].startswith("bad.toml: states.'")
    assert "expected a plain identifier" in e.value.lines[0]
    for table, text in [("weapons", '[weapons."a-b"]\n'), ("fronts", '[fronts."x.y"]\n')]:
        with pytest.raises(ScenarioError) as e:
            scenario.loads(DUEL.read_text() + text, "bad.toml")
        assert any(line.startswith(f"bad.toml: {table}.'") and "plain identifier" in line for line in e.value.lines)


def test_a_file_nested_1000_lists_deep_is_one_line():
    with pytest.raises(ScenarioError) as e:
        scenario.loads(DUEL.read_text() + "\ndeep = " + "[" * 1000 + "]" * 1000 + "\n", "deep.toml")
    assert e.value.lines == ["deep.toml: nested too deep (at most 32 levels of tables and lists)"]


def test_integers_stay_fine_where_floats_are_expected():
    sc = scenario.load(DUEL, [(LETH, "1"), ("scenario.step_days", "2")]).scenario
    assert sc.fronts["land"].attacker_lethality == 1.0 and isinstance(sc.fronts["land"].attacker_lethality, float)
    assert sc.scenario.step_days == 2.0


def test_history_may_say_never_with_inf_but_not_nan():
    sc = scenario.load("ukraine_2022").scenario
    assert any(h.value == float("inf") for h in sc.case.history)
    line = refused("ukraine_2022", [("case.history", '[{metric="war_ongoing", value=nan, source="x"}]')])
    assert "case.history[0].value = nan: expected a finite number" in line


def test_system_growth_that_overflows_is_refused():
    line = refused("earth", [("system.growth_mean", "0.5"), ("scenario.horizon_years", "2000")])
    assert "would overflow" in line and "lower growth_mean or scenario.horizon_years" in line
    assert "system.growth_mean = nan: expected a finite number" in refused("earth", [("system.growth_mean", "nan")])
    assert "expected a whole number, got a boolean" in refused("earth", [("scenario.horizon_years", "true")])


@pytest.mark.parametrize("text, message", [
    (f"{LETH} *nan", f"{LETH} = nan: expected a non-negative number"),
    (f"{LETH} =inf", f"{LETH} = inf: expected a non-negative number"),
    (f"{LETH} *1e400", f"{LETH} = inf: expected a non-negative number"),
    (f"{LETH} *1e13", f"{LETH} = 10000000000000.0: expected a non-negative number (finite, at most 1e+12)"),
    (f"{LETH} *2 for nan days", "'nan': expected a number of days in (0, 3650]"),
    (f"{LETH} *2 for inf days", "'inf': expected a number of days in (0, 3650]"),
])
def test_typed_injects_refuse_non_finite_values(text, message):
    try:
        item = injects.parse_typed(text, 3)
    except ValueError as e:
        why = str(e)
    else:
        why = injects.check(item, ["BLUE", "RED"], ["land"], DOCTRINES)
    assert why is not None and message in why


def test_every_shipped_config_still_validates():
    files = sorted(CONFIGS.glob("*.toml"))
    p = cli("validate", *files)
    assert p.returncode == 0, p.stderr
    assert p.stdout.count(": ok") == len(files)


# Through the CLI: exit 2, one line on stderr, no traceback, nothing written.
@pytest.mark.parametrize("args, message", [
    (["validate", "BAD"], "fronts.land.attacker_lethality = nan: expected a finite number"),
    (["run", "BAD", "--runs", "4", "--out", "OUT"], "fronts.land.attacker_lethality = nan: expected a finite number"),
    (["run", "taiwan_strait", "--runs", "4", "--out", "OUT", "--set", "states.JPN.forces.naval.manpower=inf"],
     "states.JPN.forces.naval.manpower = inf: expected a finite number"),
    (["run", "ukraine_2022", "--runs", "4", "--out", "OUT", "--set", "states.RUS.forces.ground.manpower=1e308"],
     "states.RUS.forces.ground.manpower = 1e+308: must be between"),
    (["run", "duel", "--runs", "4", "--out", "OUT", "--set", "scenario.step_days=1e-6"],
     "scenario.step_days = 1e-06: must be >= 0.01"),
    (["run", "duel", "--runs", "4", "--out", "OUT", "--set", f"{LETH}=true"], "expected a number, got a boolean"),
    (["run", "IDS", "--runs", "4", "--out", "OUT"], "states.'BL/UE': expected a plain identifier"),
    (["validate", "DEEP"], "nested too deep"),
    (["sweep", "duel", "--runs", "4", "--out", "OUT", "--vary", f"{LETH}=0.01,nan"],
     f"{LETH} = nan: expected a finite number"),
])
def test_cli_refuses_in_one_line_and_writes_nothing(tmp_path, args, message):
    text = DUEL.read_text()
    (tmp_path / "bad.toml").write_text(text.replace("attacker_lethality = 0.01", "attacker_lethality = nan"))
    (tmp_path / "ids.toml").write_text(text.replace('"BLUE"', '"BL/UE"').replace("[states.BLUE", '[states."BL/UE"'))
    (tmp_path / "deep.toml").write_text(text + "\ndeep = " + "[" * 1000 + "]" * 1000 + "\n")
    names = {"BAD": "bad.toml", "IDS": "ids.toml", "DEEP": "deep.toml", "OUT": "out.h5"}
    before = set(tmp_path.iterdir())
    p = cli(*[tmp_path / names[a] if a in names else a for a in args], cwd=tmp_path)
    assert p.returncode == 2, p.stderr
    assert message in p.stderr
    assert "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert len(p.stderr) < 500
    assert set(tmp_path.iterdir()) == before  # no .h5, no .parts
