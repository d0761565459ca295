"""Aid short of war and sanctions (docs/model.md §10): deliveries worked by hand, money, sanctions,
the aid policies, the results columns and the summary, and bad input."""

import h5py
import numpy as np
import pytest

from conftest import CONFIGS, cli, run_memory
from wargame.crisis.combat import KernelClock
from wargame.crisis.events import run_batch
from wargame.crisis.world import World
from wargame.model import scenario

DUEL = CONFIGS / "duel.toml"
GREEN = '''
[states.GREEN]
name = "Green"
doctrine = "buck_passing"
casualty_tolerance = 0.2
forces.ground = { manpower = 50000 }
interests = { RED = 0.5 }
'''
ARMS = '''
[[aid]]
supplier = "GREEN"
recipient = "RED"
kind = "arms"
per_day = 1000
delay_days = 3
stock = 2500
'''


def _world(extra, horizon, more=(), reps=2):
    sc = scenario.loads(DUEL.read_text() + GREEN + extra, "duel.toml",
                        [("scenario.horizon_days", repr(horizon)), ("scenario.stochastic", "false"), *more]).scenario
    w = World(sc, 3, np.arange(reps))
    run_batch(w, KernelClock())
    return w


def test_arms_are_delivered_after_the_delay_and_the_stock_runs_down_to_zero():
    # GREEN (buck_passing, stake 0.5) decides to aid at the war's first decision point, day 0. It ships
    # 1,000 on days 1 and 2 and the last 500 of its 2,500 on day 3; each arrives 3 days later.
    for horizon, delivered in ((3, 0.0), (4, 1000.0), (5, 2000.0), (6, 2500.0), (12, 2500.0)):
        w = _world(ARMS, horizon)
        np.testing.assert_array_equal(w.aid_delivered[:, 0], delivered)
        assert (w.aid_stock >= 0).all()
    np.testing.assert_array_equal(w.aid_stock[:, 0], 0.0)
    np.testing.assert_array_equal(w.aid_shipped[:, 0], 2500.0)
    # All of it went to RED's fronts (commit 1.0): committed grows by exactly the delivery.
    base = _world(ARMS.replace("stock = 2500", "stock = 0"), 12)
    np.testing.assert_array_equal(w.committed[:, 1, 0] - base.committed[:, 1, 0], 2500.0)


def test_interdicted_share_is_lost_on_the_way_whatever_the_enemys_missiles():
    # A non-strike loss (sabotage, accidents): 40 % of every shipment, with or without BLUE's missiles.
    more = [("states.BLUE.strike", "{ reach_km = 0, missiles_per_day = 0, inventory = 100 }")]
    for extra in (more, []):
        w = _world(ARMS + "interdicted_share = 0.4\n", 12, more=extra)
        np.testing.assert_allclose(w.aid_lost[:, 0], 0.4 * 2500)
        np.testing.assert_allclose(w.aid_delivered[:, 0], 0.6 * 2500)


def test_production_refills_the_stock_and_a_never_state_gives_nothing():
    w = _world(ARMS.replace("stock = 2500", "stock = 0\nproduction_per_day = 100"), 10)
    np.testing.assert_allclose(w.aid_shipped[:, 0], 100.0 * 10)  # production 100 a day, all shipped at once
    np.testing.assert_allclose(w.aid_delivered[:, 0], 100.0 * 7)  # the last 3 days are still on the way
    never = _world(ARMS, 10, more=[("states.GREEN.doctrine", '"never"')])
    assert not never.aiding.any() and (never.aid_delivered == 0).all()


def test_a_look_ahead_copy_carries_what_is_on_the_way():
    from wargame.crisis import clock as clock_
    from wargame.crisis.events import run_from, start
    from wargame.model.log import Log

    sc = scenario.loads(DUEL.read_text() + GREEN + ARMS, "duel.toml", [("scenario.horizon_days", "12"),
                                                                      ("scenario.stochastic", "false")]).scenario
    w = World(sc, 3, np.arange(1))
    env = clock_.GridEnvironment(w.dt)
    start(env, w, Log(w.reps), KernelClock())
    env.run(until=4.5)  # paused after the step ending on day 4
    assert w.last_daily == 4.0 and w.aid_delivered[0, 0] == 1000.0 and w.aid_pipe.sum() == 1500.0
    c = w.copies(3, 100)
    run_from(c, 4.0, KernelClock())
    np.testing.assert_array_equal(c.aid_delivered[:, 0], 2500.0)
    np.testing.assert_array_equal(c.aid_stock[:, 0], 0.0)


