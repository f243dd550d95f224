"""The per-consultant daily report: one business day of one consultant's work, beside the team's.

Plain data built from the database (the KPI comes from `models.metrics`, with the same definitions as
the director's report); rendering and sending are elsewhere. Customers appear masked only (李*,
138****5678), as on the lobby wall.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from models.clock import to_utc
from models.floor_people import FOLLOW_UP_KINDS
from models.floor_state import aware_utc, lead_cards
from models.hub_schema import alerts, follow_ups, lead_dispatch, staff
from models.metrics import KpiRow, business_range, kpi, late_leads
from models.prepare import chunks

LEVELS = ("red", "yellow", "blue")


@dataclass(frozen=True)
class LateLead:
    """A lead of the day first answered after five minutes, or not answered at all (masked)."""

    lead_id: int
    received_at: datetime
    name_masked: str
    mobile_masked: str
    channel: str
    response_s: float | None  # None: not answered by the time the report was built

    @property
    def missed(self) -> bool:
        """Never followed up (漏跟), as opposed to followed up late (超时)."""
        return self.response_s is None


@dataclass(frozen=True)
class ConsultantDay:
    """Everything one consultant's daily report says."""

    staff_id: int
    name: str
    day: date
    figures: KpiRow | None  # None: no lead reached this consultant that day
    team: KpiRow | None
    late: tuple[LateLead, ...] = ()
    follow_ups: dict[str, int] = field(default_factory=dict)  # kind -> count, every kind present
    open_alerts: dict[str, int] = field(default_factory=dict)  # level -> count, every level present

    @property
    def received(self) -> int:
        """Leads dispatched to this consultant that day."""
        return self.figures.leads if self.figures else 0

    @property
    def answered(self) -> int:
        """Of those, leads with a logged follow-up."""
        return self.figures.answered if self.figures else 0

    @property
    def rate_5(self) -> float | None:
        """This consultant's 5-minute rate."""
        return self.figures.rate_5 if self.figures else None

    @property
    def team_rate_5(self) -> float | None:
        """The whole team's 5-minute rate the same day."""
        return self.team.rate_5 if self.team else None

    @property
    def median_s(self) -> float | None:
        """Median first-response time (answered leads), seconds."""
        return self.figures.median_s if self.figures else None

    @property
    def p90_s(self) -> float | None:
        """90th percentile first-response time, seconds."""
        return self.figures.p90_s if self.figures else None

    @property
    def visits(self) -> int:
        """Visits (walk-ins and accompanied visits) received that day."""
        return self.figures.visits if self.figures else 0

    @property
    def missed(self) -> int:
        """Leads not followed up at all past five minutes (漏跟)."""
        return sum(1 for lead in self.late if lead.missed)

    @property
    def answered_late(self) -> int:
        """Leads followed up, but after five minutes (超时)."""
        return sum(1 for lead in self.late if not lead.missed)

    @property
    def follow_up_total(self) -> int:
        """Follow-ups logged that day, every kind."""
        return sum(self.follow_ups.values())

    @property
    def quiet(self) -> bool:
        """Nothing to report: no lead, no follow-up, no open alert (a day off)."""
        return not (self.received or self.follow_up_total or sum(self.open_alerts.values()))


def active_consultants(conn: Connection) -> list[tuple[int, str]]:
    """(id, name) of every active consultant, by id."""
    q = sa.select(staff.c.id, staff.c.name).where(staff.c.role == "consultant", staff.c.active.is_(True))
    return [(r.id, r.name) for r in conn.execute(q.order_by(staff.c.id))]


def follow_ups_by_kind(conn: Connection, day: date, staff_ids: list[int]) -> dict[int, dict[str, int]]:
    """Follow-ups that happened on the business day, per consultant and kind (zeros included)."""
    start, end = business_range(day, day)
    out = {sid: dict.fromkeys(FOLLOW_UP_KINDS, 0) for sid in staff_ids}
    for part in chunks(sorted(staff_ids)):
        q = (
            sa.select(follow_ups.c.staff_id, follow_ups.c.kind, sa.func.count())
            .where(follow_ups.c.staff_id.in_(part), follow_ups.c.occurred_at >= start, follow_ups.c.occurred_at < end)
            .group_by(follow_ups.c.staff_id, follow_ups.c.kind)
        )
        for sid, kind, n in conn.execute(q):
            out[sid][kind] = out[sid].get(kind, 0) + n
    return out


def open_alerts_by_level(conn: Connection, day: date, now: datetime, staff_ids: list[int]) -> dict[int, dict[str, int]]:
    """Alerts owned by each consultant still open (or only acknowledged) at the end of the day, or at
    `now` if that comes first; acknowledging does not close an alert, a follow-up does."""
    cutoff = min(business_range(day, day)[1], to_utc(now))
    out = {sid: dict.fromkeys(LEVELS, 0) for sid in staff_ids}
    for part in chunks(sorted(staff_ids)):
        q = (
            sa.select(alerts.c.owner_id, alerts.c.level, sa.func.count())
            .where(
                alerts.c.owner_id.in_(part),
                alerts.c.opened_at < cutoff,
                sa.or_(alerts.c.resolved_at.is_(None), alerts.c.resolved_at >= cutoff),
            )
            .group_by(alerts.c.owner_id, alerts.c.level)
        )
        for sid, level, n in conn.execute(q):
            out[sid][level] = out[sid].get(level, 0) + n
    return out


def late_leads_by_consultant(conn: Connection, day: date, now: datetime) -> dict[int, list[LateLead]]:
    """The day's leads answered late or not yet (the KPI's own drill-down), masked, per consultant."""
    ids = late_leads(conn, day, now)
    if not ids:
        return {}
    cards = lead_cards(conn, ids)
    dispatch: dict[int, tuple[int | None, datetime | None]] = {}
    for part in chunks(ids):
        q = sa.select(lead_dispatch.c.lead_id, lead_dispatch.c.consultant_id, lead_dispatch.c.first_follow_up_at)
        for r in conn.execute(q.where(lead_dispatch.c.lead_id.in_(part))):
            dispatch[r.lead_id] = (r.consultant_id, aware_utc(r.first_follow_up_at))
    out: dict[int, list[LateLead]] = {}
    for lead_id in ids:  # late_leads orders by receipt
        consultant_id, first = dispatch.get(lead_id, (None, None))
        card = cards.get(lead_id)
        if consultant_id is None or card is None:
            continue
        received = aware_utc(datetime.fromisoformat(card["received_at"]))
        response = (first - received).total_seconds() if first is not None else None
        out.setdefault(consultant_id, []).append(
            LateLead(lead_id, received, card["name_masked"], card["mobile_masked"], card["channel"], response)
        )
    return out


def build_consultant_reports(conn: Connection, day: date, now: datetime) -> list[ConsultantDay]:
    """One report per active consultant for the business day `day`, as things stood at `now`."""
    people = active_consultants(conn)
    ids = [sid for sid, _ in people]
    team = (kpi(conn, day, day, now) or [None])[0]
    figures = {r.key: r for r in kpi(conn, day, day, now, "consultant")}
    late = late_leads_by_consultant(conn, day, now)
    kinds = follow_ups_by_kind(conn, day, ids)
    levels = open_alerts_by_level(conn, day, now, ids)
    return [
        ConsultantDay(
            staff_id=sid,
            name=name,
            day=day,
            figures=figures.get(str(sid)),
            team=team,
            late=tuple(late.get(sid, ())),
            follow_ups=kinds[sid],
            open_alerts=levels[sid],
        )
        for sid, name in people
    ]
