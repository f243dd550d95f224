"""The evidence chain detects edits and deletions; the CLI verifies and exports it."""

from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa

from models.audit import AuditEntry, AuditLog
from models.clock import BUSINESS_TZ
from models.schema import audit_head, audit_log

WHEN = datetime(2026, 11, 20, 10, 0, tzinfo=BUSINESS_TZ)


def _fill(engine, log, n=5):
    with engine.begin() as conn:
        log.append(
            conn, [AuditEntry("attribution", "system", i, {"i": i, "text": "判客"}) for i in range(1, n + 1)], WHEN
        )


def test_intact_chain_verifies(engine, vault):
    log = AuditLog(vault.audit_key)
    _fill(engine, log)
    _fill(engine, log, 2)
    with engine.connect() as conn:
        assert log.verify(conn) == []
        assert log.head(conn)[0] == 7


def test_edited_row_is_detected(engine, vault):
    log = AuditLog(vault.audit_key)
    _fill(engine, log)
    with engine.begin() as conn:
        conn.execute(audit_log.update().where(audit_log.c.seq == 3).values(payload=json.dumps({"i": 99})))
    with engine.connect() as conn:
        problems = log.verify(conn)
    assert problems == ["row 3: content does not match its hash (edited)"]


def test_deleted_row_is_detected(engine, vault):
    log = AuditLog(vault.audit_key)
    _fill(engine, log)
    with engine.begin() as conn:
        conn.execute(audit_log.delete().where(audit_log.c.seq == 2))
    with engine.connect() as conn:
        problems = log.verify(conn)
    assert "rows 2..2 are missing (deleted)" in problems
    assert "row 3: link to the previous row is broken" in problems


def test_truncated_tail_is_detected_by_the_head(engine, vault):
    log = AuditLog(vault.audit_key)
    _fill(engine, log)
    with engine.begin() as conn:
        conn.execute(audit_log.delete().where(audit_log.c.seq == 5))
    with engine.connect() as conn:
        assert any("rows removed" in p for p in log.verify(conn))


def test_rehashing_without_the_key_does_not_help(engine, vault):
    log = AuditLog(vault.audit_key)
    _fill(engine, log, 2)
    forger = AuditLog(b"\x00" * 32)
    with engine.begin() as conn:
        conn.execute(audit_log.delete())
        conn.execute(audit_head.delete())
        forger.append(conn, [AuditEntry("attribution", "system", 1, {"i": "forged"})], WHEN)
    with engine.connect() as conn:
        assert log.verify(conn)


def test_cli_verify_and_export(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from app.cli import cli
    from app.keys import encode_key
    from models.privacy import Vault

    monkeypatch.setenv("SALESFLOOR_MASTER_KEY", encode_key(Vault.generate_key()))
    runner = CliRunner()
    res = runner.invoke(cli, ["--data-dir", str(tmp_path), "demo", "--leads", "40"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    args = ["--data-dir", str(tmp_path), "--db", f"sqlite:///{tmp_path / 'demo.db'}"]
    res = runner.invoke(cli, [*args, "audit", "verify"], catch_exceptions=False)
    assert res.exit_code == 0 and res.output.startswith("intact:")
    out = tmp_path / "bundle.json"
    res = runner.invoke(cli, [*args, "audit", "export", "1", "-o", str(out)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    bundle = json.loads(out.read_text(encoding="utf-8"))
    assert bundle["chain"]["intact"] and bundle["touches"]
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2"))
    engine.dispose()
    res = runner.invoke(cli, [*args, "audit", "verify"])
    assert res.exit_code == 1 and "row 2" in res.output


def test_chain_hash_and_canonical_json_are_pinned():
    import hashlib
    import hmac
    from decimal import Decimal

    from models.audit import canonical, chain_hash

    payload = {"b": [1, {"z": "李", "a": None}], "a": Decimal("0.5000"), "d": datetime(2026, 1, 1, tzinfo=BUSINESS_TZ)}
    text = canonical(payload)
    assert text == json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    at = datetime(2026, 11, 20, 10, 0, tzinfo=BUSINESS_TZ)
    material = "\x1e".join(["0" * 64, "7", at.isoformat(), "system", "attribution", "12", text])
    expected = hmac.new(b"k" * 32, material.encode(), hashlib.sha256).hexdigest()
    assert chain_hash(b"k" * 32, "0" * 64, 7, at, "system", "attribution", 12, text) == expected