MOB = [("states.RED.mobilisation", "{ reserve = 50000, rate_per_day = 100, delay_days = 0 }")]
MONEY = '''
[[aid]]
supplier = "GREEN"
recipient = "RED"
kind = "money"
per_day = 10
personnel_per_musd = 5
'''


def test_money_raises_the_recipients_mobilisation_rate():
    # 10 USD M a day x 5 reservists per USD M = 50 more a day on top of RED's 100 (quality 1, 1 cp each).
    w = _world(MONEY, 8, more=MOB)
    base = _world(MONEY.replace("per_day = 10", "per_day = 0"), 8, more=MOB)
    called = w.reserve[:, 1] - w.reserve_left[:, 1]
    np.testing.assert_allclose(called, 150.0 * 8)
    np.testing.assert_allclose(base.reserve[:, 1] - base.reserve_left[:, 1], 100.0 * 8)


SANCTION = '''
[[sanctions]]
sanctioner = "GREEN"
target = "BLUE"
start_day = 2
trade_cut = 0.5
wear_per_day = 0.1
'''


def test_sanctions_cost_both_sides_by_their_exposure_and_wear_the_target_down():
    more = [("states.BLUE.trade", "{ GREEN = 0.2 }"), ("states.GREEN.trade", "{ BLUE = 0.04 }"),
            ("states.BLUE.mobilisation", "{ reserve = 50000, rate_per_day = 100, delay_days = 0 }")]
    w = _world(SANCTION, 10, more=more)
    # Active from day 2 for the steps ending at days 2..10: 9 days.
    np.testing.assert_allclose(w.sanction_cost[:, 0], 0.5 * 0.2 * 9 / 365)
    np.testing.assert_allclose(w.sanction_cost[:, 2], 0.5 * 0.04 * 9 / 365)
    np.testing.assert_allclose(w.trade[:, 0, 2], 0.1)
    np.testing.assert_allclose(w.trade[:, 2, 0], 0.02)
    # Sustainment: 1 - 0.1 x (0.5 x 0.2) x days since day 2, on BLUE's call-up of 100 a day.
    days = np.arange(1, 11)
    factor = np.where(days >= 2, 1.0 - 0.1 * 0.1 * np.maximum(days - 2, 0), 1.0)
    np.testing.assert_allclose(w.reserve[:, 0] - w.reserve_left[:, 0], (100.0 * factor).sum())


def test_aid_only_never_intervenes_and_aid_then_intervene_waits_until_the_side_is_losing():
    tw = CONFIGS / "taiwan_strait.toml"
    arms = {p: run_memory(tw, 60, batch_size=30, overrides=[("states.USA.aid_policy", p)])
            for p in ("aid_only", "aid_then_intervene", "intervene_only")}
    usa = 2
    assert not arms["aid_only"]["states"]["intervened"][:, usa].any()
    assert arms["intervene_only"]["states"]["intervened"][:, usa].any()
    assert (arms["intervene_only"]["states"]["aid_delivered"][:, usa] == 0).all()
    assert (arms["aid_only"]["states"]["aid_delivered"][:, usa] > 0).any()
    # aid_then_intervene: every US intervention was decided with the defender's survival below the threshold
    d = arms["aid_then_intervene"]["decisions"]
    joined = d[(d["state"] == usa) & (d["action"] == 1)]
    assert joined.size and (joined["p_without"] < 0.5).all()


def test_same_bits_whatever_the_batch_size():
    a = run_memory(CONFIGS / "ukraine_2022.toml", 24, batch_size=24, overrides=[("states.USA.doctrine", '"buck_passing"')])
    b = run_memory(CONFIGS / "ukraine_2022.toml", 24, batch_size=5, overrides=[("states.USA.doctrine", '"buck_passing"')])
    assert (a["states"]["aid_delivered"] > 0).any()
    for k in ("aid_delivered", "aid_day", "sanction_cost"):
        np.testing.assert_array_equal(a["states"][k], b["states"][k])


