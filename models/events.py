"""The hub's event stream: every state change is a row with a strictly increasing sequence number.

Events are written inside the transaction that makes the change, so a committed change always has
its event and a rolled-back one never does. Payloads carry masked personal data only. The hub has a
single writer, so sequence order is commit order and a reader that resumes from `seq` misses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from models.hub_schema import hub_events
from models.prepare import column_converter, db_params, executemany, next_ids


@dataclass(frozen=True)
class Event:
    """One state change as clients receive it."""

    seq: int
    at: datetime
    type: str
    payload: dict[str, Any]
    customer_id: int | None = None
    lead_id: int | None = None
    staff_id: int | None = None  # the consultant it concerns (owner, claimant, author)
    agency_id: int | None = None  # the agency it concerns (brokers see only their own)


@dataclass
class PendingEvent:
    """An event to write (its seq is given by the database)."""

    type: str
    payload: dict[str, Any]
    customer_id: int | None = None
    lead_id: int | None = None
    staff_id: int | None = None
    agency_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def append_events(conn: Connection, pending: list[PendingEvent], at: datetime) -> list[Event]:
    """Write events in order inside the caller's transaction; return them with their sequence numbers.

    Several go with reserved sequence numbers and one `executemany` (the caller holds the write lock).
    """
    if len(pending) == 1:
        p = pending[0]
        seq = conn.execute(
            _INSERT_ONE,
            {"at": at, "type": p.type, "customer_id": p.customer_id, "lead_id": p.lead_id}
            | {"staff_id": p.staff_id, "agency_id": p.agency_id, "payload": p.payload},
        ).inserted_primary_key[0]
        return [Event(seq, at, p.type, p.payload, p.customer_id, p.lead_id, p.staff_id, p.agency_id)]
    seqs = next_ids(conn, "hub_events", len(pending), column="seq")
    db = db_params(conn)
    payload = column_converter(hub_events.c.payload.type, conn.dialect)
    stamp = db.stamp(at)
    rows = [
        (seq, stamp, p.type, p.customer_id, p.lead_id, p.staff_id, p.agency_id, payload(p.payload))
        for seq, p in zip(seqs, pending, strict=True)
    ]
    executemany(conn, db.insert("hub_events", _COLUMNS), rows)
    return [
        Event(seq, at, p.type, p.payload, p.customer_id, p.lead_id, p.staff_id, p.agency_id)
        for seq, p in zip(seqs, pending, strict=True)
    ]


_INSERT_ONE = hub_events.insert()
_COLUMNS = ("seq", "at", "type", "customer_id", "lead_id", "staff_id", "agency_id", "payload")


def _event(r) -> Event:
    return Event(r.seq, r.at, r.type, r.payload, r.customer_id, r.lead_id, r.staff_id, r.agency_id)


def events_since(conn: Connection, seq: int, limit: int = 5000) -> list[Event]:
    """Events after a sequence number, oldest first, at most `limit`."""
    q = sa.select(hub_events).where(hub_events.c.seq > seq).order_by(hub_events.c.seq).limit(limit)
    return [_event(r) for r in conn.execute(q)]


def last_seq(conn: Connection) -> int:
    """The newest sequence number (0 for an empty stream)."""
    return conn.execute(sa.select(sa.func.coalesce(sa.func.max(hub_events.c.seq), 0))).scalar_one()
