"""Commission split as pure functions: exact to the fen, and the 报备/判客 rules decide who shares."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.attribution import TouchRecord
from models.clock import BUSINESS_TZ
from models.commission import CommissionError, money, split_commission, split_pool
from models.leads import Channel, TouchKind
from models.rules import ProtectionRules, RulesError, load_rules

RULES = ProtectionRules()
STRICT = replace(RULES, report_required=True)  # an accompanied visit needs a valid prior report
FIRST_CLAIM = replace(RULES, visit_decides=False)
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=BUSINESS_TZ)
AGENCIES = {1: ("链家", 11, "张三"), 2: ("我爱我家", 12, "李四")}
WEIGHTS = {
    ("douyin", "online_lead"): "0.4",
    ("mini_program", "online_lead"): "0.3",
    ("agency", "report"): "0.2",
    ("agency", "accompanied_visit"): "0.6",
    ("walk_in", "walk_in"): "0.5",
}


class Touches:
    """Builds a customer's touches in order, hours after T0."""

    def __init__(self):
        """Start with none."""
        self.items: list[TouchRecord] = []

    def add(self, channel: str, kind: str, hours: float, agency: int | None = None) -> Touches:
        """One more touch; agency touches carry the agency's name and broker."""
        i = len(self.items) + 1
        name, broker_id, broker = AGENCIES[agency] if agency else ("", None, "")
        self.items.append(
            TouchRecord(
                i,
                i,
                Channel(channel),
                TouchKind(kind),
                T0 + timedelta(hours=hours),
                Decimal(WEIGHTS[(channel, kind)]),
                agency,
                name,
                broker_id,
                broker,
            )
        )
        return self


def split(touches: Touches, rules: ProtectionRules = RULES, days: float = 20, pool: str = "30000.00", deals=()):
    """The split of a pool at signing, `days` after T0, by consultant 王磊."""
    return split_commission(Decimal(pool), touches.items, rules, T0 + timedelta(days=days), (3, "王磊"), deals)


def by_label(result) -> dict[str, Decimal]:
    """Amounts by party label."""
    return {line.party.label(): line.amount for line in result.lines}


# --- the arithmetic ------------------------------------------------------------------------------

weights_st = st.lists(
    st.decimals(min_value=0, max_value=1000, places=4, allow_nan=False, allow_infinity=False), min_size=1, max_size=12
).filter(lambda ws: sum(ws) > 0)
pools_st = st.integers(min_value=0, max_value=10**12).map(lambda fens: Decimal(fens) / 100)


@settings(max_examples=400, deadline=None)
@given(pool=pools_st, weights=weights_st)
def test_random_pools_and_weights_sum_exactly_and_stay_within_a_fen(pool, weights):
    parts = split_pool(pool, weights)
    assert sum(parts) == pool
    assert all(p >= 0 and p == p.quantize(Decimal("0.01")) for p in parts)
    total = sum(Fraction(w) for w in weights)
    for part, weight in zip(parts, weights, strict=True):
        exact = Fraction(pool) * Fraction(weight) / total
        assert abs(Fraction(part) - exact) < Fraction(1, 100)
    assert split_pool(pool, weights) == parts  # deterministic


def test_largest_remainder_and_ties_go_to_the_earlier_party():
    assert split_pool(Decimal("1.00"), [Decimal(1)] * 3) == [Decimal("0.34"), Decimal("0.33"), Decimal("0.33")]
    assert split_pool(Decimal("0.05"), [Decimal("0.2"), Decimal("0.6"), Decimal("0.2")]) == [
        Decimal("0.01"),
        Decimal("0.03"),
        Decimal("0.01"),
    ]
    # 100 / 3 by 1:1:1 plus a heavier party: the remainders decide, not the order
    assert split_pool(Decimal("100.00"), [Decimal(1), Decimal(1), Decimal(1)]) == [
        Decimal("33.34"),
        Decimal("33.33"),
        Decimal("33.33"),
    ]
    assert split_pool(Decimal("0.00"), [Decimal(1), Decimal(2)]) == [Decimal("0.00"), Decimal("0.00")]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (12.5, "not float"),
        ("12.345", "more than two decimals"),
        ("-1", "must not be negative"),
        ("abc", "is not a number"),
        ("NaN", "finite"),
    ],
)
def test_amounts_must_be_exact_fen_decimals(value, message):
    with pytest.raises(CommissionError, match=message):
        money(value)
    assert money("1,200,000.5") == Decimal("1200000.50")


