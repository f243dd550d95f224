"""The KPI on hand-built days with known answers, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from models.clock import BUSINESS_TZ
from models.db import write_transaction
from models.floor import Floor
from models.leads import LeadIn
from models.metrics import kpi
from models.staff import add_staff
from tests.hubkit import enrolled, open_client, running_hub

DAY = datetime(2026, 11, 20, 9, 0, tzinfo=BUSINESS_TZ)  # a Friday: auto-assignment


def lead(n: int, phone: str, when: datetime, channel: str = "douyin") -> LeadIn:
    kind = "walk_in" if channel == "walk_in" else "online_lead"
    return LeadIn(channel, f"m{n}", channel, kind, when, f"客户{n}", [("mobile", phone)])


def build_day(registry, clock):
    """Six leads on one day with known answers; one more the next day."""
    floor = Floor(registry)
    with write_transaction(registry.engine) as conn:
        wang = add_staff(conn, registry.vault, "王磊", "consultant", clock.now())[0]
    clock.set(DAY)
    floor.set_status(wang.id, "on_duty", "t")
    ids = {}

    def take(n, phone, offset_min, channel="douyin"):
        clock.set(DAY + timedelta(minutes=offset_min))
        ids[n] = floor.intake([lead(n, phone, clock.now(), channel)], "t").result["leads"][0]["lead_id"]

    def answer(n, at_min, kind="call"):
        clock.set(DAY + timedelta(minutes=at_min))
        floor.log_follow_up(wang, ids[n], kind)

    take(1, "13800000001", 0)
    answer(1, 3)  # 3 min: within 5
    take(2, "13800000002", 10)
    answer(2, 15)  # exactly 5 min: within
    take(3, "13800000003", 20)
    answer(3, 90)  # 70 min: not within 5, within 2 h
    take(4, "13800000001", 100)  # same mobile as lead 1: a duplicate, back to 王磊
    take(5, "13800000005", 110, "walk_in")  # a visit, never answered
    take(6, "13800000006", 116)  # received 4 min before `now`: pending, not counted yet
    clock.set(DAY + timedelta(minutes=120))
    answer(4, 120, "visit")  # 20 min
    return wang, ids


def test_a_hand_built_day(registry, clock):
    _wang, _ids = build_day(registry, clock)
    now = DAY + timedelta(minutes=120)
    with registry.engine.connect() as conn:
        [row] = kpi(conn, date(2026, 11, 20), date(2026, 11, 20), now)
    assert row.leads == 6 and row.answered == 4 and row.visits == 1 and row.duplicates == 1
    assert (row.within_5, row.counted_5) == (2, 5)  # 1, 2 in time; 3, 4 late; 5 unanswered > 5 min; 6 pending
    assert row.rate_5 == 0.4 and row.unanswered_late == 1
    assert (row.within_2h, row.counted_2h) == (4, 4)  # 5 and 6 are not yet two hours old
    assert row.median_s == (300 + 1200) / 2 and row.p90_s == 1200.0
    assert abs(row.duplicate_rate - 1 / 6) < 1e-9


def test_grouped_and_filtered(registry, clock):
    wang, _ids = build_day(registry, clock)
    now = DAY + timedelta(minutes=120)
    with registry.engine.connect() as conn:
        by_channel = {r.key: r for r in kpi(conn, date(2026, 11, 20), date(2026, 11, 20), now, group="channel")}
        by_consultant = kpi(conn, date(2026, 11, 20), date(2026, 11, 20), now, group="consultant")
        by_day = kpi(conn, date(2026, 11, 19), date(2026, 11, 21), now, group="day")
        only_walk_ins = kpi(conn, date(2026, 11, 20), date(2026, 11, 20), now, channel="walk_in")
        nobody = kpi(conn, date(2026, 11, 20), date(2026, 11, 20), now, consultant_id=wang.id + 99)
    assert set(by_channel) == {"douyin", "walk_in"} and by_channel["douyin"].leads == 5
    assert [r.key for r in by_consultant] == [str(wang.id)]
    assert [r.key for r in by_day] == ["2026-11-20"]
    assert only_walk_ins[0].leads == 1 and nobody == []


def test_a_late_evening_lead_belongs_to_its_business_day(registry, clock):
    floor = Floor(registry)
    with write_transaction(registry.engine) as conn:
        wang = add_staff(conn, registry.vault, "王磊", "consultant", clock.now())[0]
    late = datetime(2026, 11, 20, 23, 50, tzinfo=BUSINESS_TZ)  # 15:50 UTC, still the 20th in the office
    clock.set(late)
    floor.set_status(wang.id, "on_duty", "t")
    floor.intake([lead(1, "13800000001", late)], "t")
    with registry.engine.connect() as conn:
        [row] = kpi(conn, date(2026, 11, 20), date(2026, 11, 20), late + timedelta(hours=1), group="day")
    assert row.key == "2026-11-20" and row.counted_5 == 1 and row.within_5 == 0


def test_histogram_and_drill_down(registry, clock):
    from models.metrics import late_leads, response_histogram

    wang, ids = build_day(registry, clock)
    now = DAY + timedelta(minutes=120)
    with registry.engine.connect() as conn:
        assert response_histogram(conn, date(2026, 11, 20), date(2026, 11, 20)) == [0, 0, 2, 0, 1, 0, 1, 0]
        late = late_leads(conn, date(2026, 11, 20), now)
        mine = late_leads(conn, date(2026, 11, 20), now, wang.id)
    assert late == [ids[3], ids[4], ids[5]] and mine == late  # all three were 王磊's


@pytest.mark.asyncio
async def test_the_dashboard_report_through_the_hub(registry, clock):
    build_day(registry, clock)
    async with running_hub(registry) as hub:
        _, boss = await enrolled(hub, "张经理", "manager")
        _, desk = await enrolled(hub, "前台", "reception")
        manager = await open_client(hub, boss, "m")
        report = await manager.call("kpi.report", start="2026-11-20", end="2026-11-20")
        result = report["result"]
        assert result["total"]["rate_5"] == 0.4 and result["by_consultant"][0]["key"] == "王磊"
        assert sum(result["histogram"]["counts"]) == 4
        drill = await manager.call("kpi.late", day="2026-11-20")
        assert len(drill["result"]["leads"]) == 3 and all(
            "****" in c["mobile_masked"] for c in drill["result"]["leads"]
        )
        bad = await manager.call("kpi.report", start="2026-11-21", end="2026-11-20")
        assert bad["code"] == "invalid"
        reception = await open_client(hub, desk, "r")
        assert (await reception.call("kpi.report", start="2026-11-20", end="2026-11-20"))["code"] == "forbidden"
        for c in (manager, reception):
            await c.close()


def test_a_follow_up_logged_offline_counts_from_when_it_happened(registry, clock):
    """A desk offline for an hour syncs a call made 3 minutes after the lead: it counts as within 5."""
    floor = Floor(registry)
    with write_transaction(registry.engine) as conn:
        wang = add_staff(conn, registry.vault, "王磊", "consultant", clock.now())[0]
    clock.set(DAY)
    floor.set_status(wang.id, "on_duty", "t")
    lead_id = floor.intake([lead(1, "13800000001", DAY)], "t").result["leads"][0]["lead_id"]
    clock.set(DAY + timedelta(hours=1))  # the desk comes back online and sends its outbox
    floor.log_follow_up(wang, lead_id, "call", occurred_at=DAY + timedelta(minutes=3))
    with registry.engine.connect() as conn:
        [row] = kpi(conn, date(2026, 11, 20), date(2026, 11, 20), DAY + timedelta(hours=1))
    assert (row.within_5, row.counted_5) == (1, 1) and row.median_s == 180.0
