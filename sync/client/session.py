"""One connection to the hub, on the engine's loop: hello, subscribe from the replica's `seq`, then
three tasks — read (socket → inbox), process (inbox → replica, in stream order, replies resolved
once the events before them are queued for the replica) and send (the outbox, oldest first, one in
flight) — plus a ping."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from datetime import datetime
from typing import TYPE_CHECKING, Any

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from sync.client.writer import ReplicaWriter
from sync.protocol import PROTOCOL_VERSION

if TYPE_CHECKING:
    from sync.client.engine import SyncEngine
    from sync.client.outbox import Outgoing

log = logging.getLogger("salesfloor.desk.session")
APP = "salesfloor-desk 0.2"
CLOSE_REVOKED = 4001
CALL_TIMEOUT_S = 30.0
SUBSCRIBE_TIMEOUT_S = 300.0  # the reply follows the snapshot and backlog, applied first
PING_TIMEOUT_S = 10.0
RETRY_CODES = frozenset({"internal"})  # the hub could not complete it and stored nothing: try again
MAX_BATCH = 500
READ_AHEAD = 100  # pending actions read from the outbox in one job
BATCH_ITEMS = 100  # actions sent in one `batch` message at most
BATCH_BYTES = 48 * 1024  # and at most this much JSON (the hub takes messages up to 64 KB)
_CLOSED = object()


class Disconnected(Exception):
    """The socket closed (or stopped answering) before a reply came."""


class GiveUp(Exception):
    """Reconnecting cannot help (revoked token, another protocol): `detail` says why, in Chinese."""

    def __init__(self, detail: str):
        """Keep the text for the status bar."""
        super().__init__(detail)
        self.detail = detail


def _take_batch(queue: deque[Outgoing]) -> list[Outgoing]:
    """The next actions to send together: consecutive, within the batch's item and size limits."""
    taken = [queue.popleft()]
    size = len(json.dumps(taken[0].fields, ensure_ascii=False).encode())
    while queue and len(taken) < BATCH_ITEMS:
        more = len(json.dumps(queue[0].fields, ensure_ascii=False).encode()) + 120  # and the envelope
        if size + more > BATCH_BYTES:
            break
        size += more
        taken.append(queue.popleft())
    return taken


