"""A desk's queued actions as one `batch`: one transaction, each item answered as if it came alone."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from models.hub_schema import client_mutations, follow_ups, lead_dispatch
from models.leads import LeadIn
from models.schema import audit_log
from tests.hubkit import enrolled, open_client, running_hub

pytestmark = pytest.mark.asyncio


def item(msg_id: int, type_: str, mutation_id: int, **fields) -> dict:
    """One batch item from desk-1."""
    return {"id": msg_id, "type": type_, "client_id": "desk-1", "mutation_id": mutation_id, **fields}


async def two_leads(hub, clock) -> list[int]:
    """Two leads dispatched to the one consultant on duty."""
    ids = []
    for i, mobile in enumerate(("13812345678", "13987654321")):
        lead = LeadIn("douyin", f"m{i}", "douyin", "online_lead", clock.now(), "李敏", [("mobile", mobile)])
        change = await hub.hub.db(hub.hub.floor.intake, [lead], "test")
        hub.hub.publish(change)
        ids.append(change.result["leads"][0]["lead_id"])
    return ids


async def test_a_batch_answers_every_item_in_order_and_applies_each_once(registry, clock):
    async with running_hub(registry) as hub:
        wang, token = await enrolled(hub, "王磊", "consultant", status="on_duty")
        a, b = await two_leads(hub, clock)
        client = await open_client(hub, token, client_id="desk-1")
        assert (await client.call("subscribe", since=hub.hub.last_seq))["type"] == "result"
        items = [
            item(2, "followup.log", 1, lead_id=a, kind="call", note="约周六看房"),
            item(3, "followup.log", 2, lead_id=a, kind="wechat", note="发了户型图"),
            item(4, "followup.log", 3, lead_id=999999, kind="call", note=""),
            {"id": 5, "type": "followup.log", "client_id": "desk-1", "mutation_id": 4, "lead_id": a},  # no kind
            item(6, "status.set", 5, status="paused"),
            item(7, "followup.log", 6, lead_id=b, kind="call", note="", occurred_at="2099-01-01T00:00:00+08:00"),
            item(8, "followup.log", 7, lead_id=b, kind="visit", note="到访"),
            item(9, "lead.reassign", 8, lead_id=b, to_staff_id=wang, note="试试"),
        ]
        reply = await client.call("batch", items=items)
        assert reply["type"] == "result", reply
        replies = reply["result"]["replies"]
        assert [r["id"] for r in replies] == [2, 3, 4, 5, 6, 7, 8, 9]
        kinds = ["result", "result", "error", "error", "result", "error", "result", "error"]
        assert [r["type"] for r in replies] == kinds
        assert [r.get("code") for r in replies if r["type"] == "error"] == [
            "not_found",
            "bad_message",
            "invalid",
            "forbidden",
        ]
        assert "kind" in replies[3]["message"]  # says what was wrong with the item
        assert "future" in replies[5]["message"]
        assert replies[0]["result"]["first_response_s"] is not None and replies[1]["result"]["first_response_s"] is None
        assert replies[6]["result"]["first_response_s"] is not None
        kinds = [(await client.next_event())["event"] for _ in range(4)]
        assert sorted(kinds) == ["followup.logged"] * 3 + ["staff.status"]

        with registry.engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(follow_ups)).scalar_one() == 3
            firsts = sa.select(lead_dispatch.c.first_follow_up_at).where(lead_dispatch.c.lead_id.in_([a, b]))
            assert all(t is not None for t in conn.execute(firsts).scalars())
            answered = conn.execute(sa.select(client_mutations.c.mutation_id, client_mutations.c.ok)).all()
            refusals = sa.select(audit_log.c.payload).where(audit_log.c.action == "refused")
            refused = conn.execute(refusals).scalars().all()
        # every keyed answer is on file, refusals too (the undecodable and the role refusal have no key)
        assert dict(answered) == {1: True, 2: True, 3: False, 5: True, 6: False, 7: True}
        assert any("lead.reassign" in p for p in refused)

        again = (await client.call("batch", items=[{**i, "id": i["id"] + 100} for i in items]))["result"]["replies"]
        assert [r["type"] for r in again] == [r["type"] for r in replies]
        assert all(r["result"]["replayed"] for r in again if r["type"] == "result")
        assert again[0]["result"]["follow_up_id"] == replies[0]["result"]["follow_up_id"]
        changed = item(300, "followup.log", 1, lead_id=a, kind="call", note="改了")
        assert (await client.call("batch", items=[changed]))["result"]["replies"][0]["code"] == "mutation_conflict"
        with registry.engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(follow_ups)).scalar_one() == 3
        await client.close()


async def test_a_batch_must_hold_one_to_two_hundred_items(registry, clock):
    async with running_hub(registry) as hub:
        _, token = await enrolled(hub, "王磊", "consultant", status="on_duty")
        client = await open_client(hub, token, client_id="desk-1")
        empty = await client.call("batch", items=[])
        assert empty["code"] == "invalid" and "at least one" in empty["message"]
        many = [item(i + 10, "status.set", i + 1, status="on_duty") for i in range(201)]
        big = await client.call("batch", items=many)
        assert big["code"] == "invalid" and "201" in big["message"]
        not_a_list = await client.call("batch", items="x")
        assert not_a_list["code"] == "bad_message"
        assert json.dumps(not_a_list["message"])  # a readable reason
        await client.close()


async def test_a_wall_cannot_smuggle_a_mutation_in_a_batch(registry, clock):
    async with running_hub(registry) as hub:
        _, token = await enrolled(hub, "大屏", "wall")
        client = await open_client(hub, token, client_id="desk-1")
        reply = await client.call("batch", items=[item(2, "status.set", 1, status="on_duty")])
        assert reply["result"]["replies"][0]["code"] == "forbidden"
        await client.close()


async def test_after_an_item_the_hub_could_not_apply_the_rest_wait_to_keep_their_order(registry, clock):
    async with running_hub(registry) as hub:
        _, token = await enrolled(hub, "王磊", "consultant", status="on_duty")
        client = await open_client(hub, token, client_id="desk-1")
        real = hub.hub.floor.set_status
        calls = []

        def flaky(*args, **kw):
            calls.append(args)
            if len(calls) == 1:
                raise RuntimeError("disk full")
            return real(*args, **kw)

        hub.hub.floor.set_status = flaky
        items = [item(2, "status.set", 1, status="paused"), item(3, "status.set", 2, status="on_duty")]
        replies = (await client.call("batch", items=items))["result"]["replies"]
        assert [r["code"] for r in replies] == ["internal", "internal"] and len(calls) == 1  # "on_duty" not applied
        again = (await client.call("batch", items=[{**i, "id": i["id"] + 10} for i in items]))["result"]["replies"]
        assert [r["type"] for r in again] == ["result", "result"] and again[1]["result"]["status"] == "on_duty"
        await client.close()
