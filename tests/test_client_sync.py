"""The desk's sync engine against a real hub on port 0 (SQLite and PostgreSQL hubs): leads arrive as
change sets, actions go through the outbox exactly once, offline work is replayed, refusals are said."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import datetime

import pytest
import sqlalchemy as sa

from models.clock import BUSINESS_TZ
from models.db import write_transaction
from models.hub_schema import follow_ups
from models.leads import LeadIn
from models.schema import leads
from models.staff import revoke
from sync.client.engine import SyncEngine
from tests.clientkit import Recorder, online, settings, visit
from tests.hubkit import enrolled, open_client, post, running_hub, signed
from tests.test_hub_channels import douyin_lead

pytestmark = pytest.mark.asyncio
SATURDAY = datetime(2026, 11, 21, 10, 0, tzinfo=BUSINESS_TZ)


def count(engine, table, *where) -> int:
    """Rows in a hub table."""
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one()


async def stopped(engine: SyncEngine) -> None:
    """Stop an engine without blocking the test's loop (the hub runs on it)."""
    await asyncio.to_thread(engine.stop)


async def test_a_webhook_lead_reaches_the_desk_and_a_follow_up_is_applied(registry, clock, tmp_path):
    async with running_hub(registry) as hub:
        wang, token = await enrolled(hub, "王磊", "consultant", status="on_duty")
        rec = Recorder(asyncio.get_running_loop())
        engine = SyncEngine(settings(tmp_path, hub.ws_url, token, "pc-wang"), rec, clock)
        engine.start()
        try:
            await rec.until(online, what="online")
            assert rec.view.me.id == wang and rec.view.me.name == "王磊"
            assert rec.changes[0].reset and rec.changes[0].connection is not None
            status, body = await post(hub, "/webhooks/douyin", *signed("douyin", douyin_lead(), msg_id="m-1"))
            assert status == 200
            lead_id = body["lead_id"]
            row = await rec.until(lambda v: v.leads.get(lead_id), what="the webhook lead")
            row = await rec.until(lambda v: v.leads[lead_id].state == "assigned" and v.leads[lead_id])
            assert row.consultant_id == wang and row.mobile_masked == "138****5678" and row.name_masked == "李*"
            assert not row.pending and row.first_follow_up_at is None

            engine.submit("followup.log", {"lead_id": lead_id, "kind": "call", "note": "约周六看房"})
            item = await rec.until(lambda v: next((o for o in v.outbox.values() if o.state == "applied"), None))
            assert item.type == "followup.log" and item.result["follow_up_id"] > 0
            row = await rec.until(lambda v: not v.leads[lead_id].pending and v.leads[lead_id])
            assert row.first_follow_up_at is not None
            assert count(registry.engine, follow_ups) == 1
            assert rec.view.connection.waiting == 0 and rec.view.connection.last_seq == hub.hub.last_seq
            assert rec.threads == {"salesfloor-desk-sync"}  # on_change only ever from the engine's thread
        finally:
            await stopped(engine)


