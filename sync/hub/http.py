"""The HTTP endpoint (aiohttp): channel webhooks, behaviour events, landing-page forms, enrollment and health.

A delivery is authenticated over its raw bytes before it is parsed; an accepted lead is committed
(and dispatched) before the 2xx goes out. Authentic deliveries that cannot become a lead are kept
as dead letters, so nothing a channel sent is lost.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web

from models.behaviour import BehaviourError
from models.channel_mapping import ChannelSource, DeliveryError, delivery_to_lead, load_sources
from models.db import write_transaction
from models.intake_log import dead_letter_count, keep_dead_letter, use_nonce
from models.staff import StaffError, enroll
from sync.hub.core import Hub
from sync.hub.forms import FormEndpoint
from sync.hub.signatures import verify
from sync.protocol import PROTOCOL_VERSION

log = logging.getLogger("salesfloor.hub.http")


def _problem(status: int, reason: str) -> web.Response:
    return web.json_response({"ok": False, "error": reason}, status=status)


class HttpEndpoint:
    """Routes of the hub's HTTP server."""

    def __init__(self, hub: Hub, sources: dict[str, ChannelSource] | None = None, ws_port: int = 0):
        """Serve this hub with these webhook sources (default: resources/channels); tell clients the ws port."""
        self.hub = hub
        self.sources = sources if sources is not None else load_sources()
        self.ws_port = ws_port

    def app(self) -> web.Application:
        """The aiohttp application (request bodies capped at the configured size: 413 beyond)."""
        app = web.Application(client_max_size=self.hub.config.max_body_bytes)
        app.router.add_post("/webhooks/{source}", self.webhook)
        app.router.add_post("/events/{source}", self.behaviour)
        app.router.add_post("/enroll", self.enroll)
        app.router.add_get("/healthz", self.health)
        FormEndpoint(self).register(app)  # browsers of configured landing pages: /forms/{page}
        return app

    async def _authentic(self, request: web.Request) -> tuple[ChannelSource, bytes] | web.Response:
        """The source and raw body of an authentic delivery, or the refusal (nothing stored)."""
        name = request.match_info["source"]
        source = self.sources.get(name)
        if source is None:
            return _problem(404, f"unknown source {name!r}; known: {sorted(self.sources)}")
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return _problem(413, f"body larger than {self.hub.config.max_body_bytes} bytes")
        now = self.hub.clock.now()
        secret = self.hub.config.secret(name)
        problem, nonce = verify(
            source.auth, secret, request.headers, body, now.timestamp(), self.hub.config.replay_window_s
        )
        if problem is not None:
            log.warning("refused delivery for %s: %s", name, problem.reason)
            return _problem(problem.status, problem.reason)
        if nonce is not None:
            fresh = await self.hub.db(
                use_nonce, self.hub.registry.engine, name, nonce, now, self.hub.config.replay_window_s
            )
            if not fresh:
                return _problem(403, "X-Nonce was already used: a replayed delivery")
        return source, body

    async def _dead_letter(self, source: str, status: int, reason: str, body: bytes) -> web.Response:
        """Keep an authentic delivery that could not be taken, and answer why."""
        reg = self.hub.registry
        letter = await self.hub.db(
            keep_dead_letter, reg.engine, reg.vault, source, status, reason, body, reg.clock.now()
        )
        log.warning("delivery for %s kept as dead letter #%s: %s", source, letter, reason)
        return web.json_response({"ok": False, "error": reason, "dead_letter": letter}, status=status)

    @staticmethod
    def _json(body: bytes) -> dict[str, Any] | str:
        try:
            data = json.loads(body)
        except UnicodeDecodeError:
            return "body is not UTF-8 text"
        except json.JSONDecodeError as exc:
            return f"body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        if not isinstance(data, dict):
            return "body must be a JSON object"
        return data

    async def _delivery(self, request: web.Request) -> tuple[ChannelSource, bytes, dict[str, Any]] | web.Response:
        """An authentic delivery with its JSON object, or the answer (malformed ones become dead letters)."""
        checked = await self._authentic(request)
        if isinstance(checked, web.Response):
            return checked
        source, body = checked
        data = self._json(body)
        if isinstance(data, str):
            return await self._dead_letter(source.name, 400, data, body)
        return source, body, data

    async def webhook(self, request: web.Request) -> web.Response:
        """A lead from a channel: authenticate, map, ingest and dispatch, then 200."""
        checked = await self._delivery(request)
        if isinstance(checked, web.Response):
            return checked
        source, body, data = checked
        if data.get("event") == "verify_webhook":  # Douyin's address check: echo the challenge
            return web.json_response({"challenge": (data.get("content") or {}).get("challenge")})
        try:
            lead = delivery_to_lead(source, data, dict(request.headers), body, self.hub.clock.now())
        except DeliveryError as exc:
            return await self._dead_letter(source.name, 400, str(exc), body)
        change = await self.hub.db(self.hub.floor.intake, [lead], f"webhook:{source.name}")
        self.hub.publish(change)
        result = change.result["leads"][0]
        if result["conflict"]:
            return await self._dead_letter(source.name, 409, result["conflict"], body)
        return web.json_response({"ok": True, **{k: result[k] for k in ("lead_id", "customer_id", "replayed")}})

    async def behaviour(self, request: web.Request) -> web.Response:
        """A behaviour event (page view with dwell time, VR view, favourite plan)."""
        checked = await self._delivery(request)
        if isinstance(checked, web.Response):
            return checked
        source, body, data = checked
        try:
            change = await self.hub.db(self.hub.floor.behaviour, source.name, data)
        except BehaviourError as exc:
            return await self._dead_letter(source.name, 400, str(exc), body)
        self.hub.publish(change)
        return web.json_response({"ok": True, **change.result})

    def _enroll(self, code: str, device: str) -> dict[str, Any]:
        with write_transaction(self.hub.registry.engine) as conn:
            member, token = enroll(conn, code, device, self.hub.clock.now())
        return {
            "token": token,
            "protocol": PROTOCOL_VERSION,
            "ws_port": self.ws_port,
            "tls": self.hub.config.tls_cert is not None,
            "staff": {"id": member.id, "name": member.name, "role": member.role.value, "agency_id": member.agency_id},
        }

    async def enroll(self, request: web.Request) -> web.Response:
        """Exchange a one-time enrollment code for a bearer token (shown once, stored only as a hash)."""
        try:
            data = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return _problem(400, 'body must be JSON: {"code": "K7QD-M2XP", "device": "前台电脑"}')
        if not isinstance(data, dict) or not isinstance(data.get("code"), str):
            return _problem(400, 'give the enrollment code as {"code": "…"}')
        try:
            result = await self.hub.db(self._enroll, data["code"], str(data.get("device", ""))[:64])
        except StaffError as exc:
            return _problem(403, str(exc))
        return web.json_response(result)

    async def health(self, request: web.Request) -> web.Response:
        """Liveness and a few numbers for monitoring (no personal data)."""
        try:
            letters = await self.hub.db(dead_letter_count, self.hub.registry.engine)
        except Exception as exc:  # the database is what usually fails: say so
            return _problem(503, f"database unavailable: {type(exc).__name__}")
        return web.json_response(
            {"ok": True, "seq": self.hub.last_seq, "sessions": len(self.hub.sessions), "dead_letters": letters}
        )
