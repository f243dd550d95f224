"""The bulk ingest path stores exactly what the row-by-row path stores, on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime

import pytest
import sqlalchemy as sa

from models.audit import AuditLog
from models.clock import BUSINESS_TZ, FakeClock
from models.db import make_engine, open_database, sqlite_url
from models.leads import LeadIn
from models.lookup import touches_of_leads
from models.prepare import db_params, next_ids
from models.registry import CustomerRegistry, load_touches
from models.rules import load_rules
from models.schema import audit_log, customers, leads, metadata
from models.synthetic import generate_leads
from tests.conftest import pg_database

START = datetime(2026, 11, 20, tzinfo=BUSINESS_TZ)
SECRETS = {("leads", "name_enc"): "name", ("leads", "payload_enc"): "payload", ("identifiers", "value_enc"): None}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def two_engines(request, tmp_path) -> Iterator[tuple[sa.Engine, sa.Engine]]:
    """Two fresh, migrated databases of the same kind."""
    with contextlib.ExitStack() as stack:
        urls = []
        for name in ("rows", "bulk"):
            if request.param == "sqlite":
                url = sqlite_url(tmp_path / f"{name}.db")
                open_database(url).dispose()
            else:
                url = stack.enter_context(contextlib.contextmanager(pg_database)())
            urls.append(url)
        engines = [make_engine(url) for url in urls]
        yield engines[0], engines[1]
        for engine in engines:
            engine.dispose()


def _leads() -> list[LeadIn]:
    """A synthetic day with agencies, brokers, reports, households, invalid and blocked identifiers."""
    return [s.lead for s in generate_leads(360, seed=41, start=START, days=2.0)]


def _dump(engine: sa.Engine, vault) -> dict[str, list[tuple]]:
    """Every stored row as the driver returns it, ciphertexts replaced by their decrypted plaintext."""
    out = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            names = [c.name for c in table.columns]
            order = ", ".join(c.name for c in table.primary_key.columns)
            rows = []
            for row in conn.exec_driver_sql(f"SELECT {', '.join(names)} FROM {table.name} ORDER BY {order}"):
                values = dict(zip(names, row, strict=True))
                for (tname, column), context in SECRETS.items():
                    if tname == table.name and values[column] is not None:
                        values[column] = vault.decrypt(bytes(values[column]), context or values["kind"])
                rows.append(tuple(values.values()))
            out[table.name] = rows
    return out


def _run(registry: CustomerRegistry, clock: FakeClock, batch_leads: list[LeadIn], bulk: bool) -> list:
    """Batches of several sizes, replays and a conflict, a staff merge and split, more batches."""
    seen = []
    sizes = [1, 2, 57, 120, 3]
    pos = 0
    for size in sizes:
        part = batch_leads[pos : pos + size]
        pos += size
        if size == 57:  # a replay of an earlier lead and a conflicting replay, inside one batch
            part = [*part, batch_leads[0], replace(batch_leads[1], payload=b'{"edited": true}')]
        seen.append(
            [(r.lead_id, r.customer_id, r.replayed, r.explanation, r.conflict) for r in _ingest(registry, part, bulk)]
        )
        clock.advance(minutes=7)
    with registry.engine.connect() as conn:
        ids = conn.execute(sa.select(customers.c.id).where(customers.c.status == "active").order_by("id")).scalars()
        a, b, *_ = list(ids)
    registry.merge(a, b, "王经理", "same person")
    with registry.engine.connect() as conn:
        moved = conn.execute(sa.select(leads.c.id).where(leads.c.customer_id == a).order_by("id")).scalars().all()
    registry.split(a, moved[-1:], "王经理", "not the same person")
    clock.advance(minutes=30)
    for size in (90, 45, 40):
        part = batch_leads[pos : pos + size]
        pos += size
        seen.append([(r.lead_id, r.customer_id, r.replayed, r.explanation) for r in _ingest(registry, part, bulk)])
        clock.advance(minutes=7)
    return seen


def _ingest(registry: CustomerRegistry, part: list[LeadIn], bulk: bool):
    return registry.ingest_many(part, bulk=bulk).results


def test_bulk_path_stores_exactly_what_the_row_by_row_path_stores(two_engines, vault):
    rules = load_rules()
    batch_leads = _leads()
    results, dumps = [], []
    for engine, bulk in zip(two_engines, (False, True), strict=True):
        clock = FakeClock(datetime(2026, 11, 22, 21, 0, tzinfo=BUSINESS_TZ))
        registry = CustomerRegistry(engine, vault, rules, clock)
        results.append(_run(registry, clock, batch_leads, bulk))
        dumps.append(_dump(engine, vault))
    assert results[0] == results[1]
    for table in dumps[0]:
        assert dumps[0][table] == dumps[1][table], table
    assert len(dumps[1]["leads"]) == 358 and len(dumps[1]["audit_log"]) > 600
    with two_engines[1].connect() as conn:
        assert AuditLog(vault.audit_key).verify(conn) == []


def test_bulk_batches_and_single_leads_make_the_same_customers(engine, vault, rules, clock, tmp_path):
    batch_leads = _leads()
    one_by_one = CustomerRegistry(engine, vault, rules, clock)
    for lead in batch_leads:
        one_by_one.ingest(lead)
    other = open_database(sqlite_url(tmp_path / "batched.db"))
    batched = CustomerRegistry(other, vault, rules, clock)
    for i in range(0, len(batch_leads), 100):
        batched.ingest_many(batch_leads[i : i + 100])
    partitions = []
    for eng in (engine, other):
        with eng.connect() as conn:
            rows = conn.execute(sa.select(leads.c.source_message_id, leads.c.customer_id)).all()
            assert AuditLog(vault.audit_key).verify(conn) == []
        groups: dict[int, set[str]] = {}
        for msg, cid in rows:
            groups.setdefault(cid, set()).add(msg)
        partitions.append(sorted(sorted(g) for g in groups.values()))
    other.dispose()
    assert partitions[0] == partitions[1]


def test_chain_written_in_bulk_detects_an_edited_and_a_deleted_row(engine, vault, rules, clock):
    registry = CustomerRegistry(engine, vault, rules, clock)
    registry.ingest_many(_leads()[:80], bulk=True)
    log = AuditLog(vault.audit_key)
    with engine.begin() as conn:
        assert log.verify(conn) == []
        conn.execute(audit_log.update().where(audit_log.c.seq == 5).values(actor="mallory"))
        assert any("row 5" in p and "edited" in p for p in log.verify(conn))
        conn.execute(audit_log.delete().where(audit_log.c.seq == 9))
        assert any("missing" in p for p in log.verify(conn))


def test_reserved_ids_are_the_ones_the_database_would_give(engine):
    with engine.begin() as conn:
        conn.execute(
            customers.insert(),
            [{"status": "active", "created_at": START, "updated_at": START} for _ in range(3)],
        )
        reserved = next_ids(conn, "customers", 2)
        db = db_params(conn)
        stamp = db.stamp(START)
        conn.exec_driver_sql(
            db.insert("customers", ("id", "status", "created_at", "updated_at")),
            [(i, "active", stamp, stamp) for i in reserved],
        )
        after = conn.execute(customers.insert().values(status="active", created_at=START, updated_at=START))
        ids = conn.execute(sa.select(customers.c.id).order_by(customers.c.id)).scalars().all()
    assert reserved == [4, 5] and after.inserted_primary_key[0] == 6 and ids == [1, 2, 3, 4, 5, 6]


def test_bulk_values_read_back_like_core_values(engine, vault, rules, clock):
    registry = CustomerRegistry(engine, vault, rules, clock)
    lead = _leads()[0]
    registry.ingest_many([lead, replace(lead, source_message_id="other")], bulk=True)
    with engine.connect() as conn:
        row = conn.execute(sa.select(leads.c.occurred_at, leads.c.received_at).limit(1)).one()
        cust = conn.execute(sa.select(customers).limit(1)).one()
    assert row.occurred_at == lead.occurred_at and row.received_at == clock.now()
    assert cust.needs_review is False and cust.created_at == clock.now()


def test_touches_read_by_lead_equal_the_core_reading_by_customer(engine, vault, rules, clock):
    registry = CustomerRegistry(engine, vault, rules, clock)
    registry.ingest_many(_leads()[:150], bulk=True)
    with engine.connect() as conn:
        stored = conn.execute(sa.select(leads.c.id, leads.c.customer_id, leads.c.name_masked)).all()
        customer_of = {lead: cid for lead, cid, _ in stored}
        name_of = {lead: name for lead, _, name in stored}
        names_core: dict[int, str] = {}
        names_raw: dict[int, str] = {}
        core = load_touches(conn, sorted(set(customer_of.values())), names_core)
        raw = touches_of_leads(conn, customer_of, name_of, names_raw)
    assert raw == core and names_raw == names_core
    assert any(t.agency_name and t.broker_name for ts in raw.values() for t in ts)
    assert any(len(ts) > 2 for ts in raw.values())


def test_bulk_path_stores_no_plaintext_number_or_name(tmp_path, vault, rules, clock):
    engine = open_database(sqlite_url(tmp_path / "office.db"))
    registry = CustomerRegistry(engine, vault, rules, clock)
    batch = _leads()[:60]
    registry.ingest_many(batch, bulk=True)
    engine.dispose()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("office.db"))
    checked = 0
    for lead in batch:
        for kind, value in lead.identifiers:
            digits = re.sub(r"\D", "", value)[-11:] if kind == "mobile" else value.replace(" ", "").upper()
            if kind in ("mobile", "national_id") and len(digits) >= 11:
                assert value.encode() not in raw and digits.encode() not in raw
                checked += 1
        if len(lead.name) > 1:
            assert lead.name.encode() not in raw
    assert checked > 50


def test_collector_pauses_nest_and_restore_the_previous_state():
    import gc

    from models.prepare import collector_paused

    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()


def test_bulk_ingest_turns_the_collector_back_on_even_when_it_fails(engine, vault, rules, clock):
    import gc

    registry = CustomerRegistry(engine, vault, rules, clock)
    with pytest.raises(AttributeError):
        registry.ingest_many([_leads()[0], None], bulk=True)  # type: ignore[list-item]
    assert gc.isenabled()
    registry.ingest_many(_leads()[:5], bulk=True)
    assert gc.isenabled()


def test_reused_explanation_text_gives_the_same_evidence_as_rendering_it():
    from models.messages import Reason
    from models.recording import _as_dict

    for reason in (
        Reason("new_customer"),
        Reason("same_identifier", {"kind": "mobile", "masked": "138****5678", "lead_id": 3, "channel": "抖音"}),
        Reason("manual_link", {"actor": "staff", "note": "lead #4"}),
    ):
        assert _as_dict(reason, reason.text()) == reason.as_dict()
        assert _as_dict(reason, None) == reason.as_dict()


def test_rendered_evidence_is_byte_for_byte_the_canonical_json(vault, rules, clock):
    from decimal import Decimal

    from models.attribution import TouchRecord, judge
    from models.audit import canonical, json_value
    from models.leads import Channel, TouchKind
    from models.messages import Reason
    from models.prepare import prepare_lead
    from models.reconcile import Outcome
    from models.recording import Recorder, _lead_entry, _rendered_attribution, _rendered_lead_entry

    for value in (None, "", 'a"b\\c\n\t\x01\u2028李敏😀', 0, -7, 10**20, True, 1.5, Decimal("0.5000"), ["x", None]):
        assert json_value(value) == canonical(value)
    odd = ['李"敏\\', "O'Brien\n\t", "\x00\x1f\u2028😀", ""]
    for i, name in enumerate(odd):
        lead = LeadIn(
            "douyin",
            f"odd-{i}",
            "agency" if i % 2 else "douyin",
            "report" if i % 2 else "online_lead",
            START,
            name,
            [("mobile", "+86 138-1234-5678"), ("idfa", "00000000-0000-0000-0000-000000000000"), ("mobile", name)],
            agency_code="AG-1" if i % 2 else None,
        )
        p = prepare_lead(lead, vault, rules.identifiers)
        outcome = Outcome(lead_customer={10 + i: 7})
        for reason in (Reason("new_customer"), Reason("manual_link", {"actor": "王经理", "note": name})):
            for texts in ({}, {10 + i: reason.text()}):
                outcome.texts = texts
                plain = _lead_entry(outcome, 10 + i, reason, p, "system")
                rendered = _rendered_lead_entry(outcome, 10 + i, reason, p, "system")
                assert rendered.text == canonical(plain.payload)
                assert (rendered.action, rendered.actor, rendered.customer_id) == (
                    plain.action,
                    plain.actor,
                    plain.customer_id,
                )
    recorder = Recorder(None, rules.protection)  # type: ignore[arg-type]
    touches = [
        TouchRecord(1, 11, Channel.AGENCY, TouchKind.REPORT, START, Decimal("1.0000"), 3, '链家"', 4, "张\\"),
        TouchRecord(2, 12, Channel.DOUYIN, TouchKind.ONLINE_LEAD, clock.now(), Decimal("0.5000")),
    ]
    for ts in (touches, touches[:1], touches[1:]):
        for first in (ts[0], None):
            plain = recorder.attribution_entries([5], {5: ts}, clock.now(), "system")[0]
            if first is None:
                plain = replace(plain, payload={**plain.payload, "first_contact": None})
            verdict = judge(ts, rules.protection, clock.now())
            rendered = _rendered_attribution(5, first, recorder._shares(ts)[1], verdict, "system")
            assert rendered.text == canonical(plain.payload)
