"""Mutations once per (client_id, mutation_id), alone or as a `batch` applied in one transaction.

A desk that reconnects after working offline sends its queued actions as batches: the hub checks
each item as if it came alone (role, client id, replay or conflicting replay), applies it through
the same applier as the single command inside a savepoint of one shared transaction (a refused item
rolls back only itself), commits once, then publishes every change in order.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from models.access import check_command
from models.audit import AuditEntry
from models.db import shared_write_transaction, write_transaction
from models.floor_result import FloorChange, FloorError, remember_refusal
from models.follow_ups import FollowUpIn
from models.mutations import MutationKey, find_mutation
from sync.hub.commands import APPLIERS, CommandError, command, message_type, mutation_result, parse_client_time
from sync.hub.core import Hub, Session
from sync.protocol import (
    MAX_BATCH_ITEMS,
    ErrorCode,
    FollowUpLog,
    MutationBatch,
    ProtocolError,
    decode_mutation,
    mutation_digest,
    reply,
)

log = logging.getLogger("salesfloor.hub.batch")
INTERNAL_TEXT = "the hub could not complete this; try again"


def known_answer(conn: Connection, s: Session, msg: Any) -> tuple[dict[str, Any] | None, MutationKey]:
    """The reply a mutation already has (a replay, a conflicting replay, a wrong client id), or its key."""
    kind = message_type(type(msg))
    digest = mutation_digest(msg)
    key = MutationKey(msg.client_id, msg.mutation_id, s.member.id, kind, digest)
    if msg.client_id != s.client_id:
        return reply(msg.id, code=ErrorCode.INVALID, message="client_id differs from the one in hello"), key
    stored = find_mutation(conn, msg.client_id, msg.mutation_id)
    if stored is None:
        return None, key
    if stored.digest != digest:
        text = f"mutation {msg.mutation_id} was already applied with a different payload"
        return reply(msg.id, code=ErrorCode.CONFLICT, message=text), key
    if stored.ok:
        return reply(msg.id, {**stored.result, "replayed": True}), key
    return reply(msg.id, code=stored.result["code"], message=stored.result["message"]), key


def audit_refusal(conn: Connection, hub: Hub, s: Session, command_name: str, why: str) -> None:
    """Log a command the role may not send (who, what, why) in the audit chain."""
    member = s.member
    entry = AuditEntry("refused", member.name, None, {"staff_id": member.id, "command": command_name, "why": why})
    hub.registry.audit.append(conn, [entry], hub.clock.now())


def _prepare(conn: Connection, hub: Hub, s: Session, raw: bytes) -> tuple[dict[str, Any] | None, Any, MutationKey]:
    """An item's reply if it has one already (undecodable, not for this role, answered before), else
    the decoded item and its key."""
    try:
        item = decode_mutation(raw)
    except ProtocolError as exc:
        return reply(exc.msg_id, code=exc.code, message=str(exc)), None, None
    kind = message_type(type(item))
    refusal = check_command(s.member, kind, {"staff_id": getattr(item, "staff_id", None)})
    if refusal is not None:
        with write_transaction(hub.registry.engine):
            audit_refusal(conn, hub, s, kind, refusal.text)
        return reply(item.id, code=refusal.code, message=refusal.text), None, None
    answered, key = known_answer(conn, s, item)
    return answered, item, key


def _refused(hub: Hub, item: Any, key: MutationKey, exc: CommandError | FloorError) -> dict[str, Any]:
    """Remember a refusal under the item's key (a replay gets the same) and say it."""
    with contextlib.suppress(IntegrityError):  # an intake's conflict: its answer is already on file
        remember_refusal(hub.registry.engine, key, exc.code, str(exc), hub.clock.now())
    return reply(item.id, code=exc.code, message=str(exc))


def _apply_one(hub: Hub, s: Session, item: Any, key: MutationKey) -> tuple[dict[str, Any], FloorChange | None]:
    """One item through its command's applier (its own savepoint); its reply and change."""
    change = None
    try:
        change = APPLIERS[type(item)](hub, s.member, item, key)
        return reply(item.id, mutation_result(item, change)), change
    except (CommandError, FloorError) as exc:
        return _refused(hub, item, key, exc), change