async def test_grab_claim_with_two_desks_one_wins_the_other_sees_who(registry, clock, tmp_path):
    clock.set(SATURDAY)
    async with running_hub(registry) as hub:
        _wang, t1 = await enrolled(hub, "王磊", "consultant", status="on_duty")
        li, t2 = await enrolled(hub, "李敏", "consultant", status="on_duty")
        loop = asyncio.get_running_loop()
        a_rec, b_rec = Recorder(loop), Recorder(loop)
        a = SyncEngine(settings(tmp_path, hub.ws_url, t1, "pc-a", "a.db"), a_rec, clock)
        b = SyncEngine(settings(tmp_path, hub.ws_url, t2, "pc-b", "b.db"), b_rec, clock)
        a.start()
        b.start()
        try:
            await a_rec.until(online)
            await b_rec.until(online)
            lead = LeadIn("douyin", "g1", "douyin", "online_lead", SATURDAY, "赵六", [("mobile", "13912340001")])
            hub.hub.publish(await hub.hub.db(hub.hub.floor.intake, [lead], "test"))
            offer_a = await a_rec.until(lambda v: next(iter(v.offers.values()), None), what="offer at a")
            offer_b = await b_rec.until(lambda v: next(iter(v.offers.values()), None), what="offer at b")
            assert offer_a.round_id == offer_b.round_id and offer_a.state == "open"
            assert offer_a.lead.mobile_masked == "139****0001"
            assert offer_a.deadline.isoformat() == "2026-11-21T02:00:15+00:00"
            round_id = offer_a.round_id

            b.claim(round_id)
            won = await b_rec.until(lambda v: v.offers[round_id].state == "won" and v.offers[round_id])
            assert won.winner_name in ("", "李敏")
            lost = await a_rec.until(lambda v: v.offers[round_id].state == "lost" and v.offers[round_id])
            assert lost.winner_name == "李敏"
            a.claim(round_id)  # too late: told the outcome again, nothing changes
            await a_rec.until(lambda v: sum(round_id in {o.round_id for o in c.offers} for c in a_rec.changes) >= 3)
            assert a_rec.view.offers[round_id].state == "lost"
            mine = await b_rec.until(lambda v: v.leads.get(offer_b.lead.lead_id, None))
            mine = await b_rec.until(lambda v: v.leads[mine.lead_id].consultant_id == li and v.leads[mine.lead_id])
            assert mine.state == "assigned" and mine.consultant_name == "李敏"
            assert offer_a.lead.lead_id not in a_rec.view.leads  # a consultant's desk holds their own leads
        finally:
            await stopped(a)
            await stopped(b)


async def test_offline_work_is_kept_shown_and_applied_once_when_the_hub_returns(registry, clock, tmp_path):
    async with running_hub(registry) as hub:
        _, token = await enrolled(hub, "张经理", "manager")
        await enrolled(hub, "王磊", "consultant", status="on_duty")
        lead = LeadIn("douyin", "o1", "douyin", "online_lead", clock.now(), "李敏", [("mobile", "13812345678")])
        change = await hub.hub.db(hub.hub.floor.intake, [lead], "test")
        hub.hub.publish(change)
        lead_id = change.result["leads"][0]["lead_id"]
        port = hub.ws_port
        rec = Recorder(asyncio.get_running_loop())
        engine = SyncEngine(settings(tmp_path, hub.ws_url, token, "pc-manager"), rec, clock)
        engine.start()
        await rec.until(online)
        await rec.until(lambda v: lead_id in v.leads, what="the lead from the snapshot")
    try:
        await rec.until(lambda v: not v.connection.online, what="offline after the hub stopped")
        dropped = rec.view.connection.since
        engine.submit("visit.register", visit("孙丽", "13698765432"))
        engine.submit("followup.log", {"lead_id": lead_id, "kind": "wechat", "note": "发了户型图"})
        await rec.until(lambda v: len(v.outbox) == 2 and v.connection.waiting == 2, what="two pending")
        visit_item, follow_item = sorted(rec.view.outbox.values(), key=lambda o: o.mutation_id)
        assert visit_item.state == follow_item.state == "pending"
        assert visit_item.summary == "登记到访 孙*（136****5432）"
        holder = rec.view.leads[-visit_item.mutation_id]
        assert holder.pending and holder.name_masked == "孙*" and holder.mobile_masked == "136****5432"
        assert rec.view.leads[lead_id].pending and rec.view.leads[lead_id].first_follow_up_at is not None
        assert not rec.view.connection.online and rec.view.connection.since == dropped
        answers: asyncio.Queue = asyncio.Queue()
        loop = asyncio.get_running_loop()
        engine.query("staff.list", {}, lambda value: loop.call_soon_threadsafe(answers.put_nowait, value))
        assert (await asyncio.wait_for(answers.get(), 10))["error"] == "offline"

        async with running_hub(registry, ws_port=port):
            await rec.until(lambda v: v.connection.online and v.connection.waiting == 0, what="replayed")
            await rec.until(lambda v: all(o.state == "applied" for o in v.outbox.values()))
            assert -visit_item.mutation_id not in rec.view.leads
            real_id = rec.view.outbox[visit_item.mutation_id].result["lead_id"]
            real = await rec.until(lambda v: v.leads.get(real_id))
            assert not real.pending and real.mobile_masked == "136****5432" and real.kind == "walk_in"
            assert not rec.view.leads[lead_id].pending
            with registry.engine.connect() as conn:
                desk = conn.execute(sa.select(sa.func.count()).where(leads.c.source == "desk")).scalar_one()
            assert desk == 1 and count(registry.engine, follow_ups) == 1
            await stopped(engine)
        raw = (tmp_path / "replica.db").read_bytes() + _maybe(tmp_path / "replica.db-wal")
        assert b"13698765432" not in raw and "孙丽".encode() not in raw  # answered: the plaintext is gone
    finally:
        await stopped(engine)


