"""Webhook sources: how each channel's JSON becomes a `LeadIn`, declared in resources/channels/*.toml.

A source file names the channel, the touch kind, how deliveries are authenticated, where the
message id and time are, and which JSON paths hold the name and each identifier. Editing the file
changes the mapping; no code. Every error names the file and the key (or the delivery's field).
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from models.identifiers import IdentifierKind
from models.importer import parse_time
from models.leads import Channel, LeadError, LeadIn, TouchKind

CHANNELS_DIR = Path(__file__).resolve().parent.parent / "resources" / "channels"
AUTH_SCHEMES = ("douyin_sha1", "hmac_ts_nonce", "hmac_body", "none")
FIELDS = ("name", "agency_code", "broker_code", "broker_name", "report_code")
KEYS = (
    "description",
    "channel",
    "kind",
    "auth",
    "unwrap",
    "message_id",
    "occurred_at",
    "time_formats",
    "fields",
    "identifiers",
)


class ChannelConfigError(ValueError):
    """A source file is unusable; the message names the file and the key."""


class DeliveryError(ValueError):
    """A delivery that cannot become a lead; the message names the field and the problem."""


@dataclass(frozen=True)
class ChannelSource:
    """One webhook source: channel, kind, authentication and field paths."""

    name: str
    channel: Channel
    kind: TouchKind
    auth: str
    unwrap: str = ""
    message_id: tuple[str, ...] = ("header:Msg-Id", "message_id", "id")
    occurred_at: tuple[str, ...] = ("occurred_at", "create_time")
    time_formats: tuple[str, ...] = ("epoch", "epoch_ms", "iso", "%Y-%m-%d %H:%M:%S")
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    identifiers: dict[IdentifierKind, tuple[str, ...]] = field(default_factory=dict)


def _paths(where: str, key: str, value: Any) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(v, str) and v for v in items):
        raise ChannelConfigError(f"{where}: {key} must be a JSON path or a list of JSON paths")
    return tuple(items)


def parse_source(data: dict[str, Any], name: str, where: str) -> ChannelSource:
    """Validate a source table (as loaded from TOML)."""
    for key in data:
        if key not in KEYS:
            raise ChannelConfigError(f"{where}: unknown key {key!r}; expected one of {list(KEYS)}")
    try:
        channel = Channel(data.get("channel", ""))
    except ValueError:
        raise ChannelConfigError(f"{where}: channel must be one of {[c.value for c in Channel]}") from None
    try:
        kind = TouchKind(data.get("kind", "online_lead"))
    except ValueError:
        raise ChannelConfigError(f"{where}: kind must be one of {[k.value for k in TouchKind]}") from None
    auth = data.get("auth", "")
    if auth not in AUTH_SCHEMES:
        raise ChannelConfigError(f"{where}: auth must be one of {list(AUTH_SCHEMES)}, got {auth!r}")
    fields_ = {}
    for key, value in data.get("fields", {}).items():
        if key not in FIELDS:
            raise ChannelConfigError(f"{where}: fields.{key} is not a lead field; expected one of {list(FIELDS)}")
        fields_[key] = _paths(where, f"fields.{key}", value)
    idents = {}
    for key, value in data.get("identifiers", {}).items():
        try:
            idents[IdentifierKind(key)] = _paths(where, f"identifiers.{key}", value)
        except ValueError:
            raise ChannelConfigError(f"{where}: identifiers.{key} is not an identifier kind") from None
    base = ChannelSource(name, channel, kind, auth)
    return ChannelSource(
        name=name,
        channel=channel,
        kind=kind,
        auth=auth,
        unwrap=str(data.get("unwrap", "")),
        message_id=_paths(where, "message_id", data["message_id"]) if "message_id" in data else base.message_id,
        occurred_at=_paths(where, "occurred_at", data["occurred_at"]) if "occurred_at" in data else base.occurred_at,
        time_formats=tuple(data.get("time_formats", base.time_formats)),
        fields=fields_,
        identifiers=idents,
    )


def load_sources(folder: Path = CHANNELS_DIR) -> dict[str, ChannelSource]:
    """Every source file in a folder, by file stem (the URL path segment)."""
    out = {}
    for path in sorted(folder.glob("*.toml")):
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ChannelConfigError(f"{path.name}: not valid TOML ({exc})") from None
        out[path.stem] = parse_source(data, path.stem, path.name)
    return out


def _lookup(record: dict[str, Any], headers: dict[str, str], path: str) -> Any:
    """A value by dotted path in the record, or a header with 'header:Name'."""
    if path.startswith("header:"):
        want = path[len("header:") :].lower()
        return next((v for k, v in headers.items() if k.lower() == want), None)
    node: Any = record
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _first(record, headers, paths: tuple[str, ...]) -> tuple[str, Any]:
    for path in paths:
        value = _lookup(record, headers, path)
        if value not in (None, ""):
            return path, value
    return paths[0], None


def unwrap(source: ChannelSource, body: dict[str, Any]) -> dict[str, Any]:
    """The record inside a delivery: platforms often wrap it, sometimes as a JSON string."""
    if not source.unwrap:
        return body
    inner = _lookup(body, {}, source.unwrap)
    if isinstance(inner, str):
        try:
            inner = json.loads(inner)
        except ValueError:
            raise DeliveryError(f"{source.unwrap}: holds text that is not JSON") from None
    if not isinstance(inner, dict):
        raise DeliveryError(f"{source.unwrap}: missing or not an object")
    return {**body, source.unwrap: inner, **inner}


def delivery_to_lead(
    source: ChannelSource, body: dict[str, Any], headers: dict[str, str], raw: bytes, now: datetime
) -> LeadIn:
    """Map one delivery to a lead; the raw bytes are kept verbatim as the payload."""
    record = unwrap(source, body)
    path, message_id = _first(record, headers, source.message_id)
    if message_id is None:
        raise DeliveryError(f"no message id: expected one of {list(source.message_id)}")
    message_id = str(message_id).strip()
    if not message_id or len(message_id) > 128:
        raise DeliveryError(f"{path}: message id must be 1-128 characters")
    path, when = _first(record, headers, source.occurred_at)
    if when is None:
        occurred = now
    else:
        try:
            occurred = parse_time(when, source.time_formats)
        except ValueError as exc:
            raise DeliveryError(f"{path}: unparseable time {str(when)[:40]!r} ({exc})") from None
    values = {}
    for key, paths in source.fields.items():
        _p, value = _first(record, headers, paths)
        values[key] = str(value).strip()[:128] if value is not None else None
    idents = []
    for kind, paths in source.identifiers.items():
        for p in paths:
            value = _lookup(record, headers, p)
            if value not in (None, ""):
                idents.append((kind.value, str(value)[:256]))
    if not idents and not values.get("name"):
        raise DeliveryError("no identifier and no name: nothing to recognise the person by")
    try:
        return LeadIn(
            source=source.name,
            source_message_id=message_id,
            channel=source.channel,
            kind=source.kind,
            occurred_at=occurred,
            name=values.pop("name", None) or "",
            identifiers=idents,
            payload=raw,
            **values,
        )
    except LeadError as exc:
        raise DeliveryError(str(exc)) from None
