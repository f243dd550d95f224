"""Run the hub: the websocket server and the HTTP server on one event loop, with graceful shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import ssl
from dataclasses import dataclass

from aiohttp import web
from websockets.asyncio.server import Server, serve

from models.channel_mapping import load_sources
from models.office_setup import load_office_sources
from models.registry import CustomerRegistry
from sync.hub.alert_loop import AlertSweeper
from sync.hub.config import HubConfig, HubConfigError
from sync.hub.core import Hub
from sync.hub.http import HttpEndpoint
from sync.hub.notify_loop import NotifyLoop
from sync.hub.ws import WebsocketEndpoint

log = logging.getLogger("salesfloor.hub")


def tls_context(config: HubConfig) -> ssl.SSLContext | None:
    """A server TLS context from the configured certificate, or None for plain ws/http."""
    if config.tls_cert is None or config.tls_key is None:
        return None
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(config.tls_cert, config.tls_key)
    return ctx


@dataclass
class RunningHub:
    """A started hub with its bound ports (port 0 in tests picks free ones)."""

    hub: Hub
    ws_server: Server
    http_runner: web.AppRunner
    ws_port: int
    http_port: int
    scheme: str
    alerts: AlertSweeper | None = None
    notify: NotifyLoop | None = None

    @property
    def ws_url(self) -> str:
        """Where desktop clients connect."""
        return f"{'wss' if self.scheme == 'https' else 'ws'}://{self.hub.config.host}:{self.ws_port}/"

    @property
    def http_url(self) -> str:
        """Where channels post and clients enroll."""
        return f"{self.scheme}://{self.hub.config.host}:{self.http_port}"

    async def stop(self) -> None:
        """Graceful: stop accepting, close sessions, finish in-flight requests, release the database."""
        self.ws_server.close()
        if self.alerts is not None:
            await self.alerts.stop()
        if self.notify is not None:
            await self.notify.stop()
        await self.http_runner.cleanup()
        await self.hub.stop()
        await self.ws_server.wait_closed()


def _sources(config: HubConfig) -> dict:
    """The webhook sources: the shipped mappings, each replaced by the office's own file if it has one;
    HubConfigError before anything listens when a landing page names a source that is neither."""
    sources = load_office_sources(config.channels_dir) if config.channels_dir else load_sources()
    for page in config.forms.values():
        if page.source not in sources:
            raise HubConfigError(f"[forms.{page.name}]: no channel source {page.source!r}; known: {sorted(sources)}")
    return sources


async def start_hub(registry: CustomerRegistry, config: HubConfig, timers: bool = True) -> RunningHub:
    """Start both servers; nothing is accepted before the hub has caught up with the database."""
    sources = _sources(config)
    hub = Hub(registry, config)
    await hub.start(timers=timers)
    ctx = tls_context(config)
    endpoint = WebsocketEndpoint(hub)
    origins = [None, *config.allowed_origins]
    ws_server = await serve(
        endpoint.handler,
        config.host,
        config.ws_port,
        process_request=endpoint.process_request,
        origins=origins,
        compression=None,
        max_size=config.max_message_bytes,
        ping_interval=20,
        ping_timeout=20,
        ssl=ctx,
        server_header="salesfloor-hub",
    )
    ws_port = next(iter(ws_server.sockets)).getsockname()[1]
    runner = web.AppRunner(
        HttpEndpoint(hub, sources=sources, ws_port=ws_port).app(),
        access_log=None,
        handle_signals=False,
        shutdown_timeout=5,
    )
    await runner.setup()
    site = web.TCPSite(runner, config.host, config.http_port, ssl_context=ctx)
    await site.start()
    http_port = runner.addresses[0][1]
    running = RunningHub(hub, ws_server, runner, ws_port, http_port, "https" if ctx else "http")
    if timers:
        running.alerts = AlertSweeper(hub, every_s=config.alert_sweep_s)
        running.alerts.start()
        running.notify = NotifyLoop(hub)
        running.notify.start()
    log.info("hub listening: websocket %s, http %s", running.ws_url, running.http_url)
    return running


async def serve_forever(registry: CustomerRegistry, config: HubConfig, background=()) -> None:
    """Run until SIGINT/SIGTERM, then shut down gracefully; `background` coroutines run alongside."""
    running = await start_hub(registry, config)
    extra = [asyncio.create_task(job) for job in background]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows: Ctrl+C raises KeyboardInterrupt instead
            loop.add_signal_handler(sig, stop.set)
    print(f"salesfloor hub: websocket {running.ws_url}  http {running.http_url}", flush=True)
    try:
        await stop.wait()
    finally:
        log.info("shutting down")
        for task in extra:
            task.cancel()
        await running.stop()