class _FollowUps:
    """Consecutive follow-ups of a batch, logged together by the floor's set-wise path."""

    def __init__(self, hub: Hub, s: Session, replies: list, changes: list):
        """Collect into the batch's replies (by position) and changes."""
        self.hub, self.s, self.replies, self.changes = hub, s, replies, changes
        self.waiting: list[tuple[int, FollowUpLog, FollowUpIn]] = []

    def add(self, item: FollowUpLog, key: MutationKey) -> None:
        """Hold a follow-up (its time checked now) until the run of follow-ups ends."""
        try:
            when = parse_client_time(self.hub, item.occurred_at)
        except CommandError as exc:
            self.replies.append(_refused(self.hub, item, key, exc))
            return
        self.waiting.append((len(self.replies), item, FollowUpIn(item.lead_id, item.kind, item.note, when, key)))
        self.replies.append(None)

    def flush(self) -> bool:
        """Log the held follow-ups; each gets its answer at its place. False if they could not be logged."""
        if not self.waiting:
            return True
        held, self.waiting = self.waiting, []
        try:
            outcomes = self.hub.floor.log_follow_ups(self.s.member, [entry for _, _, entry in held])
        except Exception:
            log.exception("follow-ups of a batch failed")
            for pos, item, _ in held:
                self.replies[pos] = reply(item.id, code=ErrorCode.INTERNAL, message=INTERNAL_TEXT)
            return False
        for (pos, item, _), outcome in zip(held, outcomes, strict=True):
            if isinstance(outcome, FloorError):
                self.replies[pos] = reply(item.id, code=outcome.code, message=str(outcome))
            else:
                self.replies[pos] = reply(item.id, outcome.result)
                self.changes.append(outcome)
        return True


def apply_batch(hub: Hub, s: Session, items: list[bytes]) -> tuple[list[dict[str, Any]], list[FloorChange]]:
    """Every item in order inside one transaction (blocking: the hub's database thread)."""
    replies: list[Any] = []
    changes: list[FloorChange] = []
    follow_ups = _FollowUps(hub, s, replies, changes)
    engine = hub.registry.engine
    try:
        with shared_write_transaction(engine) as conn:
            for n, raw in enumerate(items):
                answer, item, key = _prepare(conn, hub, s, raw)
                if answer is not None:
                    replies.append(answer)
                elif isinstance(item, FollowUpLog):
                    follow_ups.add(item, key)
                else:
                    ok = follow_ups.flush()  # what came before goes first
                    change = None
                    try:
                        answer, change = _apply_one(hub, s, item, key) if ok else (None, None)
                    except Exception:
                        log.exception("a batch item failed")
                        hub.registry.forget_cached_ids()
                    if answer is None:  # this one failed (or what came before it): it and the rest go again
                        replies.append(reply(item.id, code=ErrorCode.INTERNAL, message=INTERNAL_TEXT))
                        replies += [_not_applied(r) for r in items[n + 1 :]]
                        break
                    replies.append(answer)
                    if change is not None:
                        changes.append(change)
            else:
                follow_ups.flush()
    except BaseException:
        hub.registry.forget_cached_ids()
        raise
    return replies, changes


def _not_applied(raw: bytes) -> dict[str, Any]:
    """The answer of an item left unapplied after an earlier one failed: sent again in order, later."""
    try:
        msg_id = decode_mutation(raw).id
    except ProtocolError as exc:
        msg_id = exc.msg_id
    return reply(msg_id, code=ErrorCode.INTERNAL, message="not applied: an earlier action failed; it goes again")


@command(MutationBatch)
async def mutation_batch(hub: Hub, s: Session, msg: MutationBatch, _m) -> dict[str, Any]:
    """Apply a desk's queued mutations in one transaction; one reply per item, in order."""
    if not msg.items:
        raise CommandError(ErrorCode.INVALID, "a batch needs at least one item")
    if len(msg.items) > MAX_BATCH_ITEMS:
        raise CommandError(ErrorCode.INVALID, f"a batch holds at most {MAX_BATCH_ITEMS} items, got {len(msg.items)}")
    replies, changes = await hub.db(apply_batch, hub, s, [bytes(raw) for raw in msg.items])
    for change in changes:
        hub.publish(change)
    return {"replies": replies}
