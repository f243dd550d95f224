"""Policy sandbox: definitions and their errors, sticky assignment, exposures and conversions on SQLite
and PostgreSQL (merged customers count once), and the statistics against scipy on known tables."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest, chi2_contingency, fisher_exact

from models.audit import AuditLog
from models.clock import BUSINESS_TZ
from models.deals import DealBook, DealIn
from models.experiment_schema import experiment_conversions, experiment_exposures
from models.leads import LeadIn
from models.privacy import Vault
from models.sandbox import ExperimentError, Sandbox
from models.sandbox_design import ExperimentSummary, Variant, assign, check_overlap, plan_from_dict, sandbox_key
from models.sandbox_stats import (
    Comparison,
    ConversionFact,
    ExposureFact,
    SampleRule,
    VariantCounts,
    compare,
    format_p,
    holm,
    needs_exact,
    p_against_control,
    tally,
    two_proportion_z,
    wilson_interval,
)
from models.schema import customers
from tests.conftest import TEST_KEY

KEY = sandbox_key(Vault(TEST_KEY))


def at(day: int, h: int, m: int = 0) -> datetime:
    """A business time in November/December 2026 (day > 30 runs into December)."""
    return datetime(2026, 11, 1, h, m, tzinfo=BUSINESS_TZ) + timedelta(days=day - 1)


def plan(**change) -> dict:
    """The dialog's fields for a parking-versus-discount experiment over December."""
    data = {
        "name": "十二月优惠对比",
        "policy_key": "discount",
        "hypothesis": "送车位比 9.5 折更能促成认购",
        "starts_at": at(21, 9).isoformat(),
        "stops_at": at(51, 21).isoformat(),
        "variants": [{"name": "A", "policy": "9.5折"}, {"name": "B", "policy": "送车位"}],
    }
    data.update(change)
    return data


# --- definitions -------------------------------------------------------------------------------


def test_a_definition_is_checked_and_defaults_to_five_percent():
    p = plan_from_dict(plan(share=None), at(20, 22))
    assert p.share_bp == 500 and [v.name for v in p.variants] == ["A", "B"] and p.variants[1].policy == "送车位"
    assert p.starts_at.tzinfo is not None and p.starts_at.utcoffset() == timedelta(0)
    assert plan_from_dict(plan(share="12.5 %"), at(20, 22)).share_bp == 1250
    assert plan_from_dict(plan(share="100"), at(20, 22)).share_bp == 10_000


@pytest.mark.parametrize(
    ("change", "code", "field", "zh"),
    [
        ({"variants": [{"name": "A", "policy": "9.5折"}]}, "variants_few", "variants[1].name", "至少需要两个分组"),
        ({"share": "0"}, "share_range", "share", "曝光比例须大于 0% 且不超过 100%（现为 0%）"),
        ({"share": "150%"}, "share_range", "share", "现为 150%"),
        ({"share": "五"}, "share_invalid", "share", "不是数字"),
        ({"share": "0.005"}, "share_precision", "share", "两位小数"),
        ({"stops_at": at(21, 8).isoformat()}, "window_order", "stops_at", "须晚于开始时间 2026-11-21 09:00"),
        ({"stops_at": "下周五"}, "time_invalid", "stops_at", "时间「下周五」无效"),
        ({"name": "  "}, "name_missing", "name", "请填写实验名称"),
        ({"policy_key": ""}, "key_missing", "policy_key", "政策类别"),
        (
            {"variants": [{"name": "A", "policy": "9.5折"}, {"name": "a", "policy": "送车位"}]},
            "variant_name_duplicate",
            "variants[1].name",
            "分组名称「a」重复",
        ),
        (
            {"variants": [{"name": "A", "policy": "9.5折"}, {"name": "B", "policy": " "}]},
            "variant_policy_missing",
            "variants[1].policy",
            "分组「B」缺少政策说明",
        ),
        (
            {"variants": [{"name": "A", "policy": "9.5折"}, {"name": "B", "policy": "送车位", "weight": 0}]},
            "weight_invalid",
            "variants[1].weight",
            "1–100 的整数",
        ),
    ],
)
def test_a_bad_definition_gets_a_clear_error_naming_its_field(change, code, field, zh):
    with pytest.raises(ExperimentError) as caught:
        plan_from_dict(plan(**change), at(20, 22))
    assert (caught.value.code, caught.value.field) == (code, field)
    assert zh in caught.value.text("zh")
    assert str(caught.value) == caught.value.text("en") != caught.value.text("zh")


