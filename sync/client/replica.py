"""The desk's local SQLite replica: meta, leads, staff, the outbox and open grab offers.

A cache of the hub's state plus the user's unsent actions. SQLAlchemy Core with its own MetaData;
`create_all` builds it, a stored schema version rebuilds it when the layout changes (carrying the
outbox's pending actions and the mutation counter, which are not the hub's to give back). WAL,
`synchronous=FULL` and one transaction per state change make it survive a SIGKILL or a power cut.
The replica holds masked mobiles only; a plaintext number lives in an outbox item until the hub has it.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from models.clock import to_utc
from models.db import make_engine, sqlite_url, write_transaction
from models.desk_state import AlertRow, LeadRow, Me, OutboxItem, StaffRow

log = logging.getLogger("salesfloor.desk.replica")
SCHEMA_VERSION = 3  # 2: staff.last_follow_up_at; 3: alerts


class Instant(sa.TypeDecorator):
    """An aware datetime stored as UTC ISO 8601 text (sortable, never naive)."""

    impl = sa.String(40)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> str | None:
        """Aware (or business-time naive) datetime -> UTC text."""
        return None if value is None else to_utc(value).isoformat(timespec="microseconds")

    def process_result_value(self, value: str | None, dialect) -> datetime | None:
        """UTC text -> aware datetime."""
        return None if value is None else datetime.fromisoformat(value)


metadata = sa.MetaData()

meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(40), primary_key=True),
    sa.Column("value", sa.JSON),
)

leads = sa.Table(
    "leads",
    metadata,
    sa.Column("lead_id", sa.Integer, primary_key=True, autoincrement=False),  # -mutation_id: local placeholder
    sa.Column("customer_id", sa.Integer),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("occurred_at", Instant, nullable=False),
    sa.Column("received_at", Instant, nullable=False),
    sa.Column("name_masked", sa.String(64), nullable=False, default=""),
    sa.Column("mobile_masked", sa.String(32), nullable=False, default=""),
    sa.Column("state", sa.String(16), nullable=False, default=""),
    sa.Column("consultant_id", sa.Integer),
    sa.Column("consultant_name", sa.String(64), nullable=False, default=""),
    sa.Column("assigned_at", Instant),
    sa.Column("first_follow_up_at", Instant),
    sa.Column("reason", sa.Text, nullable=False, default=""),
    sa.Column("agency_id", sa.Integer),
    sa.Index("ix_leads_mobile_masked", "mobile_masked"),
    sa.Index("ix_leads_customer", "customer_id"),
)

staff = sa.Table(
    "staff",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("agency_id", sa.Integer),
    sa.Column("last_follow_up_at", Instant),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("mutation_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("fields", sa.JSON),  # what goes on the wire; NULL once the hub has answered (no plaintext kept)
    sa.Column("summary", sa.Text, nullable=False),  # masked words for the user
    sa.Column("lead_id", sa.Integer),  # the lead it concerns (negative: its own placeholder)
    sa.Column("staff_id", sa.Integer),  # who was signed in when it was made (None: never online yet)
    sa.Column("prior", sa.JSON),  # what the optimistic apply replaced, to put back on a refusal
    sa.Column("created_at", Instant, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),  # pending | applied | refused
    sa.Column("message", sa.Text, nullable=False, default=""),
    sa.Column("result", sa.JSON),
    sa.Index("ix_outbox_state", "state", "mutation_id"),
)

offers = sa.Table(
    "offers",
    metadata,
    sa.Column("round_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("lead", sa.JSON, nullable=False),  # the lead card as offered (kept even if the lead goes)
    sa.Column("deadline", Instant, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),  # open | claiming | won | lost | expired
    sa.Column("winner_name", sa.String(64), nullable=False, default=""),
)


alerts = sa.Table(
    "alerts",
    metadata,
    sa.Column("alert_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("customer_id", sa.Integer, nullable=False),
    sa.Column("level", sa.String(8), nullable=False),
    sa.Column("rule", sa.String(24), nullable=False),
    sa.Column("state", sa.String(12), nullable=False),
    sa.Column("since", Instant, nullable=False),
    sa.Column("name_masked", sa.String(32), nullable=False, default=""),
    sa.Column("suggestion", sa.Text, nullable=False, default=""),
    sa.Column("owner_id", sa.Integer),
    sa.Column("by", sa.String(64), nullable=False, default=""),
)


def alert_row(r: Any) -> AlertRow:
    """An alert row as the views see it."""
    return AlertRow(
        r.alert_id, r.customer_id, r.level, r.rule, r.state, r.since, r.name_masked, r.suggestion, r.owner_id, r.by
    )


def _replica_pragmas(dbapi_connection, _record) -> None:
    """On top of the shared SQLite pragmas: fsync every commit, zero freed pages (no plaintext left)."""
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA secure_delete=ON")
    cur.close()


def open_replica(path: Path) -> Engine:
    """Open (creating or rebuilding as needed) the replica file; a corrupt file is moved aside."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return _open(path)
    except sa.exc.DatabaseError:
        log.warning("the replica file is unreadable; moving it aside and starting a fresh one")
        stamp = datetime.now().strftime("%Y%m%d%H%M%S")
        for suffix in ("", "-wal", "-shm"):
            old = Path(f"{path}{suffix}")
            if old.exists():
                os.replace(old, Path(f"{path}.corrupt-{stamp}{suffix}"))
        return _open(path)


