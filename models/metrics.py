"""The 5-minute KPI and its companions, as SQL aggregates that hold up on a year of leads.

Definitions (docs/metrics.md): a lead's first-response time runs from its receipt on the hub to its
first logged follow-up. Only dispatched leads count (reports and imported history are not dispatched).
A lead still unanswered counts against a rate once its window has passed at `now`; younger
unanswered leads are pending and count nowhere yet. Days are Asia/Shanghai business days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from models.clock import to_utc
from models.hub_schema import alerts, lead_dispatch
from models.schema import customers, leads

FIVE_MIN = 300
TWO_HOURS = 7200
EPSILON_S = 0.001  # SQLite's julianday arithmetic is not exact to the microsecond: 5:00 must count as within
GROUPS = ("day", "consultant", "channel", "mode")


@dataclass(frozen=True)
class KpiRow:
    """The figures for one group (a day, a consultant, a channel, a dispatch mode, or everything)."""

    key: str
    leads: int
    answered: int
    within_5: int
    counted_5: int
    within_2h: int
    counted_2h: int
    unanswered_late: int
    duplicates: int
    visits: int
    median_s: float | None
    p90_s: float | None

    @property
    def rate_5(self) -> float | None:
        """The one KPI: share of counted leads first followed up within 5 minutes."""
        return self.within_5 / self.counted_5 if self.counted_5 else None

    @property
    def rate_2h(self) -> float | None:
        """Share followed up within two hours."""
        return self.within_2h / self.counted_2h if self.counted_2h else None

    @property
    def duplicate_rate(self) -> float | None:
        """Leads that merged into an existing customer, per lead."""
        return self.duplicates / self.leads if self.leads else None


def seconds_between(later, earlier, dialect: str):
    """SQL for (later - earlier) in seconds on SQLite and PostgreSQL."""
    if dialect == "sqlite":
        return (sa.func.julianday(later) - sa.func.julianday(earlier)) * 86400.0
    return sa.func.extract("epoch", later - earlier)


def business_day(column, dialect: str):
    """SQL for the Asia/Shanghai calendar day of a UTC timestamp (UTC+8, no daylight saving)."""
    if dialect == "sqlite":
        return sa.func.date(column, "+8 hours")
    return sa.cast(column + sa.text("interval '8 hours'"), sa.Date)


def _group_column(group: str | None, dialect: str):
    if group == "day":
        return sa.cast(business_day(leads.c.received_at, dialect), sa.String)
    if group == "consultant":  # by id (names may repeat); callers show the name
        return sa.func.coalesce(sa.cast(lead_dispatch.c.consultant_id, sa.String), "—")
    if group == "channel":
        return leads.c.channel
    if group == "mode":
        return lead_dispatch.c.mode
    return sa.literal("all")


def kpi(
    conn: Connection,
    start: date,
    end: date,
    now: datetime,
    group: str | None = None,
    channel: str | None = None,
    consultant_id: int | None = None,
) -> list[KpiRow]:
    """Figures for business days start..end (inclusive), optionally grouped and filtered."""
    if group is not None and group not in GROUPS:
        raise ValueError(f"group must be one of {list(GROUPS)}, got {group!r}")
    dialect = conn.dialect.name
    now = to_utc(now)
    day = business_day(leads.c.received_at, dialect)
    response = seconds_between(lead_dispatch.c.first_follow_up_at, leads.c.received_at, dialect)
    age = seconds_between(sa.literal(now, type_=leads.c.received_at.type), leads.c.received_at, dialect)
    answered = lead_dispatch.c.first_follow_up_at.is_not(None)
    key = _group_column(group, dialect).label("key")

    def count_if(cond):
        return sa.func.sum(sa.case((cond, 1), else_=0))

    q = (
        sa.select(
            key,
            sa.func.count().label("leads"),
            count_if(answered).label("answered"),
            count_if(sa.and_(answered, response <= FIVE_MIN + EPSILON_S)).label("within_5"),
            count_if(sa.or_(answered, age > FIVE_MIN)).label("counted_5"),
            count_if(sa.and_(answered, response <= TWO_HOURS + EPSILON_S)).label("within_2h"),
            count_if(sa.or_(answered, age > TWO_HOURS)).label("counted_2h"),
            count_if(sa.and_(sa.not_(answered), age > FIVE_MIN)).label("unanswered_late"),
            count_if(customers.c.first_lead_id != leads.c.id).label("duplicates"),
            count_if(leads.c.kind.in_(("walk_in", "accompanied_visit"))).label("visits"),
        )
        .select_from(leads)
        .join(lead_dispatch, lead_dispatch.c.lead_id == leads.c.id)
        .outerjoin(customers, customers.c.id == leads.c.customer_id)
        .where(day >= start.isoformat() if dialect == "sqlite" else day >= start)
        .where(day <= end.isoformat() if dialect == "sqlite" else day <= end)
        .group_by(key)
        .order_by(key)
    )
    if channel:
        q = q.where(leads.c.channel == channel)
    if consultant_id is not None:
        q = q.where(lead_dispatch.c.consultant_id == consultant_id)
    rows = conn.execute(q).all()
    spread = _percentiles(conn, q, key, response, answered)
    return [
        KpiRow(
            str(r.key),
            r.leads,
            r.answered or 0,
            r.within_5 or 0,
            r.counted_5 or 0,
            r.within_2h or 0,
            r.counted_2h or 0,
            r.unanswered_late or 0,
            r.duplicates or 0,
            r.visits or 0,
            *spread.get(str(r.key), (None, None)),
        )
        for r in rows
    ]


def _percentiles(conn: Connection, base, key, response, answered) -> dict[str, tuple[float, float]]:
    """Median and p90 of answered response times per group (sorted in the database, picked here)."""
    q = (
        base.with_only_columns(key, response.label("s"))
        .where(answered)
        .group_by(None)
        .order_by(None)
        .order_by(key, response)
    )
    groups: dict[str, list[float]] = {}
    for k, s in conn.execute(q):
        groups.setdefault(str(k), []).append(float(s))
    out = {}
    for k, values in groups.items():
        n = len(values)
        middle = values[(n - 1) // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2
        out[k] = (round(middle, 3), round(values[int(0.9 * (n - 1))], 3))
    return out


BUCKETS_MIN = (1, 2, 5, 10, 30, 60, 120)  # response-time histogram edges, minutes


def response_histogram(conn: Connection, start: date, end: date, channel: str | None = None) -> list[int]:
    """Answered leads per response-time bucket: ≤1, ≤2, ≤5, ≤10, ≤30, ≤60, ≤120 min, and longer."""
    dialect = conn.dialect.name
    day = business_day(leads.c.received_at, dialect)
    response = seconds_between(lead_dispatch.c.first_follow_up_at, leads.c.received_at, dialect)
    lo, hi = (start.isoformat(), end.isoformat()) if dialect == "sqlite" else (start, end)
    q = (
        sa.select(response)
        .select_from(leads)
        .join(lead_dispatch, lead_dispatch.c.lead_id == leads.c.id)
        .where(lead_dispatch.c.first_follow_up_at.is_not(None), day >= lo, day <= hi)
    )
    if channel:
        q = q.where(leads.c.channel == channel)
    counts = [0] * (len(BUCKETS_MIN) + 1)
    for (seconds,) in conn.execute(q):
        minutes = float(seconds) / 60 - EPSILON_S / 60
        counts[next((i for i, edge in enumerate(BUCKETS_MIN) if minutes <= edge), len(BUCKETS_MIN))] += 1
    return counts


def late_leads(conn: Connection, day: date, now: datetime, consultant_id: int | None = None) -> list[int]:
    """Leads of a day answered late or not yet answered past 5 minutes: the drill-down ("漏跟")."""
    dialect = conn.dialect.name
    now = to_utc(now)
    d = business_day(leads.c.received_at, dialect)
    response = seconds_between(lead_dispatch.c.first_follow_up_at, leads.c.received_at, dialect)
    age = seconds_between(sa.literal(now, type_=leads.c.received_at.type), leads.c.received_at, dialect)
    answered = lead_dispatch.c.first_follow_up_at.is_not(None)
    late = sa.or_(sa.and_(answered, response > FIVE_MIN + EPSILON_S), sa.and_(sa.not_(answered), age > FIVE_MIN))
    q = (
        sa.select(leads.c.id)
        .join(lead_dispatch, lead_dispatch.c.lead_id == leads.c.id)
        .where(d == (day.isoformat() if dialect == "sqlite" else day), late)
        .order_by(leads.c.received_at)
    )
    if consultant_id is not None:
        q = q.where(lead_dispatch.c.consultant_id == consultant_id)
    return [r for (r,) in conn.execute(q)]


def alerts_by_level(conn: Connection, start: date, end: date) -> dict[str, int]:
    """Alerts opened on business days start..end, per level (red, yellow, blue)."""
    dialect = conn.dialect.name
    day = business_day(alerts.c.opened_at, dialect)
    lo, hi = (start.isoformat(), end.isoformat()) if dialect == "sqlite" else (start, end)
    q = sa.select(alerts.c.level, sa.func.count()).where(day >= lo, day <= hi).group_by(alerts.c.level)
    found = dict(conn.execute(q).all())
    return {level: found.get(level, 0) for level in ("red", "yellow", "blue")}
