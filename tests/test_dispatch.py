"""Dispatch policy as pure functions with a fake clock: mode by calendar, idle choice, grab pool, fallback."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from models.clock import BUSINESS_TZ
from models.dispatch import (
    ConsultantState,
    Decision,
    DispatchMode,
    DispatchRules,
    FallbackStep,
    GrabOffer,
    OfficeCalendar,
    StaffStatus,
    after_unclaimed,
    choose_consultant,
    is_idle,
    route_lead,
)
from models.rules import load_rules

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=BUSINESS_TZ)  # a Friday
RULES = DispatchRules()
ON = StaffStatus.ON_DUTY


def c(i, minutes_since_follow_up=None, assigned_minutes_ago=None, status=ON, open_leads=0):
    """A consultant whose last follow-up and assignment were that many minutes ago."""
    fu = NOW - timedelta(minutes=minutes_since_follow_up) if minutes_since_follow_up is not None else None
    asg = NOW - timedelta(minutes=assigned_minutes_ago) if assigned_minutes_ago is not None else None
    return ConsultantState(i, f"顾问{i}", status, fu, asg, open_leads)


def test_idle_is_strictly_more_than_the_window_since_the_last_follow_up():
    assert not is_idle(c(1, 29), NOW, RULES)
    assert is_idle(c(1, 30), NOW, RULES)
    assert is_idle(c(1, 31), NOW, RULES)
    assert is_idle(c(1), NOW, RULES)  # no follow-up yet today
    assert not is_idle(c(1, 90, status=StaffStatus.PAUSED), NOW, RULES)


def test_weekday_picks_the_least_recently_assigned_idle_consultant_and_says_why():
    team = [c(1, 45, assigned_minutes_ago=10), c(2, 47, assigned_minutes_ago=50), c(3, 5, assigned_minutes_ago=120)]
    decision = choose_consultant(team, NOW, RULES)
    assert decision.staff_id == 2 and decision.idle
    assert decision.reason.text("en") == "顾问2 idle 47 min; least recent assignment among idle"
    assert "空闲 47 分钟" in decision.reason.text()


def test_ties_on_assignment_go_to_fewer_open_leads_and_never_assigned_goes_first():
    assert choose_consultant([c(1, 40, 30, open_leads=3), c(2, 40, 30, open_leads=1)], NOW, RULES).staff_id == 2
    assert choose_consultant([c(1, 40, 5), c(2, 40)], NOW, RULES).staff_id == 2


def test_nobody_idle_goes_to_the_one_idle_soonest_and_says_so():
    decision = choose_consultant([c(1, 5), c(2, 25), c(3, 10)], NOW, RULES)
    assert decision.staff_id == 2 and not decision.idle
    assert "最快空闲" in decision.reason.text() and "6 分钟" in decision.reason.text()


def test_nobody_on_duty_means_no_choice():
    decision = choose_consultant([c(1, status=StaffStatus.OFF), c(2, status=StaffStatus.PAUSED)], NOW, RULES)
    assert decision == Decision(None, decision.reason) and decision.reason.code == "dispatch_nobody_on_duty"


def test_calendar_weekday_weekend_holiday_and_make_up_workday():
    cal = load_rules().calendar
    assert cal.mode(NOW) is DispatchMode.AUTO
    assert cal.mode(datetime(2026, 11, 21, 10, tzinfo=BUSINESS_TZ)) is DispatchMode.GRAB  # Saturday
    assert cal.mode(datetime(2026, 10, 1, 10, tzinfo=BUSINESS_TZ)) is DispatchMode.GRAB  # National Day, Thursday
    assert cal.mode(datetime(2026, 10, 10, 10, tzinfo=BUSINESS_TZ)) is DispatchMode.AUTO  # make-up Saturday
    # the business day is Asia/Shanghai's: Friday 16:30 UTC is already Saturday 00:30 in the office
    assert cal.mode(datetime(2026, 11, 20, 15, 59, tzinfo=UTC)) is DispatchMode.AUTO
    assert cal.mode(datetime(2026, 11, 20, 16, 30, tzinfo=UTC)) is DispatchMode.GRAB


def test_weekend_routes_to_a_grab_round_for_everyone_on_duty():
    sat = datetime(2026, 11, 21, 10, 0, tzinfo=BUSINESS_TZ)
    team = [c(1), c(2), c(3, status=StaffStatus.OFF)]
    route = route_lead(team, sat, RULES, OfficeCalendar())
    assert route.mode is DispatchMode.GRAB and route.decision is None
    assert route.offer.staff_ids == (1, 2) and route.offer.deadline == sat + timedelta(seconds=15)


def test_returning_customer_goes_back_to_the_owner_on_any_day():
    sat = datetime(2026, 11, 21, 10, 0, tzinfo=BUSINESS_TZ)
    owner = c(3, 2)
    route = route_lead([c(1), c(2), owner], sat, RULES, OfficeCalendar(), owner=owner)
    assert route.decision.staff_id == 3 and route.decision.reason.code == "dispatch_returning"
    off = c(3, status=StaffStatus.OFF)
    assert route_lead([c(1), off], NOW, RULES, OfficeCalendar(), owner=off).decision.staff_id == 1


def test_fallback_chain_reoffers_then_assigns_then_goes_to_the_manager():
    team = [c(1, 50), c(2, 40)]
    step, nxt = after_unclaimed(1, team, NOW, RULES)
    assert step is FallbackStep.REOFFER and isinstance(nxt, GrabOffer) and nxt.reason.params["attempt"] == 2
    step, nxt = after_unclaimed(2, team, NOW, RULES)
    assert step is FallbackStep.ASSIGN and nxt.staff_id == 1
    step, nxt = after_unclaimed(3, team, NOW, RULES)
    assert step is FallbackStep.MANAGER and nxt.staff_id is None
    nobody = [c(1, status=StaffStatus.OFF)]
    assert after_unclaimed(1, nobody, NOW, RULES)[0] is FallbackStep.MANAGER


def test_rules_file_configures_dispatch_and_calendar(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text(
        '[dispatch]\nidle_minutes = 20\ngrab_seconds = 30\ngrab_fallback = ["assign"]\n'
        '[calendar]\nauto_assign_weekdays = [1,2,3,4,5,6]\nholidays = ["2027-01-01"]\nworkdays = []\n',
        encoding="utf-8",
    )
    rules = load_rules(path)
    assert rules.dispatch == DispatchRules(20, 30, (FallbackStep.ASSIGN,))
    assert rules.calendar.holidays == frozenset({date(2027, 1, 1)})
    assert rules.calendar.mode(datetime(2026, 11, 21, 10, tzinfo=BUSINESS_TZ)) is DispatchMode.AUTO


def test_bad_dispatch_rules_name_the_key(tmp_path):
    import pytest

    from models.rules import RulesError

    for text, needle in [
        ('[dispatch]\ngrab_fallback = ["pray"]\n', "grab_fallback"),
        ("[dispatch]\ngrab_seconds = 0\n", "grab_seconds"),
        ('[calendar]\nholidays = ["2026-13-01"]\n', "2026-13-01"),
        ("[calendar]\nauto_assign_weekdays = [0]\n", "auto_assign_weekdays"),
        ('[calendar]\nholidays = ["2026-10-10"]\nworkdays = ["2026-10-10"]\n', "both"),
    ]:
        path = tmp_path / "r.toml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(RulesError, match=needle):
            load_rules(path)