def _open(path: Path) -> Engine:
    engine = make_engine(sqlite_url(path))
    event.listen(engine.pool, "connect", _replica_pragmas)
    try:
        ensure_schema(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def ensure_schema(engine: Engine) -> bool:
    """Create the tables, or rebuild them on a schema version mismatch; True when (re)built."""
    with write_transaction(engine) as conn:
        existing = [
            name
            for (name,) in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not name.startswith("sqlite_")
        ]
        if "meta" in existing and _stored_version(conn) == SCHEMA_VERSION:
            return False
        carried = _carry(conn) if existing else {}
        for name in existing:
            conn.exec_driver_sql(f'DROP TABLE "{name}"')
        metadata.create_all(conn)
        if existing:
            log.info("replica layout changed; rebuilt it (pending actions kept: %d)", len(carried.get("outbox", [])))
        set_meta(conn, "schema_version", SCHEMA_VERSION)
        set_meta(conn, "last_seq", 0)
        set_meta(conn, "next_mutation_id", carried.get("next_mutation_id", 1))
        if carried.get("outbox"):
            conn.execute(outbox.insert(), carried["outbox"])
        return True


def _stored_version(conn: Connection) -> Any:
    try:
        row = conn.exec_driver_sql("SELECT value FROM meta WHERE key = 'schema_version'").first()
    except sa.exc.DatabaseError:
        return None
    return None if row is None else _decode(row[0])


def _decode(value: Any) -> Any:
    """A JSON column read through the driver (SQLite's numeric affinity turns '1' into 1)."""
    return json.loads(value) if isinstance(value, str | bytes) else value


def _carry(conn: Connection) -> dict[str, Any]:
    """What survives a rebuild: the mutation counter and pending actions (best effort on an old layout)."""
    out: dict[str, Any] = {}
    decode = _decode
    try:
        row = conn.exec_driver_sql("SELECT value FROM meta WHERE key = 'next_mutation_id'").first()
        top = conn.exec_driver_sql("SELECT max(mutation_id) FROM outbox").scalar()
        out["next_mutation_id"] = max(int(decode(row[0])) if row else 1, (top or 0) + 1)
    except (sa.exc.DatabaseError, TypeError, ValueError):
        pass
    try:
        q = "SELECT mutation_id, type, fields, summary, created_at FROM outbox WHERE state = 'pending'"
        out["outbox"] = [
            {
                "mutation_id": r[0],
                "type": r[1],
                "fields": decode(r[2]),
                "summary": r[3],
                "created_at": datetime.fromisoformat(r[4]),
                "state": "pending",
                "message": "",
                "lead_id": _lead_of(decode(r[2]), r[1], r[0]),
            }
            for r in conn.exec_driver_sql(q)
        ]
    except (sa.exc.DatabaseError, TypeError, ValueError):
        pass
    return out


def _lead_of(fields: dict | None, type_: str, mutation_id: int) -> int | None:
    if type_ in ("visit.register", "report.file"):
        return -mutation_id
    return (fields or {}).get("lead_id")


# --- meta ----------------------------------------------------------------------------------------


def get_meta(conn: Connection, key: str, default: Any = None) -> Any:
    """One value of the meta table."""
    value = conn.execute(sa.select(meta.c.value).where(meta.c.key == key)).scalar()
    return default if value is None else value


def set_meta(conn: Connection, key: str, value: Any) -> None:
    """Write one value of the meta table."""
    if conn.execute(meta.update().where(meta.c.key == key).values(value=value)).rowcount == 0:
        conn.execute(meta.insert().values(key=key, value=value))


def load_me(conn: Connection) -> Me | None:
    """Who was signed in last (kept for offline starts)."""
    data = get_meta(conn, "me")
    return Me(**data) if data else None


# --- rows to desk state --------------------------------------------------------------------------


def lead_row(r: Any, pending: bool = False) -> LeadRow:
    """A replica row as the views see it."""
    return LeadRow(
        lead_id=r.lead_id,
        customer_id=r.customer_id,
        channel=r.channel,
        kind=r.kind,
        occurred_at=r.occurred_at,
        received_at=r.received_at,
        name_masked=r.name_masked,
        mobile_masked=r.mobile_masked,
        state=r.state,
        consultant_id=r.consultant_id,
        consultant_name=r.consultant_name,
        assigned_at=r.assigned_at,
        first_follow_up_at=r.first_follow_up_at,
        reason=r.reason,
        agency_id=r.agency_id,
        pending=pending or r.lead_id < 0,
    )


def staff_row(r: Any) -> StaffRow:
    """A staff row as the views see it."""
    return StaffRow(r.id, r.name, r.role, r.status, r.agency_id, r.last_follow_up_at)


def outbox_item(r: Any) -> OutboxItem:
    """An outbox row as the views see it (no fields: they may hold plaintext)."""
    return OutboxItem(r.mutation_id, r.type, r.summary, r.created_at, r.state, r.message or "", r.result or {})


def pending_lead_ids(conn: Connection, among: list[int] | None = None) -> set[int]:
    """Leads with an action still waiting in the outbox."""
    q = sa.select(outbox.c.lead_id).where(outbox.c.state == "pending", outbox.c.lead_id.is_not(None))
    if among is not None:
        q = q.where(outbox.c.lead_id.in_(among))
    return {lead_id for (lead_id,) in conn.execute(q)}


def read_leads(conn: Connection, lead_ids: list[int] | None = None) -> list[LeadRow]:
    """Lead rows (all, or these), with their pending flag from the outbox."""
    q = sa.select(leads).order_by(leads.c.received_at, leads.c.lead_id)
    if lead_ids is not None:
        if not lead_ids:
            return []
        q = q.where(leads.c.lead_id.in_(sorted(set(lead_ids))))
    rows = conn.execute(q).all()
    pending = pending_lead_ids(conn, None if lead_ids is None else [r.lead_id for r in rows])
    return [lead_row(r, r.lead_id in pending) for r in rows]


def waiting_count(conn: Connection) -> int:
    """How many actions wait to be sent."""
    return conn.execute(sa.select(sa.func.count()).select_from(outbox).where(outbox.c.state == "pending")).scalar_one()
