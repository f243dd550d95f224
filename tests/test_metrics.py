"""The KPI on hand-built days with known answers, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from models.clock import BUSINESS_TZ, business_time
from models.db import write_transaction
from models.floor import Floor
from models.hub_schema import (
    KPI_TRIGGERS,
    alerts,
    grab_rounds,
    kpi_backfill_sql,
    kpi_days,
    kpi_trigger_ddl,
    lead_dispatch,
)
from models.leads import LeadIn
from models.metrics import BUCKETS_MIN, alerts_by_level, business_range, kpi, late_leads, response_histogram
from models.schema import customers, leads
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
    wang, ids = build_day(registry, clock)
    now = DAY + timedelta(minutes=120)
    with registry.engine.connect() as conn:
        assert response_histogram(conn, date(2026, 11, 20), date(2026, 11, 20)) == [0, 0, 2, 0, 1, 0, 1, 0]
        assert response_histogram(conn, date(2026, 11, 20), date(2026, 11, 20), consultant_id=wang.id) == [
            0, 0, 2, 0, 1, 0, 1, 0,
        ]  # all 王磊's
        assert sum(response_histogram(conn, date(2026, 11, 20), date(2026, 11, 20), consultant_id=wang.id + 1)) == 0
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
        assert result["total"]["signings"] == 0 and result["total"]["conversion"] == 0.0  # no deals that day
        assert result["contribution"] == {} and all("conversion" in r for r in result["by_channel"])
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


def one_lead(registry, clock):
    """王磊 on duty and one lead received at DAY (dispatched to him): (floor, 王磊, lead id)."""
    floor = Floor(registry)
    with write_transaction(registry.engine) as conn:
        wang = add_staff(conn, registry.vault, "王磊", "consultant", clock.now())[0]
    clock.set(DAY)
    floor.set_status(wang.id, "on_duty", "t")
    return floor, wang, floor.intake([lead(1, "13800000001", DAY)], "t").result["leads"][0]["lead_id"]


def test_a_follow_up_logged_offline_counts_from_when_it_happened(registry, clock):
    """A desk offline for an hour syncs a call made 3 minutes after the lead: it counts as within 5."""
    floor, wang, lead_id = one_lead(registry, clock)
    clock.set(DAY + timedelta(hours=1))  # the desk comes back online and sends its outbox
    floor.log_follow_up(wang, lead_id, "call", occurred_at=DAY + timedelta(minutes=3))
    with registry.engine.connect() as conn:
        [row] = kpi(conn, date(2026, 11, 20), date(2026, 11, 20), DAY + timedelta(hours=1))
    assert (row.within_5, row.counted_5) == (1, 1) and row.median_s == 180.0


def test_an_earlier_offline_follow_up_synced_after_a_later_one_is_the_first_response(registry, clock):
    """A colleague's call at +20 min is logged online; the consultant's offline call at +2 min syncs after it."""
    floor, wang, lead_id = one_lead(registry, clock)
    clock.set(DAY + timedelta(minutes=20))
    late = floor.log_follow_up(wang, lead_id, "call")
    clock.set(DAY + timedelta(hours=1))
    early = floor.log_follow_up(wang, lead_id, "call", occurred_at=DAY + timedelta(minutes=2))
    again = floor.log_follow_up(wang, lead_id, "wechat", occurred_at=DAY + timedelta(minutes=4))
    assert late.result["first_response_s"] == 1200 and early.result["first_response_s"] == 120
    assert again.result["first_response_s"] is None  # not earlier than the first: not a first response
    with registry.engine.connect() as conn:
        [row] = kpi(conn, date(2026, 11, 20), date(2026, 11, 20), DAY + timedelta(hours=1))
    assert (row.within_5, row.counted_5) == (1, 1) and row.median_s == 120.0


# --- the facts each lead carries and kpi_days, against a recount from the base rows -------------------

VISIT_KINDS = ("walk_in", "accompanied_visit")
EDGES_US = [m * 60_000_000 for m in BUCKETS_MIN]


def recount(conn) -> tuple[dict, dict]:
    """Each dispatched lead's facts and the five levels of kpi_days, computed here in Python."""
    lead_rows = {
        r.id: r
        for r in conn.execute(
            sa.select(leads.c.id, leads.c.received_at, leads.c.channel, leads.c.kind, leads.c.customer_id)
        )
    }
    firsts = dict(conn.execute(sa.select(customers.c.id, customers.c.first_lead_id)).all())
    facts, sums = {}, {}
    for d in conn.execute(sa.select(lead_dispatch)):
        lead = lead_rows[d.lead_id]
        day = business_time(lead.received_at).date()
        us = (d.first_follow_up_at - lead.received_at) // timedelta(microseconds=1) if d.first_follow_up_at else None
        first = firsts.get(lead.customer_id)
        duplicate = first is not None and first != lead.id
        visit = lead.kind in VISIT_KINDS
        facts[d.lead_id] = (day, lead.channel, visit, duplicate, us)
        bucket = [0] * (len(EDGES_US) + 1)
        if us is not None:
            bucket[next((i for i, edge in enumerate(EDGES_US) if us <= edge), len(EDGES_US))] = 1
        figures = [1, int(us is not None), int(duplicate), int(visit), *bucket]
        c, ch, m = d.consultant_id or 0, lead.channel, d.mode
        for key in ((c, ch, m), (-1, "*", "*"), (c, "*", "*"), (-1, ch, "*"), (-1, "*", m)):
            row = sums.setdefault((day, *key), [0] * len(figures))
            sums[(day, *key)] = [a + b for a, b in zip(row, figures, strict=True)]
    return facts, {k: tuple(v) for k, v in sums.items()}