def _maybe(path) -> bytes:
    return path.read_bytes() if path.exists() else b""


async def test_a_refusal_is_surfaced_and_the_optimistic_change_undone(registry, clock, tmp_path):
    async with running_hub(registry) as hub:
        _wang, _ = await enrolled(hub, "王磊", "consultant", status="on_duty")
        _li, li_token = await enrolled(hub, "李敏", "consultant")
        lead = LeadIn("douyin", "r1", "douyin", "online_lead", clock.now(), "赵六", [("mobile", "13700001111")])
        change = await hub.hub.db(hub.hub.floor.intake, [lead], "test")
        lead_id = change.result["leads"][0]["lead_id"]
        rec = Recorder(asyncio.get_running_loop())
        engine = SyncEngine(settings(tmp_path, hub.ws_url, li_token, "pc-li"), rec, clock)
        engine.start()
        try:
            await rec.until(online)
            engine.submit("followup.log", {"lead_id": lead_id, "kind": "call"})
            item = await rec.until(lambda v: next((o for o in v.outbox.values() if o.state == "refused"), None))
            assert "未被接受" in item.message and "没有权限" in item.message
            assert rec.view.notices == [item.message]
            assert rec.view.connection.waiting == 0
            engine.submit("visit.register", visit("钱七", "13500002222"))  # a consultant may not register visits
            item = await rec.until(
                lambda v: len(v.outbox) == 2 and v.outbox[max(v.outbox)].state == "refused" and v.outbox[max(v.outbox)]
            )
            assert (
                item.message.startswith("登记到访 钱*（135****2222） 未被接受")
                and -item.mutation_id not in rec.view.leads
            )
            assert count(registry.engine, follow_ups) == 0
        finally:
            await stopped(engine)


async def test_a_revoked_token_stops_reconnecting_and_says_so(registry, clock, tmp_path):
    async with running_hub(registry, timers=True) as hub:
        wang, token = await enrolled(hub, "王磊", "consultant")
        rec = Recorder(asyncio.get_running_loop())
        engine = SyncEngine(settings(tmp_path, hub.ws_url, token, "pc-wang"), rec, clock)
        engine.start()
        try:
            await rec.until(online)

            def do_revoke():
                with write_transaction(registry.engine) as conn:
                    revoke(conn, wang, registry.clock.now())

            await hub.hub.db(do_revoke)
            await rec.until(lambda v: v.connection.detail == SyncEngine.REVOKED_TEXT, what="revoked")
            assert not rec.view.connection.online
            engine.submit("status.set", {"status": "paused"})  # still kept locally
            await rec.until(lambda v: v.connection.waiting == 1)
        finally:
            await stopped(engine)
        rec2 = Recorder(asyncio.get_running_loop())
        again = SyncEngine(settings(tmp_path, hub.ws_url, token, "pc-wang"), rec2, clock)
        again.start()
        try:  # a 401 at the handshake: the same verdict, no retry loop
            await rec2.until(lambda v: v.connection and v.connection.detail == SyncEngine.REVOKED_TEXT)
            assert rec2.view.me.name == "王磊" and rec2.view.connection.waiting == 1
        finally:
            await stopped(again)


