"""`salesfloor hub backup` / `restore`: consistent while the hub writes, exact, portable between databases."""

from __future__ import annotations

import contextlib
import json
import threading
import zipfile
from datetime import timedelta

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from app.cli import cli
from app.keys import encode_key
from models.audit import AuditLog
from models.backup import BackupError, read_manifest, restore_backup, take_backup
from models.db import make_engine, sqlite_url
from models.floor import Floor
from models.privacy import Vault
from models.registry import CustomerRegistry
from models.schema import metadata
from models.staff import add_staff, list_staff, set_status
from models.synthetic import generate_leads
from tests.conftest import TEST_KEY, pg_database


def busy_office(registry: CustomerRegistry, clock, n: int = 60) -> None:
    """Leads through the customer core and the floor: dispatched, some answered."""
    floor = Floor(registry, clock)
    with registry.engine.begin() as conn:
        for name in ("王磊", "李敏"):
            member, _ = add_staff(conn, registry.vault, name, "consultant", clock.now())
            set_status(conn, member.id, "on_duty", clock.now())
    start = clock.now() - timedelta(hours=3)
    for i, item in enumerate(generate_leads(n, 7, start, days=0.1)):
        clock.set(item.lead.occurred_at)
        change = floor.intake([item.lead], "test")
        lead_id = change.result["leads"][0]["lead_id"]
        if i % 3 == 0:
            with registry.engine.connect() as conn:
                member = list_staff(conn)[i % 2]
            with contextlib.suppress(ValueError):  # dispatched to the other consultant
                floor.log_follow_up(member, lead_id, "call", "约周六看房")


def table_rows(engine: sa.Engine) -> dict[str, list[tuple]]:
    """Every row of every table, comparable across databases."""

    def norm(v):
        if isinstance(v, memoryview | bytearray):
            return bytes(v)
        if hasattr(v, "tzinfo") and getattr(v, "tzinfo", None) is not None:
            return v.astimezone(tz=None).replace(tzinfo=None).isoformat()
        return v

    out = {}
    with engine.connect() as conn:
        present = set(sa.inspect(conn).get_table_names())
        for t in metadata.sorted_tables:
            if t.name in present:
                order = list(t.primary_key.columns) or list(t.columns)
                out[t.name] = [tuple(norm(v) for v in r) for r in conn.execute(sa.select(t).order_by(*order))]
    return out


def test_backup_then_restore_gives_the_same_database(registry, clock, vault, tmp_path, db_url):
    busy_office(registry, clock)
    path = tmp_path / "office.zip"
    summary = take_backup(registry.engine, path, vault.fingerprint(), clock.now())
    assert summary.tables["leads"] == 60 and summary.tables["follow_ups"] > 0
    manifest = read_manifest(path)
    assert manifest["revision"] == summary.revision and manifest["key"] == vault.fingerprint()
    with zipfile.ZipFile(path) as zf:  # personal data stays encrypted in the archive
        text = b"".join(zf.read(n) for n in zf.namelist()).decode()
    assert "约周六看房" not in text and not any(c.isdigit() and len(c) == 11 for c in text.split('"'))
    # into the other kind of database: SQLite <-> PostgreSQL
    if db_url.startswith("sqlite"):
        target_urls = pg_database()
        target_url = next(target_urls)
    else:
        target_urls, target_url = None, sqlite_url(tmp_path / "restored.db")
    target = make_engine(target_url)
    try:
        restored = restore_backup(target, path, vault.fingerprint())
        assert restored.tables == summary.tables
        assert table_rows(target) == table_rows(registry.engine)
        with target.connect() as conn:
            assert AuditLog(vault.audit_key).verify(conn) == []
        # the restored office goes on: new rows get fresh ids after the restored ones
        moved = CustomerRegistry(target, vault, registry.rules, clock)
        clock.advance(minutes=5)
        lead = generate_leads(1, 99, clock.now(), days=0.01)[0].lead
        result = moved.ingest(lead, actor="test")
        assert result.lead_id > max(r[0] for r in table_rows(target)["leads"][:-1])
    finally:
        target.dispose()
        if target_urls is not None:
            target_urls.close()