def test_a_stop_already_past_is_refused():
    with pytest.raises(ExperimentError, match="already past"):
        plan_from_dict(plan(starts_at=at(1, 9).isoformat(), stops_at=at(10, 9).isoformat()), at(20, 22))


def _running(eid: int, key: str, start: datetime, stop: datetime) -> ExperimentSummary:
    return ExperimentSummary(
        eid, f"#{eid}", key, "", 500, False, start, stop, "running", "张经理", start, (Variant("A", "x"),)
    )


def test_overlap_on_one_policy_key_is_refused_unless_declared():
    others = [_running(3, "discount", at(15, 9), at(35, 9)), _running(4, "parking", at(1, 9), at(60, 9))]
    with pytest.raises(ExperimentError) as caught:
        check_overlap("discount", at(21, 9), at(51, 9), False, others)
    assert caught.value.field == "allow_overlap" and "#3" in caught.value.text() and "允许重叠" in caught.value.text()
    check_overlap("discount", at(21, 9), at(51, 9), True, others)  # declared
    check_overlap("discount", at(35, 9), at(51, 9), False, others)  # starts when #3 stops
    check_overlap("gift", at(21, 9), at(51, 9), False, others)  # another policy
    check_overlap("discount", at(21, 9), at(51, 9), False, others, own_id=3)  # itself


# --- sticky assignment -------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    experiment_id=st.integers(1, 10**6),
    share_bp=st.integers(100, 10_000),
    weights=st.lists(st.integers(1, 5), min_size=2, max_size=4),
    key=st.binary(min_size=16, max_size=32),
)
def test_assignment_is_stable_and_matches_the_share_and_weights(experiment_id, share_bp, weights, key):
    n = 20_000
    picks = [assign(key, experiment_id, c, share_bp, weights) for c in range(1, n + 1)]
    assert picks == [assign(key, experiment_id, c, share_bp, weights) for c in range(1, n + 1)]  # stable
    exposed = [p for p in picks if p is not None]
    share = share_bp / 10_000
    sigma = (share * (1 - share) / n) ** 0.5
    assert abs(len(exposed) / n - share) <= 5 * sigma + 1e-9
    for position, w in enumerate(weights):
        expected = w / sum(weights)
        sd = (expected * (1 - expected) / max(len(exposed), 1)) ** 0.5
        assert abs(exposed.count(position) / len(exposed) - expected) <= 5 * sd + 1e-9


def test_experiments_draw_independently_and_another_key_draws_differently():
    n, share_bp = 40_000, 2000
    one = {c for c in range(n) if assign(KEY, 1, c, share_bp, [1, 1]) is not None}
    two = {c for c in range(n) if assign(KEY, 2, c, share_bp, [1, 1]) is not None}
    other = {c for c in range(n) if assign(b"another key", 1, c, share_bp, [1, 1]) is not None}
    assert abs(len(one & two) / n - 0.04) < 0.005  # 20 % × 20 %: no customer is always picked
    assert abs(len(one & other) / n - 0.04) < 0.005


