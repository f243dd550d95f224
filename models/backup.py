"""Online, consistent backups of the office database as a portable archive, and restoring them.

A backup is a zip: `manifest.json` (format, schema revision, per table its columns, row count and
SHA-256, the master key's fingerprint, when) and one JSON-lines file per table, all read inside one
snapshot — a REPEATABLE READ transaction on PostgreSQL, one read transaction on SQLite's WAL — while
the hub keeps writing. Personal data stays encrypted in it, so restoring needs the same master key
(checked by fingerprint, never stored). A restore loads into an empty database of the same schema
revision, SQLite or PostgreSQL alike (a backup moves an office from the embedded database
to PostgreSQL), in one transaction, and moves PostgreSQL's id sequences past the restored rows.
Tables kept by triggers (derived figures) are not stored: the triggers rebuild them as rows arrive.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection, Engine

import models.deal_schema
import models.experiment_schema
import models.hub_schema
import models.transcript_schema  # noqa: F401  (every table on the shared metadata)
from models.db import upgrade, write_transaction
from models.schema import metadata

FORMAT = "salesfloor-backup/1"
BATCH = 2000
SKIP = frozenset({"alembic_version"})


class BackupError(RuntimeError):
    """A backup cannot be made or restored; the message says why and what to do."""


@dataclass(frozen=True)
class BackupSummary:
    """What a backup holds (or a restore loaded)."""

    path: Path
    revision: str
    tables: dict[str, int]
    taken_at: str

    @property
    def rows(self) -> int:
        """Rows in every table together."""
        return sum(self.tables.values())


def _derived(conn: Connection) -> set[str]:
    """Tables that triggers fill (derived figures such as daily rollups): rebuilt on restore, not stored."""
    if conn.dialect.name == "sqlite":
        sql = "SELECT sql FROM sqlite_master WHERE type = 'trigger'"
    else:
        sql = (
            "SELECT pg_get_functiondef(p.oid) FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid"
            " WHERE NOT t.tgisinternal"
        )
    bodies = " ".join(text or "" for (text,) in conn.exec_driver_sql(sql)).lower()
    written = (t.name for t in metadata.sorted_tables)
    return {name for name in written if re.search(rf"\binsert\s+into\s+(?:\w+\.)?{name}\b", bodies)}


def _tables(conn: Connection) -> list[sa.Table]:
    """The tables to store, parents first; refuses a database whose tables the code does not know."""
    present = set(sa.inspect(conn).get_table_names()) - SKIP
    known = {t.name for t in metadata.sorted_tables}
    unknown = present - known
    if unknown:
        raise BackupError(f"the database has tables this version does not know: {sorted(unknown)}; update salesfloor")
    derived = _derived(conn)
    return [t for t in metadata.sorted_tables if t.name in present and t.name not in derived]


def _revision(conn: Connection) -> str:
    revision = MigrationContext.configure(conn).get_current_revision()
    if revision is None:
        raise BackupError("the database has no schema revision: it was not created by salesfloor")
    return revision


def _encoder(column: sa.Column) -> Callable[[Any], Any]:
    kind = column.type
    if isinstance(kind, sa.LargeBinary):
        return lambda v: None if v is None else base64.b64encode(bytes(v)).decode()
    if isinstance(kind, sa.JSON):
        return lambda v: v
    return _plain


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _decoder(column: sa.Column) -> Callable[[Any], Any]:
    kind = column.type
    impl = getattr(kind, "impl", kind)
    if isinstance(kind, sa.LargeBinary):
        return lambda v: None if v is None else base64.b64decode(v)
    if isinstance(kind, sa.JSON):
        return lambda v: v
    if isinstance(impl, sa.DateTime):
        return lambda v: None if v is None else datetime.fromisoformat(v)
    if isinstance(impl, sa.Date):
        return lambda v: None if v is None else date.fromisoformat(v)
    if isinstance(impl, sa.Numeric) and getattr(impl, "asdecimal", True):
        return lambda v: None if v is None else Decimal(v)
    return lambda v: v


def _rows(conn: Connection, table: sa.Table) -> Iterator[list[Any]]:
    encode = [_encoder(c) for c in table.columns]
    order = list(table.primary_key.columns) or list(table.columns)[:1]
    result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(sa.select(table).order_by(*order))
    for row in result:
        yield [f(v) for f, v in zip(encode, row, strict=True)]


def take_backup(engine: Engine, path: Path, key_fingerprint: str, now: datetime) -> BackupSummary:
    """Write a consistent backup of every table to `path` (a new zip file) while writers go on."""
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} already exists; choose a new file name")
    partial = path.with_name(path.name + ".partial")
    manifest: dict[str, Any] = {"format": FORMAT, "taken_at": now.isoformat(), "key": key_fingerprint, "tables": {}}
    snapshot = engine
    if engine.dialect.name != "sqlite":  # one snapshot for every table; SQLite's WAL read transaction is one
        snapshot = engine.execution_options(isolation_level="REPEATABLE READ")
    try:
        with snapshot.connect() as conn, conn.begin(), zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
            manifest["revision"] = _revision(conn)
            manifest["dialect"] = conn.dialect.name
            for table in _tables(conn):
                digest, count = hashlib.sha256(), 0
                with zf.open(f"tables/{table.name}.jsonl", "w", force_zip64=True) as out:
                    for row in _rows(conn, table):
                        line = json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
                        digest.update(line)
                        out.write(line)
                        count += 1
                manifest["tables"][table.name] = {
                    "columns": [c.name for c in table.columns],
                    "rows": count,
                    "sha256": digest.hexdigest(),
                }
            zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    tables = {name: t["rows"] for name, t in manifest["tables"].items()}
    return BackupSummary(path, manifest["revision"], tables, manifest["taken_at"])


def read_manifest(path: Path) -> dict[str, Any]:
    """A backup's manifest; BackupError if the file is not a salesfloor backup."""
    try:
        with zipfile.ZipFile(path) as zf:
            manifest = json.loads(zf.read("manifest.json"))
    except (OSError, KeyError, zipfile.BadZipFile, ValueError) as exc:
        raise BackupError(f"{path} is not a salesfloor backup: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is a backup in format {manifest.get('format')!r}; this version reads {FORMAT}")
    return manifest


