"""Shared fixtures: a fresh database per test on SQLite and on PostgreSQL, a key vault, a fake clock.

PostgreSQL comes from SALESFLOOR_TEST_PG (default: the local server `.ci/run` starts). Outside CI a
missing server skips those tests; in CI (CI=true) it fails the run, because a PostgreSQL test that
skips there proves nothing.
"""

from __future__ import annotations

import os
import uuid

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # screens render without a display, in CI and here
from collections.abc import Iterator
from datetime import datetime

import pytest
import sqlalchemy as sa

from models.clock import BUSINESS_TZ, FakeClock
from models.db import make_engine, open_database, sqlite_url, upgrade
from models.privacy import Vault
from models.registry import CustomerRegistry
from models.rules import load_rules

PG_URL = os.environ.get("SALESFLOOR_TEST_PG", "postgresql+psycopg://salesfloor:salesfloor@localhost:5432/salesfloor")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TEST_KEY = bytes(range(32))

_pg_state: dict[str, object] = {}


def _pg_admin() -> sa.Engine | None:
    """An autocommit engine on the server's admin database, or None when unreachable."""
    if "admin" in _pg_state:
        return _pg_state["admin"]  # type: ignore[return-value]
    engine = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
    except Exception as exc:
        _pg_state["admin"] = None
        _pg_state["error"] = str(exc).splitlines()[0]
        return None
    _pg_state["admin"] = engine
    return engine


def _pg_template() -> str:
    """A migrated template database, created once per run; per-test databases copy it."""
    if "template" not in _pg_state:
        admin = _pg_admin()
        assert admin is not None
        name = f"sf_tmpl_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        engine = make_engine(_url_for(name))
        upgrade(engine)
        engine.dispose()
        _pg_state["template"] = name
    return _pg_state["template"]  # type: ignore[return-value]


def _url_for(dbname: str) -> str:
    return str(sa.make_url(make_engine(PG_URL).url).set(database=dbname).render_as_string(hide_password=False))


def pg_database() -> Iterator[str]:
    """Yield the URL of a brand-new migrated PostgreSQL database and drop it afterwards."""
    admin = _pg_admin()
    if admin is None:
        message = f"PostgreSQL is not reachable at {PG_URL}: {_pg_state.get('error')}"
        if IN_CI:
            pytest.fail(message + " (CI must run the PostgreSQL tests)")
        pytest.skip(message)
    template = _pg_template()
    name = f"sf_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield _url_for(name)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def pytest_sessionfinish(session, exitstatus) -> None:
    """Drop the template database."""
    admin = _pg_state.get("admin")
    if admin is not None and "template" in _pg_state:
        with admin.connect() as conn:  # type: ignore[union-attr]
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{_pg_state["template"]}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> Iterator[str]:
    """A fresh, migrated database URL: once on SQLite (WAL file), once on PostgreSQL."""
    if request.param == "sqlite":
        url = sqlite_url(tmp_path / "salesfloor.db")
        open_database(url).dispose()
        yield url
    else:
        yield from pg_database()


@pytest.fixture
def engine(db_url) -> Iterator[sa.Engine]:
    """An engine on the fresh database."""
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path) -> Iterator[sa.Engine]:
    """An SQLite-only engine for tests about the file itself."""
    eng = open_database(sqlite_url(tmp_path / "salesfloor.db"))
    yield eng
    eng.dispose()


@pytest.fixture
def vault() -> Vault:
    """A vault with a fixed test key."""
    return Vault(TEST_KEY)


@pytest.fixture
def clock() -> FakeClock:
    """Business evening of 2026-11-20 (a Friday), frozen."""
    return FakeClock(datetime(2026, 11, 20, 22, 0, tzinfo=BUSINESS_TZ))


@pytest.fixture
def rules():
    """The shipped default rules."""
    return load_rules()


@pytest.fixture
def registry(engine, vault, rules, clock) -> CustomerRegistry:
    """A registry on the fresh database."""
    return CustomerRegistry(engine, vault, rules, clock)
