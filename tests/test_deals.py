"""Deals, settlements and dispute packs on SQLite and PostgreSQL: storage, rules, exports opened and checked."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from models.audit import AuditLog
from models.clock import BUSINESS_TZ
from models.deal_schema import commission_lines
from models.deal_wire import from_wire, to_wire
from models.deals import DealBook, DealDetail, DealError, DealIn, deal_detail, list_deals
from models.dispute import dispute_pack
from models.dispute_export import dispute_html, dispute_json, dispute_xlsx
from models.leads import LeadIn
from models.schema import audit_log
from models.settlement import (
    SettlementError,
    Settlements,
    list_statements,
    settlement_cycle,
    statement_detail,
    transition_refusal,
)
from models.settlement_export import statement_html, statement_xlsx
from models.staff import add_staff

MOBILE = "13812345678"


def at(day: int, h: int, m: int = 0) -> datetime:
    """A business time in November 2026."""
    return datetime(2026, 11, day, h, m, tzinfo=BUSINESS_TZ)


def person(registry, tag: str, mobile: str, touches: list[tuple[str, str, datetime, str | None]]) -> int:
    """Ingest one person's touches (channel, kind, when, agency code); returns the customer id."""
    cid = None
    for i, (channel, kind, when, agency) in enumerate(touches):
        lead = LeadIn(
            channel,
            f"{tag}-{i}",
            channel,
            kind,
            when,
            "李敏",
            [("mobile", mobile), ("national_id", "11010519491231002X")] if tag == "li" else [("mobile", mobile)],
            agency_code=agency,
            broker_code="zhang" if agency else None,
            broker_name="张经纪" if agency else None,
        )
        cid = registry.ingest(lead).customer_id
    return cid


@pytest.fixture
def office(registry, clock, engine, vault):
    """Two customers on 11-01..11-05: 李敏 (抖音 → 链家 report + visit) and 王芳 (walk-in, then a report)."""
    clock.set(at(1, 8))
    li = person(
        registry,
        "li",
        MOBILE,
        [
            ("douyin", "online_lead", at(1, 9, 12), None),
            ("agency", "report", at(2, 10), "lianjia"),
            ("agency", "accompanied_visit", at(3, 15), "lianjia"),
        ],
    )
    wang = person(
        registry,
        "wang",
        "13900001111",
        [("walk_in", "walk_in", at(2, 11), None), ("agency", "report", at(3, 9), "woaiwojia")],
    )
    clock.set(at(10, 9))
    with engine.begin() as conn:
        consultant, _code = add_staff(conn, vault, "王磊", "consultant", clock.now())
    book = DealBook(engine, AuditLog(vault.audit_key), registry.rules, clock)
    return book, li, wang, consultant.id


def sign(book, customer, unit, amount, when, consultant, stage="signing", **kw) -> DealDetail:
    """Record a deal by 王磊."""
    return book.record(DealIn(customer, unit, amount, when, stage, "王磊", consultant, **kw), actor="王磊")


def test_subscription_then_signing_splits_the_pool_and_measures_the_cycle(office, engine, clock, vault):
    book, li, _wang, staff_id = office
    sub = sign(book, li, "３栋 1单元-1502", "3200000", at(5, 14), staff_id, stage="subscription")
    assert sub.deal.state == "subscribed" and sub.deal.unit == "3栋1单元-1502" and sub.lines == ()
    assert sub.deal.subscription_amount == Decimal("3200000.00")
    signed = sign(book, li, "3栋1单元-1502", "3150000.00", at(9, 16), staff_id)
    d = signed.deal
    assert (d.deal_id, d.state, d.signed_amount) == (sub.deal.deal_id, "signed", Decimal("3150000.00"))
    assert d.cycle_days == 8 and d.first_touch_at == at(1, 9, 12)  # 11-01 → 11-09
    assert d.pool == Decimal("47250.00") and signed.rate == Decimal("0.015")  # 1.5 % of the signed amount
    assert d.owner == "lianjia" and "到访为王" in signed.judgement
    amounts = {line.party_name: line.amount for line in signed.lines}
    # weights: douyin lead 0.4, agency report 0.2 + visit 0.6 → 0.4 / 1.2 and 0.8 / 1.2
    assert amounts == {"抖音（王磊）": Decimal("15750.00"), "lianjia（张经纪）": Decimal("31500.00")}
    assert sum(amounts.values()) == d.pool
    assert "判客归属lianjia" in signed.lines[1].reasons and "attribution names" in signed.lines[1].reasons_en
    with engine.connect() as conn:
        actions = [r.action for r in conn.execute(sa.select(audit_log.c.action).order_by(audit_log.c.seq))]
        assert actions[-3:] == ["deal_subscribed", "deal_signed", "commission_split"]
        assert AuditLog(vault.audit_key).verify(conn) == []
        total = conn.execute(sa.select(sa.func.sum(commission_lines.c.amount))).scalar()  # summed in fens
        assert total == Decimal("47250.00")
    assert from_wire(DealDetail, json.loads(json.dumps(to_wire(signed)))) == signed


