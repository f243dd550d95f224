"""Read-side queries the dispatch decisions need: consultants' state, a customer's owner, lead cards."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from models.clock import business_time
from models.dispatch import ConsultantState, StaffStatus
from models.hub_schema import assignments, follow_ups, lead_dispatch, staff
from models.reconcile import chunks
from models.schema import identifiers, leads

_LAST_FOLLOW_UP = (
    sa.select(follow_ups.c.staff_id, sa.func.max(follow_ups.c.occurred_at).label("at"))
    .group_by(follow_ups.c.staff_id)
    .subquery()
)
_LAST_ASSIGNED = (
    sa.select(assignments.c.consultant_id, sa.func.max(assignments.c.at).label("at"))
    .where(assignments.c.consultant_id.is_not(None))
    .group_by(assignments.c.consultant_id)
    .subquery()
)
_OPEN = (
    sa.select(lead_dispatch.c.consultant_id, sa.func.count().label("n"))
    .where(lead_dispatch.c.state == "assigned", lead_dispatch.c.first_follow_up_at.is_(None))
    .group_by(lead_dispatch.c.consultant_id)
    .subquery()
)
_CONSULTANTS = (
    sa.select(
        staff.c.id,
        staff.c.name,
        staff.c.status,
        _LAST_FOLLOW_UP.c.at.label("last_follow_up_at"),
        _LAST_ASSIGNED.c.at.label("last_assigned_at"),
        sa.func.coalesce(_OPEN.c.n, 0).label("open_leads"),
    )
    .outerjoin(_LAST_FOLLOW_UP, _LAST_FOLLOW_UP.c.staff_id == staff.c.id)
    .outerjoin(_LAST_ASSIGNED, _LAST_ASSIGNED.c.consultant_id == staff.c.id)
    .outerjoin(_OPEN, _OPEN.c.consultant_id == staff.c.id)
    .where(staff.c.role == "consultant", staff.c.active.is_(True))
    .order_by(staff.c.id)
)


def consultant_states(conn: Connection) -> list[ConsultantState]:
    """Every active consultant with status, last follow-up, last assignment and unanswered leads."""
    out = []
    for r in conn.execute(_CONSULTANTS):
        out.append(
            ConsultantState(
                r.id,
                r.name,
                StaffStatus(r.status),
                aware_utc(r.last_follow_up_at),
                aware_utc(r.last_assigned_at),
                r.open_leads,
            )
        )
    return out


def aware_utc(value):
    """Aggregates bypass the column type on SQLite: attach UTC to what comes back naive or as text."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def customer_owner(conn: Connection, customer_id: int, exclude_lead: int | None = None) -> int | None:
    """The consultant who holds this customer: the latest assignment of any of its leads."""
    q = (
        sa.select(lead_dispatch.c.consultant_id)
        .join(leads, leads.c.id == lead_dispatch.c.lead_id)
        .join(staff, staff.c.id == lead_dispatch.c.consultant_id)
        .where(
            leads.c.customer_id == customer_id,
            lead_dispatch.c.state == "assigned",
            staff.c.role == "consultant",
            staff.c.active.is_(True),
        )
        .order_by(lead_dispatch.c.assigned_at.desc())
        .limit(1)
    )
    if exclude_lead is not None:
        q = q.where(lead_dispatch.c.lead_id != exclude_lead)
    return conn.execute(q).scalar()


def lead_cards(conn: Connection, lead_ids: list[int]) -> dict[int, dict[str, Any]]:
    """What a client shows of a lead, masked: channel, kind, times, name, mobile, customer."""
    cards: dict[int, dict[str, Any]] = {}
    for part in chunks(sorted(lead_ids)):
        q = sa.select(
            leads.c.id,
            leads.c.customer_id,
            leads.c.channel,
            leads.c.kind,
            leads.c.occurred_at,
            leads.c.received_at,
            leads.c.name_masked,
            leads.c.agency_id,
            leads.c.problems,
        ).where(leads.c.id.in_(part))
        for r in conn.execute(q):
            cards[r.id] = {
                "lead_id": r.id,
                "customer_id": r.customer_id,
                "channel": r.channel,
                "kind": r.kind,
                "occurred_at": r.occurred_at.isoformat(),
                "received_at": r.received_at.isoformat(),
                "name_masked": r.name_masked,
                "mobile_masked": "",
                "agency_id": r.agency_id,
                "problems": r.problems,
            }
        q = sa.select(identifiers.c.lead_id, identifiers.c.masked).where(
            identifiers.c.lead_id.in_(part), identifiers.c.kind == "mobile"
        )
        for r in conn.execute(q):
            if not cards[r.lead_id]["mobile_masked"]:
                cards[r.lead_id]["mobile_masked"] = r.masked
    return cards


def staff_names(conn: Connection, ids: set[int]) -> dict[int, str]:
    """Names of staff members by id."""
    if not ids:
        return {}
    return dict(conn.execute(sa.select(staff.c.id, staff.c.name).where(staff.c.id.in_(sorted(ids)))).all())


def hhmm(when) -> str:
    """A time as the floor reads it (Asia/Shanghai, HH:MM)."""
    return business_time(when).strftime("%H:%M")


def customers_by_identifier(conn: Connection, match_keys: list[str]) -> list[int]:
    """Surviving customers holding any of these blind-index keys (newest first)."""
    if not match_keys:
        return []
    q = (
        sa.select(leads.c.customer_id)
        .join(identifiers, identifiers.c.lead_id == leads.c.id)
        .where(identifiers.c.match_key.in_(match_keys), leads.c.customer_id.is_not(None))
        .group_by(leads.c.customer_id)
        .order_by(sa.func.max(leads.c.id).desc())
    )
    return [r[0] for r in conn.execute(q)]
