"""The daily report job: figures from the database, charts as inline images, an HTML email queued for
the sales director and one for each consultant with a configured address (all sent by the hub's
notification queue, so a failed send is retried and reported), every morning at the configured time."""

from __future__ import annotations

import asyncio
import base64
import logging
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from html import escape
from pathlib import Path

from models.clock import BUSINESS_TZ, business_time
from models.consultant_report import ConsultantDay
from models.daily_report import DailyReport, build_daily_report
from models.db import write_transaction
from models.floor_state import staff_names
from models.hub_schema import notifications, staff
from sync.hub.config import ReportSettings

log = logging.getLogger("salesfloor.reports")
WORDS_FILE = Path(__file__).resolve().parent.parent / "resources" / "templates" / "consultant_report.toml"

DELIVERY_ZH = {"queued": "已发送", "quiet": "无业务，未发送", "no_address": "未配置邮箱", "ambiguous": "重名，未发送"}


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _minutes(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds / 60:.1f} 分钟"


_RED = ' style="color: #d32f2f"'


def _summary_rows(people: list[ConsultantDay], delivery: dict[int, str]) -> str:
    """The director's per-consultant table: one line from each consultant's own report."""
    return "".join(
        f"<tr><td>{escape(p.name)}</td><td>{p.received}</td><td>{p.answered}</td><td><b>{_pct(p.rate_5)}</b></td>"
        f"<td>{_minutes(p.median_s)}</td><td>{_minutes(p.p90_s)}</td><td>{p.answered_late}</td>"
        f"<td{_RED if p.missed else ''}>{p.missed}</td><td>{p.follow_up_total}</td>"
        f"<td>{p.open_alerts.get('red', 0)} / {p.open_alerts.get('yellow', 0)} / {p.open_alerts.get('blue', 0)}</td>"
        f"<td>{p.visits}</td><td>{DELIVERY_ZH.get(delivery.get(p.staff_id, 'no_address'), '')}</td></tr>"
        for p in sorted(people, key=lambda p: (-(p.rate_5 or 0), p.staff_id))
    )


def render_html(report: DailyReport, delivery: dict[int, str] | None = None) -> tuple[str, dict[str, str]]:
    """The director's email body and its inline images (cid → base64 PNG); `delivery` says, per
    consultant id, what became of their own report (queued, quiet, no_address, ambiguous)."""
    from views.report_charts import bar_chart_png  # painting needs Qt; consultant mail does not

    t = report.total
    images = {
        "consultants": bar_chart_png(
            "顾问5分钟达标率",
            [n for n, _ in report.consultants],
            [r.rate_5 or 0 for _, r in report.consultants],
            "#fb8c00",
            percent=True,
            target=0.95,
        ),
        "histogram": bar_chart_png(
            "首次响应时长分布（分钟）",
            ["≤1", "≤2", "≤5", "≤10", "≤30", "≤60", "≤120", ">120"],
            [float(c) for c in report.histogram],
            "#43a047",
        ),
    }
    rows = _summary_rows(report.people, delivery or {})
    unassigned = sum(r.leads for name, r in report.consultants if name == "—")
    bench = "".join(
        f"<tr><td>{escape(b.label)}</td><td><b>{escape(b.office)}</b></td><td>{b.industry}</td><td>{escape(b.target)}</td></tr>"
        for b in report.benchmarks
    )
    a = report.alerts
    html = f"""<html><body style="font-family: sans-serif; color: #263238">
<h2>案场日报 {report.day.isoformat()}</h2>
<p style="font-size: 18px">5分钟达标率 <b>{_pct(t.rate_5 if t else None)}</b>（目标 95%）· 线索 {t.leads if t else 0}
 · 到访 {t.visits if t else 0} · 漏跟 {t.unanswered_late if t else 0} · 2小时跟进率 {_pct(t.rate_2h if t else None)}
 · 首响中位数 {_minutes(t.median_s if t else None)} · 重复录入率 {_pct(t.duplicate_rate if t else None)}</p>
<p>预警：一级 {a.get("red", 0)} · 二级 {a.get("yellow", 0)} · 三级 {a.get("blue", 0)}</p>
<img src="cid:consultants" alt="顾问5分钟达标率"><br><img src="cid:histogram" alt="首次响应时长分布">
<h3>顾问日报汇总</h3>
<table border="1" cellpadding="6" cellspacing="0"><tr><th>顾问</th><th>接收线索</th><th>已跟进</th><th>5分钟达标率</th>
<th>首响中位数</th><th>首响P90</th><th>超时</th><th>漏跟</th><th>跟进次数</th><th>未关闭预警（一/二/三级）</th><th>到访</th>
<th>个人日报</th></tr>{rows}</table>
{f"<p>未分配（经理队列）线索 {unassigned} 条。</p>" if unassigned else ""}
<h3>对标</h3>
<table border="1" cellpadding="6" cellspacing="0">
<tr><th>指标</th><th>本案场</th><th>2025 行业均值</th><th>目标</th></tr>{bench}</table>
<p style="color: #90a4ae">本报告由案场销管台自动生成，无需人工整理。客户信息已脱敏。</p>
</body></html>"""
    return html, {cid: base64.b64encode(png).decode() for cid, png in images.items()}


