"""The storage floor: raw `sqlite3` writing the same rows the registry writes, with nothing else.

Rows are prepared (parsed, encrypted, indexed) before the clock starts; what is timed is only the
insert of a lead row, its identifier rows and its touch row, with the registry's pragmas (WAL,
synchronous=NORMAL, foreign keys on) and one commit per transaction.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from models.leads import LeadIn
from models.prepare import IDENTIFIER_COLUMNS, LEAD_COLUMNS, TOUCH_COLUMNS, PreparedLead, prepare_lead
from models.privacy import Vault
from models.rules import ProjectRules

# the very columns the registry's bulk path writes
_LEAD_COLS, _IDENT_COLS, _TOUCH_COLS = LEAD_COLUMNS, IDENTIFIER_COLUMNS, TOUCH_COLUMNS


def _sql(table: str, cols: Iterable[str]) -> str:
    cols = tuple(cols)
    return f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"


def _stamp(when: datetime) -> str:
    """How SQLAlchemy stores a UTC datetime on SQLite."""
    return when.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


class FloorRows:
    """Pre-built rows per lead: (lead row, identifier rows, touch row)."""

    def __init__(
        self,
        batch: list[LeadIn],
        vault: Vault,
        rules: ProjectRules,
        now: datetime,
        agency_ids: dict[str, int],
        first_id: int = 1,
    ):
        """Prepare every lead outside the timed part."""
        self.items: list[tuple[tuple, list[tuple], tuple]] = []
        for offset, lead in enumerate(batch):
            p: PreparedLead = prepare_lead(lead, vault, rules.identifiers, now.date())
            lid = first_id + offset
            agency = agency_ids.get(lead.agency_code) if lead.agency_code else None
            lead_row = (
                lid,
                lead.source,
                lead.source_message_id,
                None,
                lead.channel.value,
                lead.kind.value,
                _stamp(lead.occurred_at),
                _stamp(now),
                p.name_enc,
                p.name_masked,
                agency,
                None,
                lead.report_code,
                p.payload_enc,
                lead.payload_type,
                p.payload_digest,
                "",
                p.problems,
            )
            idents = [tuple(i.row(lid)[c] for c in _IDENT_COLS) for i in p.identifiers]
            weight = str(rules.weight(lead.channel.value, lead.kind.value))
            touch = (lid, lead.channel.value, lead.kind.value, _stamp(lead.occurred_at), agency, None, weight)
            self.items.append((lead_row, idents, touch))


def connect(path: Path) -> sqlite3.Connection:
    """A raw connection with the registry's pragmas."""
    conn = sqlite3.connect(path)
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL", "busy_timeout=10000"):
        conn.execute(f"PRAGMA {pragma}")
    return conn


def add_agencies(conn: sqlite3.Connection, codes: Iterable[str], now: datetime) -> dict[str, int]:
    """Register agencies up front (the floor does not time look-ups)."""
    out = {}
    for code in sorted(set(codes)):
        cur = conn.execute(
            "INSERT INTO agencies (code, name, active, created_at) VALUES (?, ?, 1, ?)", (code, code, _stamp(now))
        )
        out[code] = cur.lastrowid
    conn.commit()
    return out


def insert_one_by_one(conn: sqlite3.Connection, rows: FloorRows) -> float:
    """One lead per transaction, commit each; returns seconds."""
    lead_sql, ident_sql, touch_sql = (
        _sql("leads", _LEAD_COLS),
        _sql("identifiers", _IDENT_COLS),
        _sql("touches", _TOUCH_COLS),
    )
    started = time.perf_counter()
    for lead_row, idents, touch in rows.items:
        conn.execute(lead_sql, lead_row)
        if idents:
            conn.executemany(ident_sql, idents)
        conn.execute(touch_sql, touch)
        conn.commit()
    return time.perf_counter() - started


def insert_batched(conn: sqlite3.Connection, rows: FloorRows, batch: int) -> float:
    """`executemany` per table, one transaction per batch of leads; returns seconds."""
    lead_sql, ident_sql, touch_sql = (
        _sql("leads", _LEAD_COLS),
        _sql("identifiers", _IDENT_COLS),
        _sql("touches", _TOUCH_COLS),
    )
    started = time.perf_counter()
    for i in range(0, len(rows.items), batch):
        part = rows.items[i : i + batch]
        conn.executemany(lead_sql, [p[0] for p in part])
        conn.executemany(ident_sql, [r for p in part for r in p[1]])
        conn.executemany(touch_sql, [p[2] for p in part])
        conn.commit()
    return time.perf_counter() - started
