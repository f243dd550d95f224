"""Public landing-page forms: `POST /forms/{page}` straight from visitors' browsers.

A browser cannot keep a secret, so instead of a signature each page configured in hub.toml
(`[forms.NAME]`) is guarded by: the request's Origin (or Referer) on the page's allow-list, the
page's public form key in `X-Salesfloor-Form-Key`, a small body limit, a rate limit per client IP
and the visitor's consent in the body. CORS preflights are answered for the allowed origins only.
An accepted form is mapped by the page's channel source (resources/channels/landing_page.toml by
default) with the hub's receive time, and taken like a webhook lead; a malformed body from an
allowed page becomes a dead letter, as a webhook's does.
"""

from __future__ import annotations

import hmac
import logging
import math
import re
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aiohttp import web

from models.channel_mapping import DeliveryError, delivery_to_lead

if TYPE_CHECKING:
    from sync.hub.http import HttpEndpoint

log = logging.getLogger("salesfloor.hub.forms")

KEY_HEADER = "X-Salesfloor-Form-Key"
PAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
PAGE_KEYS = ("origins", "key", "source", "rate_per_minute", "max_body_bytes", "trusted_proxies")
CONSENT_YES = (True, 1, "1", "true", "on", "yes")
WINDOW_S = 60.0


class FormConfigError(ValueError):
    """A [forms.NAME] table is unusable; the message names the table and the key."""


@dataclass(frozen=True)
class FormPage:
    """One landing page allowed to post leads to the hub ([forms.NAME] in hub.toml)."""

    name: str
    origins: tuple[str, ...]
    key: str
    source: str = "landing_page"
    rate_per_minute: int = 10
    max_body_bytes: int = 8 * 1024
    trusted_proxies: tuple[str, ...] = ()


def parse_origin(where: str, text: Any) -> str:
    """A browser origin as the Origin header spells it: scheme://host[:port], lower case, no path."""
    if not isinstance(text, str):
        raise FormConfigError(f'{where}: origins must be texts like "https://lp.example.com"')
    parts = urlsplit(text.strip().lower())
    extra = parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or "*" in parts.netloc
    if parts.scheme not in ("http", "https") or not parts.hostname or extra:
        raise FormConfigError(f'{where}: {text!r} is not an origin like "https://lp.example.com" (no path, no *)')
    return f"{parts.scheme}://{parts.netloc}"


