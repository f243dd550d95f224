"""The evidence log: an append-only, keyed hash chain of every merge, split and attribution decision.

Each row's hash is HMAC-SHA256(audit key, prev_hash | seq | at | actor | action | customer | payload).
Editing a row breaks its hash; deleting one breaks the chain at the next row; forging a consistent
chain needs the key, which never lives in the database. `audit_head` holds the latest (seq, hash)
and is updated in the same transaction, so concurrent writers serialise on it.
"""

from __future__ import annotations

import hmac
import itertools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from json.encoder import encode_basestring
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from models.clock import to_utc
from models.prepare import db_params, executemany
from models.privacy import hmac_sha256
from models.schema import audit_head, audit_log

GENESIS = "0" * 64
_HEAD_FOR_UPDATE = sa.select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1).with_for_update()
_COLUMNS = ("seq", "at", "actor", "action", "customer_id", "payload", "prev_hash", "hash")
_BULK_INSERT = f"INSERT INTO audit_log ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
_MOVE_HEAD = (
    audit_head.update().where(audit_head.c.id == 1).values(seq=sa.bindparam("b_seq"), hash=sa.bindparam("b_hash"))
)


class AuditTamperError(RuntimeError):
    """Raised by callers that require an intact chain."""


# what json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str) builds
# on every call, built once; payloads are plain trees, so the cycle check (same output) is skipped
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str, check_circular=False
)


def canonical(payload: dict[str, Any]) -> str:
    """Deterministic JSON: sorted keys, no spaces, UTF-8 kept."""
    return _CANONICAL.encode(payload)


def chain_hash(
    key: bytes, prev: str, seq: int, at: datetime, actor: str, action: str, customer_id: int | None, payload: str
) -> str:
    """The keyed hash of one row given its predecessor's hash."""
    material = "\x1e".join([prev, str(seq), at.isoformat(), actor, action, str(customer_id or ""), payload])
    return hmac.digest(key, material.encode("utf-8"), "sha256").hex()


def json_value(value: Any) -> str:
    """`canonical()` of one value, quick for the None, str and int that payloads are mostly made of."""
    if value is None:
        return "null"
    kind = type(value)
    if kind is str:
        return encode_basestring(value)  # the escaping canonical() applies to strings
    if kind is int:
        return int.__repr__(value)
    return _CANONICAL.encode(value)


@dataclass(frozen=True)
class RenderedEntry:
    """An event whose payload the caller has rendered already: `text` is `canonical(payload)`, byte for byte."""

    action: str
    actor: str
    customer_id: int | None
    text: str


@dataclass(frozen=True)
class AuditEntry:
    """An event to record. The payload must hold masked values only; free text typed by staff must be
    passed through `models.privacy.redact` by the caller (see `staff_note`)."""

    action: str
    actor: str
    customer_id: int | None
    payload: dict[str, Any]


class AuditLog:
    """Appends to and verifies the chain; works inside the caller's transaction."""

    def __init__(self, key: bytes):
        """Bind the chain to the audit sub-key."""
        self._key = key
        self._mac = hmac_sha256(key)

    def append(
        self, conn: Connection, entries: Iterable[AuditEntry | RenderedEntry], at: datetime, bulk: bool = False
    ) -> int:
        """Append entries in one go and advance the head; returns the new head seq.

        `bulk` inserts the rows with the driver's `executemany` (same rows).
        """
        pending = iter(entries)  # consumed one by one: a caller may build entries as they are hashed
        first = next(pending, None)
        if first is None:
            return -1
        at = to_utc(at)
        head = conn.execute(_HEAD_FOR_UPDATE).first()
        seq, prev = (head.seq, head.hash) if head else (0, GENESIS)
        rows = []
        mac, stamp, encode = self._mac, at.isoformat(), _CANONICAL.encode
        for entry in itertools.chain([first], pending):
            seq += 1
            # canonical(), inlined with chain_hash() for the bulk of a batch
            text = entry.text if type(entry) is RenderedEntry else encode(entry.payload)
            customer = entry.customer_id
            material = f"{prev}\x1e{seq}\x1e{stamp}\x1e{entry.actor}\x1e{entry.action}\x1e{customer or ''}\x1e{text}"
            digest = mac(material.encode("utf-8"))
            rows.append((seq, entry.actor, entry.action, customer, text, prev, digest))
            prev = digest
        if bulk:
            db = db_params(conn)
            stamp = db.stamp(at)
            executemany(conn, db.sql(_BULK_INSERT), [(s, stamp, *rest) for s, *rest in rows])
        else:
            conn.execute(audit_log.insert(), [dict(zip(_COLUMNS, (s, at, *rest), strict=True)) for s, *rest in rows])
        if head:
            conn.execute(_MOVE_HEAD, {"b_seq": seq, "b_hash": prev})
        else:
            conn.execute(audit_head.insert().values(id=1, seq=seq, hash=prev))
        return seq

    def verify(self, conn: Connection, batch: int = 5000) -> list[str]:
        """Walk the whole chain; return a list of problems (empty when intact)."""
        problems: list[str] = []
        prev, expected_seq = GENESIS, 1
        for row in _rows(conn, batch):
            if row.seq != expected_seq:
                problems.append(f"rows {expected_seq}..{row.seq - 1} are missing (deleted)")
            if row.prev_hash != prev:
                problems.append(f"row {row.seq}: link to the previous row is broken")
            digest = chain_hash(
                self._key, row.prev_hash, row.seq, row.at, row.actor, row.action, row.customer_id, row.payload
            )
            if digest != row.hash:
                problems.append(f"row {row.seq}: content does not match its hash (edited)")
            prev, expected_seq = row.hash, row.seq + 1
        head = conn.execute(sa.select(audit_head.c.seq, audit_head.c.hash)).first()
        last = expected_seq - 1
        if head is None and last > 0:
            problems.append("the chain head record is missing")
        elif head is not None and (head.seq != last or head.hash != prev):
            problems.append(f"the chain head says row {head.seq} but the log ends at row {last} (rows removed)")
        return problems

    def head(self, conn: Connection) -> tuple[int, str]:
        """The latest (seq, hash): print it in reports so even tail truncation can be proven."""
        row = conn.execute(sa.select(audit_head.c.seq, audit_head.c.hash)).first()
        return (row.seq, row.hash) if row else (0, GENESIS)


def _rows(conn: Connection, batch: int) -> Iterator[Any]:
    last = 0
    while True:
        chunk = conn.execute(
            sa.select(audit_log).where(audit_log.c.seq > last).order_by(audit_log.c.seq).limit(batch)
        ).all()
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].seq


def rows_for_customers(conn: Connection, customer_ids: Iterable[int], key: bytes | None = None) -> list[dict[str, Any]]:
    """Every chain row about any of these customers, with its hashes, oldest first; given the chain's
    key, each also says whether its hash recomputes (`hash_ok`)."""
    ids = list(customer_ids)
    result = conn.execute(sa.select(audit_log).where(audit_log.c.customer_id.in_(ids)).order_by(audit_log.c.seq)).all()
    rows = [
        {
            "seq": r.seq,
            "at": r.at.isoformat(),
            "actor": r.actor,
            "action": r.action,
            "customer_id": r.customer_id,
            "payload": json.loads(r.payload),
            "prev_hash": r.prev_hash,
            "hash": r.hash,
        }
        for r in result
    ]
    if key is not None:
        for row, r in zip(rows, result, strict=True):
            digest = chain_hash(key, r.prev_hash, r.seq, r.at, r.actor, r.action, r.customer_id, r.payload)
            row["hash_ok"] = digest == r.hash
    return rows
