"""Alert rules as pure functions with a fake clock: each threshold just under and just over."""

from __future__ import annotations

from datetime import datetime, timedelta

from models.alerts import (
    AlertRules,
    Behaviour,
    CustomerWatch,
    Level,
    Rule,
    evaluate,
    to_resolve,
)
from models.clock import BUSINESS_TZ

T0 = datetime(2026, 11, 20, 10, 0, tzinfo=BUSINESS_TZ)
ALL_ON = AlertRules(red=True, yellow=True, blue=True)


def watch(last=None, behaviours=(), owner=1, assigned=T0):
    """An owned customer assigned at T0."""
    return CustomerWatch(7, owner, assigned, last, tuple(behaviours))


def view(i, minutes, dwell, path="/pages/price/index"):
    return Behaviour(i, "page_view", T0 + timedelta(minutes=minutes), page_path=path, dwell_s=dwell)


def vr(i, minutes, unit):
    return Behaviour(i, "vr_view", T0 + timedelta(minutes=minutes), unit_id=unit)


def test_red_just_under_and_just_over_48_hours():
    assert evaluate(watch(), T0 + timedelta(hours=48), ALL_ON) == []
    [alert] = evaluate(watch(), T0 + timedelta(hours=48, seconds=1), ALL_ON)
    assert alert.rule is Rule.NO_FOLLOW_UP and alert.level is Level.RED and alert.since == T0 + timedelta(hours=48)


def test_red_counts_from_the_last_follow_up_and_needs_an_owner():
    last = T0 + timedelta(hours=10)
    assert evaluate(watch(last=last), T0 + timedelta(hours=57), ALL_ON) == []
    assert evaluate(watch(last=last), T0 + timedelta(hours=58, seconds=1), ALL_ON)[0].evidence == {"hours": 48}
    assert evaluate(watch(owner=None), T0 + timedelta(days=9), ALL_ON) == []


def test_price_page_dwell_just_under_and_just_over_120_s():
    assert evaluate(watch(behaviours=[view(1, 5, 120)]), T0 + timedelta(hours=1), ALL_ON) == []
    [alert] = evaluate(watch(behaviours=[view(1, 5, 121)]), T0 + timedelta(hours=1), ALL_ON)
    assert alert.rule is Rule.PRICE_DWELL and alert.level is Level.YELLOW and alert.evidence["dwell_s"] == 121
    assert evaluate(watch(behaviours=[view(1, 5, 500, "/pages/home")]), T0 + timedelta(hours=1), ALL_ON) == []


def test_vr_three_in_a_row_of_the_same_unit():
    two = [vr(1, 1, "A-1203"), vr(2, 2, "A-1203")]
    assert evaluate(watch(behaviours=two), T0 + timedelta(hours=1), ALL_ON) == []
    broken = [*two, vr(3, 3, "B-0801"), vr(4, 4, "A-1203")]
    assert evaluate(watch(behaviours=broken), T0 + timedelta(hours=1), ALL_ON) == []
    [alert] = evaluate(watch(behaviours=[*two, vr(3, 3, "A-1203")]), T0 + timedelta(hours=1), ALL_ON)
    assert alert.rule is Rule.VR_REPEAT and alert.evidence["unit_id"] == "A-1203"


def test_blue_favourite_plan_and_switches_per_level():
    saved = [Behaviour(1, "favourite_plan", T0 + timedelta(minutes=3), plan_id="128-3R")]
    [alert] = evaluate(watch(behaviours=saved), T0 + timedelta(hours=1), ALL_ON)
    assert alert.level is Level.BLUE and alert.evidence["plan_id"] == "128-3R"
    red_only = AlertRules()  # the shipped default: start with red only
    everything = [*saved, view(2, 5, 300), vr(3, 6, "A"), vr(4, 7, "A"), vr(5, 8, "A")]
    assert evaluate(watch(behaviours=everything), T0 + timedelta(hours=1), red_only) == []
    assert len(evaluate(watch(behaviours=everything), T0 + timedelta(hours=1), ALL_ON)) == 3


def test_a_follow_up_resolves_what_came_before_it():
    signals = [view(1, 5, 300), Behaviour(2, "favourite_plan", T0 + timedelta(minutes=6), plan_id="p")]
    before = evaluate(watch(behaviours=signals), T0 + timedelta(hours=49), ALL_ON)
    assert {a.rule for a in before} == {Rule.NO_FOLLOW_UP, Rule.PRICE_DWELL, Rule.FAVOURITE_PLAN}
    after = evaluate(watch(last=T0 + timedelta(hours=49), behaviours=signals), T0 + timedelta(hours=49), ALL_ON)
    assert after == []
    assert to_resolve({a.key for a in before}, after) == {a.key for a in before}


def test_one_candidate_per_customer_and_rule():
    many = [view(i, i, 200 + i) for i in range(1, 6)]
    found = evaluate(watch(behaviours=many), T0 + timedelta(hours=1), ALL_ON)
    assert [a.key for a in found] == [(7, "price_dwell")]


def test_the_rules_file_switches_levels_and_names_bad_keys(tmp_path):
    import pytest

    from models.rules import RulesError, load_rules

    path = tmp_path / "rules.toml"
    path.write_text("[alerts]\nyellow = true\nred_hours = 24\n", encoding="utf-8")
    rules = load_rules(path).alerts
    assert rules.red and rules.yellow and not rules.blue and rules.red_hours == 24
    for text, needle in [
        ("[alerts]\nyellow = 1\n", "alerts.yellow"),
        ("[alerts]\nvr_repeat = 1\n", "alerts.vr_repeat"),
        ("[alerts]\nloud = true\n", "unknown key"),
        ("[alerts]\nprice_paths = []\n", "price_paths"),
    ]:
        path.write_text(text, encoding="utf-8")
        with pytest.raises(RulesError, match=needle):
            load_rules(path)
