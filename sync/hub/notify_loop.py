"""The hub's notification loop: every few seconds, send what is due (WeCom robots, e-mail)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import aiohttp

from sync.hub.core import Hub
from sync.notify.email import EmailSender
from sync.notify.wecom import WeComSender

log = logging.getLogger("salesfloor.hub.notify")


class NotifyLoop:
    """Drains the notification queue; permanent failures become events the managers see."""

    def __init__(self, hub: Hub, every_s: float = 3.0):
        """Robots and rate come from the hub configuration."""
        self.hub = hub
        self.every_s = every_s
        self.wecom = WeComSender(hub.registry, hub.config.wecom_robots, per_minute=hub.config.wecom_per_minute)
        self.email = EmailSender(hub.registry, hub.config.smtp)
        self._task: asyncio.Task | None = None

    async def run_once(self, http: aiohttp.ClientSession) -> None:
        """One pass over due messages."""
        problems = await self.wecom.deliver_due(http, db=self.hub.db)
        problems += await self.email.deliver_due(db=self.hub.db)
        self.hub.publish(problems)

    async def _loop(self) -> None:
        async with aiohttp.ClientSession() as http:
            while True:
                try:
                    await self.run_once(http)
                except Exception:
                    log.exception("sending notifications failed; trying again shortly")
                await asyncio.sleep(self.every_s)

    def start(self) -> None:
        """Start sending."""
        self._task = asyncio.create_task(self._loop(), name="notify")

    async def stop(self) -> None:
        """Stop sending (queued messages wait in the database)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