def test_results_file_and_summary_show_aid_by_supplier_and_kind(tmp_path):
    cfg = tmp_path / "aid.toml"
    cfg.write_text(DUEL.read_text() + GREEN + ARMS)
    out = tmp_path / "aid.h5"
    p = cli("run", cfg, "--runs", "20", "--out", out)
    assert p.returncode == 0, p.stderr
    with h5py.File(out) as f:
        got = f["states/aid_delivered"][:]
    assert got.shape == (20, 3, 3, 5)
    np.testing.assert_array_equal(got[:, 2, 1, 0], 2500.0)  # GREEN -> RED, arms
    assert got.sum() == got[:, 2, 1, 0].sum()
    s = cli("summary", out)
    assert s.returncode == 0 and "GREEN -> RED   arms" in s.stdout and "2,500 [2,500, 2,500]" in s.stdout, s.stdout
    r = cli("report", out, "--out", tmp_path / "aid.html")
    assert r.returncode == 0 and "Aid delivered by supplier and kind" in (tmp_path / "aid.html").read_text()


@pytest.mark.parametrize("entry, message", [
    ('[[aid]]\nsupplier = "PINK"\nrecipient = "RED"\nkind = "arms"\nper_day = 1', "aid[0].supplier = 'PINK': not a state"),
    ('[[aid]]\nsupplier = "GREEN"\nrecipient = "GREEN"\nkind = "arms"\nper_day = 1', "aid[0].recipient = 'GREEN': expected the attacker or the defender"),
    ('[[aid]]\nsupplier = "GREEN"\nrecipient = "RED"\nkind = "arms"', "aid[0].per_day: missing"),
    ('[[aid]]\nsupplier = "GREEN"\nrecipient = "RED"\nkind = "tanks"\nper_day = 1', "aid[0].kind"),
    ('[[aid]]\nsupplier = "GREEN"\nrecipient = "RED"\nkind = "arms"\nper_day = -1', "aid[0].per_day = -1: must be >= 0"),
    ('[[aid]]\nsupplier = "GREEN"\nrecipient = "RED"\nkind = "arms"\nper_day = 1\nfront = "sea"', "aid[0].front = 'sea'"),
    ('[[aid]]\nsupplier = "GREEN"\nrecipient = "RED"\nkind = "arms"\nper_day = 1\ndelay_days = 400', "aid[0].delay_days = 400"),
    ('[[aid]]\nsupplier = "GREEN"\nrecipient = "RED"\nkind = "money"\nper_day = 1', "aid[0].personnel_per_musd"),
    ('[[aid]]\nsupplier = "GREEN"\nrecipient = "RED"\nkind = "intelligence"', "aid[0].lethality_gain: missing"),
    ('[[aid]]\nsupplier = "GREEN"\nrecipient = "RED"\nkind = "intelligence"\nlethality_gain = 2', "aid[0].lethality_gain = 2"),
    ('[[aid]]\nsupplier = "GREEN"\nrecipient = "RED"\nkind = "interceptors"\nper_day = 1', "interceptors need"),
    ('[[aid]]\nsupplier = "GREEN"\nrecipient = "RED"\nkind = "munitions"\nper_day = 1', "munitions need"),
    ('[[aid]]\nsupplier = "GREEN"\nrecipient = "RED"\nkind = "arms"\nper_day = 1\ninterdicted_share = 1.2', "aid[0].interdicted_share = 1.2"),
    ('[[sanctions]]\nsanctioner = "GREEN"\ntarget = "PINK"\ntrade_cut = 0.5', "sanctions[0].target = 'PINK'"),
    ('[[sanctions]]\nsanctioner = "GREEN"\ntarget = "BLUE"\ntrade_cut = 1.5', "sanctions[0].trade_cut = 1.5"),
    ('[[sanctions]]\nsanctioner = "GREEN"\ntarget = "BLUE"', "sanctions[0].trade_cut"),
])
def test_bad_aid_is_a_one_line_error(tmp_path, entry, message):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(DUEL.read_text() + GREEN + "\n" + entry + "\n")
    p = cli("validate", cfg)
    assert p.returncode == 2 and message in p.stderr and "Traceback" not in p.stderr, p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and str(cfg) in p.stderr


