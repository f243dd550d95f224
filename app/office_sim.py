"""The demo office's simulated world, on the hub's event loop: channels posting signed webhooks,
visitors at the front desk, customers browsing, and consultants answering and grabbing leads.

Everything goes through the real interfaces — webhooks over HTTP with their signatures, the
reception desk's own sync engine, the floor's follow-up and claim operations — so what the windows
show is what an office would see. A lead someone answered on a desk is not answered again here.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import aiohttp
import sqlalchemy as sa

from models.clock import Clock
from models.hub_schema import lead_dispatch
from models.office_traffic import Arrival, grab_delay_s, response_delay_s
from models.staff import StaffMember, list_staff
from sync.hub.server import RunningHub
from sync.hub.signatures import body_signature, douyin_signature, ts_nonce_signature

log = logging.getLogger("salesfloor.office")
NOTES = (
    "电话沟通，约周六看房",
    "微信发了户型图和价格单",
    "客户关注学区，已介绍",
    "已加微信，明天回访",
    "客户在比较竞品，约到访",
)
KINDS = ("call", "call", "wechat", "call", "wechat")


@dataclass
class Figures:
    """What the control window shows of the simulation so far."""

    posted: int = 0
    visits: int = 0
    behaviour: int = 0
    answered: int = 0
    claims: int = 0
    refused: int = 0
    errors: list[str] = field(default_factory=list)


def signed_request(source: str, secret: str, body: dict, message_id: str, now: datetime) -> tuple[bytes, dict]:
    """The bytes and headers a real channel sends (its signature scheme, its message id header)."""
    raw = json.dumps(body, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json"}
    if source == "douyin":
        headers |= {"X-Douyin-Signature": douyin_signature(secret, raw), "Msg-Id": message_id}
    elif source == "mini_program":
        ts, nonce = str(int(now.timestamp())), message_id[-16:]
        headers |= {"X-Timestamp": ts, "X-Nonce": nonce, "X-Signature": ts_nonce_signature(secret, ts, nonce, raw)}
    else:
        headers |= {"X-Signature": body_signature(secret, raw), "X-Request-Id": message_id}
    return raw, headers


class OfficeWorld:
    """Traffic in, consultants at work; runs as tasks on the hub's loop until stopped."""

    def __init__(
        self,
        running: RunningHub,
        secrets: dict[str, str],
        clock: Clock,
        arrivals: list[Arrival],
        register_visit: Callable[[dict], None],
        speed: float = 1.0,
        seed: int = 7,
    ):
        """`register_visit` hands a walk-in to the reception desk; `speed` compresses the run's seconds."""
        self.running = running
        self.hub = running.hub
        self.secrets = secrets
        self.clock = clock
        self.arrivals = arrivals
        self.register_visit = register_visit
        self.speed = speed
        self.rng = random.Random(seed)
        self.figures = Figures()
        self._answer_at: dict[int, datetime | None] = {}
        self._claiming: set[int] = set()
        self._tasks: list[asyncio.Task] = []
        self.started_at = clock.now()

    def start(self) -> None:
        """Start traffic and the consultants (call on the hub's loop)."""
        self.started_at = self.clock.now()
        self._tasks = [
            asyncio.create_task(self._traffic(), name="office-traffic"),
            asyncio.create_task(self._consultants(), name="office-consultants"),
        ]

    async def stop(self) -> None:
        """Stop every task."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def traffic_done(self) -> bool:
        """Every arrival has been sent (False until the world has started on the hub's loop)."""
        return bool(self._tasks) and self._tasks[0].done()

    # --- traffic -------------------------------------------------------------------------------------

    async def _traffic(self) -> None:
        loop = asyncio.get_running_loop()
        started = loop.time()
        async with aiohttp.ClientSession() as http:
            for arrival in self.arrivals:
                await asyncio.sleep(max(0.0, started + arrival.at_s / self.speed - loop.time()))
                try:
                    await self._send(http, arrival)
                except (aiohttp.ClientError, OSError) as exc:
                    self.figures.errors.append(f"{arrival.message_id}: {exc}")

    async def _send(self, http: aiohttp.ClientSession, arrival: Arrival) -> None:
        source, body = arrival.source_and_body(self.clock.now())
        if source == "reception":
            self.register_visit(body)
            self.figures.visits += 1
            return
        path = "events" if arrival.kind == "behaviour" else "webhooks"
        raw, headers = signed_request(source, self.secrets[source], body, arrival.message_id, self.clock.now())
        async with http.post(f"{self.running.http_url}/{path}/{source}", data=raw, headers=headers) as resp:
            if resp.status >= 300:
                self.figures.errors.append(f"{arrival.message_id}: HTTP {resp.status} {await resp.text()}")
            elif path == "events":
                self.figures.behaviour += 1
            else:
                self.figures.posted += 1

    # --- consultants ---------------------------------------------------------------------------------

    async def _consultants(self) -> None:
        """Every half second: claim offered leads, answer assigned ones when their moment comes."""
        while True:
            try:
                await self._work()
            except Exception:
                log.exception("the simulated consultants stumbled; going on")
            await asyncio.sleep(0.5)

    def _waiting(self) -> tuple[list[tuple[int, int]], dict[int, StaffMember]]:
        """(lead, consultant) assigned and not answered yet; the staff by id."""
        with self.hub.registry.engine.connect() as conn:
            q = sa.select(lead_dispatch.c.lead_id, lead_dispatch.c.consultant_id).where(
                lead_dispatch.c.state == "assigned",
                lead_dispatch.c.first_follow_up_at.is_(None),
                lead_dispatch.c.created_at >= self.started_at,  # the past stays as it was
            )
            waiting = [(r.lead_id, r.consultant_id) for r in conn.execute(q)]
            people = {m.id: m for m in list_staff(conn)}
        return waiting, people

    async def _work(self) -> None:
        waiting, people = await self.hub.db(self._waiting)
        now = self.clock.now()
        for round_id, _deadline, offered in await self.hub.db(self.hub.floor.open_rounds):
            if round_id not in self._claiming and offered:
                self._claiming.add(round_id)
                who = people.get(self.rng.choice(list(offered)))
                if who is not None:
                    task = asyncio.create_task(self._claim(round_id, who, grab_delay_s(self.rng) / self.speed))
                    self._tasks.append(task)
        for lead_id, consultant_id in waiting:
            if lead_id not in self._answer_at:
                delay = response_delay_s(self.rng)
                self._answer_at[lead_id] = None if delay is None else now + timedelta(seconds=delay)
            due = self._answer_at[lead_id]
            member = people.get(consultant_id)
            if due is None or due > now or member is None:
                continue
            self._answer_at[lead_id] = None  # once
            await self._answer(member, lead_id)

    async def _claim(self, round_id: int, member: StaffMember, after_s: float) -> None:
        await asyncio.sleep(after_s)
        with contextlib.suppress(Exception):  # a desk's human may have been quicker: that is the point
            result = await self.hub.claim(round_id, member)
            if result.get("won"):
                self.figures.claims += 1

    async def _answer(self, member: StaffMember, lead_id: int) -> None:
        k = self.rng.randrange(len(NOTES))
        try:
            change = await self.hub.db(self.hub.floor.log_follow_up, member, lead_id, KINDS[k], NOTES[k])
        except ValueError:  # reassigned or answered meanwhile
            self.figures.refused += 1
            return
        self.hub.publish(change)
        self.figures.answered += 1