def _whole(where: str, key: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise FormConfigError(f"{where}: {key} must be a whole number from {low} to {high}, got {value!r}")
    return value


def parse_form_pages(table: Any) -> dict[str, FormPage]:
    """The [forms] table of hub.toml: one sub-table per landing page, by page name (the URL segment)."""
    if not isinstance(table, dict):
        raise FormConfigError("[forms] must hold one table per landing page, e.g. [forms.spring]")
    pages = {}
    for name, page in table.items():
        where = f"[forms.{name}]"
        if not PAGE_NAME.match(name):
            raise FormConfigError(f"{where}: a page name is 1-32 of a-z, 0-9, _ and -")
        if not isinstance(page, dict):
            raise FormConfigError(f"{where} must be a table")
        unknown = set(page) - set(PAGE_KEYS)
        if unknown:
            raise FormConfigError(f"{where}: unknown key(s) {sorted(unknown)}; expected {list(PAGE_KEYS)}")
        origins = page.get("origins")
        if not isinstance(origins, list) or not origins:
            raise FormConfigError(f'{where}: origins must list the page\'s origins, e.g. ["https://lp.example.com"]')
        key = page.get("key")
        if not isinstance(key, str) or not 8 <= len(key.strip()) <= 128:
            raise FormConfigError(f"{where}: key must be a text of 8-128 characters (the page's public form key)")
        source = page.get("source", "landing_page")
        if not isinstance(source, str) or not source:  # which sources exist is checked when the hub starts
            raise FormConfigError(f"{where}: source must name a channel source, e.g. \"landing_page\"")
        proxies = page.get("trusted_proxies", [])
        if not isinstance(proxies, list) or not all(isinstance(p, str) and p for p in proxies):
            raise FormConfigError(f"{where}: trusted_proxies must list IP addresses")
        pages[name] = FormPage(
            name=name,
            origins=tuple(dict.fromkeys(parse_origin(where, o) for o in origins)),
            key=key.strip(),
            source=source,
            rate_per_minute=_whole(where, "rate_per_minute", page.get("rate_per_minute", 10), 1, 10_000),
            max_body_bytes=_whole(where, "max_body_bytes", page.get("max_body_bytes", 8 * 1024), 256, 1024 * 1024),
            trusted_proxies=tuple(proxies),
        )
    return pages


class RateLimit:
    """At most N requests per key in any 60 s (a sliding window); remembers a bounded number of keys."""

    def __init__(self, max_keys: int = 10_000):
        """Keep at most `max_keys` clients in memory (the least recently seen are forgotten first)."""
        self.max_keys = max_keys
        self._hits: OrderedDict[tuple[str, str], deque[float]] = OrderedDict()

    def retry_after(self, key: tuple[str, str], per_minute: int, now: float) -> float:
        """Count a request; 0 if it is allowed, else the seconds until the client may try again."""
        hits = self._hits.pop(key, None) or deque()
        while hits and hits[0] <= now - WINDOW_S:
            hits.popleft()
        self._hits[key] = hits
        if len(self._hits) > self.max_keys:
            self._hits.popitem(last=False)
        if len(hits) >= per_minute:
            return max(1.0, hits[0] + WINDOW_S - now)
        hits.append(now)
        return 0.0


def client_ip(request: web.Request, page: FormPage) -> str:
    """The visitor's address: the socket's peer, or the nearest untrusted X-Forwarded-For hop behind a trusted proxy."""
    remote = request.remote or ""
    if remote in page.trusted_proxies:
        hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
        for hop in reversed(hops):
            if hop not in page.trusted_proxies:
                return hop
    return remote


def request_origin(request: web.Request) -> str:
    """The page's origin: the Origin header, else the origin part of the Referer ('' if neither)."""
    origin = request.headers.get("Origin", "").strip().lower()
    if origin and origin != "null":
        return origin
    referer = urlsplit(request.headers.get("Referer", "").strip().lower())
    return f"{referer.scheme}://{referer.netloc}" if referer.scheme and referer.netloc else ""


def _answer(status: int, body: dict[str, Any], origin: str | None, **headers: str) -> web.Response:
    """A JSON answer the page may read when its origin is allowed (CORS), else a plain one."""
    if origin:
        headers.update({"Access-Control-Allow-Origin": origin, "Vary": "Origin"})
    return web.json_response(body, status=status, headers=headers)


class FormEndpoint:
    """The /forms/{page} routes, beside the signed webhooks of an HttpEndpoint."""

    def __init__(self, webhooks: HttpEndpoint):
        """Use the webhooks' hub, channel sources and dead-letter handling."""
        self.webhooks = webhooks
        self.hub = webhooks.hub
        self.pages: dict[str, FormPage] = dict(self.hub.config.forms)  # their sources checked by start_hub
        self.limit = RateLimit()

    def register(self, app: web.Application) -> None:
        """Add the form routes (POST and the CORS preflight) to the hub's HTTP application."""
        app.router.add_route("OPTIONS", "/forms/{page}", self.preflight)
        app.router.add_post("/forms/{page}", self.submit)

    def _allowed(self, request: web.Request, page: FormPage) -> str | None:
        origin = request_origin(request)
        return origin if origin in page.origins else None

    async def preflight(self, request: web.Request) -> web.Response:
        """Answer a browser's CORS preflight: allowed origins may POST JSON with the form key, others get no CORS."""
        page = self.pages.get(request.match_info["page"])
        if page is None:
            return web.json_response({"ok": False, "error": "unknown form"}, status=404)
        origin = self._allowed(request, page)
        if origin is None or request.headers.get("Access-Control-Request-Method", "POST").upper() != "POST":
            return web.json_response({"ok": False, "error": "origin not allowed for this form"}, status=403)
        return web.Response(
            status=204,
            headers={
                "Access-Control-Allow-Origin": origin,
                "Access-Control-Allow-Methods": "POST",
                "Access-Control-Allow-Headers": f"Content-Type, {KEY_HEADER}",
                "Access-Control-Max-Age": "600",
                "Vary": "Origin",
            },
        )

    async def submit(self, request: web.Request) -> web.Response:
        """A visitor's form: check page, rate, origin, key, size and consent, then take it as a lead."""
        page = self.pages.get(request.match_info["page"])
        if page is None:
            return web.json_response({"ok": False, "error": "unknown form"}, status=404)
        origin = self._allowed(request, page)
        wait = self.limit.retry_after((page.name, client_ip(request, page)), page.rate_per_minute, self._now_s())
        if wait:
            log.warning("form %s: rate limit reached for a client", page.name)
            refusal = {"ok": False, "error": "too many submissions; try again shortly"}
            return _answer(429, refusal, origin, **{"Retry-After": str(math.ceil(wait))})
        if origin is None:
            log.warning("form %s: refused a post from an origin not on its list", page.name)
            return _answer(403, {"ok": False, "error": "origin not allowed for this form"}, None)
        if not hmac.compare_digest(request.headers.get(KEY_HEADER, "").strip().encode(), page.key.encode()):
            return _answer(403, {"ok": False, "error": f"missing or wrong {KEY_HEADER}"}, origin)
        if request.content_type != "application/json":
            return _answer(415, {"ok": False, "error": "send the form as application/json"}, origin)
        body = await self._body(request, page)
        if body is None:
            return _answer(413, {"ok": False, "error": f"form larger than {page.max_body_bytes} bytes"}, origin)
        return await self._take(page, origin, body)

    def _now_s(self) -> float:
        return self.hub.clock.now().timestamp()

    async def _body(self, request: web.Request, page: FormPage) -> bytes | None:
        """The raw body, or None when it is over the page's limit (checked before and after reading)."""
        if request.content_length is not None and request.content_length > page.max_body_bytes:
            return None
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return None
        return body if len(body) <= page.max_body_bytes else None

    async def _take(self, page: FormPage, origin: str, body: bytes) -> web.Response:
        """Map and ingest an allowed form; malformed ones become dead letters, as webhook deliveries do."""
        source = self.webhooks.sources[page.source]
        data = self.webhooks._json(body)
        if isinstance(data, str):
            return await self._dead_letter(source.name, 400, data, body, origin)
        if data.get("consent") not in CONSENT_YES:
            # without consent the hub may not keep the visitor's data at all: refused, nothing stored
            return _answer(400, {"ok": False, "error": "the visitor has not given consent; nothing was stored"}, origin)
        now = self.hub.clock.now()
        record = {**data, "received_at": now}  # the hub's time, never the browser's
        try:
            lead = delivery_to_lead(source, record, {}, body, now)
        except DeliveryError as exc:
            return await self._dead_letter(source.name, 400, str(exc), body, origin)
        change = await self.hub.db(self.hub.floor.intake, [lead], f"form:{page.name}")
        self.hub.publish(change)
        result = change.result["leads"][0]
        if result["conflict"]:
            return await self._dead_letter(source.name, 409, result["conflict"], body, origin)
        return _answer(200, {"ok": True, "replayed": result["replayed"]}, origin)

    async def _dead_letter(self, source: str, status: int, reason: str, body: bytes, origin: str) -> web.Response:
        """Keep the body as the webhooks do, and let the page read the answer."""
        answer = await self.webhooks._dead_letter(source, status, reason, body)
        answer.headers.update({"Access-Control-Allow-Origin": origin, "Vary": "Origin"})
        return answer