class HubSession:
    """A live, authenticated connection speaking the protocol for one engine."""

    def __init__(self, engine: SyncEngine, ws: ClientConnection):
        """Wrap an open websocket."""
        self.engine = engine
        self.ws = ws
        self.ready = False  # hello and subscribe done, the socket still open
        self.started = False  # it got that far at least once (the reconnect backoff starts over)
        self._next_id = 0
        self._replies: dict[int, asyncio.Future] = {}
        self._inbox: asyncio.Queue = asyncio.Queue()
        self.writer = ReplicaWriter(engine, self._replica_failed)

    async def run(self) -> None:
        """Hello, subscribe, then stream and send until the socket closes; GiveUp when it is hopeless."""
        tasks = [asyncio.create_task(self._read()), asyncio.create_task(self._process())]
        try:
            await self._start()
            self.ready = self.started = True
            self.engine.session_ready(self)
            tasks += [asyncio.create_task(self._send_outbox()), asyncio.create_task(self._ping())]
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                exc = task.exception()
                if exc is not None and not isinstance(exc, Disconnected | ConnectionClosed):
                    log.error("sync session task failed", exc_info=exc)
        except Disconnected:
            pass
        finally:
            self.ready = False
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._fail_replies()
            self.writer.flush()
            await self.ws.close()
        if self.ws.close_code == CLOSE_REVOKED:
            raise GiveUp(self.engine.REVOKED_TEXT)

    @property
    def close_code(self) -> int | None:
        """How the hub closed the socket (None while open)."""
        return self.ws.close_code

    # --- request / reply -----------------------------------------------------------------------------

    async def call(self, type_: str, timeout: float = CALL_TIMEOUT_S, **fields: Any) -> dict[str, Any]:
        """Send one message and wait for its result or error (Disconnected if the socket goes)."""
        self._next_id += 1
        msg_id = self._next_id
        future = asyncio.get_running_loop().create_future()
        self._replies[msg_id] = future
        try:
            await self.ws.send(json.dumps({"id": msg_id, "type": type_, **fields}, ensure_ascii=False))
            async with asyncio.timeout(timeout):
                return await future
        except ConnectionClosed:
            raise Disconnected("the connection closed") from None
        except TimeoutError:
            log.warning("no reply to %s in %.0f s; reconnecting", type_, timeout)
            await self.ws.close(1000, "no reply")
            raise Disconnected("no reply") from None
        finally:
            self._replies.pop(msg_id, None)

    def _replica_failed(self, exc: BaseException) -> None:
        """The replica could not take what the hub sent: end this session (the next resubscribes)."""
        log.error("the replica could not apply the hub's stream; reconnecting", exc_info=exc)
        self._inbox.put_nowait(_CLOSED)

    def _fail_replies(self) -> None:
        for future in self._replies.values():
            if not future.done():
                future.set_exception(Disconnected("the connection closed"))
                future.exception()  # retrieved: callers see it through their await
        self._replies.clear()

    # --- the three loops -----------------------------------------------------------------------------

    async def _read(self) -> None:
        """Socket -> inbox; never blocks on the database, so the hub never finds this client slow."""
        try:
            async for raw in self.ws:
                try:
                    self._inbox.put_nowait(json.loads(raw))
                except ValueError:
                    log.warning("the hub sent a message that is not JSON; ignored")
        except ConnectionClosed:
            pass
        finally:
            self._inbox.put_nowait(_CLOSED)

    async def _process(self) -> None:
        """Inbox -> replica in stream order (events queued on the writer); replies handed over at once.

        A reply's caller queues its own writes after the events that came before it (or waits for
        them: `writer.written()`), and the outbox's next send does not wait for the disk.
        """
        engine = self.engine
        while True:
            batch = [await self._inbox.get()]
            while len(batch) < MAX_BATCH and not self._inbox.empty():
                batch.append(self._inbox.get_nowait())
            events: list[dict[str, Any]] = []
            for msg in batch:
                if msg is not _CLOSED and msg.get("type") == "event":
                    events.append(msg)
                    continue
                if events:
                    self.writer.events(events)
                    events = []
                if msg is _CLOSED:
                    self._fail_replies()
                    return
                kind = msg.get("type")
                if kind == "snapshot":
                    await self.writer.written()
                    engine.emit(await engine.db(engine.store.snapshot, msg))
                elif kind in ("result", "error"):
                    future = self._replies.get(msg.get("id"))
                    if future is not None and not future.done():
                        future.set_result(msg)
                    elif kind == "error":
                        log.warning("hub error without a waiting request: %s", msg.get("code"))
            if events:
                self.writer.events(events)

    async def _start(self) -> None:
        """Hello (who am I), ping (the hub's clock), subscribe from the replica's last seq."""
        reply = await self.call("hello", protocol=PROTOCOL_VERSION, client_id=self.engine.settings.client_id, app=APP)
        if reply["type"] == "error":
            if reply.get("code") == "protocol_version":
                raise GiveUp("客户端与服务器的协议版本不一致，请升级客户端")
            if reply.get("code") == "invalid":
                raise GiveUp("本机编号无效（client_id 须为 1-64 个字符）")
            raise Disconnected(reply.get("message", "hello refused"))
        hello = reply["result"]
        engine = self.engine
        member = {**hello["staff"], "last_mutation_id": hello.get("last_mutation_id", 0)}
        changes = await engine.db(engine.store.set_me, member, engine.settings.client_id, int(hello["seq"]))
        engine.emit(changes)
        sent = engine.clock.now()
        pong = await self.call("ping", timeout=PING_TIMEOUT_S)
        self._learn_hub_time(pong, sent)
        reply = await self.call("subscribe", timeout=SUBSCRIBE_TIMEOUT_S, since=changes.last_seq or 0)
        if reply["type"] == "error":
            raise Disconnected(f"subscribe refused: {reply.get('code')}")
        try:
            await self.writer.written()  # the backlog is applied and shown before the desk says it is online
        except Exception:
            raise Disconnected("the replica could not apply the backlog") from None

    def _learn_hub_time(self, pong: dict[str, Any], sent: datetime) -> None:
        """Remember how far the hub's clock is from ours (offline actions are stamped in hub time)."""
        with contextlib.suppress(KeyError, TypeError, ValueError):
            hub_now = datetime.fromisoformat(pong["result"]["now"])
            local = sent + (self.engine.clock.now() - sent) / 2
            self.engine.hub_offset = hub_now - local

    async def _send_outbox(self) -> None:
        """Pending actions, oldest first, one message in flight; the replica's side overlaps the wire.

        One waiting action goes alone; several go as one `batch` (up to BATCH_ITEMS and BATCH_BYTES),
        which the hub applies in order in one transaction and answers item by item. Only one message
        is ever unanswered, so order and retries are those of a strict request/response. What
        overlaps is the replica: the next actions are read ahead in one job, and answers are written
        in batches (with the stream's events) while later actions travel.
        """
        engine = self.engine
        retry = engine.settings.reconnect_min_s
        queue: deque[Outgoing] = deque()
        ahead: asyncio.Future | None = None
        while True:
            if not queue:
                if ahead is not None:
                    items, changes = await ahead
                    ahead = None
                else:
                    engine.outbox_wake.clear()
                    await self.writer.written()  # a registration's answer is on file before what refers to it
                    items, changes = await engine.db(engine.store.to_send, 0, READ_AHEAD)
                    if not items:
                        engine.emit(changes)
                        await engine.outbox_wake.wait()
                        continue
                engine.emit(changes)
                queue.extend(items)
                continue
            sending = _take_batch(queue)
            if not queue:
                ahead = engine.db_submit(engine.store.to_send, sending[-1].mutation_id, READ_AHEAD)
            try:
                replies = await self._send(sending)
            except BaseException:
                if ahead is not None:
                    engine.emit_when_done(ahead)  # what it refused locally is still said
                raise
            failed = False
            for item, reply in zip(sending, replies, strict=True):
                if reply.get("type") != "result" and reply.get("code") in RETRY_CODES:
                    failed = True  # not stored by the hub: it goes again, from the outbox
                    continue
                if reply.get("type") != "result":
                    log.info("mutation %s refused by the hub: %s", item.mutation_id, reply.get("code", ""))
                self.writer.answer(item.mutation_id, reply)
            if failed:
                log.warning("the hub could not apply some queued actions yet; retrying")
                queue.clear()
                if ahead is not None:
                    engine.emit((await ahead)[1])
                    ahead = None
                await asyncio.sleep(retry)
                retry = min(retry * 2, engine.settings.reconnect_max_s)
                continue
            retry = engine.settings.reconnect_min_s

    async def _send(self, sending: list[Outgoing]) -> list[dict[str, Any]]:
        """Send one action, or several as a batch; the replies in the same order."""
        client_id = self.engine.settings.client_id
        if len(sending) == 1:
            item = sending[0]
            return [await self.call(item.type, client_id=client_id, mutation_id=item.mutation_id, **item.fields)]
        items = []
        for item in sending:
            self._next_id += 1
            items.append({"id": self._next_id, "type": item.type, "client_id": client_id} | {
                "mutation_id": item.mutation_id, **item.fields
            })
        reply = await self.call("batch", items=items)
        if reply.get("type") == "result":
            return reply["result"]["replies"]
        # The batch as a whole was not taken (a hub without batches, a message too big): no item was
        # applied, so none is refused; each goes again on its own.
        log.warning("the hub did not take a batch (%s); sending its actions one by one", reply.get("code"))
        answers = []
        for item in sending:
            answers.append(
                await self.call(item.type, client_id=client_id, mutation_id=item.mutation_id, **item.fields)
            )
        return answers

    async def _ping(self) -> None:
        """An application ping every interval keeps the hub's idle timer from closing the socket."""
        while True:
            await asyncio.sleep(self.engine.ping_interval_s)
            sent = self.engine.clock.now()
            self._learn_hub_time(await self.call("ping", timeout=PING_TIMEOUT_S), sent)