def test_a_backup_taken_while_the_hub_writes_is_one_consistent_moment(registry, clock, vault, tmp_path):
    busy_office(registry, clock, n=30)
    floor = Floor(registry, clock)
    stop = threading.Event()
    written = []

    def writer():
        for item in generate_leads(400, 11, clock.now() + timedelta(hours=1), days=0.2):
            if stop.is_set():
                return
            written.append(floor.intake([item.lead], "writer").result["leads"][0]["lead_id"])

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        path = tmp_path / "busy.zip"
        take_backup(registry.engine, path, vault.fingerprint(), clock.now())
    finally:
        stop.set()
        thread.join()
    target = make_engine(sqlite_url(tmp_path / "fresh.db"))
    try:
        restore_backup(target, path, vault.fingerprint())
        count = (
            "SELECT (SELECT count(*) FROM leads WHERE id <= :top),"
            " (SELECT count(*) FROM touches WHERE lead_id <= :top),"
            " (SELECT count(*) FROM lead_dispatch WHERE lead_id <= :top)"
        )
        with target.connect() as conn:
            assert AuditLog(vault.audit_key).verify(conn) == []  # the chain head matches the rows
            top = conn.execute(sa.text("SELECT max(id) FROM leads")).scalar_one()
            restored = tuple(conn.execute(sa.text(count), {"top": top}).one())
        with registry.engine.connect() as conn:
            source = tuple(conn.execute(sa.text(count), {"top": top}).one())
        assert written and restored == source  # every lead up to the newest in the backup, with all it wrote
    finally:
        target.dispose()


def test_restore_refuses_another_key_a_damaged_file_and_a_database_in_use(registry, clock, vault, tmp_path):
    busy_office(registry, clock, n=10)
    path = tmp_path / "b.zip"
    take_backup(registry.engine, path, vault.fingerprint(), clock.now())
    with pytest.raises(BackupError, match="already exists"):
        take_backup(registry.engine, path, vault.fingerprint(), clock.now())
    target = make_engine(sqlite_url(tmp_path / "t.db"))
    try:
        with pytest.raises(BackupError, match="another master key"):
            restore_backup(target, path, Vault(Vault.generate_key()).fingerprint())
        damaged = tmp_path / "damaged.zip"
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(damaged, "w") as dst:
            for name in src.namelist():
                data = src.read(name)
                if name == "tables/leads.jsonl":
                    data = data.replace(b'"douyin"', b'"anjuke"', 1)
                dst.writestr(name, data)
        with pytest.raises(BackupError, match="damaged"):
            restore_backup(target, damaged, vault.fingerprint())
        with target.connect() as conn:  # all or nothing
            assert conn.execute(sa.text("SELECT count(*) FROM customers")).scalar_one() == 0
        restore_backup(target, path, vault.fingerprint())
        with pytest.raises(BackupError, match="not empty"):
            restore_backup(target, path, vault.fingerprint())
        restore_backup(target, path, vault.fingerprint(), replace=True)
        assert table_rows(target)["leads"] == table_rows(registry.engine)["leads"]
        (tmp_path / "not.zip").write_text("hello")
        with pytest.raises(BackupError, match="not a salesfloor backup"):
            read_manifest(tmp_path / "not.zip")
    finally:
        target.dispose()


def test_cli_backup_and_restore(tmp_path, monkeypatch):
    monkeypatch.setenv("SALESFLOOR_MASTER_KEY", encode_key(TEST_KEY))
    runner = CliRunner()
    source = ["--data-dir", str(tmp_path), "--db", sqlite_url(tmp_path / "office.db")]
    res = runner.invoke(cli, [*source, "hub", "user", "add", "--name", "王磊", "--role", "consultant"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(cli, [*source, "hub", "backup", str(tmp_path / "office.zip")], catch_exceptions=False)
    assert res.exit_code == 0 and "backup written" in res.output, res.output
    target = ["--data-dir", str(tmp_path), "--db", sqlite_url(tmp_path / "restored.db")]
    res = runner.invoke(cli, [*target, "hub", "restore", str(tmp_path / "office.zip")], catch_exceptions=False)
    assert res.exit_code == 0 and "restored" in res.output, res.output
    res = runner.invoke(cli, [*target, "hub", "user", "list"])
    assert "王磊" in res.output
    again = runner.invoke(cli, [*target, "hub", "restore", str(tmp_path / "office.zip")])
    assert again.exit_code == 1 and "not empty" in again.output
    manifest = json.loads(zipfile.ZipFile(tmp_path / "office.zip").read("manifest.json"))
    assert manifest["tables"]["staff"]["rows"] == 1


def test_a_backup_of_another_schema_is_refused_with_advice(registry, clock, vault, tmp_path):
    path = tmp_path / "b.zip"
    take_backup(registry.engine, path, vault.fingerprint(), clock.now())
    older = tmp_path / "older.zip"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(older, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "manifest.json":
                manifest = json.loads(data)
                manifest["revision"] = "0005_transcripts"
                data = json.dumps(manifest).encode()
            dst.writestr(name, data)
    target = make_engine(sqlite_url(tmp_path / "t.db"))
    try:
        with pytest.raises(BackupError, match=r"0005_transcripts.*db upgrade"):
            restore_backup(target, older, vault.fingerprint())
    finally:
        target.dispose()