def test_signing_without_subscription_with_a_given_pool(office):
    book, _li, wang, staff_id = office
    detail = sign(book, wang, "A-801", "1880000.5", at(8, 11), staff_id, pool="30000")
    assert detail.deal.subscribed_at is None and detail.deal.state == "signed"
    assert detail.deal.pool == Decimal("30000.00") and detail.rate is None
    # walked in before any report: the office keeps the customer, the agency's line is zero and says why
    assert detail.deal.owner == "案场"
    lines = {line.party_name: line for line in detail.lines}
    assert lines["自然到访（王磊）"].amount == Decimal("30000.00")
    excluded = lines["woaiwojia（张经纪）"]
    assert excluded.amount == 0 and not excluded.eligible and "判客未归属woaiwojia" in excluded.reasons


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"amount": "0"}, "must be more than zero"),
        ({"amount": "12.345"}, "more than two decimals"),
        ({"amount": 12.5}, "not float"),
        ({"amount": "2000000000"}, "check the figure"),
        ({"unit": "  "}, "unit .* is empty"),
        ({"unit": "3栋;DROP"}, "may only contain"),
        ({"unit": "1" * 40}, "longer than 32"),
        ({"at": at(11, 9)}, "in the future"),
        ({"at": at(1, 6)}, "before the customer's first contact"),
        ({"at": "21 Nov"}, "is not a date and time"),
        ({"at": "2026-11-30T10:00+08:00"}, "in the future"),
        ({"stage": "deposit"}, "stage must be one of"),
        ({"consultant_name": " "}, "consultant is required"),
        ({"customer_id": 999}, "customer #999 does not exist"),
        ({"pool": "9999999"}, "more than the signed amount"),
        ({"pool": "-1"}, "must not be negative"),
    ],
)
def test_bad_deals_are_refused_with_clear_errors(office, change, message):
    book, li, _wang, staff_id = office
    entry = replace(DealIn(li, "5-2-301", "2100000", at(8, 10), "signing", "王磊", staff_id), **change)
    with pytest.raises(DealError, match=message):
        book.record(entry, "王磊")


def test_a_unit_is_sold_once_and_signed_once(office):
    book, li, wang, staff_id = office
    sign(book, li, "5-2-301", "2100000", at(6, 10), staff_id, stage="subscription")
    with pytest.raises(DealError, match="already has deal #1 with customer"):
        sign(book, wang, "5-2-301", "2100000", at(7, 10), staff_id)
    with pytest.raises(DealError, match="record its signing"):
        sign(book, li, "5-2-301", "2100000", at(7, 10), staff_id, stage="subscription")
    with pytest.raises(DealError, match="before the subscription"):
        sign(book, li, "5-2-301", "2100000", at(6, 9), staff_id)
    sign(book, li, "5-2-301", "2100000", at(7, 10), staff_id)
    with pytest.raises(DealError, match="was already signed on 2026-11-07 10:00"):
        sign(book, li, "5-2-301", "2100000", at(8, 10), staff_id)


def test_a_deal_on_a_merged_away_customer_lands_on_the_survivor(office, registry, engine):
    book, li, _wang, staff_id = office
    other = person(registry, "li2", "13711112222", [("xiaohongshu", "online_lead", at(4, 9), None)])
    registry.merge(li, other, "张经理", "same person")
    detail = sign(book, other, "7-1101", "990000", at(9, 10), staff_id)
    assert detail.deal.customer_id == li
    with engine.connect() as conn:
        assert [d.deal_id for d in list_deals(conn)] == [detail.deal.deal_id]
        assert list_deals(conn, date(2026, 11, 10), date(2026, 11, 10)) == []
        assert list_deals(conn, consultant_id=staff_id + 1) == []