def stored(conn) -> tuple[dict, dict]:
    """What the database keeps: lead_dispatch's facts and kpi_days."""
    cols = lead_dispatch.c
    facts = {
        r.lead_id: (r.business_day, r.channel, bool(r.visit), bool(r.duplicate), r.first_response_us)
        for r in conn.execute(
            sa.select(cols.lead_id, cols.business_day, cols.channel, cols.visit, cols.duplicate, cols.first_response_us)
        )
    }
    sums = {tuple(r[:4]): tuple(r[4:]) for r in conn.execute(sa.select(kpi_days))}
    return facts, sums


def assert_kept(engine) -> None:
    """The triggers kept every fact and every kpi_days row exactly."""
    with engine.connect() as conn:
        assert stored(conn) == recount(conn)


def busy_days(registry, clock) -> dict:
    """The hand-built day, then what moves its figures afterwards, checking the kept facts at each step."""
    wang, ids = build_day(registry, clock)
    engine, floor = registry.engine, Floor(registry)
    assert_kept(engine)
    with write_transaction(engine) as conn:
        li = add_staff(conn, registry.vault, "李娜", "consultant", clock.now())[0]
        boss = add_staff(conn, registry.vault, "张经理", "manager", clock.now())[0]
    floor.set_status(li.id, "on_duty", "t")
    floor.reassign(ids[5], li.id, boss, "王磊 is with a customer")  # the walk-in moves to 李娜
    assert_kept(engine)
    clock.set(DAY + timedelta(minutes=200))  # 李娜's desk comes back online: a call made at 2 min
    floor.log_follow_up(li, ids[5], "call", occurred_at=DAY + timedelta(minutes=112))
    assert_kept(engine)
    with engine.connect() as conn:
        cid = dict(conn.execute(sa.select(leads.c.id, leads.c.customer_id)).all())
    registry.merge(cid[ids[2]], cid[ids[3]], "张经理", "same person, two phones")  # lead 3 becomes a duplicate
    assert_kept(engine)
    registry.split(cid[ids[1]], [ids[4]], "张经理", "not the same person")  # lead 4 is no longer one
    assert_kept(engine)
    saturday = datetime(2026, 11, 21, 10, 0, tzinfo=BUSINESS_TZ)  # the grab pool
    clock.set(saturday)
    ids[7] = floor.intake([lead(7, "13800000007", saturday)], "t").result["leads"][0]["lead_id"]
    with engine.connect() as conn:
        round_id = conn.execute(sa.select(grab_rounds.c.id).where(grab_rounds.c.lead_id == ids[7])).scalar_one()
    clock.set(saturday + timedelta(seconds=5))
    assert floor.claim(round_id, li).won
    clock.set(saturday + timedelta(minutes=9))
    floor.log_follow_up(li, ids[7], "wechat")
    assert_kept(engine)
    return {"wang": wang, "li": li, "ids": ids}


