"""Alerts through the hub: the sweep opens a red alert for the owner, ack is logged, a follow-up resolves."""

from __future__ import annotations

import pytest

from models.leads import LeadIn
from sync.hub.alert_loop import AlertSweeper
from tests.hubkit import enrolled, open_client, running_hub

pytestmark = pytest.mark.asyncio


async def test_red_alert_reaches_the_owner_is_acknowledged_and_resolved_by_a_follow_up(registry, clock):
    async with running_hub(registry) as hub:
        wang, token = await enrolled(hub, "王磊", "consultant", status="on_duty")
        _, other = await enrolled(hub, "李敏", "consultant")
        lead = LeadIn("douyin", "m1", "douyin", "online_lead", clock.now(), "李敏", [("mobile", "13812345678")])
        change = await hub.hub.db(hub.hub.floor.intake, [lead], "test")
        hub.hub.publish(change)
        lead_id = change.result["leads"][0]["lead_id"]
        client = await open_client(hub, token, "w")
        await client.call("subscribe", since=hub.hub.last_seq)
        sweeper = AlertSweeper(hub.hub)
        clock.advance(hours=48, seconds=1)
        await sweeper.run_once()
        opened = await client.next_event("alert.opened")
        assert opened["payload"]["level"] == "red" and opened["payload"]["name_masked"] == "李*"
        assert opened["payload"]["owner_id"] == wang
        assert "13812345678" not in str(opened)
        assert (await sweeper.run_once()).events == []  # no storm: one open alert per customer and rule
        stranger = await open_client(hub, other, "l")
        refused = await stranger.call("alert.ack", alert_id=opened["payload"]["alert_id"])
        assert refused["code"] == "forbidden"
        ack = await client.call("alert.ack", alert_id=opened["payload"]["alert_id"])
        assert ack["result"]["state"] == "acknowledged"
        assert (await client.next_event("alert.updated"))["payload"]["by"] == "王磊"
        await client.mutate("followup.log", lead_id=lead_id, kind="call")
        resolved = await client.next_event("alert.updated")
        assert resolved["payload"]["state"] == "resolved"
        for c in (client, stranger):
            await c.close()