def test_a_unit_subscribed_before_a_merge_is_signed_on_the_surviving_customer(office, registry):
    book, li, _wang, staff_id = office
    other = person(registry, "li3", "13711113333", [("xiaohongshu", "online_lead", at(1, 8), None)])
    sign(book, other, "8-1201", "1500000", at(5, 10), staff_id, stage="subscription")
    registry.merge(li, other, "张经理", "same person")
    detail = sign(book, li, "8-1201", "1480000", at(9, 10), staff_id)
    assert detail.deal.state == "signed" and detail.deal.customer_id == li


def signed_office(office, clock):
    """李敏 signed on 11-09 (链家 owns), 王芳 signed on 11-08 (the office owns)."""
    book, li, wang, staff_id = office
    a = sign(book, li, "3-1-1502", "3150000.00", at(9, 16), staff_id)
    b = sign(book, wang, "A-801", "1880000.00", at(8, 11), staff_id)
    return a, b


def test_statements_gather_agency_lines_and_move_forward_only(office, engine, clock, vault):
    a, _b = signed_office(office, clock)
    desk = Settlements(engine, AuditLog(vault.audit_key), clock)
    made = desk.prepare(date(2026, 11, 1), date(2026, 11, 15), "渠道专员小陈")
    assert len(made) == 1  # 王芳's agency line is zero: nothing to settle with woaiwojia
    s = made[0]
    assert (s.agency_name, s.status, s.total, s.line_count) == ("lianjia", "pending", Decimal("31500.00"), 1)
    assert desk.prepare(date(2026, 11, 1), date(2026, 11, 15), "渠道专员小陈") == []  # nothing left unsettled
    with pytest.raises(SettlementError, match="must confirm it before it is paid"):
        desk.transition(s.statement_id, "paid", "财务")
    clock.advance(hours=20)
    confirmed = desk.transition(s.statement_id, "confirmed", "张经纪", note="核对无误 13812345678")
    assert confirmed.confirmed_by == "张经纪" and confirmed.confirmed_at == clock.now()
    assert "13812345678" not in confirmed.note and "138****5678" in confirmed.note
    with pytest.raises(SettlementError, match=r"already confirmed \(by 张经纪"):
        desk.transition(s.statement_id, "confirmed", "张经纪")
    clock.advance(hours=20)
    paid = desk.transition(s.statement_id, "paid", "财务王")
    assert (paid.status, paid.paid_by) == ("paid", "财务王")
    with pytest.raises(SettlementError, match="cannot change"):
        desk.transition(s.statement_id, "confirmed", "张经纪")
    with pytest.raises(SettlementError, match="can be marked confirmed or paid"):
        desk.transition(s.statement_id, "pending", "张经纪")
    with pytest.raises(SettlementError, match="does not exist"):
        desk.transition(999, "paid", "财务王")
    with engine.connect() as conn:
        detail = statement_detail(conn, s.statement_id)
        assert [line.deal_id for line in detail.lines] == [a.deal.deal_id]
        assert detail.lines[0].cycle_days == Decimal("2.4")  # signed 11-09 16:00, paid 11-12 01:00
        assert deal_detail(conn, a.deal.deal_id).lines[1].statement_status == "paid"
        assert [x.status for x in list_statements(conn, status="paid")] == ["paid"]
        assert list_statements(conn, agency_id=s.agency_id + 100) == []
        actions = [r.action for r in conn.execute(sa.select(audit_log.c.action).order_by(audit_log.c.seq))]
        assert actions[-3:] == ["settlement_prepared", "settlement_confirmed", "settlement_paid"]
        assert AuditLog(vault.audit_key).verify(conn) == []


