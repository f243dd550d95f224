"""Hub benchmarks: a webhook lead reaching its consultant's screen, the grab pool under 300 claimants, memory.

The hub runs in a process of its own (`python -m bench.hub DB`: timers on, the real clock, SQLite in
a temp dir), as it does in an office. The staff clients, the channel posting leads and every
stopwatch live in this process on one event loop, so lead and claim latencies are read from one
`time.perf_counter`. The floor (bench/ws_floor.py) is a bare `websockets` server in a third
process broadcasting as many bytes to as many clients.

Figures: `lead_to_client_ms_p50/p99` (signed Douyin POST to the assigned consultant's `lead.assigned`,
floor p50/p99 as baseline), `claim_single_winner_share` and `claim_ms_p99` (every consultant sends
`grab.claim` for the same round at once), `hub_rss_mb` and `kib_per_connection` (VmRSS of the hub).
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import gc
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import numpy as np
import sqlalchemy as sa
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from bench.common import bench_vault, figure, fresh_sqlite, progress
from bench.ws_floor import close_all, from_parent, measure_floor, start_child, stop_child, to_parent
from models.clock import SystemClock
from models.db import make_engine, sqlite_url, write_transaction
from models.dispatch import OfficeCalendar
from models.hub_schema import assignments, grab_rounds
from models.registry import CustomerRegistry
from models.rules import ProjectRules, load_rules
from models.staff import add_staff, enroll, set_status
from sync.hub.config import HubConfig
from sync.hub.server import start_hub
from sync.hub.signatures import douyin_signature
from sync.protocol import PROTOCOL_VERSION

SIZES = {True: (15, 1000), False: (60, 10_000)}  # (seconds of leads, grab rounds)
CONSULTANTS, MANAGERS = 300, 4  # every consultant claims; managers cannot, they watch the whole floor
LEAD_RATE = 50  # leads per second from Douyin
WARM_UP = 20  # leads posted before anything is timed (statement caches, first connections)
FLOOR_RATE, FLOOR_SECONDS = 10, {True: 3, False: 15}  # bare broadcasts per second, and for how long
SECRET = "bench-douyin-secret"  # not a secret: the channel and the hub are both ours here
KEEPALIVE_S = 30.0  # each client pings this often (staggered), as a desktop client does


@dataclass(frozen=True)
class Staffer:
    """An enrolled person and their bearer token."""

    id: int
    role: str
    token: str


def bench_rules() -> ProjectRules:
    """The project rules with every day an auto-assign day (the lead figure measures dispatch, not the pool)."""
    return replace(load_rules(), calendar=OfficeCalendar(auto_assign_weekdays=frozenset(range(1, 8))))


def rss_kib(pid: int) -> int:
    """A process's resident set size (VmRSS) in KiB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile_ms(seconds, q: float) -> float:
    """A percentile of durations given in seconds, in milliseconds."""
    return float(np.percentile(np.asarray(seconds) * 1000.0, q)) if len(seconds) else float("nan")


def settle_heap() -> None:
    """Collect, then freeze what is alive, before a timed phase in this process (never the hub's).

    This process stands in for 300 desktops; a full collection over its heap (about 100 ms) is not
    something any one desktop would see, so it is kept out of the stopwatches.
    """
    gc.collect()
    gc.freeze()


# --- the hub process ------------------------------------------------------------------------------


async def serve_hub(db_path: str) -> None:
    """The child (`python -m bench.hub DB`): a real hub on the bench database until the parent says stop."""
    registry = CustomerRegistry(make_engine(sqlite_url(db_path)), bench_vault(), bench_rules(), SystemClock())
    config = HubConfig(ws_port=0, http_port=0, secrets={"douyin": SECRET})
    running = await start_hub(registry, config, timers=True)
    to_parent({"ws_url": running.ws_url, "http_url": running.http_url})
    await from_parent()
    await running.stop()
    registry.engine.dispose()


# --- clients --------------------------------------------------------------------------------------


class Arrivals(dict):
    """Lead id -> (perf_counter, message bytes) of its lead.assigned at its consultant; wakes waiters."""

    def __init__(self) -> None:
        """Empty, with an event set on every arrival."""
        super().__init__()
        self.changed = asyncio.Event()

    def add(self, lead_id: int, at: float, size: int) -> None:
        """Record one arrival."""
        self[lead_id] = (at, size)
        self.changed.set()

    async def wait_all(self, lead_ids: list[int], timeout: float) -> None:
        """Until every one of these leads has arrived, or the timeout is up."""
        deadline = asyncio.get_running_loop().time() + timeout
        while any(i not in self for i in lead_ids):
            self.changed.clear()
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), remaining)


