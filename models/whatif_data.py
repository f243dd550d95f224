"""Read a recorded business day from the hub database into the what-if simulator's plain data.

One Asia/Shanghai business day: its dispatched leads (when received, channel, the customer's owner
before the day), who answered each and when, the grab rounds' winners and their reaction times,
the time leads sat in the manager's queue, and each consultant's on-duty spans from the
`staff.status` events (the day's working hours when a consultant's status was never recorded). The
actual figures come from `models.metrics.kpi`, the dashboard's own definition. SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from statistics import median

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from models.clock import BUSINESS_TZ, business_time, to_utc
from models.dispatch import DispatchMode, OfficeCalendar
from models.floor_state import aware_utc
from models.hub_schema import assignments, follow_ups, grab_rounds, hub_events, lead_dispatch, staff
from models.metrics import business_day, business_range, kpi
from models.prepare import chunks
from models.schema import leads
from models.whatif_record import DayClaim, DayConsultant, DayLead, LoadRow, Outlook, RecordedDay, figures

WORKING_HOURS = (9, 21)  # a consultant whose status was never recorded is taken as on duty 09:00–21:00
SHOWN_DAYS = 10  # days with data listed when the asked day has none
_D = lead_dispatch.c


class NoLeadsError(LookupError):
    """The asked day has no dispatched leads in this database."""


@dataclass(frozen=True)
class DayData:
    """A recorded day, earlier days to learn behaviour from, and what actually happened (the KPI)."""

    recorded: RecordedDay
    history: tuple[RecordedDay, ...]
    actual: Outlook


def load_day(
    conn: Connection, day: date, now: datetime, history_days: int = 0, calendar: OfficeCalendar | None = None
) -> DayData:
    """The day to replay, up to `history_days` earlier days that have leads, and the day's actual KPI."""
    recorded = read_day(conn, day, now, calendar)
    history = []
    for back in range(1, history_days + 1):
        try:
            history.append(read_day(conn, day - timedelta(days=back), now, calendar))
        except NoLeadsError:
            continue
    return DayData(recorded, tuple(history), actual_outlook(conn, recorded, now))


def read_day(conn: Connection, day: date, now: datetime, calendar: OfficeCalendar | None = None) -> RecordedDay:
    """One business day as the simulator needs it; NoLeadsError names the days that have data."""
    low, high = business_range(day, day)
    rows = conn.execute(
        sa.select(
            leads.c.id,
            leads.c.customer_id,
            leads.c.channel,
            leads.c.received_at,
            _D.mode,
            _D.consultant_id,
            _D.assigned_at,
            _D.first_follow_up_at,
        )
        .select_from(lead_dispatch.join(leads, leads.c.id == _D.lead_id))
        .where(leads.c.received_at >= low, leads.c.received_at < high)
        .order_by(leads.c.received_at, leads.c.id)
    ).all()
    if not rows:
        raise NoLeadsError(_no_leads(conn, day))
    ids = [r.id for r in rows]
    handed = _assignments(conn, ids)
    rounds = _rounds(conn, ids)
    prior = _prior_owners(conn, sorted({r.customer_id for r in rows if r.customer_id is not None}), low)
    day_leads = tuple(_day_lead(r, handed.get(r.id, []), prior) for r in rows)
    claims = tuple(
        DayClaim(r.winner_id, r.lead_id, (r.closed_at - r.opened_at).total_seconds())
        for r in rounds
        if r.status == "claimed" and r.winner_id is not None and r.closed_at is not None
    )
    windows = [(r.deadline - r.opened_at).total_seconds() for r in rounds]
    modes = Counter(r.mode for r in rows if r.mode in (DispatchMode.AUTO.value, DispatchMode.GRAB.value))
    mode = DispatchMode(modes.most_common(1)[0][0]) if modes else (calendar or OfficeCalendar()).mode(low)
    busy_ids = {x.consultant_id for x in day_leads if x.consultant_id is not None} | {c.staff_id for c in claims}
    people = _roster(conn, low, high, busy_ids, day_leads)
    other = _other_work(conn, low, high, set(ids), [c.staff_id for c in people])
    window = round(median(windows)) if windows else None
    return RecordedDay(day, mode, day_leads, people, claims, window, to_utc(now), other)


