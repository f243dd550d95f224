"""The websocket floor: a bare `websockets` server broadcasting stamped messages, with nothing else.

It runs in a spawned process of its own, as the hub does; the clients connect from the bench process.
Each message carries `time.time()` taken just before `websockets.broadcast`, padded to the size of
the hub's event, and each client subtracts it from `time.time()` on receipt (the only clock two
processes share).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import time
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed

from bench.common import progress

SPAWN = multiprocessing.get_context("spawn")


async def spawn(target, *args) -> tuple[Any, Any, Any]:
    """Start a spawned child with a pipe; returns (process, pipe, its first message)."""
    mine, theirs = SPAWN.Pipe()
    proc = SPAWN.Process(target=target, args=(*args, theirs), daemon=True)
    proc.start()
    ready = await asyncio.get_running_loop().run_in_executor(None, mine.poll, 120)
    if not ready:
        proc.kill()
        raise RuntimeError(f"{target.__name__} did not start within 120 s")
    return proc, mine, mine.recv()


async def close_all(clients: list, readers: list[asyncio.Task]) -> None:
    """Close every socket and let the readers finish."""
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
    await asyncio.gather(*readers, return_exceptions=True)


def floor_process(pipe) -> None:
    """Child process: a bare websockets server that broadcasts stamped messages when asked."""
    asyncio.run(_serve_floor(pipe))


async def _serve_floor(pipe) -> None:
    clients: set = set()

    async def handler(ws) -> None:
        clients.add(ws)
        try:
            await ws.wait_closed()
        finally:
            clients.discard(ws)

    loop = asyncio.get_running_loop()
    async with serve(handler, "127.0.0.1", 0, compression=None, max_size=64 * 1024) as server:
        pipe.send(next(iter(server.sockets)).getsockname()[1])
        order = await loop.run_in_executor(None, pipe.recv)  # (count, rate, size in bytes)
        count, rate, size = order
        head = '{"type":"event","seq":%6d,"t":%.6f,"pad":"'
        pad = "x" * max(0, size - len(head % (0, time.time())) - 2)
        started = loop.time()
        for i in range(count):
            await asyncio.sleep(max(0.0, started + i / rate - loop.time()))
            websockets.broadcast(list(clients), head % (i, time.time()) + pad + '"}')
        pipe.send("done")
        await loop.run_in_executor(None, pipe.recv)


async def measure_floor(size: int, n_clients: int, rate: int, seconds: float) -> tuple[list[float], list[float]]:
    """Seconds from a bare broadcast call to each client's receipt, and to the first receipt of each broadcast."""
    proc, pipe, port = await spawn(floor_process)
    samples: list[float] = []
    first: dict[int, float] = {}
    count = int(rate * seconds)
    complete = asyncio.Event()

    async def read(ws: ClientConnection) -> None:
        try:
            async for raw in ws:
                now = time.time()
                msg = json.loads(raw)
                samples.append(now - msg["t"])
                first.setdefault(msg["seq"], now - msg["t"])
                if len(samples) >= count * n_clients:
                    complete.set()
        except ConnectionClosed:
            pass

    socks: list[ClientConnection] = []
    for i in range(0, n_clients, 50):
        socks += await asyncio.gather(
            *(connect(f"ws://127.0.0.1:{port}/", compression=None) for _ in range(min(50, n_clients - i)))
        )
    readers = [asyncio.create_task(read(ws)) for ws in socks]
    progress(f"hub: floor — {count} bare broadcasts of {size} bytes to {n_clients} clients at {rate}/s")
    pipe.send((count, rate, size))
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, pipe.poll, 120)
    pipe.recv()
    with contextlib.suppress(TimeoutError):  # the last frames may still be on their way
        await asyncio.wait_for(complete.wait(), 5)
    await close_all(socks, readers)
    pipe.send("stop")
    await loop.run_in_executor(None, proc.join, 30)
    return samples, list(first.values())
