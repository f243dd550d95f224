"""A large snapshot goes in pages (each drained before the next); the desk applies them as one reset."""

from __future__ import annotations

import asyncio

import pytest

import sync.hub.core as hub_core
from models.leads import LeadIn
from sync.client.engine import SyncEngine
from tests.clientkit import Recorder, online, settings
from tests.hubkit import enrolled, open_client, running_hub
from tests.test_client_sync import stopped

pytestmark = pytest.mark.asyncio


async def test_snapshot_pages_reach_the_desk_as_one_reset(registry, clock, tmp_path, monkeypatch):
    monkeypatch.setattr(hub_core, "SNAPSHOT_PAGE", 2)
    async with running_hub(registry) as hub:
        await enrolled(hub, "王磊", "consultant", status="on_duty")
        _, boss = await enrolled(hub, "张经理", "manager")
        batch = [
            LeadIn("douyin", f"m{i}", "douyin", "online_lead", clock.now(), f"客户{i}", [("mobile", f"1391234{i:04d}")])
            for i in range(5)
        ]
        hub.hub.publish(await hub.hub.db(hub.hub.floor.intake, batch, "test"))
        raw = await open_client(hub, boss, "raw")
        await raw.call("subscribe", since=0)
        assert [(p["page"], p["more"], len(p["leads"])) for p in raw.snapshots] == [
            (0, True, 2),
            (1, True, 2),
            (2, False, 1),
        ]
        assert "staff" in raw.snapshots[0] and "staff" not in raw.snapshots[1]
        await raw.close()
        rec = Recorder(asyncio.get_running_loop())
        engine = SyncEngine(settings(tmp_path, hub.ws_url, boss, "pc-boss"), rec, clock)
        engine.start()
        try:
            await rec.until(online, what="online")
            await rec.until(lambda v: len(v.leads) == 5, what="all five leads")
            resets = [c for c in rec.changes if c.reset and c.leads]
            assert len(resets) == 1 and len(resets[0].leads) == 5
            assert all(row.consultant_name == "王磊" for row in rec.view.leads.values())
        finally:
            await stopped(engine)
