"""The desktop client's sync engine: a local replica with an outbox, kept in step with the hub.

One background thread runs an asyncio loop (the websocket, timers, the order of things); one more,
a single-worker executor, does every replica read and write, so the loop never blocks on SQLite
and the GUI never waits on either. The GUI calls `submit`/`claim`/`query`/`local_duplicate_hint`,
which only enqueue; what changed comes back through `on_change` (from the engine's thread) as
`models.desk_state.DeskChange` objects, each emitted after the transaction that made it committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import ssl
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from models.clock import Clock, SystemClock
from models.desk_state import ConnectionState, DeskChange, LeadRow, Me
from models.privacy import mask_mobile
from sync.client.changes import Changes
from sync.client.outbox import REFUSAL_ZH, validate
from sync.client.session import APP, Disconnected, GiveUp, HubSession
from sync.client.store import ReplicaStore

log = logging.getLogger("salesfloor.desk")
T = TypeVar("T")
QUERIES = (
    "customer.get",
    "customer.lookup",
    "staff.list",
    "kpi.report",
    "kpi.late",
    "alert.ack",
    "deal.list",
    "deal.get",
    "dispute.get",
    "settlement.list",
    "settlement.get",
    "settlement.cycle",
    "radar.report",
    "experiment.list",
    "experiment.compare",
    "experiment.offers",
)  # online only: the hub must see it
QUERY_TIMEOUT_S = 15.0
PING_INTERVAL_S = 30.0
HISTORY = timedelta(days=30)  # answered outbox items and settled offers older than this are pruned at start
MAX_INBOUND_BYTES = 64 * 1024 * 1024  # a snapshot of 20,000 leads fits with room to spare
_STOP = object()
_WIDE_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")  # typed with a Chinese input method


@dataclass(frozen=True)
class ClientSettings:
    """Where the hub is, who we are to it, and where the replica lives."""

    ws_url: str  # e.g. ws://127.0.0.1:8765/
    token: str  # bearer token (from enrollment; the app keeps it in the OS keyring)
    client_id: str  # stable per installation, 1-64 chars
    replica_path: Path  # local SQLite file of the replica + outbox
    ssl: ssl.SSLContext | None = None
    reconnect_min_s: float = 0.5
    reconnect_max_s: float = 30.0


def backoff(attempt: int, low: float, high: float) -> float:
    """Exponential backoff with full jitter, between `low` and `high` seconds."""
    cap = min(high, low * (2 ** min(attempt, 30)))
    return random.uniform(low, cap) if cap > low else low


class SyncEngine:
    """Replica + outbox + hub connection, on its own thread; thread-safe intents in, change sets out."""

    REVOKED_TEXT = "令牌已失效，请重新登记"

    def __init__(self, settings: ClientSettings, on_change: Callable[[DeskChange], None], clock: Clock | None = None):
        """Prepare (nothing runs until `start`)."""
        self.settings = settings
        self.clock = clock or SystemClock()
        self.store = ReplicaStore(settings.replica_path)
        self.ping_interval_s = PING_INTERVAL_S
        self.hub_offset = timedelta(0)
        self.outbox_wake = asyncio.Event()
        self._on_change = on_change
        self._loop = asyncio.new_event_loop()
        self._db = ThreadPoolExecutor(1, thread_name_prefix="salesfloor-desk-db")
        self._thread: threading.Thread | None = None
        self._intents: asyncio.Queue = asyncio.Queue()
        self._stopping = asyncio.Event()
        self._tasks: set[asyncio.Task] = set()
        self._session: HubSession | None = None
        self._online = False
        self._since = self.clock.now()
        self._detail = "正在连接服务器…"
        self._waiting = 0
        self._last_seq = 0
        self._me: Me | None = None
        self._closing = False

    # --- the GUI's side (any thread; never blocks) -------------------------------------------------

    def start(self) -> None:
        """Start the engine's thread (loop + DB worker); returns at once."""
        if self._thread is not None:
            raise RuntimeError("the sync engine was already started")
        self._thread = threading.Thread(target=self._run_thread, name="salesfloor-desk-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Graceful: queued actions are committed, the socket closed, the threads joined."""
        self._closing = True
        if self._thread is None:  # never started: nothing can have been queued (see _post)
            self._loop.close()
            self._db.shutdown(wait=True)
            return
        with contextlib.suppress(RuntimeError):  # already stopped
            self._loop.call_soon_threadsafe(self._stopping.set)
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def submit(self, type_: str, fields: dict) -> None:
        """Queue a mutation (visit.register, report.file, followup.log, status.set, lead.reassign)."""
        body = validate(type_, fields)
        if "occurred_at" in body and body["occurred_at"] is None:  # queued actions may go late: stamp now
            body["occurred_at"] = (self.clock.now() + self.hub_offset).isoformat()  # when it happened, hub time
        self._post(self._intents.put_nowait, (type_, body))

    def claim(self, round_id: int) -> None:
        """Claim a grab-pool offer; the outcome arrives as a GrabOfferState change."""
        self._post(self._spawn, self._claim, int(round_id))

    def query(self, type_: str, fields: dict, on_result: Callable[[dict], None]) -> None:
        """A read through the hub (customer.get, customer.lookup, staff.list); on_result gets the answer."""
        if type_ not in QUERIES:
            raise ValueError(f"{type_!r} is not a query; expected one of {list(QUERIES)}")
        if {"id", "type"} & fields.keys():
            raise ValueError("a query's fields may not set 'id' or 'type'")
        self._post(self._spawn, self._query, type_, dict(fields), on_result)

    def local_duplicate_hint(self, mobile: str, on_result: Callable[[list[LeadRow]], None]) -> None:
        """Offline duplicate hint: replica leads whose masked mobile matches the typed number's."""
        self._post(self._spawn, self._hint, mask_mobile(mobile.translate(_WIDE_DIGITS)), on_result)

    def _post(self, fn: Callable[..., Any], *args: Any) -> None:
        if self._thread is None:
            raise RuntimeError("start the sync engine first")
        if self._closing:  # refused loudly: an action accepted now could not be committed any more
            raise RuntimeError("the sync engine has stopped")
        try:
            self._loop.call_soon_threadsafe(fn, *args)
        except RuntimeError:
            raise RuntimeError("the sync engine has stopped") from None

    # --- the engine's thread -----------------------------------------------------------------------

    def _run_thread(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._main())
        finally:
            self._db.submit(self.store.close)
            self._db.shutdown(wait=True)  # the write in progress (and any queued) completes
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.close()

    async def db(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a replica operation on the single DB worker."""
        return await self.db_submit(fn, *args)

    def db_submit(self, fn: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        """Queue a replica operation on the DB worker now (it runs jobs in the order queued); its future."""
        return self._loop.run_in_executor(self._db, partial(fn, *args))

    def emit_when_done(self, future: asyncio.Future[Changes]) -> None:
        """Emit a queued operation's Changes once it completes (a failure is raised to whoever awaits it)."""

        def done(f: asyncio.Future[Changes]) -> None:
            if not f.cancelled() and f.exception() is None:
                self.emit(f.result())

        future.add_done_callback(done)

    def _spawn(self, fn: Callable[..., Coroutine], *args: Any) -> None:
        task = self._loop.create_task(fn(*args))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _main(self) -> None:
        try:
            self.emit(await self.db(self.store.load, self.clock.now() - HISTORY))
        except Exception:
            log.exception("the local replica could not be opened")
            self._detail = "本地数据文件无法打开"
            self._deliver(DeskChange(connection=self._connection()))
            await self._stopping.wait()
            return
        consumer = asyncio.create_task(self._consume_intents())
        link = asyncio.create_task(self._link())
        await self._stopping.wait()
        link.cancel()
        await asyncio.gather(link, return_exceptions=True)
        self._intents.put_nowait(_STOP)
        await consumer
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _consume_intents(self) -> None:
        """Submitted actions, in the order they were submitted: outbox first, then the change set."""
        while True:
            intent = await self._intents.get()
            if intent is _STOP:
                return
            type_, fields = intent
            try:
                changes = await self.db(self.store.record, type_, fields, self.clock.now())
            except Exception:
                log.exception("an action could not be written to the outbox")
                self._deliver(DeskChange(notices=["操作未能保存到本机，请重试"]))
                continue
            self.emit(changes)
            self.outbox_wake.set()

    async def _link(self) -> None:
        """Connect, run a session, and after any disconnect wait (backoff + jitter) and connect again."""
        s = self.settings
        headers = {"Authorization": f"Bearer {s.token}"}
        options: dict[str, Any] = {"ssl": s.ssl} if s.ssl is not None else {}
        attempt = 0
        while True:
            detail = "无法连接服务器"
            try:
                ws = await connect(
                    s.ws_url,
                    additional_headers=headers,
                    compression=None,
                    open_timeout=10,
                    close_timeout=2,
                    max_size=MAX_INBOUND_BYTES,
                    user_agent_header=APP,
                    **options,
                )
            except InvalidStatus as exc:
                if exc.response.status_code == 401:
                    return self._give_up(self.REVOKED_TEXT)
                detail = f"服务器拒绝连接（HTTP {exc.response.status_code}）"
            except Exception as exc:  # refused, unreachable, timed out, a broken handshake
                log.info("hub not reachable: %s", type(exc).__name__)
            else:
                session = HubSession(self, ws)
                try:
                    await session.run()
                except GiveUp as exc:
                    return self._give_up(exc.detail)
                finally:
                    self._session = None
                if session.close_code is not None and session.close_code not in (1000, 1001):
                    log.info("hub connection closed with code %s; reconnecting", session.close_code)
                detail = "连接已断开，正在重连…"
                attempt = 0 if session.started else attempt
            self._set_connection(False, detail)
            delay = backoff(attempt, s.reconnect_min_s, s.reconnect_max_s)
            attempt += 1
            await asyncio.sleep(delay)

    def session_ready(self, session: HubSession) -> None:
        """Hello and subscribe are done: online, and the outbox may flow."""
        self._session = session
        self._set_connection(True, "")
        self.outbox_wake.set()

    def _give_up(self, detail: str) -> None:
        log.warning("not reconnecting: %s", "token revoked" if detail == self.REVOKED_TEXT else "hopeless")
        self._set_connection(False, detail, force=True)

    # --- change sets -------------------------------------------------------------------------------

    def _connection(self) -> ConnectionState:
        return ConnectionState(self._online, self._since, self._waiting, self._last_seq, self._detail)

    def _set_connection(self, online: bool, detail: str, force: bool = False) -> None:
        if online == self._online and detail == self._detail and not force:
            return
        if online != self._online:
            self._since = self.clock.now()
        self._online, self._detail = online, detail
        self._deliver(DeskChange(connection=self._connection()))

    def emit(self, changes: Changes) -> None:
        """Turn a replica operation's Changes into a DeskChange for the views (if anything changed)."""
        if changes.me is not None:
            self._me = changes.me
        if changes.last_seq is not None:
            self._last_seq = changes.last_seq
        change = changes.desk_change()
        if change.offers and self.hub_offset:
            # deadlines are hub time: count down on this computer's clock, however far off it is
            change.offers = [replace(o, deadline=o.deadline - self.hub_offset) for o in change.offers]
        if changes.waiting is not None and (changes.waiting != self._waiting or changes.reset):
            self._waiting = changes.waiting
            change.connection = self._connection()
        if change.reset:
            change.connection = self._connection()
            change.me = change.me or self._me
        if not change.is_empty():
            self._deliver(change)

    def _deliver(self, change: DeskChange) -> None:
        try:
            self._on_change(change)
        except Exception:
            log.exception("on_change raised; the engine carries on")

    # --- claims, queries, hints --------------------------------------------------------------------

    async def _claim(self, round_id: int) -> None:
        changes = await self.db(self.store.settle_offer, round_id, "claiming")
        self.emit(changes)
        offer = changes.offers.get(round_id)
        if offer is not None and offer.state != "claiming":
            return  # already settled: the desk has been told the outcome again
        session = self._session
        reply = None
        if session is not None and session.ready:
            with contextlib.suppress(Disconnected):
                reply = await session.call("grab.claim", round_id=round_id)
            with contextlib.suppress(Exception):  # a failed write ends the session; it was logged there
                await session.writer.written()  # the events that came before the answer are applied first
        if reply is None:
            changes = await self.db(self.store.reopen_offer, round_id)
            changes.notices.append("未连接到服务器，抢单未发出，请稍后再试")
        elif reply["type"] == "result":
            r = reply["result"]
            state = "won" if r.get("won") else ("lost" if r.get("status") == "claimed" else "expired")
            changes = await self.db(self.store.settle_offer, round_id, state, r.get("winner_name") or "")
            if round_id not in changes.offers:  # an offer this replica never held: say the outcome in words
                text = {"won": "抢单成功", "lost": f"已被 {r.get('winner_name') or '他人'} 抢到"}
                changes.notices.append(text.get(state, "该抢单已结束"))
        else:
            changes = await self.db(self.store.settle_offer, round_id, "expired")
            why = REFUSAL_ZH.get(reply.get("code"), "服务器拒绝")
            changes.notices.append(f"抢单未成功：{why}（{reply.get('message', '')}）")
        self.emit(changes)

    async def _query(self, type_: str, fields: dict, on_result: Callable[[dict], None]) -> None:
        session = self._session
        answer: dict[str, Any] = {"error": "offline", "message": "未连接到服务器"}
        if session is not None and session.ready:
            with contextlib.suppress(Disconnected):
                reply = await session.call(type_, timeout=QUERY_TIMEOUT_S, **fields)
                if reply["type"] == "result":
                    answer = reply.get("result") or {}
                else:
                    answer = {"error": reply.get("code", "internal"), "message": reply.get("message", "")}
        try:
            on_result(answer)
        except Exception:
            log.exception("a query callback raised")

    async def _hint(self, masked: str, on_result: Callable[[list[LeadRow]], None]) -> None:
        digits = sum(ch.isdigit() for ch in masked)
        rows = await self.db(self.store.duplicate_hint, masked) if digits >= 7 else []
        try:
            on_result(rows)
        except Exception:
            log.exception("a duplicate-hint callback raised")
