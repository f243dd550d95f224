"""Behaviour events from the mini program and landing pages: page views with dwell time, VR views,
favourite floor plans. Stored for the alert rules; linked to a customer through a blind index."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from models.hub_schema import behaviour_events
from models.identifiers import IdentifierKind, Status, parse_identifier
from models.importer import parse_time
from models.schema import identifiers, leads

KINDS = ("page_view", "vr_view", "favourite_plan")
LINK_KINDS = (IdentifierKind.WX_UNION_ID, IdentifierKind.WX_OPEN_ID, IdentifierKind.BROWSER_FP, IdentifierKind.MOBILE)
MAX_DWELL_S = 24 * 3600


class BehaviourError(ValueError):
    """A behaviour event that cannot be stored; the message names the field."""


@dataclass(frozen=True)
class BehaviourResult:
    """What happened to one behaviour event."""

    id: int
    customer_id: int | None
    replayed: bool


def _text(body: dict, key: str, limit: int) -> str:
    value = body.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str | int):
        raise BehaviourError(f"{key} must be text")
    value = str(value).strip()
    if len(value) > limit:
        raise BehaviourError(f"{key} is longer than {limit} characters")
    return value


def record_behaviour(conn: Connection, vault, source: str, body: dict[str, Any], now: datetime) -> BehaviourResult:
    """Validate and store one event (a replay of the same message id is a no-op)."""
    message_id = _text(body, "message_id", 128)
    if not message_id:
        raise BehaviourError("message_id is required (it makes a redelivery harmless)")
    kind = body.get("kind")
    if kind not in KINDS:
        raise BehaviourError(f"kind must be one of {list(KINDS)}, got {kind!r}")
    dwell = body.get("dwell_s", 0)
    if isinstance(dwell, bool) or not isinstance(dwell, int) or not 0 <= dwell <= MAX_DWELL_S:
        raise BehaviourError(f"dwell_s must be whole seconds between 0 and {MAX_DWELL_S}")
    try:
        occurred = parse_time(body.get("occurred_at", ""), ("iso", "epoch", "epoch_ms"))
    except ValueError as exc:
        raise BehaviourError(f"occurred_at: {exc}") from None
    ids = body.get("identifiers", {})
    if not isinstance(ids, dict) or not ids:
        raise BehaviourError(f"identifiers must name at least one of {[k.value for k in LINK_KINDS]}")
    key = None
    for link in LINK_KINDS:
        raw = ids.get(link.value)
        if raw:
            ident = parse_identifier(link, str(raw))
            if ident.status is Status.VALID:
                key = vault.blind_index(ident.kind.value, ident.value)
                break
    existing = conn.execute(
        sa.select(behaviour_events.c.id, behaviour_events.c.customer_id).where(
            behaviour_events.c.source == source, behaviour_events.c.message_id == message_id
        )
    ).first()
    if existing:
        return BehaviourResult(existing.id, existing.customer_id, True)
    customer = None
    if key is not None:
        customer = conn.execute(
            sa.select(leads.c.customer_id)
            .join(identifiers, identifiers.c.lead_id == leads.c.id)
            .where(identifiers.c.match_key == key)
            .order_by(leads.c.id.desc())
            .limit(1)
        ).scalar()
    new_id = conn.execute(
        behaviour_events.insert().values(
            source=source,
            message_id=message_id,
            customer_id=customer,
            match_key=key,
            kind=kind,
            page_path=_text(body, "page_path", 256),
            dwell_s=dwell,
            unit_id=_text(body, "unit_id", 64),
            plan_id=_text(body, "plan_id", 64),
            occurred_at=occurred,
            received_at=now,
        )
    ).inserted_primary_key[0]
    return BehaviourResult(new_id, customer, False)
