"""WeCom robot delivery against a local HTTP server standing in for WeCom (the real one is unreachable)."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
import pytest
import pytest_asyncio
import sqlalchemy as sa
from aiohttp import web

from models.db import write_transaction
from models.hub_schema import notifications
from models.staff import add_staff
from sync.notify.wecom import WeComSender

pytestmark = pytest.mark.asyncio


class FakeWeCom:
    """Answers like qyapi.weixin.qq.com's robot webhook; scripted error codes per call."""

    def __init__(self):
        """No calls yet."""
        self.calls: list[dict] = []
        self.script: list[int] = []

    async def send(self, request: web.Request) -> web.Response:
        """Record the message; answer the next scripted errcode (0 when none)."""
        if request.query.get("key") != "good-key":
            return web.json_response({"errcode": 93000, "errmsg": "invalid webhook url"})
        self.calls.append(await request.json())
        code = self.script.pop(0) if self.script else 0
        return web.json_response({"errcode": code, "errmsg": "ok" if code == 0 else "system busy"})


@pytest_asyncio.fixture
async def wecom():
    """The stand-in server on a free port."""
    fake = FakeWeCom()
    app = web.Application()
    app.router.add_post("/cgi-bin/webhook/send", fake.send)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    fake.url = f"http://127.0.0.1:{runner.addresses[0][1]}/cgi-bin/webhook/send"
    yield fake
    await runner.cleanup()


def queue(registry, owner: int | None, n: int, target: str = "default") -> None:
    """N yellow-alert messages for an owner."""
    now = registry.clock.now()
    with write_transaction(registry.engine) as conn:
        conn.execute(
            notifications.insert(),
            [
                {
                    "channel": "wecom",
                    "target": target,
                    "payload": {"owner_id": owner, "text": f"李*客户-浏览价格表{i}分钟"},
                    "state": "queued",
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for i in range(n)
            ],
        )


def states(registry) -> dict[str, int]:
    with registry.engine.connect() as conn:
        rows = conn.execute(sa.select(notifications.c.state, sa.func.count()).group_by(notifications.c.state)).all()
    return dict(rows)


async def test_thirty_in_a_minute_send_twenty_then_the_rest_next_minute(registry, clock, wecom):
    with write_transaction(registry.engine) as conn:
        wang = add_staff(conn, registry.vault, "王磊", "consultant", clock.now(), mobile="13800138000")[0]
    queue(registry, wang.id, 30)
    sender = WeComSender(registry, {"default": wecom.url + "?key=good-key"})
    async with aiohttp.ClientSession() as http:
        await sender.deliver_due(http)
        assert len(wecom.calls) == 20 and states(registry) == {"sent": 20, "queued": 10}
        clock.advance(seconds=59)
        await sender.deliver_due(http)
        assert len(wecom.calls) == 20  # still inside the minute: nothing more, nothing dropped
        clock.advance(seconds=1)
        await sender.deliver_due(http)
    assert len(wecom.calls) == 30 and states(registry) == {"sent": 30}
    first = wecom.calls[0]
    assert first["msgtype"] == "text" and first["text"]["mentioned_mobile_list"] == ["13800138000"]
    assert "李*" in first["text"]["content"]


async def test_system_busy_is_retried_and_an_invalid_key_is_surfaced(registry, clock, wecom):
    queue(registry, None, 1)
    wecom.script = [-1]
    sender = WeComSender(registry, {"default": wecom.url + "?key=good-key", "old": wecom.url + "?key=revoked"})
    async with aiohttp.ClientSession() as http:
        assert await sender.deliver_due(http) == []
        assert states(registry) == {"queued": 1}
        clock.advance(seconds=10)
        await sender.deliver_due(http)
        assert states(registry) == {"sent": 1} and len(wecom.calls) == 2
        queue(registry, None, 1, target="old")
        [event] = await sender.deliver_due(http)
    assert event.type == "notify.failed" and "93000" in event.payload["reason"]
    assert states(registry) == {"sent": 1, "failed": 1}


async def test_network_failure_waits_and_retries(registry, clock):
    queue(registry, None, 1)
    sender = WeComSender(registry, {"default": "http://127.0.0.1:9/cgi-bin/webhook/send?key=k"})
    async with aiohttp.ClientSession() as http:
        assert await sender.deliver_due(http) == []
    with registry.engine.connect() as conn:
        row = conn.execute(sa.select(notifications)).first()
    assert row.state == "queued" and row.attempts == 1 and "network" in row.last_error
    assert row.next_attempt_at > clock.now() + timedelta(seconds=5)