def test_assignment_is_the_same_in_another_process():
    code = (
        "import json; from models.privacy import Vault; from models.sandbox_design import assign, sandbox_key;"
        "k = sandbox_key(Vault(bytes(range(32))));"
        "print(json.dumps([assign(k, 7, c, 3000, [1, 2]) for c in range(300)]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == [assign(KEY, 7, c, 3000, [1, 2]) for c in range(300)]


# --- statistics --------------------------------------------------------------------------------


@pytest.mark.parametrize(("k", "n"), [(0, 10), (8, 100), (52, 620), (97, 100), (100, 100), (1, 3)])
def test_wilson_matches_scipy(k, n):
    ci = binomtest(k, n).proportion_ci(0.95, method="wilson")
    assert wilson_interval(k, n) == pytest.approx((ci.low, ci.high), abs=1e-12)
    assert wilson_interval(0, 0) is None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(n1=st.integers(30, 3000), n2=st.integers(30, 3000), a=st.floats(0.02, 0.5), b=st.floats(0.02, 0.5))
def test_the_z_test_matches_scipys_chi_square_and_fisher_is_scipys(n1, n2, a, b):
    k1, k2 = round(n1 * a), round(n2 * b)
    _z, p = two_proportion_z(k1, n1, k2, n2)
    table = [[k1, n1 - k1], [k2, n2 - k2]]
    assert p == pytest.approx(chi2_contingency(table, correction=False).pvalue, rel=1e-9, abs=1e-12)
    chosen, test = p_against_control(k1, n1, k2, n2)
    if needs_exact(k1, n1, k2, n2):
        assert test == "fisher" and chosen == pytest.approx(fisher_exact(table).pvalue)
    else:
        assert test == "z" and chosen == p


def test_known_tables():
    # 32 of 620 against 50 of 610, by hand: pooled 82/1230, se 0.014225, z = (50/610 − 32/620) / se
    z, p = two_proportion_z(32, 620, 50, 610)
    assert z == pytest.approx(2.13381, abs=1e-5) and p == pytest.approx(0.032858, abs=1e-6)
    assert needs_exact(1, 40, 3, 40) and not needs_exact(32, 620, 50, 610)
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert [format_p(x) for x in (0.0004, 0.0102, 0.0496, 0.42, 1.0)] == [
        "p<0.001",
        "p=0.01",
        "p=0.0496",  # not rounded up across 0.05
        "p=0.42",
        "p=1",
    ]


def test_no_verdict_below_the_minimum_sample_then_a_plain_one():
    few = compare([VariantCounts("A", "9.5折", 99, 5), VariantCounts("B", "送车位", 300, 30)])
    assert few.verdict.kind == "not_enough"
    assert few.verdict.text() == (
        "样本不足：每组至少 100 人曝光、合计至少 10 人成交后再判断（目前最少的一组 99 人，成交 35 人）"
    )
    assert compare([VariantCounts("A", "", 500, 4), VariantCounts("B", "", 500, 5)]).verdict.kind == "not_enough"
    assert few.rows[0].is_control and few.rows[1].p_value is not None  # the numbers are shown, the verdict held back
    better = compare([VariantCounts("A", "9.5折", 620, 32), VariantCounts("B", "送车位", 610, 50)])
    assert better.verdict.text() == "B 的成交率高于 A（8.2% 对 5.2%，p=0.033），建议扩大到更多客户"
    assert better.verdict.text("en").startswith("B converts better than A (8.2% vs 5.2%, p=0.033)")
    assert better.rows[1].diff == pytest.approx(50 / 610 - 32 / 620) and better.rows[1].test == "z"
    worse = compare([VariantCounts("A", "9.5折", 610, 50), VariantCounts("B", "送车位", 620, 32)])
    assert worse.verdict.text() == "B 的成交率低于 A（5.2% 对 8.2%，p=0.033），建议停用 B"
    same = compare([VariantCounts("A", "9.5折", 400, 20), VariantCounts("B", "送车位", 410, 23)])
    assert same.verdict.text() == f"两组差异不显著（{format_p(same.rows[1].p_value)}）"
    strict = compare([VariantCounts("A", "", 620, 32), VariantCounts("B", "", 610, 50)], SampleRule(min_exposures=1000))
    assert strict.verdict.kind == "not_enough" and "每组至少 1000 人曝光" in strict.verdict.text()
    assert Comparison.from_dict(json.loads(json.dumps(better.as_dict()))) == better


def test_three_variants_are_adjusted_and_the_best_significant_one_is_named():
    c = compare([VariantCounts("A", "", 1000, 50), VariantCounts("B", "", 1000, 58), VariantCounts("C", "", 1000, 85)])
    raw = [p_against_control(50, 1000, k, 1000)[0] for k in (58, 85)]
    assert [r.p_value for r in c.rows[1:]] == pytest.approx(holm(raw))
    assert c.verdict.kind == "better" and c.verdict.params["variant"] == "C"


def test_tally_counts_people_once_after_exposure_within_the_window():
    variants = [("A", "9.5折"), ("B", "送车位")]
    exposures = [
        ExposureFact(1, 10, 0, at(21, 10)),
        ExposureFact(2, 11, 1, at(21, 11)),
        ExposureFact(3, 12, 1, at(22, 10)),  # 12 was merged into 10 later: 10's earlier exposure (A) decides
        ExposureFact(4, 13, 1, at(23, 10)),
    ]
    conversions = [
        ConversionFact(10, "subscription", at(25, 10)),
        ConversionFact(12, "signing", at(26, 10)),  # the same person as 10: counts once
        ConversionFact(11, "subscription", at(21, 9)),  # before 11's exposure
        ConversionFact(13, "signing", at(60, 9)),  # after the window
        ConversionFact(99, "signing", at(25, 9)),  # never exposed
    ]
    counts = tally(variants, exposures, conversions, {12: 10}, at(51, 21))
    assert [(c.exposures, c.conversions) for c in counts] == [(1, 1), (2, 0)]
    only_signing = tally(variants, exposures, conversions, {12: 10}, at(51, 21), kind="signing")
    assert [c.conversions for c in only_signing] == [1, 0]


# --- in the database ---------------------------------------------------------------------------


def add_customers(engine, n: int, now: datetime) -> list[int]:
    """n bare customers (the sandbox needs only their ids)."""
    with engine.begin() as conn:
        conn.execute(customers.insert(), [{"created_at": now, "updated_at": now} for _ in range(n)])
        return list(conn.execute(sa.select(customers.c.id).order_by(customers.c.id)).scalars())[-n:]


@pytest.fixture
def sandbox(engine, vault, clock):
    """A sandbox at 2026-11-20 22:00."""
    clock.set(at(20, 22))
    return Sandbox(engine, vault, clock)


def test_an_experiment_goes_draft_running_stopped(sandbox, clock):
    draft = sandbox.define(plan(), "张经理")
    assert draft.state == "draft" and draft.share_bp == 500 and draft.created_by == "张经理"
    assert [(v.name, v.policy, v.weight) for v in draft.variants] == [("A", "9.5折", 1), ("B", "送车位", 1)]
    edited = sandbox.define(plan(share="10", name="十二月优惠对比（10%）"), "张经理", experiment_id=draft.experiment_id)
    assert (edited.experiment_id, edited.share_bp, edited.name) == (draft.experiment_id, 1000, "十二月优惠对比（10%）")
    running = sandbox.start(draft.experiment_id, "张经理")
    assert running.state == "running" and running.started_at == clock.now()
    assert running.phase(clock.now()) == "scheduled"
    with pytest.raises(ExperimentError, match="only a draft can be edited"):
        sandbox.define(plan(), "张经理", experiment_id=draft.experiment_id)
    with pytest.raises(ExperimentError) as caught:
        sandbox.start(draft.experiment_id, "张经理")
    assert caught.value.text() == "实验「十二月优惠对比（10%）」进行中，只有草稿可以开始"
    clock.set(at(25, 12))
    stopped = sandbox.stop(draft.experiment_id, "李总")
    assert stopped.state == "stopped" and stopped.window_end == at(25, 12)
    assert [e.experiment_id for e in sandbox.experiments()] == [draft.experiment_id]
    assert ExperimentSummary.from_dict(json.loads(json.dumps(stopped.as_dict()))) == stopped  # over the wire
    with pytest.raises(ExperimentError, match="does not exist"):
        sandbox.start(999, "张经理")


def test_an_overlapping_experiment_on_the_same_policy_must_be_declared(sandbox):
    first = sandbox.define(plan(), "张经理")
    sandbox.start(first.experiment_id, "张经理")
    with pytest.raises(ExperimentError) as caught:
        sandbox.define(plan(name="折扣加码"), "张经理")
    assert caught.value.field == "allow_overlap"
    second = sandbox.define(plan(name="折扣加码", allow_overlap=True), "张经理")
    third = sandbox.define(plan(name="车位", policy_key="parking"), "张经理")
    sandbox.start(second.experiment_id, "张经理")
    sandbox.start(third.experiment_id, "张经理")
    assert {e.state for e in sandbox.experiments()} == {"running"}


def test_exposure_is_sticky_once_per_person_and_outside_the_share_records_nothing(sandbox, engine, clock):
    people = add_customers(engine, 200, clock.now())
    exp = sandbox.define(plan(share="30"), "张经理")
    sandbox.start(exp.experiment_id, "张经理")
    with pytest.raises(ExperimentError) as caught:
        sandbox.expose(exp.experiment_id, people[0], "consultant", "王磊")
    assert caught.value.code == "not_open_yet"
    clock.set(at(21, 10))
    first = [sandbox.expose(exp.experiment_id, c, "consultant", "王磊", at=at(21, 9, 30)) for c in people]
    again = [sandbox.expose(exp.experiment_id, c, "wechat", "李敏") for c in people]
    assert [a.position for a in again] == [a.position for a in first]
    assert [sandbox.preview(exp.experiment_id, c).position for c in people] == [a.position for a in first]
    exposed = [a for a in first if a.exposed]
    assert 30 <= len(exposed) <= 90  # 30 % of 200
    assert {a.variant_name for a in exposed} == {"A", "B"}
    holdout = next(a for a in first if not a.exposed)
    assert holdout.text() == "不在 30% 的曝光客户内：按常规政策接待" and holdout.position is None
    sticky = next(a for a in again if a.exposed)
    assert sticky.text().startswith(f"已在 {sticky.variant_name} 组（2026-11-21 09:30 首次曝光）")
    with engine.connect() as conn:
        rows = conn.execute(sa.select(experiment_exposures)).all()
    assert len(rows) == len(exposed) and {r.times for r in rows} == {2}
    assert {r.through for r in rows} == {"consultant"} and rows[0].exposed_at == at(21, 9, 30)
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:  # never two variants for one customer
        r = rows[0]
        conn.execute(
            experiment_exposures.insert().values(
                experiment_id=r.experiment_id,
                variant_id=r.variant_id,
                customer_id=r.customer_id,
                exposed_at=r.exposed_at,
                through="sms",
                last_exposed_at=r.exposed_at,
            )
        )
    with pytest.raises(ExperimentError, match="not one of"):
        sandbox.expose(exp.experiment_id, people[0], "billboard", "王磊")
    with pytest.raises(ExperimentError, match="does not exist"):
        sandbox.expose(exp.experiment_id, 10**6, "consultant", "王磊")
    clock.set(at(60, 10))
    with pytest.raises(ExperimentError) as caught:
        sandbox.expose(exp.experiment_id, people[0], "consultant", "王磊")
    assert caught.value.code == "ended"


def person(registry, tag: str, mobile: str, when: datetime) -> int:
    """One walk-in customer."""
    lead = LeadIn("walk_in", tag, "walk_in", "walk_in", when, "李敏", [("mobile", mobile)])
    return registry.ingest(lead).customer_id


def test_conversions_count_once_after_exposure_within_the_window_and_merges_fold(
    sandbox, registry, engine, clock, vault, rules
):
    clock.set(at(20, 9))
    a = person(registry, "a", "13800000001", at(20, 8))
    b = person(registry, "b", "13800000002", at(20, 8))
    late = person(registry, "late", "13800000003", at(20, 8))
    exp = sandbox.define(plan(share="100", starts_at=at(20, 10).isoformat()), "张经理")
    sandbox.start(exp.experiment_id, "张经理")
    clock.set(at(21, 10))
    ea = sandbox.expose(exp.experiment_id, a, "consultant", "王磊")
    sandbox.expose(exp.experiment_id, late, "consultant", "王磊")
    assert sandbox.record_conversion(exp.experiment_id, b, "subscription", at(21, 11), "系统").reason["code"] == (
        "not_exposed"
    )
    early = sandbox.record_conversion(exp.experiment_id, a, "subscription", at(21, 9), "系统")
    assert not early.counted and early.text() == "认购 2026-11-21 09:00 早于首次曝光 2026-11-21 10:00，不计入"
    registry.merge(b, a, "张经理", "同一人")  # a lives on in b from now on
    assert sandbox.preview(exp.experiment_id, b).variant_name == ea.variant_name  # sticky across the merge
    again = sandbox.expose(exp.experiment_id, b, "phone", "王磊")
    assert again.position == ea.position and again.customer_id == b
    book = DealBook(engine, AuditLog(vault.audit_key), rules, clock)
    clock.set(at(22, 15))
    deal = book.record(DealIn(a, "3-1-1502", "3150000", at(22, 14), "subscription", "王磊"), "王磊")
    outcomes = sandbox.record_deal_conversions(a, "subscription", at(22, 14), "王磊", deal.deal.deal_id)
    assert [(o.counted, o.customer_id) for o in outcomes] == [(True, b)]
    assert outcomes[0].text() == f"计入 {ea.variant_name} 组的认购"
    told = json.loads(json.dumps(outcomes[0].as_dict()))
    assert told["text_en"] == f"counted as a subscription in variant {ea.variant_name}"
    wire = json.loads(json.dumps(again.as_dict()))
    assert wire["variant_name"] == ea.variant_name and wire["first_exposed_at"].startswith("2026-11-21T02:00")
    twice = sandbox.record_deal_conversions(b, "subscription", at(22, 14), "王磊", deal.deal.deal_id)
    assert [o.reason["code"] for o in twice] == ["duplicate"]
    after = sandbox.record_conversion(exp.experiment_id, late, "signing", at(55, 10), "系统")
    assert after.reason["code"] == "after_window"
    with pytest.raises(ExperimentError, match="subscription or a signing"):
        sandbox.record_conversion(exp.experiment_id, a, "visit", at(22, 14), "系统")
    clock.set(at(23, 10))
    book.record(DealIn(late, "5-2-0801", "2880000", at(23, 9), "signing", "王磊"), "王磊")  # not told to the sandbox
    result = sandbox.comparison(exp.experiment_id)  # catches up on the signing
    with engine.connect() as conn:
        stored = conn.execute(sa.select(experiment_conversions).order_by(experiment_conversions.c.id)).all()
    assert [(r.customer_id, r.kind, r.deal_id is not None) for r in stored] == [
        (b, "subscription", True),
        (late, "signing", True),
    ]
    by_name = {r.name: (r.exposures, r.conversions) for r in result.rows}
    assert sum(e for e, _ in by_name.values()) == 2 and sum(c for _, c in by_name.values()) == 2  # a and b: once
    assert result.verdict.kind == "not_enough"
    assert sandbox.comparison(exp.experiment_id) == result  # nothing more to catch up
    summary = sandbox.experiment(exp.experiment_id)
    assert (summary.exposures, summary.conversions) == (2, 2)


def test_two_exposed_customers_merged_count_once_under_the_earliest_variant(sandbox, registry, clock):
    clock.set(at(20, 9))
    ids = [person(registry, f"p{i}", f"1390000{i:04d}", at(20, 8)) for i in range(40)]
    exp = sandbox.define(plan(share="100", starts_at=at(20, 10).isoformat()), "张经理")
    sandbox.start(exp.experiment_id, "张经理")
    clock.set(at(21, 10))
    got = {c: sandbox.expose(exp.experiment_id, c, "consultant", "王磊") for c in ids}
    first, second = next((x, y) for x in ids for y in ids if got[x].position != got[y].position and x < y)
    clock.set(at(22, 10))
    sandbox.expose(exp.experiment_id, second, "consultant", "王磊")  # the later exposure bumps `times` only
    registry.merge(second, first, "张经理", "同一人")
    assert sandbox.preview(exp.experiment_id, second).variant_name == got[first].variant_name  # first exposed
    rows = sandbox.comparison(exp.experiment_id).rows
    assert sum(r.exposures for r in rows) == len(ids) - 1


def test_the_live_comparison_on_many_customers(sandbox, engine, clock):
    people = add_customers(engine, 600, clock.now())
    exp = sandbox.define(plan(share="100"), "张经理")
    sandbox.start(exp.experiment_id, "张经理")
    clock.set(at(21, 10))
    arms = {c: sandbox.expose(exp.experiment_id, c, "consultant", "王磊").variant_name for c in people}
    clock.set(at(30, 10))
    converted = [c for i, c in enumerate(people) if (arms[c] == "B" and i % 8 == 0) or (arms[c] == "A" and i % 25 == 0)]
    for c in converted:
        assert sandbox.record_conversion(exp.experiment_id, c, "signing", at(29, 10), "系统").counted
    result = sandbox.comparison(exp.experiment_id)
    expected = {
        name: (sum(1 for c in people if arms[c] == name), sum(1 for c in converted if arms[c] == name)) for name in "AB"
    }
    assert {r.name: (r.exposures, r.conversions) for r in result.rows} == expected
    assert result.verdict.kind == "better" and result.verdict.params["variant"] == "B"
    assert result.verdict.text().startswith("B 的成交率高于 A") and result.as_of == clock.now()