def _staff_id(key: str) -> int | None:
    """The id in a "#12" key of [report.consultants], else None."""
    return int(key[1:]) if key.startswith("#") and key[1:].isdigit() else None


def consultant_addresses(people: list[ConsultantDay], mapping: dict[str, str]) -> tuple[dict[int, str], set[int]]:
    """Match configured addresses to consultants, by "#id" or by a name no other active consultant
    shares; returns ({staff id: address}, ids left out because their name is shared)."""
    active = {p.staff_id for p in people}
    by_name: dict[str, list[int]] = {}
    for p in people:
        by_name.setdefault(p.name, []).append(p.staff_id)
    found = {_staff_id(w): a for w, a in mapping.items() if _staff_id(w) in active}
    ambiguous: set[int] = set()
    for who, address in mapping.items():
        ids = by_name.get(who, [])
        if len(ids) == 1:
            found.setdefault(ids[0], address)
        elif len(ids) > 1:
            log.warning('[report.consultants] several active consultants are called %s: use "#id" keys', who)
            ambiguous.update(i for i in ids if i not in found)
        elif _staff_id(who) not in active:
            log.warning("[report.consultants] %s is not an active consultant: no personal report", who)
    return found, ambiguous


@cache
def report_words(language: str) -> dict:
    """The personal report's words in a language (resources/templates/consultant_report.toml)."""
    with WORDS_FILE.open("rb") as fh:
        return tomllib.load(fh)[language]


def _bar(share: float | None, color: str, width: int = 300) -> str:
    """A horizontal bar as two table cells of fixed pixel width: mail clients and QTextBrowser both draw
    it without images."""
    filled = round(width * min(1.0, max(0.0, share or 0)))
    cells = [(filled, color), (width - filled, "#eceff1")]
    tds = "".join(f'<td width="{w}" bgcolor="{c}" style="font-size: 8px">&nbsp;</td>' for w, c in cells if w)
    return f'<table cellpadding="0" cellspacing="0" border="0"><tr>{tds}</tr></table>'


def _late_rows(person: ConsultantDay, w: dict) -> str:
    def outcome(lead) -> str:
        if lead.missed:
            return f'<span style="color: #d32f2f">{escape(w["missed"])}</span>'
        return escape(w["late"].format(m=f"{lead.response_s / 60:.0f}"))

    return "".join(
        f"<tr><td>{business_time(lead.received_at):%H:%M}</td><td>{escape(lead.name_masked or w['none'])}</td>"
        f"<td>{escape(lead.mobile_masked or w['none'])}</td>"
        f"<td>{escape(w['channels'].get(lead.channel, lead.channel))}</td>"
        f"<td>{outcome(lead)}</td></tr>"
        for lead in person.late
    )


