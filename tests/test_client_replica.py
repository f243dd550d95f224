"""The desk's replica and outbox without a hub: layout rebuilds, a corrupt file, plaintext, change sets."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from models.db import write_transaction
from models.desk_state import LeadRow
from sync.client.changes import Changes
from sync.client.replica import SCHEMA_VERSION, get_meta, leads, outbox, set_meta
from sync.client.store import ReplicaStore
from tests.clientkit import visit

NOW = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)


def row(lead_id: int) -> LeadRow:
    """A minimal lead row."""
    return LeadRow(lead_id, None, "walk_in", "walk_in", NOW, NOW)


def test_a_registration_is_stored_masked_with_plaintext_only_in_its_pending_fields(tmp_path):
    store = ReplicaStore(tmp_path / "r.db")
    changes = store.record("visit.register", visit("李敏", "138 1234 5678"), NOW)
    [item] = changes.outbox.values()
    assert item.state == "pending" and item.summary == "登记到访 李*（138****5678）" and changes.waiting == 1
    [holder] = changes.leads.values()
    assert holder.lead_id == -item.mutation_id and holder.pending
    assert (holder.name_masked, holder.mobile_masked) == ("李*", "138****5678")
    with store.engine.connect() as conn:
        stored = conn.execute(sa.select(leads)).one()
        fields = conn.execute(sa.select(outbox.c.fields)).scalar_one()
    assert "1234" not in str(stored._asdict()) and fields["person"]["mobile"] == "138 1234 5678"
    done = store.applied(item.mutation_id, {"lead_id": 41, "customer_id": 7, "explanation": "", "problems": []})
    assert done.removed == {-item.mutation_id} and done.leads[41].customer_id == 7 and done.waiting == 0
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(outbox.c.fields, outbox.c.state)).one() == (None, "applied")
    wal = tmp_path / "r.db-wal"
    raw = (tmp_path / "r.db").read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert b"1234 5678" not in raw and "李敏".encode() not in raw  # not even in superseded WAL frames
    store.close()


def test_a_new_layout_rebuilds_the_cache_but_keeps_pending_actions_and_the_counter(tmp_path):
    store = ReplicaStore(tmp_path / "r.db")
    first = next(iter(store.record("visit.register", visit("王芳", "13912345678"), NOW).outbox))
    second = next(iter(store.record("followup.log", {"lead_id": 5, "kind": "call", "note": ""}, NOW).outbox))
    store.applied(second, {"follow_up_id": 1, "first_response_s": 9})
    with write_transaction(store.engine) as conn:
        set_meta(conn, "schema_version", 0)  # as an older client left it
        set_meta(conn, "last_seq", 812)
        conn.execute(
            leads.insert().values(lead_id=5, channel="douyin", kind="online_lead", occurred_at=NOW, received_at=NOW)
        )
    store.close()

    store = ReplicaStore(tmp_path / "r.db")
    loaded = store.load(LONG_AGO)
    assert loaded.reset and set(loaded.outbox) == {first} and loaded.outbox[first].state == "pending"
    assert set(loaded.leads) == {-first} and loaded.last_seq == 0  # the cache starts over from a snapshot
    third = next(iter(store.record("status.set", {"status": "paused"}, NOW).outbox))
    assert third == second + 1  # never reused: the hub would take it for a replay
    with store.engine.connect() as conn:
        assert get_meta(conn, "schema_version") == SCHEMA_VERSION
    store.close()


def test_a_corrupt_replica_is_moved_aside_and_a_fresh_one_started(tmp_path):
    path = tmp_path / "r.db"
    path.write_bytes(b"this is not an SQLite file" * 100)
    store = ReplicaStore(path)
    assert store.load(LONG_AGO).reset
    assert [p.name for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    store.close()


def test_a_refused_follow_up_puts_back_what_it_changed(tmp_path):
    store = ReplicaStore(tmp_path / "r.db")
    with write_transaction(store.engine) as conn:
        conn.execute(
            leads.insert().values(lead_id=9, channel="douyin", kind="online_lead", occurred_at=NOW, received_at=NOW)
        )
    made = store.record("followup.log", {"lead_id": 9, "kind": "call", "note": "", "occurred_at": None}, NOW)
    assert made.leads[9].pending and made.leads[9].first_follow_up_at == NOW
    [mid] = made.outbox
    refused = store.refused(mid, "forbidden", "lead #9 is not assigned to you")
    assert refused.leads[9].first_follow_up_at is None and not refused.leads[9].pending
    assert refused.notices == ["跟进线索 #9（电话） 未被接受：没有权限（lead #9 is not assigned to you）"]
    assert refused.outbox[mid].state == "refused" and refused.outbox[mid].message == refused.notices[0]
    store.close()


def test_change_sets_net_removals_and_upserts():
    changes = Changes()
    changes.remove_lead(-3)
    changes.lead(row(-3))
    changes.lead(row(4))
    changes.remove_lead(4)
    desk = changes.desk_change()
    assert [r.lead_id for r in desk.leads] == [-3] and desk.removed_leads == [4]
    later = Changes(waiting=2)
    later.lead(row(4))
    changes.merge(later)
    desk = changes.desk_change()
    assert {r.lead_id for r in desk.leads} == {-3, 4} and desk.removed_leads == [] and changes.waiting == 2
