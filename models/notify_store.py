"""The notification queue: due messages, and what happened to each send (sent, retry later, failed).

Nothing is dropped: a message waits (rate limit, network, WeCom busy) until it is sent, or fails with a
reason a manager sees (a robot key that WeCom does not know)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from models.hub_schema import notifications

MAX_ATTEMPTS = 10


@dataclass(frozen=True)
class Outgoing:
    """One queued message."""

    id: int
    channel: str
    target: str
    payload: dict
    attempts: int


def due(conn: Connection, channel: str, now: datetime, limit: int = 200) -> list[Outgoing]:
    """Queued messages whose time has come, oldest first."""
    q = (
        sa.select(notifications)
        .where(
            notifications.c.channel == channel,
            notifications.c.state == "queued",
            notifications.c.next_attempt_at <= now,
        )
        .order_by(notifications.c.id)
        .limit(limit)
    )
    return [Outgoing(r.id, r.channel, r.target, r.payload, r.attempts) for r in conn.execute(q)]


def mark_sent(conn: Connection, note_id: int, now: datetime) -> None:
    """Delivered."""
    conn.execute(
        notifications.update()
        .where(notifications.c.id == note_id)
        .values(state="sent", sent_at=now, attempts=notifications.c.attempts + 1)
    )


def postpone(conn: Connection, note_id: int, until: datetime, error: str = "", count_attempt: bool = False) -> None:
    """Try again later (rate window full, or a transient failure with its reason)."""
    values: dict = {"next_attempt_at": until}
    if error:
        values["last_error"] = error[:500]
    if count_attempt:
        values["attempts"] = notifications.c.attempts + 1
    conn.execute(notifications.update().where(notifications.c.id == note_id).values(**values))


def mark_failed(conn: Connection, note_id: int, error: str, now: datetime) -> None:
    """A permanent failure (e.g. an unknown robot key): kept with the reason for the manager."""
    conn.execute(
        notifications.update()
        .where(notifications.c.id == note_id)
        .values(state="failed", last_error=error[:500], attempts=notifications.c.attempts + 1, next_attempt_at=now)
    )


def retry_delay(attempts: int) -> timedelta:
    """Backoff for transient failures: 10 s, 20 s, 40 s … capped at 10 minutes."""
    return timedelta(seconds=min(600, 10 * 2**attempts))