def test_bad_aid_policy_is_a_one_line_error(tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(DUEL.read_text() + GREEN.replace('doctrine = "buck_passing"', 'aid_policy = "sometimes"'))
    p = cli("validate", cfg)
    assert p.returncode == 2 and "states.GREEN.aid_policy" in p.stderr and "aid_only" in p.stderr, p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and str(cfg) in p.stderr


# ---- the aid actually given (given = "scheduled") and strikes against suppliers (§10.6)
NEVER = [("states.GREEN.doctrine", '"never"')]
FLOW = ARMS.replace("per_day = 1000", "per_day = 100").replace("delay_days = 3", "delay_days = 5").replace(
    "stock = 2500", "stock = 100000")
STRIKER = [("states.BLUE.strike", "{ reach_km = 1000, missiles_per_day = 10, inventory = 1000, "
            "escalation_propensity = 1 }"), ("doctrine.aid_retaliation_share", "1")]


def test_a_scheduled_flow_delivers_when_the_doctrine_would_refuse_and_decided_keeps_the_decision():
    sched = _world(ARMS + 'given = "scheduled"\n', 12, more=NEVER)
    np.testing.assert_array_equal(sched.aid_delivered[:, 0], 2500.0)
    assert not sched.aiding.any()  # no decision was taken: the entry is the record
    decided = _world(ARMS + 'given = "decided"\n', 12, more=NEVER)
    assert (decided.aid_delivered == 0).all()
    default = _world(ARMS, 12)  # decided by default: GREEN (buck_passing, stake 0.5) decides to aid
    assert default.aiding.all() and (default.aid_delivered[:, 0] == 2500.0).all()


def test_a_strike_on_deliveries_destroys_arms_per_leaker_never_more_than_is_in_transit():
    from wargame.crisis import deliveries

    w = _world(FLOW + 'given = "scheduled"\n', 3, more=NEVER + STRIKER)
    rows = np.arange(w.R)
    w.aid_pipe[:] = 0.0
    w.aid_pipe[:, 0, 1], w.aid_pipe[:, 0, 2] = 300.0, 100.0  # 400 cp in transit
    lost0 = w.aid_lost[:, 0].copy()
    w.doc["arms_per_leaker"][:] = 30.0
    got = deliveries.strike(w, rows, 0, 2, np.full(w.R, 5.0))  # 5 leakers x 30 cp = 150 cp
    np.testing.assert_allclose(got, 150.0)
    np.testing.assert_allclose(w.aid_pipe[:, 0, 1], 300.0 * 250 / 400)  # taken in proportion from each shipment
    np.testing.assert_allclose(w.aid_pipe[:, 0, 2], 100.0 * 250 / 400)
    got = deliveries.strike(w, rows, 0, 2, np.full(w.R, 50.0))  # 1,500 cp of leakers at 250 cp on the way
    np.testing.assert_allclose(got, 250.0)
    np.testing.assert_allclose(w.aid_pipe.sum(axis=(1, 2)), 0.0)
    np.testing.assert_allclose(w.aid_lost[:, 0] - lost0, 400.0)


def test_the_attacker_climbs_against_a_supplier_spending_missiles_on_its_deliveries():
    from wargame.crisis.strikes import AID, DAYS, FIRED

    w = _world(FLOW + 'given = "scheduled"\n', 13, more=NEVER + STRIKER)
    blue, green = 0, 2
    assert (w.rung[:, blue, green] == 1).all()  # climbed at day 7 (aid flowing), not yet again at day 14
    rec = w.strike_record[:, blue, green]
    assert (rec[:, DAYS] > 0).all()
    np.testing.assert_allclose(rec[:, FIRED], 10.0 * rec[:, DAYS])  # 10 missiles a day of strikes, spent
    np.testing.assert_allclose(w.inventory_left[:, blue], 1000.0 - rec[:, FIRED])
    np.testing.assert_allclose(rec[:, AID], w.aid_lost[:, 0])  # every cp lost was struck (no interdicted_share)
    assert (rec[:, AID] > 0).all() and (rec[:, AID] <= 30.0 * rec[:, FIRED]).all()
    np.testing.assert_allclose(w.aid_shipped[:, 0], w.aid_delivered[:, 0] + w.aid_lost[:, 0] + w.aid_pipe[:, 0].sum(axis=1))
    assert not w.attacked[:, green].any()  # rung 1 (deliveries) does not attack its territory


def test_no_strikes_against_a_supplier_that_is_not_aiding():
    w = _world(FLOW, 13, more=NEVER + STRIKER)  # decided, and a never state does not decide to aid
    assert (w.rung[:, 0, 2] == 0).all() and (w.strike_record[:, 0, 2] == 0).all()


def test_a_supplier_struck_on_its_bases_is_attacked_and_fights_back():
    from wargame.crisis.escalation import next_rung, raise_rung, targets
    from wargame.model.log import Log

    more = [("states.GREEN.exposure", "{ theatre_km = 0, bases_km = 500, homeland_km = 5000 }")]
    w = _world(FLOW + 'given = "scheduled"\n', 13, more=NEVER + STRIKER + more)
    rows = np.arange(w.R)
    w.ended[:] = False
    assert targets(w, rows, 0, 2).all()
    np.testing.assert_array_equal(next_rung(w, rows, 0, 2, np.full(w.R, 1.0)), 2)  # homeland out of reach
    raise_rung(w, Log(w.reps), rows, 0, 2, np.full(w.R, 2), 14.0)
    assert w.attacked[:, 2].all()
    w.rung[:, 0, 2] = 3  # no nuclear rung against a supplier that is not fighting
    w.nuclear[0] = True
    np.testing.assert_array_equal(next_rung(w, rows, 0, 2, np.full(w.R, 1.0)), 5)


def test_the_supplier_weighs_the_rungs_the_ladder_can_climb_against_it():
    from wargame.crisis.aid_decision import supplier_retaliation
    from wargame.crisis.doctrines import severity_from

    more = [("states.GREEN.exposure", "{ theatre_km = 0, bases_km = 500, homeland_km = 5000 }")]
    w = _world(FLOW, 2, more=STRIKER + more + [("doctrine.aid_retaliation_share", "0.2")])
    rows = np.arange(w.R)
    w.nuclear[0] = True  # nuclear use is not a rung against a supplier: it adds nothing
    # BLUE reaches GREEN's deliveries and bases (rungs 1-2) with propensity 1: 0.2 x (0.1 + 0.3).
    np.testing.assert_allclose(supplier_retaliation(w, rows, 2, np.full(w.R, -1)), 0.2 * (0.1 + 0.3))
    np.testing.assert_allclose(severity_from(w, rows, 0, 2, top=3), 0.1 + 0.3)


@pytest.mark.parametrize("key, value, message", [
    ("given", '"sometimes"', "aid[0].given"),
    ("doctrine.arms_per_leaker", "-1", "doctrine.arms_per_leaker = -1"),
    ("doctrine.rounds_per_leaker", '"many"', "doctrine.rounds_per_leaker"),
])
def test_bad_supplier_strike_keys_are_one_line_errors(tmp_path, key, value, message):
    cfg = tmp_path / "bad.toml"
    body = DUEL.read_text() + GREEN + ARMS
    if key == "given":
        body += f"given = {value}\n"
    else:
        body = body.replace("[termination]", f"[doctrine]\n{key.split('.')[1]} = {value}\n\n[termination]")
    cfg.write_text(body)
    p = cli("validate", cfg)
    assert p.returncode == 2 and message in p.stderr and "Traceback" not in p.stderr, p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and str(cfg) in p.stderr


def test_an_aid_entry_is_overridden_by_its_key_path_and_a_missing_one_is_a_one_line_error(tmp_path):
    sc = scenario.loads(DUEL.read_text() + GREEN + ARMS, "duel.toml", [("aid[0].given", '"scheduled"')]).scenario
    assert sc.aid[0].given == "scheduled"
    cfg = tmp_path / "aid.toml"
    cfg.write_text(DUEL.read_text() + GREEN + ARMS)
    p = cli("run", cfg, "--runs", "2", "--set", "aid[3].given=decided", "--out", tmp_path / "x.h5")
    assert p.returncode == 2 and "'aid[3]' does not exist in the scenario" in p.stderr, p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and str(cfg) in p.stderr


def test_strikes_on_suppliers_give_the_same_bits_whatever_the_batch_size():
    a = run_memory(CONFIGS / "ukraine_2022.toml", 24, batch_size=24)
    b = run_memory(CONFIGS / "ukraine_2022.toml", 24, batch_size=7)
    assert a["states"]["strikes"][:, 0, 2:6, -1].sum() > 0  # Russia destroyed some suppliers' aid in transit
    for k in ("strikes", "aid_delivered", "aid_lost", "attacked"):
        np.testing.assert_array_equal(a["states"][k], b["states"][k])
