"""The customer core end to end on SQLite and PostgreSQL: the seed scenario, merges, conflicts, staff ops."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from models.attribution import contributions, judge
from models.clock import BUSINESS_TZ
from models.leads import LeadError, LeadIn
from models.lookup import customer_detail, evidence_bundle, open_reviews
from models.registry import OperationError, ReplayConflict, load_touches
from models.schema import audit_log, customers, identifiers, leads, merge_history, review_items

ID_LI = "11010519491231002X"
ID_WANG = "440401199001011766"


def at(h: int, m: int = 0, day: int = 20) -> datetime:
    """A business time on November `day`, 2026."""
    return datetime(2026, 11, day, h, m, tzinfo=BUSINESS_TZ)


def douyin(msg: str, when: datetime, mobile: str, open_id: str = "dyOPEN_abc123", name: str = "李敏") -> LeadIn:
    """A Douyin form lead."""
    return LeadIn("douyin", msg, "douyin", "online_lead", when, name, [("douyin_open_id", open_id), ("mobile", mobile)])


def seed_day(registry):
    """The seed's person: Douyin in the morning, mini-program in the afternoon, agency visit at night."""
    r1 = registry.ingest(douyin("dy-1001", at(9, 12), "13812345678"))
    r2 = registry.ingest(
        LeadIn(
            "mini_program",
            "mp-77",
            "mini_program",
            "online_lead",
            at(14, 30),
            "李敏",
            [("wx_union_id", "oUnion_xyz789"), ("mobile", "+86 138-1234-5678")],
        )
    )
    r3 = registry.ingest(
        LeadIn(
            "agency",
            "lj-5",
            "agency",
            "accompanied_visit",
            at(19, 5),
            "李敏",
            [("mobile", "13812345678"), ("national_id", ID_LI)],
            agency_code="lianjia",
            broker_code="zhang",
            broker_name="张经纪",
        )
    )
    return r1, r2, r3


def test_seed_scenario_one_customer_three_touches(registry, engine, clock):
    r1, r2, r3 = seed_day(registry)
    assert r1.customer_id == r2.customer_id == r3.customer_id
    assert r1.explanation.code == "new_customer"
    assert r2.explanation.text() == f"与线索 #{r1.lead_id}（抖音，11-20 09:12）手机号相同：138****5678"
    assert r2.explanation.text("en") == f"same mobile 138****5678 as lead #{r1.lead_id} (抖音, 11-20 09:12)"
    with engine.connect() as conn:
        ts = load_touches(conn, [r1.customer_id])[r1.customer_id]
        assert [t.channel.value for t in ts] == ["douyin", "mini_program", "agency"]
        row = conn.execute(sa.select(customers).where(customers.c.id == r1.customer_id)).one()
        assert row.first_channel == "douyin" and row.first_lead_id == r1.lead_id
        assert conn.execute(sa.select(sa.func.count()).select_from(customers)).scalar() == 1
    shares = {c.channel.value: c.share for c in contributions(ts)}
    # weights 0.4 (douyin lead), 0.3 (mini-program lead), 0.6 (agency visit), normalised to 1.3
    assert shares == {"douyin": Decimal("0.3077"), "mini_program": Decimal("0.2308"), "agency": Decimal("0.4615")}
    assert sum(shares.values()) == Decimal("1")
    verdict = judge(ts, registry.rules.protection, clock.now())
    assert verdict.owner == "agency" and verdict.agency_name == "lianjia" and verdict.broker_name == "张经纪"
    assert any(r.code == "first_visit_agency" for r in verdict.reasons)


def test_bridging_lead_merges_two_customers(registry, engine):
    a = registry.ingest(douyin("1", at(9), "13900001111", open_id="dy_personA"))
    b = registry.ingest(
        LeadIn(
            "anjuke",
            "2",
            "anjuke",
            "online_lead",
            at(10),
            "李敏",
            [("anjuke_member_id", "ajk_778899"), ("mobile", "13700002222")],
        )
    )
    assert a.customer_id != b.customer_id
    bridge = registry.ingest(
        LeadIn(
            "walk_in", "3", "walk_in", "walk_in", at(15), "李敏", [("mobile", "13900001111"), ("national_id", ID_LI)]
        )
    )
    assert bridge.customer_id == a.customer_id
    bridge2 = registry.ingest(
        LeadIn(
            "walk_in", "4", "walk_in", "walk_in", at(16), "李敏", [("mobile", "13700002222"), ("national_id", ID_LI)]
        )
    )
    assert bridge2.customer_id == a.customer_id
    with engine.connect() as conn:
        absorbed = conn.execute(sa.select(customers).where(customers.c.id == b.customer_id)).one()
        assert absorbed.status == "merged" and absorbed.merged_into == a.customer_id
        hist = conn.execute(sa.select(merge_history).where(merge_history.c.op == "merge")).all()
        assert len(hist) == 1 and hist[0].other_customer_id == b.customer_id
        assert "身份证号相同" in hist[0].explanation or "手机号相同" in hist[0].explanation
        owners = {r.customer_id for r in conn.execute(sa.select(leads.c.customer_id))}
        assert owners == {a.customer_id}


