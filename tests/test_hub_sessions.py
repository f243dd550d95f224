"""The websocket side against a real hub: authentication abuse, roles, idempotent mutations, the stream."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime

import pytest
import sqlalchemy as sa
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from models.access import PERMISSIONS, check_command
from models.clock import BUSINESS_TZ
from models.db import write_transaction
from models.dispatch import StaffStatus
from models.hub_schema import follow_ups
from models.leads import LeadIn
from models.schema import audit_log
from models.staff import Role, StaffMember, revoke
from tests.hubkit import enrolled, open_client, running_hub

pytestmark = pytest.mark.asyncio


async def closed_code(ws, timeout=5.0) -> int:
    """Wait for the hub to close the socket; return the close code."""
    await asyncio.wait_for(ws.wait_closed(), timeout)
    return ws.close_code


async def test_handshake_without_a_valid_token_is_refused(registry):
    async with running_hub(registry) as hub:
        with pytest.raises(InvalidStatus) as err:
            await connect(hub.ws_url)
        assert err.value.response.status_code == 401
        with pytest.raises(InvalidStatus) as err:
            await connect(hub.ws_url, additional_headers={"Authorization": "Bearer forged"})
        assert err.value.response.status_code == 401
        _, token = await enrolled(hub, "王磊", "consultant")
        with pytest.raises(InvalidStatus) as err:
            await connect(
                hub.ws_url, additional_headers={"Authorization": f"Bearer {token}", "Origin": "https://evil.example"}
            )
        assert err.value.response.status_code == 403


async def test_revoked_token_is_refused_and_live_sessions_close_within_two_seconds(registry):
    async with running_hub(registry, timers=True) as hub:
        wang, token = await enrolled(hub, "王磊", "consultant")
        client = await open_client(hub, token)

        def do_revoke():
            with write_transaction(registry.engine) as conn:
                revoke(conn, wang, registry.clock.now())

        await hub.hub.db(do_revoke)
        assert await closed_code(client.ws, timeout=2.0) == 4001
        with pytest.raises(InvalidStatus):
            await connect(hub.ws_url, additional_headers={"Authorization": f"Bearer {token}"})


async def test_silence_binary_oversize_and_commands_before_hello_close_the_socket(registry):
    async with running_hub(registry, hello_timeout_s=0.3, max_message_bytes=1024) as hub:
        _, token = await enrolled(hub, "王磊", "consultant")
        headers = {"Authorization": f"Bearer {token}"}
        async with connect(hub.ws_url, additional_headers=headers) as ws:
            assert await closed_code(ws) == 1008  # said nothing
        async with connect(hub.ws_url, additional_headers=headers) as ws:
            await ws.send(b"\x00\x01")
            assert await closed_code(ws) == 1003  # binary frame
        async with connect(hub.ws_url, additional_headers=headers) as ws:
            await ws.send(json.dumps({"id": 1, "type": "ping", "pad": "x" * 2000}))
            assert await closed_code(ws) == 1009  # oversize
        async with connect(hub.ws_url, additional_headers=headers) as ws:
            await ws.send(json.dumps({"id": 1, "type": "staff.list"}))
            reply = json.loads(await ws.recv())
            assert reply["type"] == "error" and reply["code"] == "not_authenticated"
            assert await closed_code(ws) == 1008
        async with connect(hub.ws_url, additional_headers=headers) as ws:
            await ws.send(json.dumps({"id": 1, "type": "hello", "protocol": 99, "client_id": "c"}))
            reply = json.loads(await ws.recv())
            assert reply["code"] == "protocol_version"


async def test_malformed_messages_get_errors_that_say_what_was_wrong(registry):
    async with running_hub(registry) as hub:
        _, token = await enrolled(hub, "王磊", "consultant")
        client = await open_client(hub, token)
        await client.ws.send("{not json")
        await client.ws.send(json.dumps({"id": 5, "type": "grab.claim", "round_id": "seven"}))
        await client.ws.send(json.dumps({"id": 6, "type": "teleport"}))
        replies = []
        for _ in range(3):
            replies.append(await asyncio.wait_for(client.stray.get(), 5))
        assert "not valid JSON" in replies[0]["message"]
        assert replies[1]["id"] == 5 and "round_id" in replies[1]["message"]
        assert replies[2]["code"] == "bad_message"
        reply = await client.call("ping")
        assert reply["type"] == "result"
        client.next_id = 1  # ids must increase
        assert (await client.call("ping"))["code"] == "bad_id"


async def test_role_by_command_matrix():
    expected_allowed = {
        "visit.register": {"reception", "manager", "admin"},
        "report.file": {"broker", "channel_specialist", "manager", "admin"},
        "followup.log": {"consultant", "manager"},
        "grab.claim": {"consultant"},
        "status.set": {"consultant", "manager", "admin"},
        "lead.reassign": {"manager", "admin"},
        "staff.list": {"reception", "consultant", "channel_specialist", "manager", "admin"},
        "customer.lookup": {"reception", "channel_specialist", "manager", "admin"},
        "alert.ack": {"consultant", "manager", "admin"},
        "kpi.report": {"manager", "admin", "channel_specialist"},
        "kpi.late": {"manager", "admin"},
        "ping": {r.value for r in Role},
        "subscribe": {r.value for r in Role},
        "batch": {r.value for r in Role},  # its items are checked one by one
        "deal.record": {"consultant", "manager", "admin"},
        "deal.list": {"consultant", "channel_specialist", "manager", "admin"},
        "deal.get": {"consultant", "channel_specialist", "manager", "admin"},
        "dispute.get": {"broker", "channel_specialist", "manager", "admin"},
        "settlement.prepare": {"channel_specialist", "manager", "admin"},
        "settlement.list": {"broker", "channel_specialist", "manager", "admin"},
        "settlement.get": {"broker", "channel_specialist", "manager", "admin"},
        "settlement.transition": {"broker", "channel_specialist", "manager", "admin"},
        "settlement.cycle": {"channel_specialist", "manager", "admin"},
        "radar.report": {"consultant", "manager", "admin"},
        "experiment.define": {"manager", "admin"},
        "experiment.start": {"manager", "admin"},
        "experiment.stop": {"manager", "admin"},
        "experiment.list": {"manager", "admin"},
        "experiment.compare": {"manager", "admin"},
        "experiment.expose": {"consultant", "manager"},
        "experiment.offers": {"consultant", "manager", "admin"},
    }
    for command, roles in expected_allowed.items():
        for role in Role:
            member = StaffMember(1, "x", role, 7 if role is Role.BROKER else None, StaffStatus.ON_DUTY)
            refusal = check_command(member, command)
            assert (refusal is None) == (role.value in roles), (command, role)
    assert set(expected_allowed) | {"customer.get"} == set(PERMISSIONS)
    consultant = StaffMember(1, "x", Role.CONSULTANT, None, StaffStatus.ON_DUTY)
    assert check_command(consultant, "status.set", {"staff_id": 2}).code == "forbidden"


async def test_a_refusal_is_an_error_reply_and_an_audit_row(registry):
    async with running_hub(registry) as hub:
        _, token = await enrolled(hub, "大屏", "wall")
        client = await open_client(hub, token)
        reply = await client.mutate("status.set", status="on_duty")
        assert reply["type"] == "error" and reply["code"] == "forbidden"
        with registry.engine.connect() as conn:
            rows = conn.execute(sa.select(audit_log.c.action, audit_log.c.payload)).all()
        assert any(r.action == "refused" and "status.set" in r.payload for r in rows)
        await client.close()


async def test_a_replayed_mutation_is_applied_once(registry, clock):
    async with running_hub(registry) as hub:
        _wang, token = await enrolled(hub, "王磊", "consultant", status="on_duty")
        lead = LeadIn("douyin", "m1", "douyin", "online_lead", clock.now(), "李敏", [("mobile", "13812345678")])
        change = await hub.hub.db(hub.hub.floor.intake, [lead], "test")
        lead_id = change.result["leads"][0]["lead_id"]
        client = await open_client(hub, token, client_id="desk-1")
        first = await client.mutate("followup.log", mutation_id=7, lead_id=lead_id, kind="call", note="约周六看房")
        again = await client.mutate("followup.log", mutation_id=7, lead_id=lead_id, kind="call", note="约周六看房")
        assert first["type"] == again["type"] == "result"
        assert again["result"]["follow_up_id"] == first["result"]["follow_up_id"] and again["result"]["replayed"]
        other = await client.mutate("followup.log", mutation_id=7, lead_id=lead_id, kind="wechat")
        assert other["code"] == "mutation_conflict"
        with registry.engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(follow_ups)).scalar_one() == 1
        refused = await client.mutate("followup.log", mutation_id=8, lead_id=999999, kind="call")
        assert refused["code"] == "not_found"
        assert (await client.mutate("followup.log", mutation_id=8, lead_id=999999, kind="call"))["code"] == "not_found"
        await client.close()


async def test_subscribe_from_a_sequence_number_while_events_race_the_backlog(registry):
    async with running_hub(registry) as hub:
        _, manager = await enrolled(hub, "张经理", "manager")
        people = [await enrolled(hub, f"顾问{i}", "consultant") for i in range(3)]
        for i in range(30):  # a backlog to send
            change = await hub.hub.db(hub.hub.floor.set_status, people[i % 3][0], ("on_duty", "paused")[i % 2], "t")
            hub.hub.publish(change)
        start = hub.hub.last_seq - 20
        client = await open_client(hub, manager)

        async def churn():
            for i in range(60):  # live events racing the backlog
                change = await hub.hub.db(hub.hub.floor.set_status, people[i % 3][0], ("off", "on_duty")[i % 2], "t")
                hub.hub.publish(change)

        racing = asyncio.create_task(churn())
        reply = await client.call("subscribe", since=start)
        await racing
        assert reply["type"] == "result"
        last = hub.hub.last_seq
        seen = []
        while not seen or seen[-1] < last:
            seen.append((await client.next_event())["seq"])
        assert seen == list(range(start + 1, last + 1))  # no gap, no duplicate, in order
        await client.close()


async def test_subscribe_from_zero_sends_a_snapshot_then_live_events(registry, clock):
    async with running_hub(registry) as hub:
        wang, token = await enrolled(hub, "王磊", "consultant", status="on_duty")
        lead = LeadIn("douyin", "m1", "douyin", "online_lead", clock.now(), "李敏", [("mobile", "13812345678")])
        hub.hub.publish(await hub.hub.db(hub.hub.floor.intake, [lead], "test"))
        client = await open_client(hub, token)
        reply = await client.call("subscribe", since=0)
        assert reply["result"]["snapshot"]
        snap = client.snapshots[0]
        assert [card["consultant_id"] for card in snap["leads"]] == [wang]
        assert snap["leads"][0]["mobile_masked"] == "138****5678"
        assert reply["result"]["seq"] == snap["seq"] == hub.hub.last_seq
        await client.close()


async def test_consultants_see_their_own_leads_and_brokers_their_agency(registry, clock):
    async with running_hub(registry) as hub:
        wang, wang_token = await enrolled(hub, "王磊", "consultant", status="on_duty")
        _li, li_token = await enrolled(hub, "李敏", "consultant")
        _, broker = await enrolled(hub, "刘经纪", "broker", agency="ANJU01")
        clients = [await open_client(hub, t, client_id=f"c{i}") for i, t in enumerate((wang_token, li_token, broker))]
        for c in clients:
            await c.call("subscribe", since=hub.hub.last_seq)
        report = await clients[2].mutate("report.file", person={"name": "赵六", "mobile": "13700001111"})
        assert report["type"] == "result", report
        lead = LeadIn("douyin", "m1", "douyin", "online_lead", clock.now(), "李敏", [("mobile", "13812345678")])
        hub.hub.publish(await hub.hub.db(hub.hub.floor.intake, [lead], "test"))
        assert (await clients[0].next_event("lead.assigned"))["payload"]["consultant_id"] == wang
        assert (await clients[2].next_event("lead.created"))["payload"]["kind"] == "report"
        ping = await clients[1].call("ping")
        seen_by_li = [clients[1].events.get_nowait()["event"] for _ in range(clients[1].events.qsize())]
        assert "lead.assigned" not in seen_by_li and ping["type"] == "result"
        forbidden = await clients[2].mutate("report.file", person={"mobile": "13700002222"}, agency_code="OTHER")
        assert forbidden["code"] == "forbidden"
        for c in clients:
            await c.close()


async def test_the_desk_duplicate_hint_answers_masked(registry, clock):
    async with running_hub(registry) as hub:
        wang, _ = await enrolled(hub, "王磊", "consultant", status="on_duty")
        _, desk = await enrolled(hub, "前台", "reception")
        lead = LeadIn("douyin", "m1", "douyin", "online_lead", clock.now(), "李敏", [("mobile", "13812345678")])
        hub.hub.publish(await hub.hub.db(hub.hub.floor.intake, [lead], "test"))
        client = await open_client(hub, desk)
        reply = await client.call("customer.lookup", mobile="+86 138-1234-5678")
        [found] = reply["result"]["customers"]
        assert found["name"] == "李*" and found["mobile_masked"] == "138****5678"
        assert found["owner_id"] == wang and found["owner_name"] == "王磊" and found["first_channel"] == "douyin"
        assert "13812345678" not in json.dumps(reply, ensure_ascii=False)
        none = await client.call("customer.lookup", mobile="13900000000")
        assert none["result"]["customers"] == []
        bad = await client.call("customer.lookup", mobile="12345")
        assert bad["result"]["problems"][0]["kind"] == "mobile"
        await client.close()


async def test_reassignment_reaches_the_previous_consultant_and_snapshots_carry_open_offers(registry, clock):
    async with running_hub(registry) as hub:
        wang, wang_token = await enrolled(hub, "王磊", "consultant", status="on_duty")
        li, _ = await enrolled(hub, "李敏", "consultant")
        _, boss = await enrolled(hub, "张经理", "manager")
        lead = LeadIn("douyin", "m1", "douyin", "online_lead", clock.now(), "李敏", [("mobile", "13812345678")])
        change = await hub.hub.db(hub.hub.floor.intake, [lead], "test")
        hub.hub.publish(change)
        lead_id = change.result["leads"][0]["lead_id"]
        wang_client = await open_client(hub, wang_token, "w")
        await wang_client.call("subscribe", since=hub.hub.last_seq)
        manager = await open_client(hub, boss, "m")
        moved = await manager.mutate("lead.reassign", lead_id=lead_id, to_staff_id=li, note="王磊请假")
        assert moved["type"] == "result"
        told = await wang_client.next_event("lead.assigned")
        assert told["payload"]["previous_consultant_id"] == wang and told["payload"]["consultant_id"] == li
        async with connect(hub.ws_url, additional_headers={"Authorization": f"Bearer {boss}"}) as raw:  # reinstalled
            await raw.send(json.dumps({"id": 1, "type": "hello", "protocol": 1, "client_id": "m"}))
            reply = json.loads(await raw.recv())
        assert reply["result"]["last_mutation_id"] == 1 and reply["result"]["now"]
        clock.set(datetime(2026, 11, 21, 10, 0, tzinfo=BUSINESS_TZ))
        await hub.hub.db(hub.hub.floor.set_status, li, "on_duty", "test")
        weekend = LeadIn("douyin", "m2", "douyin", "online_lead", clock.now(), "张三", [("mobile", "13912345678")])
        hub.hub.publish(await hub.hub.db(hub.hub.floor.intake, [weekend], "test"))
        fresh = await open_client(hub, wang_token, "w2")
        await fresh.call("subscribe", since=0)
        [offer] = fresh.snapshots[0]["offers"]
        assert offer["lead"]["name_masked"] == "张*" and offer["deadline"].startswith("2026-11-21T02:00:15")
        for c in (wang_client, manager, fresh):
            await c.close()


async def test_subscribe_from_zero_while_events_race_the_snapshot(registry):
    async with running_hub(registry) as hub:
        _, manager = await enrolled(hub, "张经理", "manager")
        people = [await enrolled(hub, f"顾问{i}", "consultant") for i in range(3)]
        for i in range(10):
            hub.hub.publish(await hub.hub.db(hub.hub.floor.set_status, people[i % 3][0], "on_duty", "t"))
        client = await open_client(hub, manager)

        async def churn():
            for i in range(60):
                change = await hub.hub.db(hub.hub.floor.set_status, people[i % 3][0], ("off", "on_duty")[i % 2], "t")
                hub.hub.publish(change)

        racing = asyncio.create_task(churn())
        reply = await client.call("subscribe", since=0)
        await racing
        snapshot_seq = client.snapshots[0]["seq"]
        assert reply["result"]["snapshot"] and snapshot_seq <= hub.hub.last_seq
        seen = []
        while (seen[-1] if seen else snapshot_seq) < hub.hub.last_seq:
            seen.append((await client.next_event())["seq"])
        assert seen == list(range(snapshot_seq + 1, hub.hub.last_seq + 1))  # nothing lost, nothing twice
        await client.close()
