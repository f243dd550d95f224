"""Authentic deliveries that could not become a lead are kept (encrypted) for staff, never dropped;
webhook nonces are remembered for the replay window."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from models.db import write_transaction
from models.hub_schema import dead_letters, webhook_nonces
from models.privacy import Vault, redact


def keep_dead_letter(
    engine: Engine, vault: Vault, source: str, status: int, reason: str, body: bytes, now: datetime
) -> int:
    """Store a refused but authentic delivery; returns its id (the reason is redacted)."""
    with write_transaction(engine) as conn:
        return conn.execute(
            dead_letters.insert().values(
                source=source,
                received_at=now,
                status=status,
                reason=redact(reason)[:500],
                body_enc=vault.encrypt(body, "dead_letter"),
            )
        ).inserted_primary_key[0]


def use_nonce(engine: Engine, source: str, nonce: str, now: datetime, window_s: int) -> bool:
    """Remember a nonce; False if it was already used within the replay window. Prunes old ones."""
    try:
        with write_transaction(engine) as conn:
            conn.execute(
                webhook_nonces.delete().where(webhook_nonces.c.seen_at < now - timedelta(seconds=2 * window_s))
            )
            conn.execute(webhook_nonces.insert().values(source=source, nonce=nonce, seen_at=now))
    except IntegrityError:
        return False
    return True


def dead_letter_count(engine: Engine) -> int:
    """Unresolved dead letters (shown on the health endpoint and to managers)."""
    with engine.connect() as conn:
        return conn.execute(
            sa.select(sa.func.count()).select_from(dead_letters).where(dead_letters.c.resolved.is_(False))
        ).scalar_one()