@dataclass(eq=False)
class StaffClient:
    """One staff member's desktop connection: replies by id, arrivals of their own lead.assigned stamped."""

    ws: ClientConnection
    staff_id: int
    arrivals: Arrivals  # shared by all clients
    next_id: int = 0
    waiting: dict[int, asyncio.Future] = field(default_factory=dict)

    async def read(self) -> None:
        """Read until the socket closes; stamp first, parse after."""
        try:
            async for raw in self.ws:
                now = time.perf_counter()
                if raw.startswith('{"type":"event"') and raw.find('"event":"lead.assigned"', 0, 120) < 0:
                    continue  # an event nobody here times (grab.claimed to all 300, lead.created): not parsed
                msg = json.loads(raw)
                if msg["type"] == "event":
                    payload = msg["payload"]
                    if msg["event"] == "lead.assigned" and payload["consultant_id"] == self.staff_id:
                        self.arrivals.add(payload["lead"]["lead_id"], now, len(raw.encode()))
                elif (future := self.waiting.pop(msg.get("id"), None)) is not None:
                    future.set_result((now, msg))
        except ConnectionClosed:
            pass

    async def request(self, type_: str, **fields: Any) -> tuple[float, asyncio.Future]:
        """Send one message; returns when it was sent and the future of (reply time, reply)."""
        self.next_id += 1
        future = asyncio.get_running_loop().create_future()
        self.waiting[self.next_id] = future
        started = time.perf_counter()
        await self.ws.send(json.dumps({"id": self.next_id, "type": type_, **fields}))
        return started, future

    async def call(self, type_: str, **fields: Any) -> dict:
        """Send one message and wait for its reply."""
        _, future = await self.request(type_, **fields)
        return (await asyncio.wait_for(future, 30))[1]


async def open_clients(ws_url: str, people: list[Staffer], arrivals: Arrivals) -> tuple[list[StaffClient], list]:
    """Connect everyone with their bearer token, say hello and subscribe from the hub's current seq."""

    async def one(p: Staffer) -> StaffClient:
        ws = await connect(ws_url, additional_headers={"Authorization": f"Bearer {p.token}"}, compression=None)
        client = StaffClient(ws, p.id, arrivals)
        readers.append(asyncio.create_task(client.read()))
        hello = await client.call("hello", protocol=PROTOCOL_VERSION, client_id=f"bench-{p.id}")
        reply = await client.call("subscribe", since=hello["result"]["seq"])
        assert reply["type"] == "result", reply
        return client

    readers: list[asyncio.Task] = []
    clients: list[StaffClient] = []
    for i in range(0, len(people), 50):  # batches: the listen backlog is 100
        clients += await asyncio.gather(*(one(p) for p in people[i : i + 50]))
    return clients, readers


async def keepalive(clients: list[StaffClient], stop: asyncio.Event) -> None:
    """Each client sends an application ping every KEEPALIVE_S, staggered; ends when stop is set."""
    gap = KEEPALIVE_S / len(clients)
    for _ in range(200):  # at most 200 cycles (100 minutes)
        for c in clients:
            try:
                await asyncio.wait_for(stop.wait(), gap)
                return
            except TimeoutError:
                await c.request("ping")


# --- phases ---------------------------------------------------------------------------------------


def enroll_staff(engine: sa.Engine) -> list[Staffer]:
    """Consultants on duty and a few managers, each with a bearer token (through models.staff)."""
    vault, now, out = bench_vault(), SystemClock().now(), []
    with write_transaction(engine) as conn:
        for i in range(CONSULTANTS + MANAGERS):
            role = "consultant" if i < CONSULTANTS else "manager"
            member, code = add_staff(conn, vault, f"{'顾问' if i < CONSULTANTS else '经理'}{i:03d}", role, now)
            _, token = enroll(conn, code, "bench", now)
            if role == "consultant":
                set_status(conn, member.id, "on_duty", now)
            out.append(Staffer(member.id, role, token))
    return out


def douyin_leads(first: int, n: int) -> list[tuple[bytes, dict[str, str]]]:
    """Signed Douyin pushes of n distinct people, prepared before any clock starts."""
    out = []
    for i in range(first, first + n):
        content = {
            "clue_id": f"bench-{i}",
            "telephone": f"139{i:08d}",
            "open_id": f"dy_bench_{i}",
            "name": f"客户{i}",
            "create_time": int(time.time()),
        }
        raw = json.dumps({"event": "clue.create", "client_key": "bench", "content": json.dumps(content)}).encode()
        headers = {"Content-Type": "application/json", "X-Douyin-Signature": douyin_signature(SECRET, raw)}
        out.append((raw, {**headers, "Msg-Id": f"bench-{i}"}))
    return out