def _day_lead(r, handed: list, prior: dict[int, int]) -> DayLead:
    """A lead with the assignment in force at its first follow-up (else its last) and any manager wait."""
    answered = aware_utc(r.first_follow_up_at)
    held = [a for a in handed if a.consultant_id is not None]
    if answered is not None:
        held = [a for a in held if a.at <= answered] or held[:1]
    last = held[-1] if held else None
    wait = None
    queued = next((a.at for a in handed if a.consultant_id is None), None)
    taken = next((a.at for a in handed if a.consultant_id is not None and queued and a.at >= queued), None)
    if queued is not None and taken is not None:
        wait = (taken - queued).total_seconds()
    return DayLead(
        r.id,
        r.received_at,
        r.channel,
        r.customer_id,
        prior.get(r.customer_id) if r.customer_id is not None else None,
        last.consultant_id if last else r.consultant_id,
        last.at if last else r.assigned_at,
        answered,
        wait,
    )


def _assignments(conn: Connection, lead_ids: list[int]) -> dict[int, list]:
    """Every assignment of these leads, in order."""
    out: dict[int, list] = defaultdict(list)
    for part in chunks(lead_ids):
        q = (
            sa.select(assignments.c.lead_id, assignments.c.consultant_id, assignments.c.how, assignments.c.at)
            .where(assignments.c.lead_id.in_(part))
            .order_by(assignments.c.at, assignments.c.id)
        )
        for r in conn.execute(q):
            out[r.lead_id].append(r)
    return out


def _rounds(conn: Connection, lead_ids: list[int]) -> list:
    """The grab rounds of these leads."""
    found = []
    for part in chunks(lead_ids):
        q = sa.select(
            grab_rounds.c.lead_id,
            grab_rounds.c.opened_at,
            grab_rounds.c.deadline,
            grab_rounds.c.status,
            grab_rounds.c.winner_id,
            grab_rounds.c.closed_at,
        ).where(grab_rounds.c.lead_id.in_(part))
        found += conn.execute(q).all()
    return found


def _other_work(conn: Connection, low: datetime, high: datetime, day_ids: set[int], people: list[int]) -> tuple:
    """The consultants' follow-ups during the day on leads from before it: (consultant, when), in order."""
    if not people:
        return ()
    q = (
        sa.select(follow_ups.c.staff_id, follow_ups.c.lead_id, follow_ups.c.occurred_at)
        .where(follow_ups.c.staff_id.in_(people), follow_ups.c.occurred_at >= low, follow_ups.c.occurred_at < high)
        .order_by(follow_ups.c.occurred_at, follow_ups.c.id)
    )
    return tuple((r.staff_id, r.occurred_at) for r in conn.execute(q) if r.lead_id not in day_ids)


def _prior_owners(conn: Connection, customer_ids: list[int], before: datetime) -> dict[int, int]:
    """Who held each customer before the day: the latest assignment of its leads to an active consultant."""
    owners: dict[int, tuple[datetime, int]] = {}
    for part in chunks(customer_ids):
        q = (
            sa.select(leads.c.customer_id, _D.consultant_id, _D.assigned_at)
            .select_from(
                lead_dispatch.join(leads, leads.c.id == _D.lead_id).join(staff, staff.c.id == _D.consultant_id)
            )
            .where(leads.c.customer_id.in_(part), _D.state == "assigned", _D.assigned_at < before)
            .where(staff.c.role == "consultant", staff.c.active.is_(True))
        )
        for r in conn.execute(q):
            if r.customer_id not in owners or owners[r.customer_id][0] < r.assigned_at:
                owners[r.customer_id] = (r.assigned_at, r.consultant_id)
    return {cid: sid for cid, (_, sid) in owners.items()}


def _roster(conn: Connection, low: datetime, high: datetime, busy_ids: set[int], day_leads) -> tuple:
    """Consultants on duty during the day or holding its leads, with their on-duty spans."""
    people = {
        r.id: r.name for r in conn.execute(sa.select(staff.c.id, staff.c.name).where(staff.c.role == "consultant"))
    }
    changes = _status_changes(conn, low, high, set(people))
    last = (
        dict(
            conn.execute(
                sa.select(assignments.c.consultant_id, sa.func.max(assignments.c.at))
                .where(assignments.c.consultant_id.in_(sorted(people)), assignments.c.at < low)
                .group_by(assignments.c.consultant_id)
            ).all()
        )
        if people
        else {}
    )
    hours = _working_hours(low, day_leads)
    roster = []
    for sid in sorted(people):
        duty = _spans(changes[sid], low, high) if sid in changes else (hours,) if sid in busy_ids else ()
        if duty or sid in busy_ids:
            roster.append(DayConsultant(sid, people[sid], duty, aware_utc(last.get(sid))))
    return tuple(roster)


