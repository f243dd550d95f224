"""Test helpers for the hub: a running hub on port 0, enrolled staff and a small protocol client."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from models.db import write_transaction
from models.staff import add_staff
from sync.hub.config import HubConfig
from sync.hub.server import RunningHub, start_hub
from sync.hub.signatures import body_signature, douyin_signature, ts_nonce_signature
from sync.protocol import PROTOCOL_VERSION

SECRETS = {
    "douyin": "dy-secret",
    "anjuke": "aj-secret",
    "mini_program": "mp-secret",
    "xiaohongshu": "xhs",
    "generic": "g",
}


def hub_config(**overrides: Any) -> HubConfig:
    """A hub config on free ports with test secrets and short timeouts."""
    base = {
        "ws_port": 0,
        "http_port": 0,
        "hello_timeout_s": 2.0,
        "idle_timeout_s": 30.0,
        "revocation_poll_s": 0.2,
        "secrets": SECRETS,
    }
    return HubConfig(**{**base, **overrides})


@asynccontextmanager
async def running_hub(registry, timers: bool = False, **overrides: Any):
    """A started hub; stopped afterwards."""
    hub = await start_hub(registry, hub_config(**overrides), timers=timers)
    try:
        yield hub
    finally:
        await hub.stop()


async def enrolled(running: RunningHub, name: str, role: str, agency: str | None = None, status: str | None = None):
    """Add a person, exchange the code for a token over HTTP; returns (staff id, token)."""
    reg = running.hub.registry

    def add():
        with write_transaction(reg.engine) as conn:
            return add_staff(conn, reg.vault, name, role, reg.clock.now(), agency)

    member, code = await running.hub.db(add)
    async with (
        aiohttp.ClientSession() as http,
        http.post(running.http_url + "/enroll", json={"code": code, "device": "test"}) as resp,
    ):
        assert resp.status == 200, await resp.text()
        token = (await resp.json())["token"]
    if status:
        await running.hub.db(running.hub.floor.set_status, member.id, status, "test")
    return member.id, token


@dataclass
class Client:
    """A protocol client: request/response by id, pushed events collected in a queue."""

    ws: ClientConnection
    client_id: str
    next_id: int = 0
    next_mutation: int = 0
    replies: dict[int, asyncio.Future] = field(default_factory=dict)
    events: asyncio.Queue = field(default_factory=asyncio.Queue)
    snapshots: list[dict] = field(default_factory=list)
    stray: asyncio.Queue = field(default_factory=asyncio.Queue)  # replies nobody waits for
    reader: asyncio.Task | None = None

    async def _read(self) -> None:
        with contextlib.suppress(ConnectionClosed):
            await self._read_all()

    async def _read_all(self) -> None:
        async for raw in self.ws:
            msg = json.loads(raw)
            if msg["type"] in ("result", "error") and msg.get("id") in self.replies:
                self.replies.pop(msg["id"]).set_result(msg)
            elif msg["type"] == "event":
                self.events.put_nowait(msg)
            elif msg["type"] == "snapshot":
                self.snapshots.append(msg)
            else:
                self.stray.put_nowait(msg)

    async def call(self, type_: str, **fields: Any) -> dict:
        """Send one message and wait for its reply."""
        self.next_id += 1
        future = asyncio.get_running_loop().create_future()
        self.replies[self.next_id] = future
        await self.ws.send(json.dumps({"id": self.next_id, "type": type_, **fields}, ensure_ascii=False))
        return await asyncio.wait_for(future, 10)

    async def mutate(self, type_: str, mutation_id: int | None = None, **fields: Any) -> dict:
        """Send a mutation with this client's id and the next (or a given) mutation id."""
        if mutation_id is None:
            self.next_mutation += 1
            mutation_id = self.next_mutation
        return await self.call(type_, client_id=self.client_id, mutation_id=mutation_id, **fields)

    async def next_event(self, kind: str | None = None, timeout: float = 10) -> dict:
        """The next pushed event (of a kind, skipping others)."""
        while True:
            ev = await asyncio.wait_for(self.events.get(), timeout)
            if kind is None or ev["event"] == kind:
                return ev

    async def close(self) -> None:
        """Close the socket and stop reading."""
        await self.ws.close()
        if self.reader:
            await asyncio.gather(self.reader, return_exceptions=True)


async def open_client(running: RunningHub, token: str, client_id: str = "test-client", hello: bool = True) -> Client:
    """Connect with a bearer token, say hello and start reading."""
    ws = await connect(running.ws_url, additional_headers={"Authorization": f"Bearer {token}"}, compression=None)
    client = Client(ws, client_id)
    client.reader = asyncio.create_task(client._read())
    if hello:
        reply = await client.call("hello", protocol=PROTOCOL_VERSION, client_id=client_id)
        assert reply["type"] == "result", reply
    return client


def signed(source: str, body: dict | bytes, msg_id: str | None = None, now: float = 0, nonce: str = "n1") -> tuple:
    """A body and the headers a real channel would send for it."""
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    secret = SECRETS[source]
    headers = {"Content-Type": "application/json"}
    if source == "douyin":
        headers["X-Douyin-Signature"] = douyin_signature(secret, raw)
        headers["Msg-Id"] = msg_id or hashlib.md5(raw, usedforsecurity=False).hexdigest()
    elif source == "mini_program":
        ts = str(int(now))
        headers.update({"X-Timestamp": ts, "X-Nonce": nonce, "X-Signature": ts_nonce_signature(secret, ts, nonce, raw)})
    else:
        headers["X-Signature"] = body_signature(secret, raw)
    if msg_id and source != "douyin":
        headers["X-Request-Id"] = msg_id
    return raw, headers


async def post(running: RunningHub, path: str, raw: bytes, headers: dict) -> tuple[int, dict]:
    """POST to the hub's HTTP endpoint; returns status and JSON body."""
    async with aiohttp.ClientSession() as http, http.post(running.http_url + path, data=raw, headers=headers) as resp:
        text = await resp.text()
        try:
            return resp.status, json.loads(text)
        except ValueError:
            return resp.status, {"text": text}


class HubThread:
    """A real hub on port 0 in its own thread and event loop, for tests whose main thread runs Qt."""

    def __init__(self, registry, **overrides: Any):
        """Configure; `start()` brings it up."""
        self.registry = registry
        self.overrides = overrides
        self.loop = asyncio.new_event_loop()
        self.running: RunningHub | None = None
        self._thread = None

    def start(self) -> RunningHub:
        """Start the loop thread and the hub in it; returns once it listens."""
        import threading

        self._thread = threading.Thread(target=self.loop.run_forever, name="test-hub", daemon=True)
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(
            start_hub(self.registry, hub_config(**self.overrides), timers=True), self.loop
        )
        self.running = future.result(30)
        return self.running

    def call(self, fn, *args):
        """Run a blocking function on the hub's database worker and publish a FloorChange it returns."""

        async def go():
            change = await self.running.hub.db(fn, *args)
            if hasattr(change, "events"):
                self.running.hub.publish(change)
            return change

        return asyncio.run_coroutine_threadsafe(go(), self.loop).result(30)

    def stop(self) -> None:
        """Stop the hub and the loop."""
        if self.running is not None:
            asyncio.run_coroutine_threadsafe(self.running.stop(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()
