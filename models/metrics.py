"""The 5-minute KPI and its companions, as SQL aggregates that hold up on a year of leads.

Definitions (docs/metrics.md): a lead's first-response time runs from its receipt on the hub to its
first logged follow-up. Only dispatched leads count (reports and imported history are not dispatched).
A lead still unanswered counts against a rate once its window has passed at `now`; younger
unanswered leads are pending and count nowhere yet. Days are Asia/Shanghai business days.

How it stays fast (docs/metrics.md, "How the figures are read"): each dispatched lead carries its
facts on `lead_dispatch` (business day, channel, visit, duplicate, first-response time in
microseconds) and `kpi_days` sums them per day, consultant, channel and mode; the database's own
triggers keep both current (models/hub_schema.py). Counts come from `kpi_days`; what depends on
`now` is corrected with the few unanswered leads younger than two hours; medians and p90 stay exact:
a small range reads its answered leads' times, a large one picks the ranks from an index ordered by
response time within the group, starting at the histogram bucket that holds the rank.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from models.clock import BUSINESS_TZ, business_time, to_utc
from models.hub_schema import (
    ALL,
    ALL_CONSULTANTS,
    RESPONSE_BUCKETS,
    RESPONSE_EDGES_MIN,
    alerts,
    kpi_days,
    lead_dispatch,
)
from models.schema import leads

FIVE_MIN = 300
TWO_HOURS = 7200
US = 1_000_000  # first-response times are stored in microseconds
GROUPS = ("day", "consultant", "channel", "mode")
_GROUP_COLUMNS = {"day": "business_day", "consultant": "consultant_id", "channel": "channel", "mode": "mode"}
BUCKETS_MIN = RESPONSE_EDGES_MIN  # response-time histogram edges, minutes
READ_PER_GROUP = 40  # fewer answered leads per group on average: read them all (a rank read costs ~40 rows)
NOBODY = "—"  # the key of leads no consultant holds (the manager's queue)

_D = lead_dispatch.c
_K = kpi_days.c
_EDGES_US = [m * 60 * US for m in RESPONSE_EDGES_MIN]
_UNBOUNDED = 2**62  # beyond any response time, either way (a desk clock behind the hub gives negatives)


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


def business_range(start: date, end: date) -> tuple[datetime, datetime]:
    """The UTC instants [from, to) that business days start..end cover: compare timestamps to these."""
    low = datetime.combine(start, time(), BUSINESS_TZ).astimezone(UTC)
    return low, datetime.combine(end + timedelta(days=1), time(), BUSINESS_TZ).astimezone(UTC)


def _key_column(group: str | None, cols) -> Any:
    """The grouping column on lead_dispatch or kpi_days (they share the names)."""
    if group is None:
        return sa.literal("all")
    return cols[_GROUP_COLUMNS[group]]


def _key_text(value: Any) -> str:
    """A group's key as KpiRow shows it (days ISO, consultants by id, nobody as a dash)."""
    if value is None or value == 0:
        return NOBODY
    return value.isoformat() if isinstance(value, date) else str(value)


def _filters(cols, start: date, end: date, channel: str | None, consultant_id: int | None) -> list:
    """Business days start..end (a date column: one comparison on both databases), channel, consultant."""
    out = [cols.business_day >= start, cols.business_day <= end]
    if channel:
        out.append(cols.channel == channel)
    if consultant_id is not None:
        out.append(cols.consultant_id == consultant_id)
    return out


