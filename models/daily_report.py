"""The daily report: the day's figures for the sales director, a summary line per consultant (from the
consultants' own daily reports), and the office beside the 2025 industry averages and the targets.
Plain data; rendering is elsewhere."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.engine import Connection

from models.consultant_report import ConsultantDay, build_consultant_reports
from models.deal_records import CycleFigure
from models.metrics import KpiRow, alerts_by_level, kpi, response_histogram
from models.rules import CommissionRules
from models.settlement_queries import settlement_cycle

# The seed's 2025 industry averages and the targets this office works to.
BENCHMARKS = (
    ("first_response_min", "首次响应时长（分钟）", 117, "≤ 5"),
    ("duplicate_rate_pct", "重复录入率（%）", 28, "≤ 2"),
    ("commission_cycle_days", "佣金结算周期（天）", 14, "≤ 3"),
    ("daily_report_min", "日报耗时（分钟/人/天）", 42, "自动"),
)


@dataclass(frozen=True)
class BenchmarkLine:
    """This office's value beside the industry average and the target."""

    key: str
    label: str
    office: str
    industry: int
    target: str


@dataclass
class DailyReport:
    """Everything the emailed report says about one business day."""

    day: date
    total: KpiRow | None
    consultants: list[tuple[str, KpiRow]]
    channels: list[KpiRow]
    histogram: list[int]
    alerts: dict[str, int]
    benchmarks: list[BenchmarkLine] = field(default_factory=list)
    people: list[ConsultantDay] = field(default_factory=list)  # every active consultant's own report


def _cycle_text(cycle: CycleFigure) -> str:
    """Median days from signing to paid over the last 30 days (what the seed calls 佣金结算周期)."""
    if cycle.median_days is None:
        return f"—（近30天无已付佣金，待付 {cycle.open_lines} 笔）" if cycle.open_lines else "—（近30天无签约佣金）"
    return f"{cycle.median_days:.1f}（近30天 {cycle.paid} 笔已付）"


def _office_values(total: KpiRow | None, cycle: CycleFigure) -> dict[str, str]:
    if total is None:
        return {
            "first_response_min": "—",
            "duplicate_rate_pct": "—",
            "commission_cycle_days": _cycle_text(cycle),
            "daily_report_min": "0（自动）",
        }
    median = f"{total.median_s / 60:.1f}" if total.median_s is not None else "—"
    duplicates = f"{100 * total.duplicate_rate:.1f}" if total.duplicate_rate is not None else "—"
    return {
        "first_response_min": median,
        "duplicate_rate_pct": duplicates,
        "commission_cycle_days": _cycle_text(cycle),
        "daily_report_min": "0（自动）",
    }


def build_daily_report(conn: Connection, day: date, now: datetime, names: dict[int, str]) -> DailyReport:
    """Collect the day's figures; `names` maps consultant ids to names."""
    total = (kpi(conn, day, day, now) or [None])[0]
    people = [
        (names.get(int(r.key), r.key) if r.key.isdigit() else "—", r) for r in kpi(conn, day, day, now, "consultant")
    ]
    cycle = settlement_cycle(conn, day - timedelta(days=29), day, now, CommissionRules().settlement_target_days)
    office = _office_values(total, cycle)
    return DailyReport(
        day=day,
        total=total,
        consultants=sorted(people, key=lambda p: -(p[1].rate_5 or 0)),
        channels=kpi(conn, day, day, now, "channel"),
        histogram=response_histogram(conn, day, day),
        alerts=alerts_by_level(conn, day, day),
        benchmarks=[BenchmarkLine(k, label, office[k], industry, target) for k, label, industry, target in BENCHMARKS],
        people=build_consultant_reports(conn, day, now),
    )
