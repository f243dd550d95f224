"""A fresh database and an upgraded one are identical to the models' schema, on both engines."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from models.db import alembic_config, downgrade, make_engine, upgrade
from models.schema import metadata


def _diff(engine) -> list:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, metadata)


def test_migrated_database_matches_the_models(engine):
    assert _diff(engine) == []


def test_step_by_step_upgrade_equals_fresh(db_url):
    engine = make_engine(db_url)
    downgrade(engine, "base")
    script = ScriptDirectory.from_config(alembic_config(engine))
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    for rev in revisions:
        upgrade(engine, rev)
    assert _diff(engine) == []
    engine.dispose()


def test_sqlite_runs_in_wal_with_foreign_keys(sqlite_engine):
    with sqlite_engine.connect() as conn:
        assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
