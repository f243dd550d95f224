"""A small sales office with deals, built through the real registry, deal book and settlements.

Screenshots and view tests start from it: five customers (agency reports and visits, walk-ins, online
leads), subscriptions and signings, a week's statements with one confirmed and paid, and a dispute
pack — every figure computed by the same code the hub runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from models.audit import AuditLog
from models.clock import BUSINESS_TZ, FakeClock
from models.db import open_database, sqlite_url
from models.deal_records import CycleFigure, DealDetail, DealSummary, StatementDetail, StatementSummary
from models.deals import DealBook, DealIn, deal_detail, list_deals
from models.dispute import dispute_pack
from models.leads import LeadIn
from models.privacy import Vault
from models.registry import CustomerRegistry
from models.rules import load_rules
from models.settlement import Settlements, list_statements, settlement_cycle, statement_detail
from models.staff import add_staff

DEMO_KEY = bytes(range(32))
NOW = datetime(2026, 11, 21, 10, 30, tzinfo=BUSINESS_TZ)
PERIOD = (date(2026, 11, 16), date(2026, 11, 22))


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=BUSINESS_TZ)


# name, mobile, touches (channel, kind, day, hour, agency, broker)
PEOPLE: list[tuple[str, str, list[tuple[str, str, int, int, str | None, str | None]]]] = [
    (
        "李敏",
        "13812345678",
        [
            ("douyin", "online_lead", 2, 9, None, None),
            ("agency", "report", 3, 10, "链家地产", "张经纪"),
            ("agency", "accompanied_visit", 4, 15, "链家地产", "张经纪"),
        ],
    ),
    (
        "王芳",
        "13900001111",
        [
            ("walk_in", "walk_in", 5, 11, None, None),
            ("agency", "report", 6, 9, "我爱我家", "刘强"),
            ("agency", "accompanied_visit", 7, 14, "我爱我家", "刘强"),
        ],
    ),
    (
        "张伟",
        "13700002222",
        [
            ("anjuke", "online_lead", 1, 20, None, None),
            ("agency", "report", 8, 10, "我爱我家", "刘强"),
            ("agency", "accompanied_visit", 9, 16, "我爱我家", "刘强"),
        ],
    ),
    (
        "陈静",
        "13600003333",
        [
            ("xiaohongshu", "online_lead", 6, 21, None, None),
            ("mini_program", "online_lead", 7, 12, None, None),
            ("agency", "report", 10, 9, "链家地产", "赵经纪"),
            ("agency", "accompanied_visit", 11, 15, "链家地产", "赵经纪"),
        ],
    ),
    (
        "刘洋",
        "13500004444",
        [
            ("agency", "report", 9, 9, "链家地产", "张经纪"),
            ("agency", "report", 9, 18, "我爱我家", "刘强"),
            ("agency", "accompanied_visit", 12, 10, "我爱我家", "刘强"),
        ],
    ),
]

# person index, stage, unit, amount, day, hour, pool
DEALS = [
    (0, "subscription", "3-1-1502", "3200000", 12, 15, None),
    (0, "signing", "3-1-1502", "3150000.00", 18, 16, None),
    (1, "signing", "A-801", "1880000.00", 19, 11, None),
    (2, "subscription", "B-1203", "2460000", 20, 10, None),
    (3, "signing", "5-2-301", "2999999.99", 17, 14, "45000"),
    (4, "signing", "7-1101", "2350000.00", 16, 17, None),
]


@dataclass(frozen=True)
class DealOffice:
    """What the deal screens show, as the hub would send it."""

    now: datetime
    consultants: list[tuple[int, str]]
    deals: list[DealSummary]
    detail: DealDetail
    statements: list[StatementSummary]
    statement: StatementDetail
    cycle: CycleFigure
    pack: dict[str, Any]


def build_deal_office(folder: Path) -> DealOffice:
    """Create the office in an SQLite file under `folder` and read back everything the screens need."""
    engine = open_database(sqlite_url(folder / "deals-demo.db"))
    vault, rules, clock = Vault(DEMO_KEY), load_rules(), FakeClock(_at(1, 8))
    registry = CustomerRegistry(engine, vault, rules, clock)
    customers = []
    for n, (name, mobile, touches) in enumerate(PEOPLE):
        cid = None
        for i, (channel, kind, day, hour, agency, broker) in enumerate(touches):
            clock.set(_at(day, hour, 5))
            lead = LeadIn(
                channel,
                f"demo-{n}-{i}",
                channel,
                kind,
                _at(day, hour),
                name,
                [("mobile", mobile)],
                agency_code=agency,
                broker_code=broker,
                broker_name=broker,
            )
            cid = registry.ingest(lead).customer_id
        customers.append(cid)
    clock.set(NOW)
    with engine.begin() as conn:
        staff = [add_staff(conn, vault, name, "consultant", NOW)[0] for name in ("王磊", "陈晨", "赵丽")]
    audit = AuditLog(vault.audit_key)
    book = DealBook(engine, audit, rules, clock)
    for person, stage, unit, amount, day, hour, pool in DEALS:
        who = staff[person % len(staff)]
        book.record(DealIn(customers[person], unit, amount, _at(day, hour), stage, who.name, who.id, pool), who.name)
    desk = Settlements(engine, audit, clock)
    made = desk.prepare(*PERIOD, "渠道专员小陈")
    first = next(s for s in made if s.agency_name == "我爱我家")
    desk.transition(first.statement_id, "confirmed", "刘强")
    desk.transition(first.statement_id, "paid", "财务王")
    with engine.connect() as conn:
        deals = list_deals(conn)
        signed = next(d for d in deals if d.unit == "3-1-1502")
        office = DealOffice(
            now=NOW,
            consultants=[(s.id, s.name) for s in staff],
            deals=deals,
            detail=deal_detail(conn, signed.deal_id),
            statements=list_statements(conn),
            statement=statement_detail(conn, first.statement_id),
            cycle=settlement_cycle(conn, *PERIOD, NOW, rules.commission.settlement_target_days),
            pack=dispute_pack(conn, vault, rules.protection, audit, signed.deal_id, NOW),
        )
    engine.dispose()
    return office