def test_weights_that_cannot_split_are_refused():
    with pytest.raises(CommissionError, match="sum to zero"):
        split_pool(Decimal("10.00"), [Decimal(0), Decimal(0)])
    with pytest.raises(CommissionError, match="not negative"):
        split_pool(Decimal("10.00"), [Decimal(1), Decimal(-1)])


touch_st = st.tuples(
    st.sampled_from(sorted(WEIGHTS)),
    st.integers(min_value=0, max_value=24 * 40),
    st.sampled_from([1, 2]),
)


@settings(max_examples=200, deadline=None)
@given(
    pool=pools_st,
    specs=st.lists(touch_st, min_size=1, max_size=8),
    rules=st.sampled_from([RULES, STRICT, FIRST_CLAIM]),
)
def test_any_customer_history_splits_exactly_with_a_reason_on_every_line(pool, specs, rules):
    touches = Touches()
    for (channel, kind), hours, agency in sorted(specs, key=lambda s: s[1]):
        touches.add(channel, kind, hours, agency if channel == "agency" else None)
    result = split(touches, rules, days=45, pool=str(pool))
    assert result.total == pool
    assert all(line.amount >= 0 and line.reasons for line in result.lines)
    winners = {line.party.agency_id for line in result.lines if line.party.kind == "agency" and line.eligible}
    assert len(winners) <= 1  # never two agencies paid for one customer
    if winners:
        assert result.judgement.owner == "agency" and winners == {result.judgement.agency_id}


# --- 报备/判客 cases -------------------------------------------------------------------------------


def test_seed_scenario_agency_and_own_channels_share_by_weight():
    t = Touches().add("douyin", "online_lead", 0).add("mini_program", "online_lead", 5)
    t.add("agency", "report", 6, agency=1).add("agency", "accompanied_visit", 10, agency=1)
    result = split(t, pool="45000.00")
    assert by_label(result) == {
        "抖音（王磊）": Decimal("12000.00"),
        "小程序（王磊）": Decimal("9000.00"),
        "链家（张三）": Decimal("24000.00"),
    }
    agency = result.lines[2]
    assert agency.party.broker_name == "张三" and agency.party.agency_id == 1
    assert "判客归属链家" in agency.text() and "贡献权重 0.8 / 1.5" in agency.text()
    assert "attribution names 链家" in agency.text("en")


def test_report_inside_its_window_protects_the_agency():
    t = Touches().add("agency", "report", 0, agency=1).add("agency", "accompanied_visit", 24 * 6, agency=1)
    result = split(t, STRICT)
    assert result.judgement.owner == "agency"
    assert by_label(result) == {"链家（张三）": Decimal("30000.00")}
    assert "报备有效" in result.judgement.text()


def test_report_outside_its_window_leaves_the_pool_with_the_office():
    t = Touches().add("agency", "report", 0, agency=1).add("agency", "accompanied_visit", 24 * 8, agency=1)
    result = split(t, STRICT)
    assert result.judgement.owner == "own"
    amounts = by_label(result)
    assert amounts["链家（张三）"] == Decimal("0.00") and amounts["案场"] == Decimal("30000.00")
    excluded = result.lines[0]
    assert not excluded.eligible and "不参与分佣" in excluded.text() and "报备无效" in excluded.text()
    assert "无可参与分佣的渠道贡献" in result.lines[-1].text()


def test_report_at_the_door_does_not_count():
    t = Touches().add("agency", "report", 0, agency=1).add("agency", "accompanied_visit", 0.2, agency=1)
    assert by_label(split(t, STRICT))["链家（张三）"] == Decimal("0.00")  # 12 minutes < 30 minutes lead time


def test_two_agencies_reporting_the_same_customer_the_visit_decides():
    t = Touches().add("agency", "report", 0, agency=1).add("agency", "report", 2, agency=2)
    t.add("agency", "accompanied_visit", 30, agency=2)
    result = split(t)
    assert by_label(result) == {"链家（张三）": Decimal("0.00"), "我爱我家（李四）": Decimal("30000.00")}
    assert "判客未归属链家（归属：我爱我家）" in result.lines[0].text()


