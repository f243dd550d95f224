"""Turn a `LeadIn` into storable rows: validated identifiers, ciphertext, blind indexes, masks.

`DbParams` is the plain DB-API side of storing them, used by the bulk ingest path.
"""

from __future__ import annotations

import gc
import hashlib
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy.engine import Connection, Dialect

from models.identifiers import Identifier, IdentifierPolicy, parse_all
from models.leads import LeadIn, TouchKind
from models.privacy import Vault, mask_identifier, mask_name
from models.schema import customers, leads, touches

IDENTIFIER_COLUMNS = (
    "lead_id",
    "kind",
    "status",
    "blind_index",
    "match_key",
    "tag",
    "value_enc",
    "masked",
    "reason",
    "warnings",
)


@dataclass
class PreparedIdentifier:
    """One identifier ready for the identifiers table."""

    ident: Identifier
    blind_index: str | None
    value_enc: bytes
    masked: str
    kind: str = field(init=False)  # ident.kind.value and ident.status.value, read once: the hot paths use them
    status: str = field(init=False)
    match_key: str | None = field(init=False)  # the key that links leads (untagged); None when it may not match

    def __post_init__(self) -> None:
        """Take the plain values the rows and the evidence are built from."""
        self.kind = self.ident.kind.value
        self.status = self.ident.status.value
        self.match_key = self.blind_index if self.ident.matchable else None

    def values(self, lead_id: int) -> tuple:
        """Row for the identifiers table as a tuple in `IDENTIFIER_COLUMNS` order."""
        ident = self.ident
        return (
            lead_id,
            self.kind,
            self.status,
            self.blind_index,
            self.match_key,
            0,
            self.value_enc,
            self.masked,
            ident.reason,
            ",".join(ident.warnings),
        )

    def row(self, lead_id: int) -> dict:
        """Row for the identifiers table."""
        return {
            "lead_id": lead_id,
            "kind": self.ident.kind.value,
            "status": self.ident.status.value,
            "blind_index": self.blind_index,
            "match_key": self.match_key,
            "tag": 0,
            "value_enc": self.value_enc,
            "masked": self.masked,
            "reason": self.ident.reason,
            "warnings": ",".join(self.ident.warnings),
        }


@dataclass
class PreparedLead:
    """A lead with its identifiers validated and personal fields encrypted."""

    lead: LeadIn
    identifiers: list[PreparedIdentifier]
    name_enc: bytes | None
    name_masked: str
    payload_enc: bytes
    payload_digest: str

    @property
    def problems(self) -> int:
        """How many identifiers on this lead are unusable (shown to staff)."""
        return sum(1 for p in self.identifiers if p.status != "valid")


def payload_digest(vault: Vault, payload: bytes) -> str:
    """Keyed digest of the raw payload, to tell a true replay from a conflicting one."""
    return vault.blind_index("payload", hashlib.sha256(payload).hexdigest())


def prepare_lead(lead: LeadIn, vault: Vault, policy: IdentifierPolicy, today: date | None = None) -> PreparedLead:
    """Validate, encrypt and index everything personal on a lead."""
    idents = parse_all(lead.identifiers, policy, today)
    kinds = [ident.kind.value for ident in idents]
    name = lead.name.strip()
    plaintexts = [(ident.value, kind) for ident, kind in zip(idents, kinds, strict=True)]
    plaintexts += [(name or None, "name"), (lead.payload, "payload")]
    *values_enc, name_enc, payload_enc = vault.encrypt_all(plaintexts)
    prepared = []
    for ident, kind, value_enc in zip(idents, kinds, values_enc, strict=True):
        valid = ident.status == "valid"
        prepared.append(
            PreparedIdentifier(
                ident=ident,
                blind_index=vault.blind_index(kind, ident.value) if valid else None,
                value_enc=value_enc,
                masked=mask_identifier(kind, ident.value) if valid else _mask_raw(ident),
            )
        )
    return PreparedLead(
        lead=lead,
        identifiers=prepared,
        name_enc=name_enc,
        name_masked=mask_name(name),
        payload_enc=payload_enc,
        payload_digest=payload_digest(vault, lead.payload),
    )