def test_a_late_signing_joins_the_pending_statement_not_a_confirmed_one(office, engine, clock, vault, registry):
    book, li, _wang, staff_id = office
    desk = Settlements(engine, AuditLog(vault.audit_key), clock)
    sign(book, li, "3-1-1502", "1000000", at(9, 16), staff_id)
    first = desk.prepare(date(2026, 11, 9), date(2026, 11, 9), "小陈")[0]
    sign(book, li, "3-1-1503", "2000000", at(9, 17), staff_id)
    again = desk.prepare(date(2026, 11, 9), date(2026, 11, 9), "小陈")[0]
    assert again.statement_id == first.statement_id and again.line_count == 2
    assert again.total == Decimal("30000.00")  # (15,000 + 30,000) × 0.8 / 1.2
    desk.transition(first.statement_id, "confirmed", "张经纪")
    sign(book, li, "3-1-1504", "1000000", at(9, 18), staff_id)
    third = desk.prepare(date(2026, 11, 9), date(2026, 11, 9), "小陈")[0]
    assert third.statement_id != first.statement_id and third.line_count == 1
    with pytest.raises(SettlementError, match="run forwards"):
        desk.prepare(date(2026, 11, 9), date(2026, 11, 1), "小陈")


def test_who_may_move_a_statement():
    assert transition_refusal("broker", 7, 7, "confirmed") is None
    assert transition_refusal("broker", 8, 7, "confirmed") == "a broker may confirm only their own agency's statements"
    assert transition_refusal("broker", 7, 7, "paid") == "a broker may not mark a statement paid"
    assert transition_refusal("manager", None, 7, "paid") is None
    assert transition_refusal("consultant", None, 7, "confirmed") is not None
    assert "not 'pending'" in transition_refusal("admin", None, 7, "pending")


def test_settlement_cycle_is_measured_against_the_target(office, engine, clock, vault, registry):
    book, li, _wang, staff_id = office
    desk = Settlements(engine, AuditLog(vault.audit_key), clock)
    sign(book, li, "1-101", "1000000", at(9, 10), staff_id)
    sign(book, li, "1-102", "1000000", at(9, 11), staff_id)
    s1 = desk.prepare(date(2026, 11, 9), date(2026, 11, 9), "小陈")[0]
    sign(book, li, "1-103", "1000000", at(9, 12), staff_id)  # recorded after the statement: still open
    clock.set(at(11, 10))
    desk.transition(s1.statement_id, "confirmed", "张经纪")
    desk.transition(s1.statement_id, "paid", "财务王")  # at 11-11 10:00: 2.0 and 1.96 days after signing
    clock.set(at(16, 10))
    with engine.connect() as conn:
        figure = settlement_cycle(conn, date(2026, 11, 1), date(2026, 11, 30), clock.now(), 3)
    assert (figure.lines, figure.paid, figure.within_target, figure.open_lines) == (3, 2, 2, 1)
    assert figure.share_within == 1.0 and figure.median_days == Decimal("2.0") and figure.max_days == Decimal("2.0")
    assert figure.oldest_open_days == Decimal("6.9")
    with engine.connect() as conn:
        empty = settlement_cycle(conn, date(2026, 10, 1), date(2026, 10, 31), clock.now(), 3)
    assert empty.paid == 0 and empty.share_within is None and empty.median_days is None


def test_statement_exports_open_and_add_up(office, engine, clock, vault, tmp_path):
    book, li, _wang, staff_id = office
    for i, amount in enumerate(("1000000.01", "2333333.33", "999999.99")):
        sign(book, li, f"9-{i}", amount, at(9, 10 + i), staff_id)
    desk = Settlements(engine, AuditLog(vault.audit_key), clock)
    s = desk.prepare(date(2026, 11, 1), date(2026, 11, 30), "小陈")[0]
    with engine.connect() as conn:
        detail = statement_detail(conn, s.statement_id)
    path = statement_xlsx(detail, tmp_path / "statement.xlsx")
    sheet = load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "lianjia 结佣对账单 2026-11-01 至 2026-11-30"
    header = rows.index(next(r for r in rows if r and r[0] == "成交编号"))
    lines, total = rows[header + 1 : -1], rows[-1]
    assert len(lines) == 3 and total[0] == "合计"
    assert sum(Decimal(str(r[8])) for r in lines) == Decimal(str(total[8])) == s.total
    assert {r[2] for r in lines} == {"李*"}
    assert MOBILE not in json.dumps(rows, ensure_ascii=False, default=str)
    html = statement_html(detail)
    assert f"{s.total:,.2f}" in html and "分销机构确认" in html and "李*" in html and MOBILE not in html