async def test_queries_and_the_local_duplicate_hint(registry, clock, tmp_path):
    async with running_hub(registry) as hub:
        _, desk = await enrolled(hub, "前台", "reception")
        await enrolled(hub, "王磊", "consultant", status="on_duty")
        lead = LeadIn("douyin", "q1", "douyin", "online_lead", clock.now(), "李敏", [("mobile", "13812345678")])
        hub.hub.publish(await hub.hub.db(hub.hub.floor.intake, [lead], "test"))
        loop = asyncio.get_running_loop()
        rec = Recorder(loop)
        engine = SyncEngine(settings(tmp_path, hub.ws_url, desk, "desk-1"), rec, clock)
        engine.start()
        try:
            await rec.until(online)
            await rec.until(lambda v: len(v.leads) == 1)
            answers: asyncio.Queue = asyncio.Queue()

            def deliver(value):
                loop.call_soon_threadsafe(answers.put_nowait, value)

            engine.query("customer.lookup", {"mobile": "+86 138-1234-5678"}, deliver)
            found = await asyncio.wait_for(answers.get(), 10)
            assert found["customers"][0]["mobile_masked"] == "138****5678"
            assert "13812345678" not in json.dumps(found, ensure_ascii=False)
            engine.query("customer.get", {"customer_id": 999999}, deliver)
            assert (await asyncio.wait_for(answers.get(), 10))["error"] == "not_found"
            engine.local_duplicate_hint("138 1234 5678", deliver)
            [hint] = await asyncio.wait_for(answers.get(), 10)
            assert hint.name_masked == "李*"
            engine.local_duplicate_hint("13912345678", deliver)
            assert await asyncio.wait_for(answers.get(), 10) == []
            engine.local_duplicate_hint("138", deliver)  # too short to say anything
            assert await asyncio.wait_for(answers.get(), 10) == []
            with pytest.raises(ValueError):
                engine.query("visit.register", {}, deliver)
            with pytest.raises(ValueError):
                engine.submit("followup.log", {"lead_id": "seven", "kind": "call"})
        finally:
            await stopped(engine)


async def test_a_follow_up_on_an_offline_visit_reaches_the_real_lead(registry, clock, tmp_path):
    async with running_hub(registry) as hub:
        _, token = await enrolled(hub, "张经理", "manager")
        await enrolled(hub, "王磊", "consultant", status="on_duty")
        port = hub.ws_port
    rec = Recorder(asyncio.get_running_loop())
    engine = SyncEngine(settings(tmp_path, f"ws://127.0.0.1:{port}/", token, "pc-manager"), rec, clock)
    engine.start()  # nothing listens: it starts offline, from an empty replica
    try:
        await rec.until(lambda v: v.resets and v.connection and not v.connection.online)
        engine.submit("visit.register", visit("周杰", "13711112222"))
        holder = await rec.until(lambda v: next((r for r in v.leads.values() if r.lead_id < 0), None))
        engine.submit("followup.log", {"lead_id": holder.lead_id, "kind": "visit", "note": "带看样板间"})
        await rec.until(lambda v: v.connection.waiting == 2)
        assert rec.view.outbox[max(rec.view.outbox)].summary == "跟进离线登记的访客（面谈）"
        async with running_hub(registry, ws_port=port):
            await rec.until(lambda v: v.outbox and all(o.state == "applied" for o in v.outbox.values()))
            real_id = rec.view.outbox[-holder.lead_id].result["lead_id"]
            real = await rec.until(lambda v: v.leads.get(real_id))
            assert real.first_follow_up_at is not None and not real.pending and holder.lead_id not in rec.view.leads
            with registry.engine.connect() as conn:
                logged = conn.execute(sa.select(follow_ups.c.lead_id)).scalars().all()
            assert logged == [real_id]
            await stopped(engine)
    finally:
        await stopped(engine)


