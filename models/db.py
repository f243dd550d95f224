"""Engines and migrations: SQLite (WAL, foreign keys on) by default, PostgreSQL 15 for multi-office."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")


def sqlite_url(path: Path | str) -> str:
    """The SQLAlchemy URL of an SQLite file."""
    return f"sqlite+pysqlite:///{Path(path)}"


def normalise_url(url: str) -> str:
    """Accept plain postgresql:// URLs and pick the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


WRITER_LOCK_ID = 7_461_001  # PostgreSQL advisory lock serialising customer-core writers
_ADVISORY_LOCK = sa.text("SELECT pg_advisory_xact_lock(:k)")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL, foreign keys and a busy timeout on every SQLite connection; SQLAlchemy owns BEGIN."""
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


_writing = threading.local()


def _sqlite_do_begin(dbapi_connection) -> None:
    """Writers take the write lock up front (BEGIN IMMEDIATE) so a read-then-write never goes stale.

    This replaces the dialect's `do_begin` rather than listening to the engine's "begin" event: an
    engine with any event listener pays for event dispatch on every statement.
    """
    dbapi_connection.execute("BEGIN IMMEDIATE" if getattr(_writing, "active", False) else "BEGIN")


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that excludes other writers: identity decisions read, then write, atomically.

    Inside `shared_write_transaction` on the same thread and engine it is a SAVEPOINT of the shared
    transaction instead: an error rolls back only this part, the rest commits together.
    """
    shared = getattr(_writing, "shared", None)
    if shared is not None and shared.engine is engine:
        with shared.begin_nested():
            yield shared
        return
    _writing.active = True
    try:
        conn_cm = engine.begin()
        conn = conn_cm.__enter__()
    finally:
        _writing.active = False
    try:
        if conn.dialect.name == "postgresql":
            conn.execute(_ADVISORY_LOCK, {"k": WRITER_LOCK_ID})
        yield conn
    except BaseException:
        if not conn_cm.__exit__(*sys.exc_info()):
            raise
    else:
        conn_cm.__exit__(None, None, None)


@contextmanager
def shared_write_transaction(engine: Engine) -> Iterator[Connection]:
    """One write transaction that every `write_transaction` on this thread joins (as a savepoint).

    For applying many small operations at once (a desk's queued actions after reconnecting): one
    commit instead of one per operation, and a refused operation still rolls back only its own part.
    """
    if getattr(_writing, "shared", None) is not None:
        raise RuntimeError("a shared write transaction is already open on this thread")
    with write_transaction(engine) as conn:
        _writing.shared = conn
        try:
            yield conn
        finally:
            _writing.shared = None


def make_engine(url: str, echo: bool = False) -> Engine:
    """Create an engine with the pragmas and pool settings salesfloor relies on."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, echo=echo)
        event.listen(engine.pool, "connect", _sqlite_pragmas)
        engine.dialect.do_begin = _sqlite_do_begin  # type: ignore[method-assign]
        return engine
    return sa.create_engine(url, echo=echo, pool_pre_ping=True)


def alembic_config(engine: Engine) -> Config:
    """An Alembic config bound to this engine (no alembic.ini needed)."""
    from alembic.config import Config  # imported when migrating: a desk's start never needs Alembic

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema to a revision (default: the newest)."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the database schema back to a revision."""
    from alembic import command

    command.downgrade(alembic_config(engine), revision)


def open_database(url: str) -> Engine:
    """Create the engine and migrate the schema to head."""
    engine = make_engine(url)
    upgrade(engine)
    return engine
