"""Per-consultant daily reports: a hand-built day with known answers (SQLite and PostgreSQL), the
e-mail each consultant receives from a real local SMTP server (their own leads only, masked), the
director's summary table, the hub.toml mapping, and the morning job producing all of them."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import socket
from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from app.report_job import consultant_addresses, consultant_mail, daily_reports, queue_daily_report
from models.clock import BUSINESS_TZ, to_utc
from models.consultant_report import build_consultant_reports
from models.db import write_transaction
from models.floor import Floor
from models.hub_schema import alerts, notifications
from models.leads import LeadIn
from models.staff import add_staff, revoke
from sync.hub.config import HubConfigError, ReportSettings, load_hub_config
from sync.notify.email import EmailSender, SmtpSettings

DAY = datetime(2026, 11, 20, 9, 0, tzinfo=BUSINESS_TZ)  # a Friday: leads are auto-assigned
THE_DAY = date(2026, 11, 20)
MOBILES = {1: "13900000001", 2: "13900000002", 3: "13900000003", 4: "13700000004", 5: "13700000005", 6: "13700000006"}
NAMES = {1: "李明", 2: "张伟", 3: "欧阳娜娜", 4: "刘洋", 5: "陈静", 6: "杨帆"}


def build_two_consultants(registry, clock):
    """王磊 takes leads 1–3 (3 min, 10 min, never), 李敏 leads 4–6 (2, 4, 1 min; 6 is a walk-in)."""
    floor = Floor(registry)
    with write_transaction(registry.engine) as conn:
        wang = add_staff(conn, registry.vault, "王磊", "consultant", clock.now())[0]
        li = add_staff(conn, registry.vault, "李敏", "consultant", clock.now())[0]
        chen = add_staff(conn, registry.vault, "陈晨", "consultant", clock.now())[0]  # on leave: a quiet day
        gone = add_staff(conn, registry.vault, "赵丽", "consultant", clock.now())[0]
        revoke(conn, gone.id, clock.now())  # left the company: no report at all
    ids: dict[int, int] = {}

    def at(minutes: float) -> None:
        clock.set(DAY + timedelta(minutes=minutes))

    def take(n: int, minutes: float, channel: str = "douyin") -> None:
        at(minutes)
        kind = "walk_in" if channel == "walk_in" else "online_lead"
        lead = LeadIn(channel, f"m{n}", channel, kind, clock.now(), NAMES[n], [("mobile", MOBILES[n])])
        ids[n] = floor.intake([lead], "t").result["leads"][0]["lead_id"]

    def answer(who, n: int, minutes: float, kind: str = "call") -> None:
        at(minutes)
        floor.log_follow_up(who, ids[n], kind)

    at(0)
    floor.set_status(wang.id, "on_duty", "t")
    take(1, 0)
    answer(wang, 1, 3)
    take(2, 10)
    answer(wang, 2, 20, "wechat")  # 10 minutes: late
    take(3, 30)  # never answered: missed
    answer(wang, 1, 40, "note")  # a second follow-up on lead 1
    floor.set_status(wang.id, "off", "t")
    floor.set_status(li.id, "on_duty", "t")
    take(4, 60)
    answer(li, 4, 62)
    take(5, 70)
    answer(li, 5, 74)
    take(6, 80, "walk_in")
    answer(li, 6, 81, "visit")
    clock.set(DAY + timedelta(days=1, hours=1))  # the next day: not in the report
    answer(li, 4, 25 * 60)
    return wang, li, chen, ids


def add_alert(registry, owner: int, level: str, opened: datetime, resolved: datetime | None = None) -> None:
    """An alert row as the sweep writes it (customer 1, masked evidence only)."""
    with write_transaction(registry.engine) as conn:
        conn.execute(
            alerts.insert().values(
                customer_id=1,
                owner_id=owner,
                rule="no_follow_up",
                level=level,
                state="resolved" if resolved else "open",
                since=to_utc(opened),
                opened_at=to_utc(opened),
                evidence={},
                resolved_at=to_utc(resolved) if resolved else None,
            )
        )


def test_a_hand_built_day_per_consultant(registry, clock):
    wang, li, chen, ids = build_two_consultants(registry, clock)
    add_alert(registry, wang.id, "red", DAY + timedelta(hours=2))  # open
    add_alert(registry, wang.id, "yellow", DAY - timedelta(days=2))  # older, still open at the end of the day
    add_alert(registry, wang.id, "blue", DAY, resolved=DAY + timedelta(hours=1))  # closed during the day
    add_alert(registry, li.id, "yellow", DAY, resolved=DAY + timedelta(days=1))  # closed only the next day
    add_alert(registry, li.id, "red", DAY + timedelta(days=1))  # opened the next day
    now = DAY + timedelta(days=1, hours=2)
    with registry.engine.connect() as conn:
        people = {p.name: p for p in build_consultant_reports(conn, THE_DAY, now)}
    assert set(people) == {"王磊", "李敏", "陈晨"}  # active consultants only, by id
    w, li_day, c = people["王磊"], people["李敏"], people["陈晨"]
    assert (w.received, w.answered, w.answered_late, w.missed, w.visits) == (3, 2, 1, 1, 0)
    assert w.rate_5 == pytest.approx(1 / 3) and w.team_rate_5 == pytest.approx(4 / 6)
    assert w.median_s == pytest.approx(390) and w.p90_s == pytest.approx(180)  # 3 and 10 minutes
    assert [(x.lead_id, x.missed, x.response_s) for x in w.late] == [
        (ids[2], False, pytest.approx(600)),
        (ids[3], True, None),
    ]
    assert [(x.name_masked, x.mobile_masked) for x in w.late] == [("张*", "139****0002"), ("欧***", "139****0003")]
    assert w.follow_ups == {"call": 1, "wechat": 1, "visit": 0, "note": 1}
    assert w.open_alerts == {"red": 1, "yellow": 1, "blue": 0}
    assert (li_day.received, li_day.answered, li_day.missed, li_day.answered_late, li_day.visits) == (3, 3, 0, 0, 1)
    assert li_day.rate_5 == 1.0 and li_day.median_s == pytest.approx(120) and li_day.late == ()
    assert li_day.follow_ups == {"call": 2, "wechat": 0, "visit": 1, "note": 0}  # the next day's call is not counted
    assert li_day.open_alerts == {"red": 0, "yellow": 1, "blue": 0}
    assert c.staff_id == chen.id and c.quiet and c.received == 0 and c.rate_5 is None
    assert c.team_rate_5 == pytest.approx(4 / 6)
    assert not w.quiet and not li_day.quiet


def test_the_report_built_during_the_day_counts_what_has_happened_so_far(registry, clock):
    wang, _li, _chen, ids = build_two_consultants(registry, clock)
    add_alert(registry, wang.id, "red", DAY + timedelta(minutes=50))
    noon = DAY + timedelta(minutes=45)  # after 王磊's leads, before 李敏's and before the alert
    with registry.engine.connect() as conn:
        people = {p.name: p for p in build_consultant_reports(conn, THE_DAY, noon)}
    w = people["王磊"]
    assert w.open_alerts["red"] == 0 and people["李敏"].received == 3  # leads already in the table count
    assert [x.lead_id for x in w.late] == [ids[2], ids[3]]


def test_the_personal_mail_is_masked_and_in_chinese_by_default(registry, clock):
    build_two_consultants(registry, clock)
    with registry.engine.connect() as conn:
        wang = build_consultant_reports(conn, THE_DAY, DAY + timedelta(days=1))[0]
    mail = consultant_mail(wang)
    html = mail["html"]
    assert mail["subject"] == "个人日报 王磊 2026-11-20" and "王磊 · 个人日报 2026-11-20" in html
    assert "5分钟达标率 <b>33%</b>" in html and "团队 67%" in html
    assert "张*" in html and "139****0002" in html and "超时：10 分钟后首次跟进" in html and "漏跟：至今未跟进" in html
    assert "电话 1 · 微信 1 · 到访 0 · 备注 1" in html and "一级 0 · 二级 0 · 三级 0" in html
    assert not re.search(r"1\d{10}", html + mail["text"]) and "张伟" not in html and "欧阳娜娜" not in html
    assert "接收线索 3，已跟进 2，超时 1，漏跟 1" in mail["text"]
    english = consultant_mail(wang, "en")
    assert (
        english["subject"] == "Daily report 王磊 2026-11-20" and "Late: first follow-up after 10 min" in english["html"]
    )


def test_addresses_match_by_unique_name_or_by_id(registry, clock):
    build_two_consultants(registry, clock)
    with write_transaction(registry.engine) as conn:
        twin = add_staff(conn, registry.vault, "王磊", "consultant", clock.now())[0]
    with registry.engine.connect() as conn:
        people = build_consultant_reports(conn, THE_DAY, DAY + timedelta(days=1))
    by_name = {p.name: p.staff_id for p in people if p.name != "王磊"}
    first_wang = min(p.staff_id for p in people if p.name == "王磊")
    found, ambiguous = consultant_addresses(people, {"王磊": "w@x.example", "李敏": "li@x.example", "nobody": "n@x"})
    assert found == {by_name["李敏"]: "li@x.example"} and ambiguous == {first_wang, twin.id}
    found, ambiguous = consultant_addresses(people, {f"#{twin.id}": "twin@x.example", "王磊": "w@x.example"})
    assert found == {twin.id: "twin@x.example"} and ambiguous == {first_wang}


class Inbox:
    """An aiosmtpd handler keeping messages; refuses mail for `refused` addresses for good (550)."""

    def __init__(self, refused: tuple[str, ...] = ()):
        """Nothing received yet."""
        self.messages: list[email.message.EmailMessage] = []
        self.refused = refused

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        """Accept the recipient unless refused."""
        if address in self.refused:
            return "550 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        """Keep the message."""
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def inbox():
    """A real SMTP server on a free local port; wang@ and li@ accepted, gone@ refused."""
    box = Inbox(refused=("gone@x.example",))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        box.port = probe.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


def html_of(msg) -> str:
    return next(p for p in msg.walk() if p.get_content_type() == "text/html").get_payload(decode=True).decode()


SETTINGS = ReportSettings({"王磊": "wang@x.example", "李敏": "li@x.example", "陈晨": "chen@x.example"})


@pytest.mark.asyncio
async def test_each_consultant_receives_only_their_own_report(registry, clock, inbox, qapp):
    wang, li, _chen, _ids = build_two_consultants(registry, clock)
    queued = queue_daily_report(registry, THE_DAY, ("director@x.example",), SETTINGS)
    assert queued.director is not None and set(queued.consultants) == {wang.id, li.id}  # 陈晨 had a quiet day
    smtp = SmtpSettings("127.0.0.1", inbox.port, "none", sender="report@office.example")
    assert await EmailSender(registry, smtp).deliver_due() == []
    mail = {m["To"]: m for m in inbox.messages}
    assert set(mail) == {"director@x.example", "wang@x.example", "li@x.example"}
    assert mail["wang@x.example"]["Subject"] == "个人日报 王磊 2026-11-20"
    mine, theirs = html_of(mail["wang@x.example"]), html_of(mail["li@x.example"])
    assert "139****0002" in mine and "139****0003" in mine and "李敏" not in mine
    assert not any(f"137****000{n}" in mine for n in (4, 5, 6))  # 李敏's leads stay out of 王磊's report
    assert "当日无超时、无漏跟" in theirs and "139****" not in theirs and "王磊" not in theirs
    director = html_of(mail["director@x.example"])
    assert "顾问日报汇总" in director and "陈晨" in director and "无业务，未发送" in director
    assert director.count("已发送") == 2 and not re.search(r"1\d{10}", director + mine + theirs)


@pytest.mark.asyncio
async def test_a_refused_consultant_address_is_reported_and_the_rest_arrive(registry, clock, inbox, qapp):
    _wang, li, _chen, _ids = build_two_consultants(registry, clock)
    settings = ReportSettings({"王磊": "wang@x.example", "李敏": "gone@x.example"})
    queued = queue_daily_report(registry, THE_DAY, (), settings)
    assert queued.director is None and len(queued.consultants) == 2
    smtp = SmtpSettings("127.0.0.1", inbox.port, "none", sender="report@office.example")
    [event] = await EmailSender(registry, smtp).deliver_due()
    assert event.type == "notify.failed" and event.payload["target"] == f"consultant:{li.id}"
    assert [m["To"] for m in inbox.messages] == ["wang@x.example"]
    with registry.engine.connect() as conn:
        row = conn.execute(sa.select(notifications).where(notifications.c.id == queued.consultants[li.id])).one()
    assert row.state == "failed" and row.last_error  # kept with its reason, not dropped


@pytest.mark.asyncio
async def test_the_morning_job_queues_every_report(registry, clock, qapp):
    wang, li, _chen, _ids = build_two_consultants(registry, clock)
    clock.set(datetime(2026, 11, 21, 6, 0, tzinfo=BUSINESS_TZ))
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) > 1:
            raise asyncio.CancelledError
        clock.advance(seconds=seconds)

    with pytest.raises(asyncio.CancelledError):
        await daily_reports(registry, time(7, 30), ("director@x.example",), SETTINGS, sleep=sleep)
    assert waits[0] == 90 * 60
    with registry.engine.connect() as conn:
        targets = sorted(r.target for r in conn.execute(sa.select(notifications.c.target)))
    assert targets == sorted(["director", f"consultant:{wang.id}", f"consultant:{li.id}"])


def test_report_settings_in_hub_toml(tmp_path):
    path = tmp_path / "hub.toml"
    path.write_text(
        '[report]\nlanguage = "en"\n[report.consultants]\n"王磊" = "wang@x.example"\n"#7" = " li@x.example "\n',
        encoding="utf-8",
    )
    config = load_hub_config(path)
    assert config.report == ReportSettings({"王磊": "wang@x.example", "#7": "li@x.example"}, "en")
    assert load_hub_config(tmp_path / "missing.toml").report == ReportSettings()
    for bad, message in (
        ('[report.consultants]\n"王磊" = "not an address"\n', "e-mail address"),
        ('[report]\nlanguage = "fr"\n', "language"),
        ("[report]\nwho = 1\n", "unknown key"),
    ):
        path.write_text(bad, encoding="utf-8")
        with pytest.raises(HubConfigError, match=message):
            load_hub_config(path)