def test_dispute_pack_has_every_touch_report_visit_and_decision_with_hashes(office, engine, clock, vault, tmp_path):
    book, li, _wang, staff_id = office
    signed = sign(book, li, "3-1-1502", "3150000.00", at(9, 16), staff_id)
    audit = AuditLog(vault.audit_key)
    with engine.connect() as conn:
        pack = dispute_pack(conn, vault, book.rules.protection, audit, signed.deal.deal_id, clock.now())
    assert [t["kind"] for t in pack["touches"]] == ["online_lead", "report", "accompanied_visit"]
    assert pack["reports"][0]["agency"] == "lianjia" and pack["visits"][0]["kind"] == "accompanied_visit"
    assert {i["value"] for t in pack["touches"] for i in t["identifiers"]} >= {"138****5678"}
    actions = [d["action"] for d in pack["decisions"]]
    assert {"lead_ingested", "attribution", "deal_signed", "commission_split"} <= set(actions)
    assert all(len(d["hash"]) == 64 and d["hash_ok"] for d in pack["decisions"])
    assert pack["chain"]["intact"] and "判客归属lianjia" in pack["split"]["lines"][1]["reasons"]
    text = dispute_json(pack)
    assert MOBILE not in text and "11010519491231002X" not in text
    xlsx = load_workbook(dispute_xlsx(pack, tmp_path / "dispute.xlsx"))
    assert xlsx.sheetnames == ["概要", "接触", "报备", "到访", "分佣", "结算", "证据链"]
    chain = list(xlsx["证据链"].iter_rows(values_only=True))
    assert {r[5] for r in chain[1:]} == {d["hash"] for d in pack["decisions"]}
    split = list(xlsx["分佣"].iter_rows(values_only=True))[1:]
    assert sum(Decimal(r[3]) for r in split) == Decimal(pack["split"]["pool"])
    assert all(MOBILE not in str(c) for sheet in xlsx for row in sheet.iter_rows(values_only=True) for c in row)
    html = dispute_html(pack)
    assert "证据链校验通过" in html and pack["decisions"][-1]["hash"] in html and MOBILE not in html


def test_an_edited_chain_row_shows_in_the_dispute_pack(office, engine, clock, vault):
    book, li, _wang, staff_id = office
    signed = sign(book, li, "3-1-1502", "3150000.00", at(9, 16), staff_id)
    with engine.begin() as conn:
        seq = conn.execute(sa.select(sa.func.max(audit_log.c.seq))).scalar()
        conn.execute(audit_log.update().where(audit_log.c.seq == seq).values(actor="someone else"))
    with engine.connect() as conn:
        pack = dispute_pack(
            conn, vault, book.rules.protection, AuditLog(vault.audit_key), signed.deal.deal_id, clock.now()
        )
    assert not pack["chain"]["intact"]
    assert [d["hash_ok"] for d in pack["decisions"] if d["seq"] == seq] == [False]
    assert "证据链校验失败" in dispute_html(pack)


def test_the_record_dialogs_fields_record_a_deal_as_they_are(office):
    book, li, _wang, staff_id = office
    fields = {  # what views.deal_dialog.RecordDealDialog emits (and a `deal.record` command carries)
        "customer_id": li,
        "unit": "3-1-1502",
        "amount": "3150000.00",
        "at": "2026-11-09T16:00:00+08:00",
        "stage": "signing",
        "consultant_id": staff_id,
        "consultant_name": "王磊",
        "pool": None,
    }
    detail = book.record(DealIn(**fields), "王磊")
    assert detail.deal.signed_at == at(9, 16) and detail.deal.pool == Decimal("47250.00")


def test_a_statement_export_keeps_text_as_text_and_is_readable_by_others(tmp_path):
    import os
    import stat

    from models.deal_demo import build_deal_office

    office = build_deal_office(tmp_path)
    lines = tuple(replace(line, broker_name="=HYPERLINK(1)") for line in office.statement.lines)
    detail = replace(office.statement, lines=lines)
    path = statement_xlsx(detail, tmp_path / "s.xlsx")
    cells = [c for row in load_workbook(path).active.iter_rows() for c in row if c.value == "=HYPERLINK(1)"]
    assert cells and all(c.data_type == "s" for c in cells)  # never run as a formula
    assert stat.S_IMODE(os.stat(path).st_mode) & 0o044  # not left private by the temporary file