def test_two_agencies_reporting_the_same_customer_first_claim_wins_when_the_visit_does_not_decide():
    t = Touches().add("agency", "report", 0, agency=1).add("agency", "report", 2, agency=2)
    t.add("agency", "accompanied_visit", 30, agency=2)
    result = split(t, FIRST_CLAIM, days=3)
    assert by_label(result) == {"链家（张三）": Decimal("30000.00"), "我爱我家（李四）": Decimal("0.00")}


def test_second_agency_visit_inside_the_first_ones_protection_changes_nothing():
    t = Touches().add("agency", "report", 0, agency=1).add("agency", "accompanied_visit", 24, agency=1)
    t.add("agency", "report", 48, agency=2).add("agency", "accompanied_visit", 72, agency=2)
    result = split(t, days=10)
    assert by_label(result)["我爱我家（李四）"] == Decimal("0.00")
    assert "仍在链家保护期内" in result.lines[1].text()


def test_walk_in_before_any_report_keeps_the_customer_with_the_office():
    t = Touches().add("walk_in", "walk_in", 0).add("agency", "report", 5, agency=1)
    t.add("agency", "accompanied_visit", 30, agency=1)
    result = split(t)
    assert result.judgement.owner == "own"
    assert by_label(result) == {"自然到访（王磊）": Decimal("30000.00"), "链家（张三）": Decimal("0.00")}
    assert "自然到访" in result.lines[1].text()


def test_own_channel_first_contact_beats_a_later_report_when_first_claim_wins():
    t = Touches().add("douyin", "online_lead", 0).add("agency", "report", 5, agency=1)
    t.add("agency", "accompanied_visit", 30, agency=1)
    result = split(t, FIRST_CLAIM)
    assert by_label(result) == {"抖音（王磊）": Decimal("30000.00"), "链家（张三）": Decimal("0.00")}
    assert "报备不成立" in result.lines[1].text()


def test_subscription_extends_protection_to_a_late_signing():
    t = Touches().add("agency", "report", 0, agency=1).add("agency", "accompanied_visit", 24, agency=1)
    lapsed = split(t, days=60)
    assert by_label(lapsed)["链家（张三）"] == Decimal("0.00")
    extended = split(t, days=60, deals=[T0 + timedelta(days=20)])
    assert by_label(extended) == {"链家（张三）": Decimal("30000.00")}
    assert "认购" in extended.judgement.text()


def test_touches_after_the_signing_do_not_count():
    t = Touches().add("douyin", "online_lead", 0).add("agency", "accompanied_visit", 24 * 30, agency=1)
    result = split(t, days=20)
    assert by_label(result) == {"抖音（王磊）": Decimal("30000.00")}


def test_rounding_fen_is_named_on_the_line_that_got_it():
    t = Touches().add("douyin", "online_lead", 0).add("walk_in", "walk_in", 1).add("mini_program", "online_lead", 2)
    result = split(t, pool="100.00")  # 0.4 : 0.5 : 0.3 of 100.00 = 33.333… / 41.666… / 25.00
    assert [line.amount for line in result.lines] == [Decimal("33.33"), Decimal("41.67"), Decimal("25.00")]
    assert ["尾差" in line.text() for line in result.lines] == [False, True, False]


# --- the [commission] rules section --------------------------------------------------------------


def test_commission_rules_load_and_mistakes_are_named(tmp_path):
    assert load_rules().commission.pool_rate == Decimal("0.015")
    assert load_rules().commission.settlement_target_days == 3
    path = tmp_path / "project.toml"
    path.write_text('[commission]\npool_rate = "0.02"\nsettlement_target_days = 2\n', encoding="utf-8")
    rules = load_rules(path)
    assert (rules.commission.pool_rate, rules.commission.settlement_target_days) == (Decimal("0.02"), 2)
    for text, message in (
        ('[commission]\npool_rate = "2"\n', "between 0 and 1"),
        ('[commission]\npool_rate = "lots"\n', "is not a number"),
        ("[commission]\nsettlement_target_days = -1\n", "settlement_target_days must be a whole number"),
        ("[commission]\nrate = 1\n", "commission: unknown key"),
    ):
        path.write_text(text, encoding="utf-8")
        with pytest.raises(RulesError, match=message):
            load_rules(path)
