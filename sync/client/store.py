"""The replica's operations as the engine's DB worker runs them: each one transaction, each returning
the `Changes` it made. Only the single DB worker thread calls these."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from models.db import write_transaction
from models.desk_state import LeadRow
from sync.client import apply
from sync.client import outbox as box
from sync.client.changes import Changes
from sync.client.replica import load_me, open_replica

SCRUB_EVERY = 200  # while the outbox drains, the WAL is scrubbed after this many answers, and when it is empty


class ReplicaStore:
    """The local SQLite replica + outbox behind one worker thread."""

    def __init__(self, path: Path):
        """Remember where the replica lives; it is opened by the first operation (on the worker)."""
        self.path = Path(path)
        self._engine: Engine | None = None
        self._unscrubbed = 0  # answers recorded since the WAL was last folded in and truncated

    @property
    def engine(self) -> Engine:
        """The replica's engine, opening (creating, rebuilding) the file on first use."""
        if self._engine is None:
            self._engine = open_replica(self.path)
        return self._engine

    def close(self) -> None:
        """Release the file (checkpointing happens in SQLite on the last close)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def load(self, prune_before: datetime) -> Changes:
        """Everything to show at start (placeholders of pending registrations restored)."""
        with write_transaction(self.engine) as conn:
            box.rebase(conn)
            return apply.load_state(conn, prune_before)

    def record(self, type_: str, fields: dict[str, Any], now: datetime) -> Changes:
        """Commit one user action to the outbox and apply it optimistically."""
        with write_transaction(self.engine) as conn:
            return box.record(conn, type_, fields, now)

    def to_send(self, after: int = 0, limit: int = 1) -> tuple[list[box.Outgoing], Changes]:
        """Up to `limit` pending actions after this mutation id, oldest first, ready for the wire."""
        items: list[box.Outgoing] = []
        changes = Changes()
        with write_transaction(self.engine) as conn:
            me = load_me(conn)
            while len(items) < limit:
                item, more = box.next_to_send(conn, items[-1].mutation_id if items else after, me)
                changes.merge(more)
                if item is None:
                    break
                items.append(item)
        if changes.notices:  # refused here: their plaintext went too
            self._scrub_wal()
        return items, changes

    def applied(self, mutation_id: int, result: dict[str, Any]) -> Changes:
        """The hub applied an action (its plaintext fields are gone from the file afterwards)."""
        with write_transaction(self.engine) as conn:
            changes = box.applied(conn, mutation_id, result)
        self._scrub_wal()
        return changes

    def catch_up(self, entries: list[tuple[str, Any]]) -> Changes:
        """Stream events (in stream order), then the hub's answers (in send order), in one transaction.

        Answers touch only the outbox and local placeholders, and a placeholder gives way to the
        stream's own row of the lead when it has come, so events need not wait for the answers
        queued between them (see ReplicaWriter).
        """
        changes, later = Changes(), []
        with write_transaction(self.engine) as conn:
            events = [event for kind, value in entries if kind == "events" for event in value]
            if events:
                changes.merge(apply.apply_events(conn, events))
            for kind, value in entries:
                if kind != "answer":
                    continue
                mutation_id, reply = value
                if reply.get("type") == "result":
                    changes.merge(box.applied(conn, mutation_id, reply.get("result") or {}, later))
                else:
                    code, message = reply.get("code", ""), reply.get("message", "")
                    changes.merge(box.refuse(conn, mutation_id, code, message, later))
            if later:
                box.touch_all(conn, changes, [m for m, _ in later], [i for _, i in later if i is not None])
        self._unscrubbed += len(later)
        if later and (changes.waiting == 0 or self._unscrubbed >= SCRUB_EVERY):  # a long replay: now and then
            self._scrub_wal()
        return changes

    def refused(self, mutation_id: int, code: str, message: str) -> Changes:
        """The hub refused an action (its plaintext fields are gone from the file afterwards)."""
        with write_transaction(self.engine) as conn:
            changes = box.refuse(conn, mutation_id, code, message)
        self._scrub_wal()
        return changes

    def _scrub_wal(self) -> None:
        """Fold the WAL into the file and truncate it: old page images could still hold a cleared number.

        `secure_delete` zeroes what the database file frees; the WAL keeps superseded frames until a
        checkpoint resets it, so an answered action's plaintext would linger there otherwise.
        """
        self._unscrubbed = 0
        raw = self.engine.raw_connection()
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()

    def set_me(self, member: dict[str, Any], client_id: str, hub_seq: int) -> Changes:
        """Who hello says is signed in; `last_seq` of the result is where to subscribe from."""
        with write_transaction(self.engine) as conn:
            return apply.set_me(conn, member, client_id, hub_seq)

    def snapshot(self, snap: dict[str, Any]) -> Changes:
        """Apply a snapshot (a reset change set)."""
        with write_transaction(self.engine) as conn:
            return apply.apply_snapshot(conn, snap)

    def events(self, events: list[dict[str, Any]]) -> Changes:
        """Apply a batch of events with the newest seq, in one transaction."""
        with write_transaction(self.engine) as conn:
            return apply.apply_events(conn, events)

    def settle_offer(self, round_id: int, state: str, winner_name: str = "") -> Changes:
        """Move a grab offer to claiming / won / lost / expired / back to open."""
        with write_transaction(self.engine) as conn:
            return apply.settle_offer(conn, round_id, state, winner_name)

    def reopen_offer(self, round_id: int) -> Changes:
        """A claim that could not be sent: the offer is open again (unless it settled meanwhile)."""
        with write_transaction(self.engine) as conn:
            return apply.reopen_offer(conn, round_id)

    def duplicate_hint(self, masked_mobile: str) -> list[LeadRow]:
        """Replica leads with this masked mobile."""
        with self.engine.connect() as conn:
            return apply.duplicate_hint(conn, masked_mobile)