def _status_changes(conn: Connection, low: datetime, high: datetime, ids: set[int]) -> dict[int, list]:
    """Per consultant, their status when the day began (if ever set) and every change during it."""
    kind = hub_events.c.type == "staff.status"
    before = (
        sa.select(hub_events.c.staff_id, sa.func.max(hub_events.c.seq).label("seq"))
        .where(kind, hub_events.c.at < low)
        .group_by(hub_events.c.staff_id)
        .subquery()
    )
    start = sa.select(hub_events.c.staff_id, hub_events.c.at, hub_events.c.payload).join(
        before, before.c.seq == hub_events.c.seq
    )
    during = (
        sa.select(hub_events.c.staff_id, hub_events.c.at, hub_events.c.payload)
        .where(kind, hub_events.c.at >= low, hub_events.c.at < high)
        .order_by(hub_events.c.seq)
    )
    out: dict[int, list] = defaultdict(list)
    for q in (start, during):
        for r in conn.execute(q):
            if r.staff_id in ids:
                out[r.staff_id].append((max(r.at, low), (r.payload or {}).get("status", "off")))
    return out


def _spans(changes: list, low: datetime, high: datetime) -> tuple[tuple[datetime, datetime], ...]:
    """On-duty spans from status changes in order (paused counts as not on duty)."""
    spans, since = [], None
    for at, status in changes:
        if status == "on_duty" and since is None:
            since = at
        elif status != "on_duty" and since is not None:
            if at > since:
                spans.append((since, at))
            since = None
    if since is not None:
        spans.append((since, high))
    return tuple(spans)


def _working_hours(low: datetime, day_leads) -> tuple[datetime, datetime]:
    """09:00–21:00 business time, widened to the hours of the day's first and last lead."""
    local = business_time(low).date()
    start = datetime.combine(local, time(WORKING_HOURS[0]), BUSINESS_TZ)
    end = datetime.combine(local, time(WORKING_HOURS[1]), BUSINESS_TZ)
    if day_leads:
        first = business_time(day_leads[0].received_at).replace(minute=0, second=0, microsecond=0)
        last = business_time(day_leads[-1].received_at).replace(minute=0, second=0, microsecond=0)
        start, end = min(start, first), max(end, last + timedelta(hours=1))
    return to_utc(start), to_utc(end)


def _no_leads(conn: Connection, day: date) -> str:
    """'2026-11-21 has no leads in this database; days with data: …'."""
    found = days_with_leads(conn)
    if not found:
        return f"{day.isoformat()} has no leads in this database; it has no dispatched leads on any day yet"
    listed = ", ".join(f"{d.isoformat()} ({n})" for d, n in found)
    return f"{day.isoformat()} has no leads in this database; days with data: {listed}"


def days_with_leads(conn: Connection, limit: int = SHOWN_DAYS) -> list[tuple[date, int]]:
    """The latest business days with dispatched leads, newest first, with how many."""
    bd = business_day(leads.c.received_at, conn.dialect.name)
    q = (
        sa.select(bd.label("day"), sa.func.count())
        .select_from(lead_dispatch.join(leads, leads.c.id == _D.lead_id))
        .group_by(bd)
        .order_by(bd.desc())
        .limit(limit)
    )
    return [(d if isinstance(d, date) else date.fromisoformat(d), n) for d, n in conn.execute(q)]


def actual_outlook(conn: Connection, recorded: RecordedDay, now: datetime) -> Outlook:
    """What happened: the KPI of models/metrics.py, team and per consultant, with each one's busiest hour."""
    day = recorded.day
    total = kpi(conn, day, day, now)
    if not total:
        return figures(recorded)
    [row] = total
    names = {c.staff_id: c.name for c in recorded.consultants}
    hours = {r.staff_id: r for r in figures(recorded).consultants}
    rows = []
    for k in kpi(conn, day, day, now, group="consultant"):
        sid = int(k.key) if k.key.isdigit() else None
        seen = hours.get(sid)
        name = names.get(sid) or (_staff_name(conn, sid) if sid is not None else k.key)
        hour, count = (seen.busiest_hour, seen.busiest_leads) if seen else (None, 0.0)
        rows.append(LoadRow(sid, name, float(k.leads), k.rate_5, hour, count))
    rows.sort(key=lambda r: (r.staff_id is None, r.staff_id or 0))
    return Outlook(
        row.leads, row.rate_5, row.rate_5, row.rate_5, row.rate_2h, row.median_s, row.unanswered_late, tuple(rows)
    )


def _staff_name(conn: Connection, staff_id: int) -> str:
    """A staff member's name (one who held leads but is no longer on the roster)."""
    return conn.execute(sa.select(staff.c.name).where(staff.c.id == staff_id)).scalar() or f"#{staff_id}"
