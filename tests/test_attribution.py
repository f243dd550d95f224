"""Attribution as pure functions: contribution shares and 判客 under the protection rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from models.attribution import TouchRecord, contributions, first_contact, judge
from models.clock import BUSINESS_TZ
from models.leads import Channel, TouchKind
from models.rules import ProtectionRules, load_rules

RULES = ProtectionRules()
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=BUSINESS_TZ)
_ids = iter(range(1, 10_000))


def touch(channel, kind, minutes, agency=None, weight="0.4"):
    """A touch `minutes` after 09:00 on 2026-11-20."""
    i = next(_ids)
    names = {1: "链家", 2: "我爱我家"}
    return TouchRecord(
        i,
        i,
        Channel(channel),
        TouchKind(kind),
        T0 + timedelta(minutes=minutes),
        Decimal(weight),
        agency,
        names.get(agency, ""),
        10 + agency if agency else None,
        "经纪人" if agency else "",
    )


def test_first_contact_is_the_earliest_touch():
    a = touch("douyin", "online_lead", 0)
    b = touch("agency", "report", -30, agency=1)
    assert first_contact([a, b]) == b
    assert first_contact([]) is None


def test_agency_visit_wins_under_visit_decides():
    ts = [touch("douyin", "online_lead", 0), touch("agency", "accompanied_visit", 600, agency=1)]
    v = judge(ts, RULES, T0 + timedelta(days=1))
    assert v.owner == "agency" and v.agency_id == 1
    assert v.protected_until == ts[1].occurred_at + timedelta(days=30)


def test_walk_in_first_means_the_office_keeps_it():
    ts = [
        touch("douyin", "online_lead", 0),
        touch("walk_in", "walk_in", 60),
        touch("agency", "accompanied_visit", 600, agency=1),
    ]
    v = judge(ts, RULES, T0 + timedelta(days=1))
    assert v.owner == "own" and v.channel is Channel.DOUYIN
    assert v.reasons[0].code == "first_visit_walk_in"


def test_report_lead_time_just_under_and_just_over():
    required = replace(RULES, report_required=True)
    visit_at = 600
    for lead_minutes, expected in ((29, "own"), (30, "agency")):
        ts = [
            touch("agency", "report", visit_at - lead_minutes, agency=1),
            touch("agency", "accompanied_visit", visit_at, agency=1),
        ]
        v = judge(ts, required, T0 + timedelta(days=1))
        assert v.owner == expected, lead_minutes
    ts = [touch("agency", "report", 0, agency=2), touch("agency", "accompanied_visit", 600, agency=1)]
    v = judge(ts, required, T0 + timedelta(days=1))
    assert v.owner == "own" and v.reasons[0].code == "report_missing"


def test_report_validity_window():
    required = replace(RULES, report_required=True)
    days = RULES.report_valid_days * 24 * 60
    inside = [touch("agency", "report", 0, agency=1), touch("agency", "accompanied_visit", days, agency=1)]
    outside = [touch("agency", "report", 0, agency=1), touch("agency", "accompanied_visit", days + 1, agency=1)]
    assert judge(inside, required, T0 + timedelta(days=8)).owner == "agency"
    assert judge(outside, required, T0 + timedelta(days=8)).owner == "own"


def test_visit_protection_expires_and_a_later_agency_can_win():
    ts = [touch("agency", "accompanied_visit", 0, agency=1)]
    end = ts[0].occurred_at + timedelta(days=30)
    assert judge(ts, RULES, end).owner == "agency"
    lapsed = judge(ts, RULES, end + timedelta(minutes=1))
    assert lapsed.owner == "own" and lapsed.reasons[-1].code == "protection_lapsed"
    second = touch("agency", "accompanied_visit", 31 * 24 * 60, agency=2)
    v = judge([*ts, second], RULES, end + timedelta(days=2))
    assert v.owner == "agency" and v.agency_id == 2


def test_second_agency_visit_inside_protection_changes_nothing():
    ts = [touch("agency", "accompanied_visit", 0, agency=1), touch("agency", "accompanied_visit", 600, agency=2)]
    v = judge(ts, RULES, T0 + timedelta(days=2))
    assert v.agency_id == 1
    assert any(r.code == "visit_during_protection" for r in v.reasons)


def test_deal_extends_protection():
    ts = [touch("agency", "accompanied_visit", 0, agency=1)]
    deal = T0 + timedelta(days=10)
    v = judge(ts, RULES, T0 + timedelta(days=60), deals=[deal])
    assert v.owner == "agency" and v.protected_until == deal + timedelta(days=90)


def test_without_visit_decides_the_first_claim_wins():
    first_claim = replace(RULES, visit_decides=False)
    ts = [
        touch("douyin", "online_lead", 0),
        touch("agency", "report", 60, agency=1),
        touch("agency", "accompanied_visit", 600, agency=1),
    ]
    v = judge(ts, first_claim, T0 + timedelta(days=1))
    assert v.owner == "own" and v.channel is Channel.DOUYIN
    assert [r.code for r in v.reasons] == ["first_contact_own", "report_after_own_contact"]
    ts2 = [touch("agency", "report", 0, agency=1), touch("douyin", "online_lead", 60)]
    pending = judge(ts2, first_claim, T0 + timedelta(days=1))
    assert pending.owner == "agency" and pending.reasons[0].code == "report_pending"
    expired = judge(ts2, first_claim, T0 + timedelta(days=8))
    assert expired.owner == "own" and expired.reasons[0].code == "report_expired"


def test_judge_is_about_a_moment():
    ts = [touch("douyin", "online_lead", 0), touch("agency", "accompanied_visit", 600, agency=1)]
    assert judge(ts, RULES, T0 + timedelta(minutes=5)).owner == "own"
    assert judge(ts, RULES, T0 + timedelta(minutes=601)).owner == "agency"
    assert judge([], RULES, T0).owner == "none"


def test_reasons_render_in_chinese_and_english():
    ts = [touch("agency", "accompanied_visit", 0, agency=1)]
    v = judge(ts, RULES, T0 + timedelta(hours=1))
    assert "到访为王" in v.text() and "the visit decides" in v.text("en")


def test_default_rules_file_weights():
    rules = load_rules()
    assert rules.weight("douyin", "online_lead") == Decimal("0.4")
    assert rules.weight("agency", "accompanied_visit") == Decimal("0.6")
    assert rules.weight("walk_in", "walk_in") == Decimal("0.5")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["douyin", "anjuke", "agency", "walk_in"]),
            st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5"), places=2),
            st.integers(min_value=1, max_value=3),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_shares_always_sum_to_exactly_one(entries):
    ts = [
        touch(
            ch,
            "walk_in" if ch == "walk_in" else "online_lead" if ch != "agency" else "report",
            i,
            agency=ag if ch == "agency" else None,
            weight=str(w),
        )
        for i, (ch, w, ag) in enumerate(entries)
    ]
    shares = contributions(ts)
    assert sum(c.share for c in shares) == Decimal("1")
    assert all(c.share >= 0 for c in shares)


def test_walk_in_after_lapsed_protection_returns_the_customer_to_the_office():
    first = touch("agency", "accompanied_visit", 0, agency=1)
    walk_in = touch("walk_in", "walk_in", 40 * 24 * 60)
    other = touch("agency", "accompanied_visit", 45 * 24 * 60, agency=2)
    v = judge([first, walk_in, other], RULES, T0 + timedelta(days=50))
    assert v.owner == "own" and v.channel is Channel.WALK_IN
    assert [r.code for r in v.reasons].count("protection_lapsed") == 1
    assert v.decided_by_touch == walk_in.touch_id


def test_first_claim_mode_treats_an_unreported_visit_as_a_claim_at_its_time():
    first_claim = replace(RULES, visit_decides=False)
    visit_first = [touch("agency", "accompanied_visit", 0, agency=1), touch("douyin", "online_lead", 60)]
    assert judge(visit_first, first_claim, T0 + timedelta(days=1)).owner == "agency"
    own_first = [touch("douyin", "online_lead", 0), touch("agency", "accompanied_visit", 60, agency=1)]
    assert judge(own_first, first_claim, T0 + timedelta(days=1)).owner == "own"
    required = replace(first_claim, report_required=True)
    v = judge(visit_first, required, T0 + timedelta(days=1))
    assert v.owner == "own" and [r.code for r in v.reasons][:1] == ["report_missing"]


def test_office_owner_is_never_labelled_as_an_agency_channel():
    required = replace(RULES, report_required=True)
    v = judge([touch("agency", "accompanied_visit", 0, agency=1)], required, T0 + timedelta(days=1))
    assert v.owner == "own" and v.channel is Channel.WALK_IN
    expired = judge(
        [touch("agency", "report", 0, agency=1)], replace(RULES, visit_decides=False), T0 + timedelta(days=30)
    )
    assert expired.owner == "none" and expired.reasons[0].code == "report_expired"