def test_family_phone_with_two_id_numbers_goes_to_review_not_merged(registry, engine):
    mum = registry.ingest(
        LeadIn(
            "walk_in", "m", "walk_in", "walk_in", at(10), "王芳", [("mobile", "13655556666"), ("national_id", ID_WANG)]
        )
    )
    son = registry.ingest(
        LeadIn(
            "walk_in", "s", "walk_in", "walk_in", at(11), "王小明", [("mobile", "13655556666"), ("national_id", ID_LI)]
        )
    )
    assert mum.customer_id != son.customer_id
    with engine.connect() as conn:
        items = open_reviews(conn)
    assert len(items) == 1
    item = items[0]
    assert item["kind"] == "held_shared_by_different_ids"
    assert set(item["evidence"]["lead_ids"]) == {mum.lead_id, son.lead_id}
    assert item["evidence"]["masked"] == "136****6666"
    assert "13655556666" not in str(item["evidence"])
    # a third lead with only the shared phone is not silently given to either of them
    third = registry.ingest(LeadIn("douyin", "x", "douyin", "online_lead", at(12), "", [("mobile", "13655556666")]))
    assert third.customer_id not in (mum.customer_id, son.customer_id)


def test_too_many_mobiles_splits_weakest_links_and_reviews(registry, engine):
    # one browser fingerprint seen with seven different mobiles: a shared office PC, not a person
    for i in range(7):
        registry.ingest(
            LeadIn(
                "xiaohongshu",
                f"x{i}",
                "xiaohongshu",
                "online_lead",
                at(9, i),
                "",
                [("browser_fp", "fp_office_pc_01"), ("mobile", f"1390000{i:04d}")],
            )
        )
    with engine.connect() as conn:
        n_customers = conn.execute(
            sa.select(sa.func.count()).select_from(customers).where(customers.c.status == "active")
        ).scalar()
        kinds = {r.kind for r in conn.execute(sa.select(review_items))}
    assert n_customers == 7
    assert "held_customer_over_limit" in kinds


def test_invalid_and_blocked_identifiers_are_kept_and_never_match(registry, engine):
    a = registry.ingest(
        LeadIn(
            "douyin",
            "1",
            "douyin",
            "online_lead",
            at(9),
            "赵",
            [("mobile", "138123456789"), ("idfa", "00000000-0000-0000-0000-000000000000")],
        )
    )
    b = registry.ingest(
        LeadIn(
            "douyin",
            "2",
            "douyin",
            "online_lead",
            at(9, 5),
            "钱",
            [("mobile", "138123456789"), ("idfa", "00000000-0000-0000-0000-000000000000")],
        )
    )
    assert a.customer_id != b.customer_id
    assert {p[0] for p in a.problems} == {"mobile", "idfa"}
    assert any("12 digits" in p[2] for p in a.problems)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(identifiers).where(identifiers.c.lead_id == a.lead_id)).all()
        assert {(r.kind, r.status) for r in rows} == {("mobile", "invalid"), ("idfa", "blocked")}
        assert all(r.match_key is None for r in rows)
        assert conn.execute(sa.select(leads.c.problems).where(leads.c.id == a.lead_id)).scalar() == 2


def test_replay_returns_first_result_and_conflicting_replay_is_refused(registry, engine):
    first = registry.ingest(douyin("dy-9", at(9), "13812345678"))
    again = registry.ingest(douyin("dy-9", at(9), "13812345678"))
    assert again.replayed and again.lead_id == first.lead_id and again.customer_id == first.customer_id
    with pytest.raises(ReplayConflict, match="dy-9"):
        registry.ingest(douyin("dy-9", at(9), "13999999999"))
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(leads)).scalar() == 1


def test_bad_lead_fields_are_clear_errors():
    with pytest.raises(LeadError, match="unknown channel 'tiktok'"):
        LeadIn("x", "1", "tiktok", "online_lead", at(9))
    with pytest.raises(LeadError, match="agency_code"):
        LeadIn("x", "1", "agency", "accompanied_visit", at(9))
    with pytest.raises(LeadError, match="source_message_id"):
        LeadIn("x", "", "douyin", "online_lead", at(9))


