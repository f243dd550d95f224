"""The websocket floor: a bare `websockets` server broadcasting stamped messages, with nothing else.

It runs as a process of its own (`python -m bench.ws_floor`, importing websockets and nothing of
ours), as the hub does; the clients connect from the bench process. Each message carries
`time.time()` taken just before `websockets.broadcast`, padded to the size of the hub's event, and
each client subtracts it from `time.time()` on receipt (the only clock two processes share).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed


async def start_child(module: str, *args: str) -> tuple[asyncio.subprocess.Process, Any]:
    """Run `python -m module args` with pipes; returns the process and the JSON line it prints when ready."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", module, *args, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
    )
    line = await read_line(proc, 120)
    if line is None:
        proc.kill()
        raise RuntimeError(f"{module} did not start within 120 s")
    return proc, line


async def read_line(proc: asyncio.subprocess.Process, timeout: float) -> Any:
    """The next JSON line a child prints, or None if it printed nothing in time."""
    with contextlib.suppress(TimeoutError):
        line = await asyncio.wait_for(proc.stdout.readline(), timeout)  # type: ignore[union-attr]
        return json.loads(line) if line else None
    return None


async def tell(proc: asyncio.subprocess.Process, message: Any) -> None:
    """Send a child one JSON line on its stdin."""
    proc.stdin.write(json.dumps(message).encode() + b"\n")  # type: ignore[union-attr]
    await proc.stdin.drain()  # type: ignore[union-attr]


async def stop_child(proc: asyncio.subprocess.Process) -> None:
    """Tell a child to stop and wait for it (killed if it takes longer than 30 s)."""
    if proc.returncode is None:
        with contextlib.suppress(ConnectionError):
            await tell(proc, "stop")
        try:
            await asyncio.wait_for(proc.wait(), 30)
        except TimeoutError:
            proc.kill()
            await proc.wait()


async def from_parent() -> Any:
    """In a child: the next JSON line from the parent (None when stdin closed)."""
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    return json.loads(line) if line else None


def to_parent(message: Any) -> None:
    """In a child: one JSON line to the parent."""
    print(json.dumps(message), flush=True)


async def close_all(clients: list, readers: list[asyncio.Task]) -> None:
    """Close every socket and let the readers finish."""
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
    await asyncio.gather(*readers, return_exceptions=True)


async def serve_floor() -> None:
    """The child: print the port, broadcast [count, rate, bytes] when told, say done, wait for stop."""
    clients: set = set()

    async def handler(ws) -> None:
        clients.add(ws)
        try:
            await ws.wait_closed()
        finally:
            clients.discard(ws)

    loop = asyncio.get_running_loop()
    async with serve(handler, "127.0.0.1", 0, compression=None, max_size=64 * 1024) as server:
        to_parent({"port": next(iter(server.sockets)).getsockname()[1]})
        order = await from_parent()
        if not isinstance(order, list):
            return
        count, rate, size = order
        head = '{"type":"event","seq":%6d,"t":%.6f,"pad":"'
        pad = "x" * max(0, size - len(head % (0, time.time())) - 2)
        started = loop.time()
        for i in range(count):
            await asyncio.sleep(max(0.0, started + i / rate - loop.time()))
            websockets.broadcast(list(clients), head % (i, time.time()) + pad + '"}')
        to_parent({"done": count})
        await from_parent()


async def measure_floor(size: int, n_clients: int, rate: int, seconds: float) -> tuple[list[float], list[float]]:
    """Seconds from a bare broadcast call to each client's receipt, and to the first receipt of each broadcast."""
    from bench.common import progress  # here, not at the top: the floor process imports nothing of ours

    proc, ready = await start_child("bench.ws_floor")
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
    readers: list[asyncio.Task] = []
    try:
        for i in range(0, n_clients, 50):
            socks += await asyncio.gather(
                *(connect(f"ws://127.0.0.1:{ready['port']}/", compression=None) for _ in range(min(50, n_clients - i)))
            )
        readers = [asyncio.create_task(read(ws)) for ws in socks]
        progress(f"hub: floor — {count} bare broadcasts of {size} bytes to {n_clients} clients at {rate}/s")
        await tell(proc, [count, rate, size])
        await read_line(proc, seconds + 120)
        with contextlib.suppress(TimeoutError):  # the last frames may still be on their way
            await asyncio.wait_for(complete.wait(), 5)
    finally:
        await close_all(socks, readers)
        await stop_child(proc)
    return samples, list(first.values())


if __name__ == "__main__":
    asyncio.run(serve_floor())