async def test_pings_keep_a_quiet_connection_open(registry, clock, tmp_path):
    async with running_hub(registry, idle_timeout_s=0.5) as hub:
        _, token = await enrolled(hub, "王磊", "consultant")
        rec = Recorder(asyncio.get_running_loop())
        engine = SyncEngine(settings(tmp_path, hub.ws_url, token, "pc-wang"), rec, clock)
        engine.ping_interval_s = 0.1
        engine.start()
        try:
            await rec.until(online)
            [session] = hub.hub.sessions
            first = session.last_msg_id
            async with asyncio.timeout(10):  # bounded polling: the hub's view of the client's pings
                while session.last_msg_id < first + 8:  # 0.8 s of pings: past the 0.5 s idle timeout
                    await asyncio.sleep(0.05)
            assert hub.hub.sessions == {session}
            assert sum(1 for c in rec.changes if c.connection and c.connection.online) == 1  # never dropped
        finally:
            await stopped(engine)


async def test_closed_as_too_slow_it_resubscribes_from_its_seq_without_a_gap(registry, clock, tmp_path):
    async with running_hub(registry) as hub:
        _, token = await enrolled(hub, "前台", "reception")
        await enrolled(hub, "王磊", "consultant", status="on_duty")
        rec = Recorder(asyncio.get_running_loop())
        engine = SyncEngine(settings(tmp_path, hub.ws_url, token, "desk-1"), rec, clock)
        engine.start()
        try:
            await rec.until(online)
            resets = rec.view.resets
            [session] = hub.hub.sessions
            await session.ws.close(4008, "too slow: resubscribe from your last seq")
            for n in range(5):  # while it is away
                person = [("mobile", f"1381234{n:04d}")]
                lead = LeadIn("douyin", f"s{n}", "douyin", "online_lead", clock.now(), f"客户{n}", person)
                hub.hub.publish(await hub.hub.db(hub.hub.floor.intake, [lead], "test"))
            await rec.until(lambda v: len(v.leads) == 5 and all(r.state == "assigned" for r in v.leads.values()))
            await rec.until(lambda v: v.connection.online)
            assert rec.view.resets == resets  # caught up from its seq: no snapshot needed
            assert any(c.connection and not c.connection.online for c in rec.changes)
        finally:
            await stopped(engine)


async def test_a_registration_the_hub_applied_before_the_desk_heard_back_is_replayed_not_doubled(
    registry, clock, tmp_path
):
    async with running_hub(registry) as hub:
        _, token = await enrolled(hub, "前台", "reception")
        await enrolled(hub, "王磊", "consultant", status="on_duty")
        port = hub.ws_port
    rec = Recorder(asyncio.get_running_loop())
    engine = SyncEngine(settings(tmp_path, f"ws://127.0.0.1:{port}/", token, "desk-1"), rec, clock)
    engine.start()
    try:
        engine.submit("visit.register", visit("吴昊", "13811112222"))
        [mid] = (await rec.until(lambda v: v.outbox and v)).outbox
        with sqlite3.connect(tmp_path / "replica.db") as db:
            fields = json.loads(db.execute("SELECT fields FROM outbox").fetchone()[0])
        async with running_hub(registry) as other:  # the same mutation reached the hub, its answer was lost
            wire = await open_client(other, token, client_id="desk-1")
            first = await wire.mutate("visit.register", mutation_id=mid, **fields)
            assert first["type"] == "result", first
            await wire.close()
        async with running_hub(registry, ws_port=port):
            item = await rec.until(lambda v: v.outbox[mid].state == "applied" and v.outbox[mid])
            assert item.result["lead_id"] == first["result"]["lead_id"] and item.result["replayed"]
            assert -mid not in rec.view.leads and not any(r.lead_id < 0 for r in rec.view.leads.values())
            with registry.engine.connect() as conn:
                desk = conn.execute(sa.select(sa.func.count()).where(leads.c.source == "desk")).scalar_one()
            assert desk == 1
            await stopped(engine)
    finally:
        await stopped(engine)
