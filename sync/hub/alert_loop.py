"""The hub's alert sweep: every minute (and on demand) the rules run over stored state, new alerts are
opened and stale ones resolved, and the events go out. Timing lives here; the rules in models/."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from models.alert_store import sweep
from models.db import write_transaction
from models.events import append_events
from models.floor_result import FloorChange
from models.suggestions import Suggestions, load_suggestions
from sync.hub.core import Hub

log = logging.getLogger("salesfloor.hub.alerts")


class AlertSweeper:
    """Runs `models.alert_store.sweep` on the hub's database worker and publishes what changed."""

    def __init__(self, hub: Hub, suggestions: Suggestions | None = None, every_s: float = 60.0):
        """Bind to a hub; `every_s` is the sweep interval."""
        self.hub = hub
        self.suggestions = suggestions or load_suggestions()
        self.every_s = every_s
        self._task: asyncio.Task | None = None

    def _sweep(self) -> FloorChange:
        registry = self.hub.registry
        with write_transaction(registry.engine) as conn:
            now = registry.clock.now()
            pending = sweep(conn, registry.rules.alerts, self.suggestions, now)
            return FloorChange(append_events(conn, pending, now))

    async def run_once(self) -> FloorChange:
        """One sweep now (tests, and right after start so a restarted hub catches up)."""
        change = await self.hub.db(self._sweep)
        self.hub.publish(change)
        return change

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:
                log.exception("alert sweep failed; trying again at the next interval")
            await asyncio.sleep(self.every_s)

    def start(self) -> None:
        """Sweep now and then every interval."""
        self._task = asyncio.create_task(self._loop(), name="alert-sweep")

    async def stop(self) -> None:
        """Stop sweeping."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