def _level(group: str | None, channel: str | None, consultant_id: int | None) -> list:
    """The kpi_days level to read: summed over what is neither grouped nor filtered on, or the finest."""
    wanted = {"consultant": consultant_id is not None, "channel": bool(channel), "mode": False}
    if group in wanted:
        wanted[group] = True
    fine = sum(wanted.values()) > 1  # only single-dimension levels are kept besides the finest
    dims = (("consultant", _K.consultant_id, ALL_CONSULTANTS), ("channel", _K.channel, ALL), ("mode", _K.mode, ALL))
    return [col != every if fine or wanted[name] else col == every for name, col, every in dims]


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
    now = to_utc(now)
    key = _key_column(group, _K)
    sums = [sa.func.sum(_K[name]) for name in ("leads", "answered", "duplicates", "visits", *RESPONSE_BUCKETS)]
    where = [*_filters(_K, start, end, channel, consultant_id), *_level(group, channel, consultant_id)]
    q = sa.select(key.label("key"), *sums).where(*where).group_by(key)
    sums_of = {_key_text(r[0]): (r[0], [int(v) for v in r[1:]]) for r in conn.execute(q)}
    young = _young_unanswered(conn, start, end, now, group, channel, consultant_id)
    counts = {k: (raw, s[1], s[4:]) for k, (raw, s) in sums_of.items()}
    spread = _percentiles(conn, start, end, group, channel, consultant_id, counts)
    out = []
    for k, (_raw, (n, answered, duplicates, visits, *buckets)) in sums_of.items():
        waiting = n - answered
        young_5, young_2h = young.get(k, (0, 0))
        within_5, within_2h = sum(buckets[:3]), sum(buckets[:7])  # edges 1, 2, 5 min; ... 120 min
        figures = (answered, within_5, answered + waiting - young_5, within_2h, answered + waiting - young_2h)
        median, p90 = spread.get(k, (None, None))
        out.append(KpiRow(k, n, *figures, waiting - young_5, duplicates, visits, median, p90))
    return sorted(out, key=lambda r: r.key)


def _young_unanswered(conn: Connection, start, end, now, group, channel, consultant_id) -> dict[str, tuple[int, int]]:
    """Per group, unanswered leads received within 5 minutes and within 2 hours of `now` (or after it)."""
    since = now - timedelta(seconds=TWO_HOURS)
    first = max(start, business_time(since).date())
    if first > end:
        return {}
    key = _key_column(group, _D)
    recent = sa.case((leads.c.received_at >= now - timedelta(seconds=FIVE_MIN), 1), else_=0)
    q = (
        sa.select(key, sa.func.sum(recent), sa.func.count())
        .select_from(lead_dispatch.join(leads, leads.c.id == _D.lead_id))
        .where(*_filters(_D, first, end, channel, consultant_id), _D.first_response_us.is_(None))
        .where(leads.c.received_at >= since)
        .group_by(key)
    )
    return {_key_text(k): (int(y5), int(y2h)) for k, y5, y2h in conn.execute(q)}


