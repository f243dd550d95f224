"""Alerts reach the desk's engine: opened, acknowledged, resolved, and present after a fresh snapshot."""

from __future__ import annotations

import asyncio

import pytest

from models.leads import LeadIn
from sync.client.engine import SyncEngine
from sync.hub.alert_loop import AlertSweeper
from tests.clientkit import Recorder, online, settings
from tests.hubkit import enrolled, running_hub
from tests.test_client_sync import stopped

pytestmark = pytest.mark.asyncio


async def test_alerts_flow_into_the_desk_and_survive_a_fresh_replica(registry, clock, tmp_path):
    async with running_hub(registry) as hub:
        wang, token = await enrolled(hub, "王磊", "consultant", status="on_duty")
        lead = LeadIn("douyin", "m1", "douyin", "online_lead", clock.now(), "李敏", [("mobile", "13812345678")])
        change = await hub.hub.db(hub.hub.floor.intake, [lead], "test")
        hub.hub.publish(change)
        lead_id = change.result["leads"][0]["lead_id"]
        rec = Recorder(asyncio.get_running_loop())
        engine = SyncEngine(settings(tmp_path, hub.ws_url, token, "pc-wang"), rec, clock)
        engine.start()
        try:
            await rec.until(online, what="online")
            clock.advance(hours=49)
            await AlertSweeper(hub.hub).run_once()
            alert = await rec.until(lambda v: next(iter(v.alerts.values()), None), what="the red alert")
            assert alert.level == "red" and alert.owner_id == wang and alert.name_masked == "李*"
            assert alert.suggestion.startswith("李*客户")
            fresh = Recorder(asyncio.get_running_loop())
            second = SyncEngine(settings(tmp_path, hub.ws_url, token, "pc-wang-2", name="r2.db"), fresh, clock)
            second.start()
            try:
                again = await fresh.until(lambda v: v.alerts.get(alert.alert_id), what="alert in the snapshot")
                assert again.state == "open"
            finally:
                await stopped(second)
            engine.submit("followup.log", {"lead_id": lead_id, "kind": "call", "note": ""})
            done = await rec.until(lambda v: v.alerts[alert.alert_id].state == "resolved" and v.alerts[alert.alert_id])
            assert done.by == "王磊"
        finally:
            await stopped(engine)