def _empty(conn: Connection) -> bool:
    probes = (sa.select(sa.literal(1)).select_from(t).limit(1) for t in metadata.sorted_tables)
    return all(conn.execute(q).first() is None for q in probes)


def restore_backup(engine: Engine, path: Path, key_fingerprint: str, replace: bool = False) -> BackupSummary:
    """Load a backup made at this schema revision into this database, all or nothing.

    The database must be empty unless `replace`, which deletes every row first (same transaction).
    """
    manifest = read_manifest(path)
    head = _head_revision(engine)
    if manifest["revision"] != head:
        raise BackupError(
            f"this backup has schema {manifest['revision']} and this salesfloor writes {head}: restore it with the "
            "version that made it, then upgrade that database (salesfloor db upgrade)"
        )
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    if current not in (None, head):
        raise BackupError(f"this database is at schema {current}: run salesfloor db upgrade on it first")
    if manifest["key"] != key_fingerprint:
        raise BackupError(
            "this backup was made with another master key: its personal data could not be read; "
            "restore with the office's original key"
        )
    upgrade(engine)
    stored = manifest["tables"]
    with write_transaction(engine) as conn, zipfile.ZipFile(path) as zf:
        derived = _derived(conn)
        if not _empty(conn):
            if not replace:
                raise BackupError("the database is not empty: restore into a new database, or pass --replace")
            for table in reversed(metadata.sorted_tables):
                conn.execute(table.delete())
        for table in metadata.sorted_tables:
            if table.name not in stored or table.name in derived:
                continue
            info = stored[table.name]
            if info["columns"] != [c.name for c in table.columns]:
                raise BackupError(f"table {table.name} has other columns in this backup; it is from another version")
            _load(conn, zf, table, info)
        if conn.dialect.name == "postgresql":
            _advance_sequences(conn)
    counts = {name: t["rows"] for name, t in stored.items()}
    return BackupSummary(Path(path), manifest["revision"], counts, manifest["taken_at"])


def _head_revision(engine: Engine) -> str:
    """The newest schema revision this code knows."""
    from alembic.script import ScriptDirectory

    from models.db import alembic_config

    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def _load(conn: Connection, zf: zipfile.ZipFile, table: sa.Table, info: dict[str, Any]) -> None:
    """One table's rows, checked against the manifest's count and digest before anything commits."""
    decode = [_decoder(c) for c in table.columns]
    names = [c.name for c in table.columns]
    digest, count, batch = hashlib.sha256(), 0, []
    with zf.open(f"tables/{table.name}.jsonl") as src:
        for line in src:
            digest.update(line)
            count += 1
            values = json.loads(line)
            batch.append({n: f(v) for n, f, v in zip(names, decode, values, strict=True)})
            if len(batch) >= BATCH:
                conn.execute(table.insert(), batch)
                batch = []
    if batch:
        conn.execute(table.insert(), batch)
    if count != info["rows"] or digest.hexdigest() != info["sha256"]:
        raise BackupError(f"table {table.name} in the backup is damaged (rows or checksum differ); nothing restored")


def _advance_sequences(conn: Connection) -> None:
    """PostgreSQL's serial columns continue after the restored rows."""
    for table in metadata.sorted_tables:
        for column in table.primary_key.columns:
            if not (isinstance(column.type, sa.Integer) and column.autoincrement in (True, "auto")):
                continue
            seq = conn.exec_driver_sql("SELECT pg_get_serial_sequence(%s, %s)", (table.name, column.name)).scalar()
            if seq:
                top = f"SELECT COALESCE(MAX({column.name}), 0) + 1 FROM {table.name}"
                conn.exec_driver_sql(f"SELECT setval(%s, ({top}), false)", (seq,))
