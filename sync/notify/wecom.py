"""WeCom group robot (企业微信群机器人): yellow alerts to the owning consultant only.

A message @-mentions the owner by their own mobile (`mentioned_mobile_list`) and carries nothing
personal about the customer beyond the masked name already in the suggestion. At most `per_minute`
messages per robot per minute (WeCom allows 20): the rest wait, never dropped. Transient errors
(errcode -1 "system busy", 45009 "too frequent", network) are retried with backoff; a permanent one
(an unknown or revoked robot key) marks the message failed and tells the managers.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import aiohttp

from models.clock import Clock
from models.db import write_transaction
from models.events import Event, PendingEvent, append_events
from models.notify_store import MAX_ATTEMPTS, Outgoing, due, mark_failed, mark_sent, postpone, retry_delay
from models.privacy import redact
from models.staff import staff_mobile

log = logging.getLogger("salesfloor.notify.wecom")
TRANSIENT = {-1, 45009, 45033}  # system busy, API frequency limit, too many concurrent calls
WINDOW = timedelta(minutes=1)


@dataclass
class RateWindow:
    """Sliding one-minute window of send times for one robot."""

    per_minute: int = 20
    sent: deque = field(default_factory=deque)

    def next_free(self, now: datetime) -> datetime | None:
        """None if a message may go now, else when the window has room again."""
        while self.sent and self.sent[0] <= now - WINDOW:
            self.sent.popleft()
        if len(self.sent) < self.per_minute:
            return None
        return self.sent[0] + WINDOW

    def record(self, now: datetime) -> None:
        """A message went out."""
        self.sent.append(now)


class WeComSender:
    """Drains the queue of WeCom messages through each robot's rate window."""

    def __init__(self, registry, robots: dict[str, str], clock: Clock | None = None, per_minute: int = 20):
        """`robots` maps a target name to its webhook URL (configuration, never logged)."""
        self.registry = registry
        self.robots = robots
        self.clock = clock or registry.clock
        self.per_minute = per_minute
        self.windows: dict[str, RateWindow] = {}

    def _due(self) -> list[Outgoing]:
        with self.registry.engine.connect() as conn:
            return due(conn, "wecom", self.clock.now())

    def body(self, note: Outgoing) -> dict:
        """The robot message: the suggestion text, @-mentioning the owner's own mobile."""
        mobile = None
        if note.payload.get("owner_id"):
            with self.registry.engine.connect() as conn:
                mobile = staff_mobile(conn, self.registry.vault, note.payload["owner_id"])
        text = {"content": f"【二级预警】{note.payload['text']}"}
        if mobile:
            text["mentioned_mobile_list"] = [mobile.removeprefix("+86")]
        return {"msgtype": "text", "text": text}

    async def deliver_due(self, http: aiohttp.ClientSession, db=None) -> list[Event]:
        """One pass over what is due; returns events for the managers about permanent failures."""
        run = db or (lambda fn, *a: _direct(fn, *a))
        problems: list[Event] = []
        for note in await run(self._due):
            now = self.clock.now()
            window = self.windows.setdefault(note.target, RateWindow(self.per_minute))
            wait = window.next_free(now)
            if wait is not None:
                await run(self._postpone, note.id, wait, "", False)
                continue
            url = self.robots.get(note.target)
            if not url:
                problems += await run(self._fail, note, f"no WeCom robot configured for {note.target!r}")
                continue
            body = await run(self.body, note)
            window.record(now)
            outcome = await self._post(http, url, body)
            if outcome is None:
                await run(self._sent, note.id)
            elif outcome[0] == "retry" and note.attempts + 1 < MAX_ATTEMPTS:
                await run(self._postpone, note.id, now + retry_delay(note.attempts), outcome[1], True)
            else:
                problems += await run(self._fail, note, outcome[1])
        return problems

    async def _post(self, http: aiohttp.ClientSession, url: str, body: dict) -> tuple[str, str] | None:
        """None when WeCom took it; else ('retry' | 'fail', reason)."""
        try:
            async with http.post(url, json=body, timeout=aiohttp.ClientTimeout(total=10)) as resp:
                if resp.status >= 500:
                    return "retry", f"HTTP {resp.status}"
                answer = await resp.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            return "retry", f"network: {type(exc).__name__}"
        code = answer.get("errcode", 0) if isinstance(answer, dict) else -1
        if code == 0:
            return None
        reason = f"errcode {code}: {redact(str(answer.get('errmsg', '')))[:200]}"
        return ("retry" if code in TRANSIENT else "fail"), reason

    def _sent(self, note_id: int) -> None:
        with write_transaction(self.registry.engine) as conn:
            mark_sent(conn, note_id, self.clock.now())

    def _postpone(self, note_id: int, until: datetime, error: str, count: bool) -> None:
        with write_transaction(self.registry.engine) as conn:
            postpone(conn, note_id, until, error, count)

    def _fail(self, note: Outgoing, reason: str):
        log.warning("WeCom message #%s failed for good: %s", note.id, reason)
        with write_transaction(self.registry.engine) as conn:
            now = self.clock.now()
            mark_failed(conn, note.id, reason, now)
            payload = {"notification_id": note.id, "channel": "wecom", "target": note.target, "reason": reason}
            return append_events(conn, [PendingEvent("notify.failed", payload)], now)


async def _direct(fn, *args):
    """Run a blocking call inline (tests without a hub's database worker)."""
    return fn(*args)
