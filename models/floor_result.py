"""What floor operations return and how a client mutation's answer is remembered with its effect."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Connection

from models.db import write_transaction
from models.events import Event
from models.mutations import MutationKey, record_mutation
from models.recording import ChangeSet


class FloorError(ValueError):
    """An operation refused for a business reason (code for clients, message for people)."""

    def __init__(self, code: str, message: str):
        """Keep a stable code beside the human message."""
        super().__init__(message)
        self.code = code


@dataclass
class FloorChange:
    """What one operation changed: events to broadcast, and a result for the caller."""

    events: list[Event] = field(default_factory=list)
    result: dict = field(default_factory=dict)
    ingest: ChangeSet | None = None


def remember(conn: Connection, mutation: MutationKey | None, result: dict, now: datetime) -> None:
    """Store a client mutation's answer in the same transaction as its effect."""
    if mutation is not None:
        record_mutation(conn, mutation, True, result, now)


def remember_refusal(engine, mutation: MutationKey, code: str, message: str, now: datetime) -> None:
    """Store a refused mutation's answer, so a replay gets the same refusal."""
    with write_transaction(engine) as conn:
        record_mutation(conn, mutation, False, {"code": code, "message": message}, now)
