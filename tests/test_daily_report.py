"""The daily report: built from a hand-built day, sent to a real local SMTP server with its images,
an SMTP failure retried, nothing personal in it."""

from __future__ import annotations

import email
import email.policy
import re
import socket
from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from app.report_job import next_run, queue_daily_report
from models.clock import BUSINESS_TZ
from models.hub_schema import notifications
from sync.notify.email import EmailSender, SmtpSettings
from tests.test_metrics import DAY, build_day

pytestmark = pytest.mark.asyncio


class Inbox:
    """An aiosmtpd handler that keeps messages; the first `refuse` deliveries get a 451."""

    def __init__(self, refuse: int = 0):
        """Nothing received yet."""
        self.messages: list[email.message.Message] = []
        self.refuse = refuse

    async def handle_DATA(self, server, session, envelope):
        """Keep the message (or refuse it for now)."""
        if self.refuse:
            self.refuse -= 1
            return "451 try again later"
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def smtp():
    """A real SMTP server on a free local port."""
    inbox = Inbox()
    with socket.socket() as probe:  # aiosmtpd checks its own port by connecting to it: port 0 will not do
        probe.bind(("127.0.0.1", 0))
        inbox.port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    yield inbox
    controller.stop()


def settings(port: int) -> SmtpSettings:
    return SmtpSettings("127.0.0.1", port, "none", sender="report@office.example", recipients=("director@x.example",))


async def test_the_report_arrives_with_its_images_and_no_personal_data(registry, clock, smtp, qapp):
    build_day(registry, clock)
    clock.set(DAY + timedelta(hours=22))
    queue_daily_report(registry, date(2026, 11, 20), ("director@x.example",))
    assert await EmailSender(registry, settings(smtp.port)).deliver_due() == []
    [msg] = smtp.messages
    assert msg["Subject"] == "案场日报 2026-11-20" and msg["To"] == "director@x.example"
    parts = list(msg.walk())
    html = next(p for p in parts if p.get_content_type() == "text/html").get_payload(decode=True).decode()
    images = [p for p in parts if p.get_content_type() == "image/png"]
    assert {p["Content-ID"] for p in images} == {"<consultants>", "<histogram>"}
    assert all(p.get_payload(decode=True).startswith(b"\x89PNG") for p in images)
    assert "5分钟达标率 <b>33%</b>" in html and "王磊" in html and "117" in html  # 2 of 6 by 22:00
    assert not re.search(r"1\d{10}", html)  # no mobile number anywhere


async def test_an_smtp_failure_is_retried_not_lost(registry, clock, smtp, qapp):
    build_day(registry, clock)
    smtp.refuse = 1
    queue_daily_report(registry, date(2026, 11, 20), ("director@x.example",))
    sender = EmailSender(registry, settings(smtp.port))
    assert await sender.deliver_due() == [] and smtp.messages == []
    with registry.engine.connect() as conn:
        row = conn.execute(sa.select(notifications)).first()
    assert row.state == "queued" and "451" in row.last_error
    clock.advance(minutes=1)
    await sender.deliver_due()
    assert len(smtp.messages) == 1


async def test_no_server_configured_is_surfaced(registry, clock, qapp):
    queue_daily_report(registry, date(2026, 11, 20), ("director@x.example",))
    [event] = await EmailSender(registry, SmtpSettings()).deliver_due()
    assert event.type == "notify.failed" and "no SMTP server" in event.payload["reason"]


async def test_the_report_runs_at_the_configured_business_time():
    at = time(7, 30)
    assert next_run(datetime(2026, 11, 21, 7, 0, tzinfo=BUSINESS_TZ), at) == datetime(
        2026, 11, 21, 7, 30, tzinfo=BUSINESS_TZ
    )
    assert next_run(datetime(2026, 11, 21, 8, 0, tzinfo=BUSINESS_TZ), at) == datetime(
        2026, 11, 22, 7, 30, tzinfo=BUSINESS_TZ
    )


async def test_the_benchmark_table_measures_the_commission_settlement_cycle(tmp_path):
    from models.daily_report import build_daily_report
    from models.db import make_engine, sqlite_url
    from models.deal_demo import build_deal_office

    office = build_deal_office(tmp_path)
    engine = make_engine(sqlite_url(tmp_path / "deals-demo.db"))
    try:
        with engine.connect() as conn:
            report = build_daily_report(conn, office.now.date(), office.now, {})
    finally:
        engine.dispose()
    line = next(b for b in report.benchmarks if b.key == "commission_cycle_days")
    assert office.cycle.paid >= 1
    assert line.office.startswith(f"{office.cycle.median_days:.1f}") and "已付" in line.office


async def test_a_timer_that_wakes_early_still_queues_each_days_reports_once(monkeypatch):
    import asyncio

    import app.report_job as job
    from models.clock import FakeClock

    clock = FakeClock(datetime(2026, 11, 21, 7, 0, tzinfo=BUSINESS_TZ))
    queued: list[date] = []
    monkeypatch.setattr(job, "queue_daily_report", lambda registry, day, *a: queued.append(day))

    async def early_sleep(seconds: float) -> None:
        clock.advance(seconds=max(seconds - 0.005, 0.001))  # asyncio may wake a little before the deadline
        if len(queued) >= 2:
            raise asyncio.CancelledError

    registry = type("R", (), {"clock": clock})()
    with pytest.raises(asyncio.CancelledError):
        await job.daily_reports(registry, time(7, 30), ("boss@x.example",), sleep=early_sleep)
    assert queued == [date(2026, 11, 20), date(2026, 11, 21)]  # each day once, in order