def _mask_raw(ident: Identifier) -> str:
    """Mask an unusable raw value: keep its shape for staff, never its digits in full."""
    raw = ident.value.strip()
    if len(raw) <= 4:
        return "*" * len(raw)
    keep = 3 if len(raw) >= 10 else 1
    return raw[:keep] + "*" * (len(raw) - keep - 2) + raw[-2:]


# --- plain DB-API statements for the bulk path -----------------------------------------------------


class DbParams:
    """Statement text and parameter conversion for the driver's own `executemany`.

    Values go through SQLAlchemy's bind processors for the column types (UTC datetimes, numerics,
    booleans), so what the bulk path stores is exactly what SQLAlchemy Core would have stored; only
    SQLAlchemy's per-row parameter handling is skipped.
    """

    def __init__(self, dialect: Dialect):
        """Pick the placeholder style and the type converters of one dialect."""
        self.marker = "?" if dialect.paramstyle == "qmark" else "%s"
        self.stamp = _processor(leads.c.occurred_at.type, dialect)
        self.number = _processor(touches.c.weight.type, dialect)
        self.flag = _processor(customers.c.needs_review.type, dialect)
        read = leads.c.occurred_at.type.dialect_impl(dialect).result_processor(dialect, None)
        self.read_stamp: Callable[[Any], Any] = read or (lambda value: value)
        # PostgreSQL's driver returns NUMERIC as Decimal already; SQLite's needs SQLAlchemy's reading
        number = touches.c.weight.type.dialect_impl(dialect)
        self.read_number: Callable[[Any], Any] = (
            number.result_processor(dialect, None) if dialect.name == "sqlite" else (lambda value: value)
        )
        self._in: dict[tuple[str, int], str] = {}

    def sql(self, text: str) -> str:
        """Statement text written with `?` placeholders, in the driver's placeholder style."""
        return text if self.marker == "?" else text.replace("?", self.marker)

    def insert(self, table: str, columns: Sequence[str]) -> str:
        """An INSERT statement for one row of the given columns."""
        return self.sql(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})")

    def select_in(self, template: str, n: int) -> str:
        """A SELECT whose `{in}` becomes a list of `n` placeholders."""
        key = (template, n)
        sql = self._in.get(key)
        if sql is None:
            sql = self._in[key] = self.sql(template.replace("{in}", ", ".join("?" * n)))
        return sql


def _processor(sa_type: Any, dialect: Dialect) -> Callable[[Any], Any]:
    """SQLAlchemy's bind processor of a column type on a dialect (identity when it has none)."""
    process = sa_type.dialect_impl(dialect).bind_processor(dialect)
    return process or (lambda value: value)


def column_converter(sa_type: Any, dialect: Dialect) -> Callable[[Any], Any]:
    """How a value of this column type goes to the driver (for statements run with `executemany`)."""
    return _processor(sa_type, dialect)


_CHUNK = 900  # stays under SQLite's bound-parameter limits


@lru_cache(maxsize=16)
def _params_for(dialect: Dialect) -> DbParams:
    return DbParams(dialect)


def db_params(conn: Connection) -> DbParams:
    """The `DbParams` of a connection's dialect (built once per dialect)."""
    return _params_for(conn.dialect)


def chunks(items: list, size: int = _CHUNK) -> Iterable[list]:
    """Split a list into IN-clause sized pieces."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


def fetch_in(conn: Connection, template: str, values: list, *extra: Any) -> list[tuple]:
    """Rows of a SELECT whose `{in}` list holds `values` (then `extra` parameters), from the driver's cursor."""
    cursor = conn.connection.cursor()
    try:
        cursor.execute(db_params(conn).select_in(template, len(values)), (*values, *extra))
        return cursor.fetchall()
    finally:
        cursor.close()


def executemany(conn: Connection, sql: str, rows: Iterable[tuple]) -> None:
    """Run one statement over many parameter tuples with the driver's `executemany`."""
    rows = list(rows)
    if rows:
        cursor = conn.connection.cursor()
        try:
            cursor.executemany(sql, rows)
        finally:
            cursor.close()


