"""The daily report job: figures from the database, charts as inline images, an HTML email queued for
the sales director (sent by the hub's notification loop), every morning at the configured time."""

from __future__ import annotations

import asyncio
import base64
import logging
from datetime import date, datetime, time, timedelta
from html import escape

from models.clock import BUSINESS_TZ, business_time
from models.daily_report import DailyReport, build_daily_report
from models.db import write_transaction
from models.floor_state import staff_names
from models.hub_schema import notifications, staff
from views.report_charts import bar_chart_png

log = logging.getLogger("salesfloor.reports")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _minutes(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds / 60:.1f} 分钟"


def render_html(report: DailyReport) -> tuple[str, dict[str, str]]:
    """The email body and its inline images (cid → base64 PNG)."""
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
    rows = "".join(
        f"<tr><td>{escape(name)}</td><td>{r.leads}</td><td>{_pct(r.rate_5)}</td><td>{r.unanswered_late}</td>"
        f"<td>{_minutes(r.median_s)}</td></tr>"
        for name, r in report.consultants
    )
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
<h3>顾问明细</h3>
<table border="1" cellpadding="6" cellspacing="0"><tr><th>顾问</th><th>线索</th><th>5分钟达标率</th><th>漏跟</th>
<th>首响中位数</th></tr>{rows}</table>
<h3>对标</h3>
<table border="1" cellpadding="6" cellspacing="0">
<tr><th>指标</th><th>本案场</th><th>2025 行业均值</th><th>目标</th></tr>{bench}</table>
<p style="color: #90a4ae">本报告由案场销管台自动生成，无需人工整理。客户信息已脱敏。</p>
</body></html>"""
    return html, {cid: base64.b64encode(png).decode() for cid, png in images.items()}


def queue_daily_report(registry, day: date, recipients: tuple[str, ...]) -> int:
    """Build the day's report and queue it as an email; returns the notification id."""
    now = registry.clock.now()
    with write_transaction(registry.engine) as conn:
        ids = {r for (r,) in conn.execute(staff.select().with_only_columns(staff.c.id))}
        report = build_daily_report(conn, day, now, staff_names(conn, ids))
        html, images = render_html(report)
        payload = {"subject": f"案场日报 {day.isoformat()}", "html": html, "images": images, "to": list(recipients)}
        return conn.execute(
            notifications.insert().values(
                channel="email",
                target="director",
                payload=payload,
                state="queued",
                next_attempt_at=now,
                created_at=now,
            )
        ).inserted_primary_key[0]


def next_run(now: datetime, at: time) -> datetime:
    """The next moment the report is due (business time), after `now`."""
    local = business_time(now)
    candidate = datetime.combine(local.date(), at, tzinfo=BUSINESS_TZ)
    return candidate if candidate > local else candidate + timedelta(days=1)


async def daily_reports(registry, at: time, recipients: tuple[str, ...], sleep=asyncio.sleep) -> None:
    """Forever: at `at` each morning, queue yesterday's report (a missed send is retried by the queue)."""
    while True:
        due = next_run(registry.clock.now(), at)
        await sleep((due - registry.clock.now()).total_seconds())
        try:
            queue_daily_report(registry, (business_time(due) - timedelta(days=1)).date(), recipients)
        except Exception:
            log.exception("building the daily report failed; trying again tomorrow")