def _spread(at: Callable[[list[int]], dict[int, int]], n: int) -> tuple[float, float]:
    """Median (the middle two averaged when n is even) and p90 (rank ⌊0.9·(n-1)⌋) in seconds, to the ms."""
    ranks = [(n - 1) // 2, n // 2, int(0.9 * (n - 1))]
    values = at(sorted(set(ranks)))
    median = (values[ranks[0]] + values[ranks[1]]) / 2 / US
    return round(median, 3), round(values[ranks[2]] / US, 3)


def _percentiles(conn, start, end, group, channel, consultant_id, counts) -> dict[str, tuple[float, float]]:
    """Median and p90 per group; `counts` maps each key to (its raw value, answered, bucket counts)."""
    where = [*_filters(_D, start, end, channel, consultant_id), _D.first_response_us.is_not(None)]
    column = _key_column(group, _D)
    answered = {k: c for k, c in counts.items() if c[1]}
    if sum(n for _, n, _ in answered.values()) <= READ_PER_GROUP * len(answered):  # few leads: read them all
        times: dict[str, list[int]] = {}
        for k, us in conn.execute(sa.select(column, _D.first_response_us).where(*where)):
            times.setdefault(_key_text(k), []).append(us)
        out = {}
        for k, values in times.items():
            values.sort()
            out[k] = _spread(lambda ranks, v=values: {r: v[r] for r in ranks}, len(values))
        return out
    statements: dict[bool, Any] = {}

    def ranked(raw: Any) -> Any:
        """One statement per shape, its values bound per call (built once, so each read costs little)."""
        nobody = group == "consultant" and raw == 0
        if nobody not in statements:
            mine = [] if group is None else [column.is_(None) if nobody else column == sa.bindparam("key")]
            in_bucket = [_D.first_response_us > sa.bindparam("lo"), _D.first_response_us <= sa.bindparam("hi")]
            q = sa.select(_D.first_response_us).where(*where, *mine, *in_bucket).order_by(_D.first_response_us)
            statements[nobody] = q.limit(sa.bindparam("n")).offset(sa.bindparam("skip"))
        return statements[nobody]

    return {
        k: _spread(lambda ranks, raw=raw, b=buckets: _ranked(conn, ranked(raw), raw, b, ranks), n)
        for k, (raw, n, buckets) in answered.items()
    }


def _ranked(conn: Connection, statement, raw: Any, buckets: list[int], ranks: list[int]) -> dict[int, int]:
    """The response times at these ranks (ascending, 0-based), each read from within its bucket."""
    found: dict[int, int] = {}
    below = 0
    for i, count in enumerate(buckets):
        wanted = [r for r in ranks if below <= r < below + count]
        lo = _EDGES_US[i - 1] if i else -_UNBOUNDED
        hi = _EDGES_US[i] if i < len(_EDGES_US) else _UNBOUNDED
        while wanted:  # one read for ranks close together, one each for ranks far apart
            near = [r for r in wanted if r - wanted[0] <= 64]
            bound = {"key": raw, "lo": lo, "hi": hi, "n": near[-1] - near[0] + 1, "skip": near[0] - below}
            got = conn.execute(statement, bound).scalars().all()
            found.update({r: got[r - near[0]] for r in near})
            wanted = wanted[len(near) :]
        below += count
    return found


def response_histogram(
    conn: Connection, start: date, end: date, channel: str | None = None, consultant_id: int | None = None
) -> list[int]:
    """Answered leads per response-time bucket: ≤1, ≤2, ≤5, ≤10, ≤30, ≤60, ≤120 min, and longer."""
    where = [*_filters(_K, start, end, channel, consultant_id), *_level(None, channel, consultant_id)]
    q = sa.select(*(sa.func.sum(_K[name]) for name in RESPONSE_BUCKETS)).where(*where)
    return [int(n or 0) for n in conn.execute(q).one()]


def late_leads(conn: Connection, day: date, now: datetime, consultant_id: int | None = None) -> list[int]:
    """Leads of a day answered late or not yet answered past 5 minutes: the drill-down ("漏跟")."""
    now = to_utc(now)
    late = sa.or_(
        _D.first_response_us > FIVE_MIN * US,
        sa.and_(_D.first_response_us.is_(None), leads.c.received_at < now - timedelta(seconds=FIVE_MIN)),
    )
    q = (
        sa.select(leads.c.id)
        .select_from(lead_dispatch.join(leads, leads.c.id == _D.lead_id))
        .where(*_filters(_D, day, day, None, consultant_id), late)
        .order_by(leads.c.received_at, leads.c.id)
    )
    return [r for (r,) in conn.execute(q)]


def alerts_by_level(conn: Connection, start: date, end: date) -> dict[str, int]:
    """Alerts opened on business days start..end, per level (red, yellow, blue)."""
    low, high = business_range(start, end)
    q = (
        sa.select(alerts.c.level, sa.func.count())
        .where(alerts.c.opened_at >= low, alerts.c.opened_at < high)
        .group_by(alerts.c.level)
    )
    found = dict(conn.execute(q).all())
    return {level: found.get(level, 0) for level in ("red", "yellow", "blue")}