def test_manual_merge_and_split_are_logged_and_stick(registry, engine, vault, rules, clock):
    a = registry.ingest(douyin("1", at(9), "13812345678", open_id="dy_a1"))
    b = registry.ingest(douyin("2", at(10), "13912345678", open_id="dy_b2"))
    changes = registry.merge(a.customer_id, b.customer_id, actor="经理A", note="same person, two phones")
    assert changes.merged == [(a.customer_id, b.customer_id)]
    # a new lead for b's phone joins the merged customer
    c = registry.ingest(douyin("3", at(11), "13912345678", open_id="dy_b2"))
    assert c.customer_id == a.customer_id
    # split b's leads back out: they stay out even when another lead with b's phone arrives
    split = registry.split(a.customer_id, [b.lead_id, c.lead_id], actor="经理A", note="wrong merge")
    assert len(split.split) == 1
    new_cid = split.split[0][1]
    d = registry.ingest(douyin("4", at(12), "13812345678", open_id="dy_a1"))
    assert d.customer_id == a.customer_id
    with engine.connect() as conn:
        owners = dict(conn.execute(sa.select(leads.c.id, leads.c.customer_id)).all())
        actions = [r.action for r in conn.execute(sa.select(audit_log.c.action).order_by(audit_log.c.seq))]
        detail = customer_detail(conn, vault, rules.protection, new_cid, clock.now())
    assert owners[b.lead_id] == owners[c.lead_id] == new_cid
    assert "manual_merge" in actions and "manual_split" in actions
    assert {h["op"] for h in detail.history} >= {"split"}
    with pytest.raises(OperationError, match="at least one lead"):
        registry.split(new_cid, [b.lead_id, c.lead_id], actor="经理A")
    with pytest.raises(OperationError, match="do not belong"):
        registry.split(a.customer_id, [b.lead_id], actor="经理A")


def test_review_merge_closes_the_item(registry, engine):
    mum = registry.ingest(
        LeadIn(
            "walk_in", "m", "walk_in", "walk_in", at(10), "王芳", [("mobile", "13655556666"), ("national_id", ID_WANG)]
        )
    )
    son = registry.ingest(
        LeadIn(
            "walk_in", "s", "walk_in", "walk_in", at(11), "王小明", [("mobile", "13655556666"), ("national_id", ID_LI)]
        )
    )
    with engine.connect() as conn:
        item = open_reviews(conn)[0]
    registry.close_review(item["id"], "kept_apart", actor="经理A", note="mother and son")
    with engine.connect() as conn:
        assert open_reviews(conn) == []
        assert conn.execute(sa.select(review_items.c.status)).scalar() == "kept_apart"
    with pytest.raises(OperationError, match="already kept_apart"):
        registry.close_review(item["id"], "dismissed", actor="经理A")
    assert mum.customer_id != son.customer_id


def test_evidence_bundle_has_touches_decisions_and_hashes(registry, engine, vault, rules, clock):
    r1, _, _ = seed_day(registry)
    with engine.connect() as conn:
        bundle = evidence_bundle(conn, vault, rules.protection, registry.audit, r1.customer_id, clock.now())
    assert bundle["chain"]["intact"]
    assert [t["channel"] for t in bundle["touches"]] == ["douyin", "mini_program", "agency"]
    assert bundle["judgement"]["owner"] == "agency"
    actions = {d["action"] for d in bundle["decisions"]}
    assert {"lead_ingested", "attribution"} <= actions
    assert all(len(d["hash"]) == 64 for d in bundle["decisions"])
    assert "13812345678" not in str(bundle)


def test_concurrent_writers_do_not_create_two_customers_for_one_person(registry):
    """Two desks registering the same mobile at the same moment: the writer lock serialises them."""
    from concurrent.futures import ThreadPoolExecutor

    def register(i: int):
        return registry.ingest(douyin(f"race-{i}", at(9, i % 60), "13812345678"))

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(register, range(16)))
    assert len({r.customer_id for r in results}) == 1


def test_batch_reports_replays_and_conflicts_per_lead(registry, engine):
    stored = registry.ingest(douyin("dy-1", at(9), "13812345678"))
    batch = [
        douyin("dy-1", at(9), "13812345678"),  # replay of a stored lead
        douyin("dy-1", at(9), "13999999999"),  # same id, other content: refused, batch goes on
        douyin("dy-2", at(10), "13700000000", open_id="dy_other"),
        douyin("dy-2", at(10), "13700000000", open_id="dy_other"),  # repeated inside the batch
    ]
    results = registry.ingest_many(batch).results
    assert [r.replayed for r in results] == [True, True, False, True]
    assert results[0].lead_id == stored.lead_id and results[0].conflict is None
    assert results[1].conflict and "different payload" in results[1].conflict
    assert results[3].lead_id == results[2].lead_id
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(leads)).scalar() == 2