def next_ids(conn: Connection, table: str, n: int, column: str = "id") -> list[int]:
    """Reserve the ids the next `n` rows of a table would get, in order (the caller holds the write lock).

    SQLite gives a new row max(id) + 1; PostgreSQL takes the next values of the column's sequence.
    """
    if n <= 0:
        return []
    if conn.dialect.name == "postgresql":
        sql = f"SELECT nextval(pg_get_serial_sequence('{table}', '{column}')) FROM generate_series(1, %s)"
        return sorted(int(i) for (i,) in conn.exec_driver_sql(sql, (n,)))
    last = conn.exec_driver_sql(f"SELECT max({column}) FROM {table}").scalar() or 0
    return list(range(last + 1, last + 1 + n))


def store_placed_leads(
    conn: Connection,
    fresh: list[PreparedLead],
    ids: list[int],
    customer_of: dict[int, int],
    reason_of: dict[int, str],
    parties: list[tuple[int | None, int | None]],
    weight: Callable[[str, str], Any],
    now: datetime,
) -> None:
    """Store new leads that resolution has already placed: their lead, identifier, touch and report rows.

    `ids` are the reserved lead ids, `parties` each lead's (agency id, broker id), `weight` the
    rules' touch weight of a (channel, kind).
    """
    db = db_params(conn)
    received = db.stamp(now)
    weights: dict[tuple[str, str], Any] = {}
    lead_rows, ident_rows, touch_rows, report_rows = [], [], [], []
    for lid, p, (agency, broker) in zip(ids, fresh, parties, strict=True):
        lead = p.lead
        channel, kind = lead.channel.value, lead.kind.value
        at = db.stamp(lead.occurred_at)
        lead_rows.append(
            (
                lid,
                lead.source,
                lead.source_message_id,
                customer_of[lid],
                channel,
                kind,
                at,
                received,
                p.name_enc,
                p.name_masked,
                agency,
                broker,
                lead.report_code,
                p.payload_enc,
                lead.payload_type,
                p.payload_digest,
                reason_of[lid],
                p.problems,
            )
        )
        ident_rows += [i.values(lid) for i in p.identifiers]
        stored = weights.get((channel, kind))
        if stored is None:
            stored = weights[(channel, kind)] = db.number(weight(channel, kind))
        touch_rows.append((lid, channel, kind, at, agency, broker, stored))
        if lead.kind is TouchKind.REPORT:
            report_rows.append((lid, agency, broker, lead.report_code, at))
    executemany(conn, db.insert("leads", LEAD_COLUMNS), lead_rows)
    executemany(conn, db.insert("identifiers", IDENTIFIER_COLUMNS), ident_rows)
    executemany(conn, db.insert("touches", TOUCH_COLUMNS), touch_rows)
    executemany(conn, db.insert("reports", _REPORT_COLUMNS), report_rows)


LEAD_COLUMNS = (
    "id",
    "source",
    "source_message_id",
    "customer_id",
    "channel",
    "kind",
    "occurred_at",
    "received_at",
    "name_enc",
    "name_masked",
    "agency_id",
    "broker_id",
    "report_code",
    "payload_enc",
    "payload_type",
    "payload_digest",
    "match_reason",
    "problems",
)
TOUCH_COLUMNS = ("lead_id", "channel", "kind", "occurred_at", "agency_id", "broker_id", "weight")
_REPORT_COLUMNS = ("lead_id", "agency_id", "broker_id", "code", "reported_at")
_collector = {"pauses": 0, "was_enabled": False}
_collector_lock = threading.Lock()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Hold the cyclic garbage collector off for the length of one bulk batch.

    A batch builds tens of thousands of short-lived containers; with the collector on, the ones alive
    at its young-generation passes are promoted and soon force full collections of the whole process
    heap (measured: 15 % of batched ingest). Paused, they are freed by reference counting when the
    batch ends and nothing is promoted. Pauses nest across threads; the collector comes back on when
    the last one ends, and only if it was on before the first.
    """
    with _collector_lock:
        if _collector["pauses"] == 0:
            _collector["was_enabled"] = gc.isenabled()
            gc.disable()
        _collector["pauses"] += 1
    try:
        yield
    finally:
        with _collector_lock:
            _collector["pauses"] -= 1
            if _collector["pauses"] == 0 and _collector["was_enabled"]:
                gc.enable()