def test_facts_and_kpi_days_stay_equal_to_a_recount(registry, clock):
    people = busy_days(registry, clock)
    ids, li = people["ids"], people["li"]
    with registry.engine.connect() as conn:
        [friday] = kpi(conn, date(2026, 11, 20), date(2026, 11, 20), DAY + timedelta(minutes=200))
        by_consultant = {r.key: r for r in kpi(conn, date(2026, 11, 20), date(2026, 11, 21), clock.now(), "consultant")}
        by_mode = {r.key: r for r in kpi(conn, date(2026, 11, 20), date(2026, 11, 21), clock.now(), "mode")}
        facts = stored(conn)[0]
    # 1: 3 min, 2: 5 min, 3: 70 min, 4: 20 min, 5: 2 min (offline), 6: unanswered, now 84 min old
    assert (friday.leads, friday.answered, friday.within_5, friday.counted_5) == (6, 5, 3, 6)
    assert friday.duplicates == 1 and facts[ids[3]][3] and not facts[ids[4]][3]  # merged in; split out
    assert friday.median_s == 300.0 and friday.unanswered_late == 1
    assert by_consultant[str(li.id)].leads == 2 and by_consultant[str(li.id)].within_5 == 1
    assert by_mode["grab"].leads == 1 and by_mode["grab"].within_5 == 0 and by_mode["auto"].leads == 6


def test_the_backfill_of_migration_0006_equals_what_the_triggers_kept(registry, clock):
    busy_days(registry, clock)
    engine = registry.engine
    dialect = engine.dialect.name
    with engine.connect() as conn:
        trans = conn.begin()
        kept = stored(conn)
        for trigger, table in KPI_TRIGGERS[dialect].items():
            off = f"DROP TRIGGER {trigger}" if dialect == "sqlite" else f"ALTER TABLE {table} DISABLE TRIGGER USER"
            conn.exec_driver_sql(off)
        conn.execute(lead_dispatch.update().values(business_day=None, channel=None, first_response_us=None))
        conn.execute(lead_dispatch.update().values(visit=False, duplicate=False))
        conn.execute(kpi_days.delete())
        assert stored(conn)[1] == {}
        for statement in kpi_backfill_sql(dialect):
            conn.exec_driver_sql(statement)
        assert stored(conn) == kept
        trans.rollback()


def test_the_migrated_database_carries_the_models_triggers(engine):
    dialect = engine.dialect.name
    with engine.connect() as conn:
        if dialect == "sqlite":
            found = conn.exec_driver_sql("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'").all()
            assert {name: table for name, table, _ in found} == KPI_TRIGGERS["sqlite"]
            assert {sql for *_, sql in found} == set(kpi_trigger_ddl("sqlite"))
            return
        found = conn.exec_driver_sql(
            "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal"
        ).all()
        assert dict(found) == KPI_TRIGGERS["postgresql"]
        functions = [s for s in kpi_trigger_ddl("postgresql") if s.startswith("CREATE FUNCTION")]
        for statement in functions:
            name, body = statement.split()[2].removesuffix("()"), statement.split("$$")[1]
            source = conn.execute(sa.text("SELECT prosrc FROM pg_proc WHERE proname = :n"), {"n": name}).scalar_one()
            assert source == body