async def post_leads(http_url: str, leads: list, rate: float) -> list[tuple[int, float, float]]:
    """POST leads paced at `rate` per second, each without waiting for the last; (lead id, start, answered)."""

    async def one(raw: bytes, headers: dict[str, str]) -> tuple[int, float, float]:
        started = time.perf_counter()
        async with session.post(http_url + "/webhooks/douyin", data=raw, headers=headers) as resp:
            body = await resp.json()
        if resp.status != 200:
            raise RuntimeError(f"webhook answered {resp.status}: {body}")
        return body["lead_id"], started, time.perf_counter()

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200)) as session:
        tasks, t0 = [], time.perf_counter()
        for i, (raw, headers) in enumerate(leads):
            await asyncio.sleep(max(0.0, t0 + i / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(one(raw, headers)))
        return await asyncio.gather(*tasks)


def open_rounds(engine: sa.Engine, lead_id: int, offered: list[int], n: int) -> list[int]:
    """n open grab rounds of one lead offered to every consultant, inserted in bulk (deadline: tomorrow)."""
    now = SystemClock().now()
    row = {"lead_id": lead_id, "attempt": 1, "offered": offered, "opened_at": now, "deadline": now + timedelta(days=1)}
    with write_transaction(engine) as conn:
        first = conn.execute(sa.select(sa.func.coalesce(sa.func.max(grab_rounds.c.id), 0))).scalar_one()
        conn.execute(grab_rounds.insert(), [{**row, "status": "open"} for _ in range(n)])
        q = sa.select(grab_rounds.c.id).where(grab_rounds.c.id > first).order_by(grab_rounds.c.id)
        return list(conn.execute(q).scalars())


async def claim_rounds(consultants: list[StaffClient], rounds: list[int]) -> tuple[int, array.array]:
    """Every consultant sends grab.claim for each round at once; (rounds with one winner, claim seconds)."""
    rng, single, seconds = random.Random(7), 0, array.array("d")
    for n, round_id in enumerate(rounds):
        order = consultants[:]
        rng.shuffle(order)
        sent = [await c.request("grab.claim", round_id=round_id) for c in order]
        replies = await asyncio.wait_for(asyncio.gather(*(f for _, f in sent)), 60)
        results = [msg.get("result") or {} for _, msg in replies]
        winners = {r.get("winner_id") for r in results}
        if sum(bool(r.get("won")) for r in results) == 1 and len(winners) == 1 and None not in winners:
            single += 1
        seconds.extend(at - started for (started, _), (at, _) in zip(sent, replies, strict=True))
        if (n + 1) % max(1, len(rounds) // 10) == 0:
            progress(f"hub: {n + 1}/{len(rounds)} rounds claimed")
    return single, seconds


def grab_wins(engine: sa.Engine, rounds: list[int]) -> tuple[int, int]:
    """Of these rounds: how many the database holds as claimed, and the grab assignments written."""
    with engine.connect() as conn:
        claimed = conn.execute(
            sa.select(sa.func.count()).where(grab_rounds.c.id.in_(rounds), grab_rounds.c.status == "claimed")
        ).scalar_one()
        grabs = conn.execute(sa.select(sa.func.count()).where(assignments.c.how == "grab")).scalar_one()
    return claimed, grabs


async def measure(folder: Path, quick: bool) -> list[dict[str, Any]]:
    """Every hub figure in one run: hub process up, clients connected, leads, floor, claims."""
    seconds, n_rounds = SIZES[quick]
    engine = fresh_sqlite(folder, "hub")
    people = enroll_staff(engine)
    proc, ready = await start_child("bench.hub", str(folder / "hub.db"))
    ws_url, http_url = ready["ws_url"], ready["http_url"]
    clients: list[StaffClient] = []
    readers: list[asyncio.Task] = []
    stop = asyncio.Event()
    pinger: asyncio.Task | None = None
    try:
        warm = await post_leads(http_url, douyin_leads(0, WARM_UP), LEAD_RATE)
        rss_before = rss_kib(proc.pid)
        arrivals = Arrivals()
        progress(f"hub: connecting {len(people)} staff clients (Bearer, hello, subscribe)")
        clients, readers = await open_clients(ws_url, people, arrivals)
        rss_connected = rss_kib(proc.pid)
        settle_heap()
        pinger = asyncio.create_task(keepalive(clients, stop))

        n_leads = LEAD_RATE * seconds
        progress(f"hub: posting {n_leads} signed Douyin leads at {LEAD_RATE}/s")
        posted = await post_leads(http_url, douyin_leads(WARM_UP, n_leads), LEAD_RATE)
        await arrivals.wait_all([lead for lead, _, _ in posted], 10.0)
        lead_s = [arrivals[lead][0] - started for lead, started, _ in posted if lead in arrivals]
        webhook_s = [answered - started for _, started, answered in posted]
        size = int(np.median([arrivals[lead][1] for lead, _, _ in posted if lead in arrivals]))

        settle_heap()
        floor_s, floor_first_s = await measure_floor(size, len(clients), FLOOR_RATE, FLOOR_SECONDS[quick])

        consultants = [c for c, p in zip(clients, people, strict=True) if p.role == "consultant"]
        rounds = open_rounds(engine, warm[0][0], [c.staff_id for c in consultants], n_rounds)
        progress(f"hub: {n_rounds} grab rounds, {len(consultants)} claimants each over the websocket")
        settle_heap()
        started, hub_cpu, own_cpu = time.perf_counter(), cpu_s(proc.pid), cpu_s(os.getpid())
        single, claim_s = await claim_rounds(consultants, rounds)
        claim_wall = time.perf_counter() - started
        hub_cpu, own_cpu = cpu_s(proc.pid) - hub_cpu, cpu_s(os.getpid()) - own_cpu
        claimed, grabs = grab_wins(engine, rounds)
        rss_after = rss_kib(proc.pid)
    finally:
        stop.set()
        if pinger is not None:
            await pinger
        await close_all([c.ws for c in clients], readers)
        await stop_child(proc)
        engine.dispose()
        gc.unfreeze()

    p50, p99 = percentile_ms(lead_s, 50), percentile_ms(lead_s, 99)
    f50, f99 = percentile_ms(floor_s, 50), percentile_ms(floor_s, 99)
    sizes = {"leads": n_leads, "rate_per_s": LEAD_RATE, "connections": len(clients), "missing": n_leads - len(lead_s)}
    return [
        figure("lead_to_client_ms_p50", p50, "ms", baseline=f50, **sizes),
        figure(
            "lead_to_client_ms_p99",
            p99,
            "ms",
            baseline=f99,
            target=50,
            higher_is_better=False,
            ratio_target=3,
            ratio_ok=bool(f99 and p99 / f99 <= 3),
            webhook_ms_p50=round(percentile_ms(webhook_s, 50), 2),
            webhook_ms_p99=round(percentile_ms(webhook_s, 99), 2),
            floor_bytes=size,
            floor_broadcasts=FLOOR_RATE * FLOOR_SECONDS[quick],
            floor_rate_per_s=FLOOR_RATE,
            floor_samples=len(floor_s),
            floor_first_receipt_ms_p99=round(percentile_ms(floor_first_s, 99), 2),
            **sizes,
        ),
        figure(
            "claim_single_winner_share",
            single / n_rounds,
            "ratio",
            target=1.0,
            rounds=n_rounds,
            claimants=len(consultants),
            via="websocket grab.claim",
            claimed_in_db=claimed,
            grab_assignments=grabs,
            seconds=round(claim_wall, 1),
        ),
        figure(
            "claim_ms_p99",
            percentile_ms(claim_s, 99),
            "ms",
            target=20,
            higher_is_better=False,
            claim_ms_p50=round(percentile_ms(claim_s, 50), 2),
            claims=len(claim_s),
            burst=len(consultants),
            round_ms=round(claim_wall / n_rounds * 1000, 2),
            hub_cpu_ms_per_round=round(hub_cpu / n_rounds * 1000, 2),
            clients_cpu_ms_per_round=round(own_cpu / n_rounds * 1000, 2),
        ),
        figure("hub_rss_mb", rss_after / 1024, "MB", rss_before_connect_mb=round(rss_before / 1024, 1)),
        figure(
            "kib_per_connection",
            (rss_connected - rss_before) / len(clients),
            "KiB",
            connections=len(clients),
            rss_before_connect_mb=round(rss_before / 1024, 1),
            rss_connected_mb=round(rss_connected / 1024, 1),
        ),
    ]


def run(quick: bool) -> Iterator[dict[str, Any]]:
    """All hub figures, quick or full sizes."""
    with tempfile.TemporaryDirectory(prefix="salesfloor-bench-") as tmp:
        yield from asyncio.run(measure(Path(tmp), quick))


if __name__ == "__main__":
    asyncio.run(serve_hub(sys.argv[1]))