def consultant_mail(person: ConsultantDay, language: str = "zh_CN") -> dict:
    """A consultant's own daily report as an e-mail payload: subject, HTML and a plain-text summary."""
    w = report_words(language)
    day = person.day.isoformat()

    def minutes(seconds: float | None) -> str:
        return w["none"] if seconds is None else w["minutes"].format(m=f"{seconds / 60:.1f}")

    def pct(value: float | None) -> str:
        return w["none"] if value is None else f"{value:.0%}"

    figures = (
        (w["received"], person.received),
        (w["answered"], person.answered),
        (w["median"], minutes(person.median_s)),
        (w["p90"], minutes(person.p90_s)),
        (w["visits"], person.visits),
    )
    cells = "".join(f"<td><small>{escape(label)}</small><br><b>{value}</b></td>" for label, value in figures)
    if person.late:
        head = "".join(
            f"<th>{escape(w[k])}</th>" for k in ("col_time", "col_customer", "col_mobile", "col_channel", "col_outcome")
        )
        late = f'<table border="1" cellpadding="6" cellspacing="0"><tr>{head}</tr>{_late_rows(person, w)}</table>'
    else:
        late = f"<p>{escape(w['nothing_late'] if person.received else w['no_leads'])}</p>"
    kinds = " · ".join(f"{escape(label)} {person.follow_ups.get(k, 0)}" for k, label in w["kinds"].items())
    levels = " · ".join(f"{escape(label)} {person.open_alerts.get(k, 0)}" for k, label in w["levels"].items())
    html = f"""<html><body style="font-family: sans-serif; color: #263238">
<h2>{escape(w["title"].format(name=person.name, day=day))}</h2>
<p style="font-size: 18px">{escape(w["rate_5"])} <b>{pct(person.rate_5)}</b>
{escape(w["beside"].format(team=pct(person.team_rate_5)))}</p>
<table cellpadding="4" cellspacing="0">
<tr><td>{escape(w["me"])}</td><td>{_bar(person.rate_5, "#fb8c00")}</td><td>{pct(person.rate_5)}</td></tr>
<tr><td>{escape(w["team"])}</td><td>{_bar(person.team_rate_5, "#90a4ae")}</td><td>{pct(person.team_rate_5)}</td></tr>
</table>
<table border="1" cellpadding="8" cellspacing="0"><tr>{cells}</tr></table>
<h3>{escape(w["late_title"].format(n=len(person.late)))}</h3>
{late}
<h3>{escape(w["follow_ups_title"].format(n=person.follow_up_total))}</h3>
<p>{kinds}</p>
<h3>{escape(w["alerts_title"])}</h3>
<p>{levels}</p>
<p style="color: #90a4ae">{escape(w["footer"])}</p>
</body></html>"""
    text = w["text"].format(
        name=person.name,
        day=day,
        rate=pct(person.rate_5),
        team=pct(person.team_rate_5),
        received=person.received,
        answered=person.answered,
        late=person.answered_late,
        missed=person.missed,
    )
    return {"subject": w["subject"].format(name=person.name, day=day), "html": html, "text": text, "images": {}}


@dataclass(frozen=True)
class QueuedReports:
    """The notification ids of one morning's reports."""

    director: int | None
    consultants: dict[int, int] = field(default_factory=dict)  # staff id -> notification id


def queue_daily_report(
    registry, day: date, recipients: tuple[str, ...], report: ReportSettings | None = None
) -> QueuedReports:
    """Build the day's reports and queue them as e-mails: the director's to `recipients`, and each
    consultant's own to the address `report.consultants` gives them (none on a day with nothing in it)."""
    settings = report or ReportSettings()
    now = registry.clock.now()
    with registry.engine.connect() as conn:
        ids = {r for (r,) in conn.execute(staff.select().with_only_columns(staff.c.id))}
        daily = build_daily_report(conn, day, now, staff_names(conn, ids))
    addresses, ambiguous = consultant_addresses(daily.people, settings.consultants)
    delivery: dict[int, str] = {}
    mails: dict[int, dict] = {}
    for person in daily.people:
        if person.staff_id in addresses and not person.quiet:
            mails[person.staff_id] = {
                **consultant_mail(person, settings.language),
                "to": [addresses[person.staff_id]],
                "staff_id": person.staff_id,
            }
            delivery[person.staff_id] = "queued"
        elif person.staff_id in addresses:
            delivery[person.staff_id] = "quiet"
        elif person.staff_id in ambiguous:
            delivery[person.staff_id] = "ambiguous"
    director = None
    if recipients:
        html, images = render_html(daily, delivery)
        director = {"subject": f"案场日报 {day.isoformat()}", "html": html, "images": images, "to": list(recipients)}
    with write_transaction(registry.engine) as conn:

        def queue(target: str, payload: dict) -> int:
            values = {"channel": "email", "target": target, "payload": payload, "state": "queued"}
            row = notifications.insert().values(**values, next_attempt_at=now, created_at=now)
            return conn.execute(row).inserted_primary_key[0]

        return QueuedReports(
            queue("director", director) if director else None,
            {sid: queue(f"consultant:{sid}", mail) for sid, mail in mails.items()},
        )


def next_run(now: datetime, at: time) -> datetime:
    """The next moment the report is due (business time), after `now`."""
    local = business_time(now)
    candidate = datetime.combine(local.date(), at, tzinfo=BUSINESS_TZ)
    return candidate if candidate > local else candidate + timedelta(days=1)


async def daily_reports(
    registry, at: time, recipients: tuple[str, ...], report: ReportSettings | None = None, *, sleep=asyncio.sleep
) -> None:
    """Forever: at `at` each morning, queue yesterday's reports (a missed send is retried by the queue)."""
    due = next_run(registry.clock.now(), at)
    while True:
        while (wait := (due - registry.clock.now()).total_seconds()) > 0:  # timers may wake a little early
            await sleep(wait)
        try:
            queue_daily_report(registry, (business_time(due) - timedelta(days=1)).date(), recipients, report)
        except Exception:
            log.exception("building the daily reports failed; trying again tomorrow")
        due = next_run(due, at)  # the following morning: each day's reports are queued once
