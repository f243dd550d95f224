"""Client mutations applied exactly once: a (client_id, mutation_id) key, its payload digest and result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from models.hub_schema import client_mutations


@dataclass(frozen=True)
class MutationKey:
    """Who sent a write and under which key, with the digest of what it said."""

    client_id: str
    mutation_id: int
    staff_id: int
    type: str
    digest: str


@dataclass(frozen=True)
class StoredResult:
    """The first answer to a mutation, returned again on every replay."""

    ok: bool
    result: dict[str, Any]
    digest: str


def find_mutation(conn: Connection, client_id: str, mutation_id: int) -> StoredResult | None:
    """The stored answer to a mutation key, if it was applied (or refused) before."""
    row = conn.execute(
        sa.select(client_mutations.c.ok, client_mutations.c.result, client_mutations.c.digest).where(
            client_mutations.c.client_id == client_id, client_mutations.c.mutation_id == mutation_id
        )
    ).first()
    return StoredResult(row.ok, row.result, row.digest) if row else None


def record_mutation(conn: Connection, key: MutationKey, ok: bool, result: dict[str, Any], at: datetime) -> None:
    """Remember a mutation's answer inside the transaction that applied it."""
    conn.execute(
        client_mutations.insert().values(
            client_id=key.client_id,
            mutation_id=key.mutation_id,
            staff_id=key.staff_id,
            type=key.type,
            digest=key.digest,
            ok=ok,
            result=result,
            at=at,
        )
    )


def last_mutation_id(conn: Connection, client_id: str) -> int:
    """The highest mutation id answered for a client (0 for none)."""
    q = sa.select(sa.func.coalesce(sa.func.max(client_mutations.c.mutation_id), 0)).where(
        client_mutations.c.client_id == client_id
    )
    return conn.execute(q).scalar_one()