def test_response_times_count_to_the_microsecond(registry, clock):
    """5:00.000000 is within five minutes and 5:00.000001 is not; the histogram's edges likewise."""
    floor = Floor(registry)
    with write_transaction(registry.engine) as conn:
        wang = add_staff(conn, registry.vault, "王磊", "consultant", clock.now())[0]
    start = DAY.replace(microsecond=250_000)
    clock.set(start)
    floor.set_status(wang.id, "on_duty", "t")
    answers = (
        timedelta(seconds=120),
        timedelta(seconds=120, microseconds=1),
        timedelta(seconds=300),
        timedelta(seconds=300, microseconds=1),
    )
    taken = []
    for n, after in enumerate(answers):
        clock.set(start + timedelta(minutes=10 * n))
        taken.append(
            (
                floor.intake([lead(n, f"1380000010{n}", clock.now())], "t").result["leads"][0]["lead_id"],
                clock.now() + after,
            )
        )
    clock.set(start + timedelta(hours=1))
    for lead_id, at in taken:
        floor.log_follow_up(wang, lead_id, "call", occurred_at=at)
    with registry.engine.connect() as conn:
        [row] = kpi(conn, date(2026, 11, 20), date(2026, 11, 20), clock.now())
        histogram = response_histogram(conn, date(2026, 11, 20), date(2026, 11, 20))
    assert (row.within_5, row.counted_5) == (3, 4)
    assert histogram == [0, 1, 2, 1, 0, 0, 0, 0]
    assert row.median_s == 210.0 and row.p90_s == 300.0  # (120.000001 + 300) / 2, to the millisecond


def test_leads_still_waiting_count_once_their_window_has_passed(registry, clock):
    """Unanswered: pending up to 5 min, late after; counted for the 2-hour rate only past 2 h; none from after `now`."""
    floor = Floor(registry)
    with write_transaction(registry.engine) as conn:
        wang = add_staff(conn, registry.vault, "王磊", "consultant", clock.now())[0]
    clock.set(DAY)
    floor.set_status(wang.id, "on_duty", "t")
    for n, minutes in enumerate((0, 150, 200, 236, 260)):  # at `now` (4 h): 240, 90, 40 and 4 min old, one ahead
        clock.set(DAY + timedelta(minutes=minutes))
        floor.intake([lead(n, f"1380000020{n}", clock.now())], "t")
    now = DAY + timedelta(hours=4)
    with registry.engine.connect() as conn:
        [row] = kpi(conn, date(2026, 11, 20), date(2026, 11, 20), now)
        late = late_leads(conn, date(2026, 11, 20), now)
    assert (row.leads, row.answered, row.counted_5, row.unanswered_late, row.counted_2h) == (5, 0, 3, 3, 1)
    assert row.rate_5 == 0.0 and row.median_s is None and len(late) == 3


def test_alerts_count_on_their_business_day(registry, clock):
    """An alert at 23:59:59 belongs to its day; one at midnight to the next, on both databases."""
    with write_transaction(registry.engine) as conn:
        for level, at in (
            ("red", datetime(2026, 11, 20, 23, 59, 59, tzinfo=BUSINESS_TZ)),
            ("red", datetime(2026, 11, 21, 0, 0, tzinfo=BUSINESS_TZ)),
            ("blue", datetime(2026, 11, 20, 0, 0, tzinfo=BUSINESS_TZ)),
        ):
            conn.execute(
                alerts.insert().values(
                    customer_id=1, rule="no_follow_up", level=level, since=at, opened_at=at, evidence={}
                )
            )
    with registry.engine.connect() as conn:
        assert alerts_by_level(conn, date(2026, 11, 20), date(2026, 11, 20)) == {"red": 1, "yellow": 0, "blue": 1}
        assert alerts_by_level(conn, date(2026, 11, 21), date(2026, 11, 21)) == {"red": 1, "yellow": 0, "blue": 0}
    assert business_range(date(2026, 11, 20), date(2026, 11, 20)) == (
        datetime(2026, 11, 19, 16, 0, tzinfo=UTC),
        datetime(2026, 11, 20, 16, 0, tzinfo=UTC),
    )
