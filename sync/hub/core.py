"""The hub's state in one asyncio process: live sessions, fan-out, grab-round timers, revocations.

Database work runs on one worker thread (writes are serialised there, so event sequence order is
commit order); the event loop never blocks on it. Events reach sessions through
`websockets.broadcast`, never awaiting one client after another.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar

import websockets
from websockets.asyncio.server import ServerConnection

from models.access import can_see
from models.events import Event, events_since, last_seq
from models.floor import Floor, FloorChange
from models.registry import CustomerRegistry
from models.snapshot import snapshot_for
from models.staff import StaffMember, revoked_since
from sync.hub.config import HubConfig
from sync.protocol import encode, event_message

log = logging.getLogger("salesfloor.hub")
T = TypeVar("T")
CLOSE_REVOKED = 4001
CLOSE_SLOW = 4008
SNAPSHOT_PAGE = 5000  # leads per snapshot message (about 2 MB)


def _freeze_startup_heap() -> None:
    """Take what exists once the hub has caught up (modules, table metadata, caches) out of the collector's sight.

    Otherwise every full collection walks that heap (about 100,000 objects: 40-80 ms) in the middle
    of a burst of claims. Once per process: a later hub in the same process (tests) changes nothing.
    """
    if gc.get_freeze_count() == 0:
        gc.collect()
        gc.freeze()


@dataclass(eq=False)
class Session:
    """One authenticated client connection."""

    ws: ServerConnection
    member: StaffMember
    credential_id: int
    client_id: str = ""
    ready: bool = False  # hello done
    streaming: bool = False  # subscribed and caught up: live events go straight out
    buffer: list[Event] | None = None  # live events captured while a backlog is being sent
    last_msg_id: int = 0
    last_sent_seq: int = 0
    pending: set[asyncio.Task] = field(default_factory=set)


class Hub:
    """Sessions, fan-out and timers around the floor's operations."""

    def __init__(self, registry: CustomerRegistry, config: HubConfig):
        """Bind to the customer registry (its engine, rules and clock) and the hub configuration."""
        self.registry = registry
        self.floor = Floor(registry)
        self.clock = registry.clock
        self.config = config
        self.sessions: set[Session] = set()
        self.last_seq = 0
        self._db = ThreadPoolExecutor(1, thread_name_prefix="hub-db")
        self._tasks: list[asyncio.Task] = []
        self._wake = asyncio.Event()
        self._claims: dict[int, asyncio.Future] = {}
        self._settled: OrderedDict[int, dict[str, Any]] = OrderedDict()  # round id -> outcome, bounded
        self._revocation_mark = None

    # --- lifecycle ----------------------------------------------------------------------------------

    async def start(self, timers: bool = True) -> None:
        """Load the stream position, finish rounds that expired while down, start timers and polls."""
        self.last_seq = await self.db(self._read_last_seq)
        self._revocation_mark = self.clock.now()
        await self.expire_due()
        _freeze_startup_heap()
        if timers:
            self._tasks.append(asyncio.create_task(self._round_timer(), name="grab-rounds"))
            self._tasks.append(asyncio.create_task(self._revocation_poll(), name="revocations"))

    async def stop(self) -> None:
        """Stop timers, close sessions politely and release the database worker."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        for s in list(self.sessions):
            await s.ws.close(1001, "hub shutting down")
        self._db.shutdown(wait=True)

    def _read_last_seq(self) -> int:
        with self.registry.engine.connect() as conn:
            return last_seq(conn)

    async def db(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking database call on the hub's single worker thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._db, partial(fn, *args, **kwargs))

    # --- fan-out ------------------------------------------------------------------------------------

    def publish(self, change: FloorChange | list[Event]) -> None:
        """Send committed events to every session allowed to see them (buffered while catching up)."""
        events = change.events if isinstance(change, FloorChange) else change
        rounds = False
        for ev in events:
            self.last_seq = max(self.last_seq, ev.seq)
            rounds = rounds or ev.type == "grab.offered"
            if ev.type in ("grab.claimed", "grab.expired"):
                self._settle(ev.payload["round_id"], ev)
            message = None
            targets = []
            for s in list(self.sessions):
                if not (s.streaming or s.buffer is not None):
                    continue
                if not can_see(s.member, ev.type, ev.staff_id, ev.agency_id, ev.payload):
                    continue
                if s.buffer is not None:
                    s.buffer.append(ev)
                elif ev.seq > s.last_sent_seq:
                    targets.append(s)
            if targets:
                message = event_message(ev.seq, ev.at.isoformat(), ev.type, ev.payload)
                self._send_all(targets, message, ev.seq)
        if rounds:
            self._wake.set()

    def _send_all(self, targets: list[Session], message: str, seq: int) -> None:
        """Broadcast one message; a client whose write buffer overflows is dropped and will resync."""
        ok = []
        for s in targets:
            transport = s.ws.transport
            if transport is not None and transport.get_write_buffer_size() > self.config.slow_client_bytes:
                log.warning("session of staff #%s is too slow; closing it so it resyncs", s.member.id)
                s.streaming = False
                self._spawn(s, s.ws.close(CLOSE_SLOW, "too slow: resubscribe from your last seq"))
                continue
            s.last_sent_seq = seq
            ok.append(s.ws)
        websockets.broadcast(ok, message)

    def send_direct(self, s: Session, ev: Event) -> None:
        """Send one event to one session (backlog and buffer flushes), keeping seq order."""
        if ev.seq > s.last_sent_seq and can_see(s.member, ev.type, ev.staff_id, ev.agency_id, ev.payload):
            s.last_sent_seq = ev.seq
            websockets.broadcast([s.ws], event_message(ev.seq, ev.at.isoformat(), ev.type, ev.payload))

    @staticmethod
    def _spawn(s: Session, coro) -> None:
        task = asyncio.ensure_future(coro)
        s.pending.add(task)
        task.add_done_callback(s.pending.discard)

    async def subscribe(self, s: Session, since: int) -> dict[str, Any]:
        """Snapshot-or-backlog, then live: capture live events first, so nothing falls in between."""
        s.streaming, s.buffer = False, []
        s.last_sent_seq = since
        snapshot = None
        if since <= 0:
            snapshot = await self.db(snapshot_for, self.registry.engine, s.member, self.config.snapshot_days)
            s.last_sent_seq = snapshot["seq"]
            await self._send_snapshot(s, snapshot)
        while True:
            batch = await self.db(self._backlog, s.last_sent_seq)
            for ev in batch:
                self.send_direct(s, ev)
                s.last_sent_seq = max(s.last_sent_seq, ev.seq)
            if len(batch) < 1000:
                break
        buffered, s.buffer = s.buffer or [], None
        for ev in buffered:  # no await from here on: the flush and the switch to live are atomic
            self.send_direct(s, ev)
        s.streaming = True
        return {"since": since, "seq": s.last_sent_seq, "snapshot": snapshot is not None}

    async def _send_snapshot(self, s: Session, snapshot: dict[str, Any]) -> None:
        """The snapshot in pages of SNAPSHOT_PAGE leads, each sent (and drained) before the next;
        staff, offers and alerts ride on the first page; `more` is false on the last."""
        leads = snapshot["leads"]
        pages = [leads[i : i + SNAPSHOT_PAGE] for i in range(0, len(leads), SNAPSHOT_PAGE)] or [[]]
        for number, page in enumerate(pages):
            message = {"type": "snapshot", "seq": snapshot["seq"], "page": number, "more": number < len(pages) - 1}
            if number == 0:
                message.update({k: v for k, v in snapshot.items() if k not in ("leads", "seq")})
            message["leads"] = page
            await s.ws.send(encode(message))

    def _backlog(self, after: int) -> list[Event]:
        with self.registry.engine.connect() as conn:
            return events_since(conn, after, 1000)

    # --- grab pool ----------------------------------------------------------------------------------

    def _settle(self, round_id: int, ev: Event) -> None:
        self._settled[round_id] = {
            "status": "claimed" if ev.type == "grab.claimed" else "expired",
            "winner_id": ev.payload.get("winner_id"),
            "winner_name": ev.payload.get("winner_name", ""),
        }
        while len(self._settled) > 10_000:
            self._settled.popitem(last=False)

    async def claim(self, round_id: int, member: StaffMember) -> dict[str, Any]:
        """First claim wins. Claims racing one in flight wait for it instead of queueing on the database."""
        settled = self._settled.get(round_id)
        if settled is None and round_id in self._claims:
            with contextlib.suppress(Exception):
                await asyncio.shield(self._claims[round_id])
            settled = self._settled.get(round_id)
        if settled is not None:
            return {"won": settled["winner_id"] == member.id, **settled}
        future = asyncio.get_running_loop().create_future()
        self._claims[round_id] = future
        try:
            outcome = await self.db(self.floor.claim, round_id, member)
            self.publish(outcome.change)
            result = {"won": outcome.won, "winner_id": outcome.winner_id, "winner_name": outcome.winner_name}
            if outcome.won:
                result["status"] = "claimed"
            else:
                result["status"] = outcome.change.result.get("status", "expired")
            future.set_result(result)
            return result
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters re-check on their own
            raise
        finally:
            self._claims.pop(round_id, None)

    async def expire_due(self) -> FloorChange:
        """Close rounds past their deadline and move their leads along the fallback chain."""
        change = await self.db(self.floor.expire_due)
        self.publish(change)
        return change

    async def _round_timer(self) -> None:
        """Sleep until the next stored deadline (or until a new round opens), then expire what is due."""
        while True:
            rounds = await self.db(self.floor.open_rounds)
            delay = (rounds[0][1] - self.clock.now()) / timedelta(seconds=1) if rounds else 3600.0
            self._wake.clear()
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=min(delay, 3600.0) + 0.005)
                continue
            try:
                await self.expire_due()
            except Exception:
                log.exception("expiring grab rounds failed; retrying in 1 s")
                await asyncio.sleep(1)

    # --- revocation ---------------------------------------------------------------------------------

    async def check_revocations(self) -> int:
        """Close live sessions whose token was revoked since the last check; returns how many."""
        mark = self._revocation_mark
        self._revocation_mark = self.clock.now()
        revoked = await self.db(self._revoked, mark - timedelta(seconds=2))
        closed = 0
        for s in list(self.sessions):
            if s.credential_id in revoked:
                closed += 1
                self._spawn(s, s.ws.close(CLOSE_REVOKED, "token revoked"))
        return closed

    def _revoked(self, since) -> set[int]:
        with self.registry.engine.connect() as conn:
            return {cred for _staff, cred in revoked_since(conn, since)}

    async def _revocation_poll(self) -> None:
        while True:
            await asyncio.sleep(self.config.revocation_poll_s)
            try:
                await self.check_revocations()
            except Exception:
                log.exception("revocation check failed")
