"""Logging follow-ups (call / WeChat / visit / note), one or many in one transaction.

The first follow-up on a lead fixes its first-response time; every follow-up closes the customer's
open alerts. Many at once is what a desk sends after working offline: they are checked one by one
(each refusal is its own answer), then written set-wise — one read of the leads, reserved ids and
one `executemany` per table — so a thousand cost little more than a few.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from models.alert_store import resolve_for_follow_up
from models.audit import AuditEntry, AuditLog
from models.clock import to_utc
from models.events import Event, PendingEvent, append_events
from models.floor_result import FloorChange, FloorError
from models.floor_state import aware_utc, customer_owner, lead_cards
from models.hub_schema import alerts, client_mutations, lead_dispatch
from models.mutations import MutationKey
from models.prepare import chunks, column_converter, db_params, executemany, next_ids
from models.privacy import Vault
from models.staff import Role, StaffMember

FOLLOW_UP_KINDS = ("call", "wechat", "visit", "note")
MAX_NOTE_CHARS = 2000
CLOCK_SKEW = timedelta(minutes=5)  # a desk's clock may run this far ahead of the hub's


@dataclass(frozen=True)
class FollowUpIn:
    """One follow-up to log: which lead, how, an optional note, when it happened, its client key."""

    lead_id: int
    kind: str
    note: str = ""
    occurred_at: datetime | None = None
    mutation: MutationKey | None = None


def check_entry(entry: FollowUpIn, now: datetime) -> datetime:
    """When the follow-up happened (at most now); FloorError says what is wrong with it."""
    if entry.kind not in FOLLOW_UP_KINDS:
        raise FloorError("invalid", f"unknown follow-up kind {entry.kind!r}; expected one of {list(FOLLOW_UP_KINDS)}")
    if len(entry.note) > MAX_NOTE_CHARS:
        raise FloorError("invalid", f"the note has {len(entry.note)} characters; at most {MAX_NOTE_CHARS}")
    when = to_utc(entry.occurred_at) if entry.occurred_at else now
    if when > now + CLOCK_SKEW:
        raise FloorError("invalid", "a follow-up cannot be in the future")
    return min(when, now)


def _dispatch_rows(conn: Connection, lead_ids: list[int]) -> dict[int, Any]:
    rows = {}
    for part in chunks(lead_ids):
        q = sa.select(lead_dispatch.c.lead_id, lead_dispatch.c.consultant_id, lead_dispatch.c.first_follow_up_at)
        rows.update({r.lead_id: r for r in conn.execute(q.where(lead_dispatch.c.lead_id.in_(part)))})
    return rows


def _customers_with_open_alerts(conn: Connection, customer_ids: list[int]) -> set[int]:
    found: set[int] = set()
    for part in chunks(customer_ids):
        q = sa.select(alerts.c.customer_id).where(alerts.c.customer_id.in_(part), alerts.c.state != "resolved")
        found.update(conn.execute(q).scalars())
    return found


def log_follow_ups(
    conn: Connection, vault: Vault, audit: AuditLog, member: StaffMember, entries: list[FollowUpIn], now: datetime
) -> list[FloorChange | FloorError]:
    """Log follow-ups in order inside the caller's write transaction; per entry its change or its refusal.

    Refusals are remembered under their mutation key like the applied ones, so a replay gets the same.
    """
    now = to_utc(now)
    lead_ids = sorted({e.lead_id for e in entries})
    dispatch, cards = _dispatch_rows(conn, lead_ids), lead_cards(conn, lead_ids)
    # the earliest follow-up is the first response, even when it syncs after a later one (offline desk)
    first_at = {lid: aware_utc(r.first_follow_up_at) for lid, r in dispatch.items()}
    outcomes: list[FloorChange | FloorError] = []
    accepted: list[tuple[int, FollowUpIn, datetime, dict]] = []  # (position, entry, when, card)
    for entry in entries:
        try:
            when = check_entry(entry, now)
            card = cards.get(entry.lead_id)
            if card is None:
                raise FloorError("not_found", f"no lead #{entry.lead_id}")
            row = dispatch.get(entry.lead_id)
            mine = row is not None and row.consultant_id == member.id
            if member.role is Role.CONSULTANT and not mine and customer_owner(conn, card["customer_id"]) != member.id:
                raise FloorError("forbidden", f"lead #{entry.lead_id} is not assigned to you")
        except FloorError as exc:
            outcomes.append(exc)
            continue
        accepted.append((len(outcomes), entry, when, card))
        outcomes.append(FloorChange())
    ids = next_ids(conn, "follow_ups", len(accepted))
    alerted = _customers_with_open_alerts(conn, sorted({c["customer_id"] for _, _, _, c in accepted}))
    pending: list[list[PendingEvent]] = []
    firsts: list[tuple[datetime, int]] = []
    audit_entries = []
    for fid, (pos, entry, when, card) in zip(ids, accepted, strict=True):
        first_s = None
        if entry.lead_id in first_at and (first_at[entry.lead_id] is None or when < first_at[entry.lead_id]):
            first_at[entry.lead_id] = when
            firsts.append((when, entry.lead_id))
            first_s = int((when - to_utc(datetime.fromisoformat(card["received_at"]))).total_seconds())
        record = {"lead_id": entry.lead_id, "follow_up": fid, "kind": entry.kind, "first_s": first_s}
        audit_entries.append(AuditEntry("follow_up", member.name, card["customer_id"], record))
        payload = {
            "follow_up_id": fid,
            "staff_id": member.id,
            "staff_name": member.name,
            "kind": entry.kind,
            "occurred_at": when.isoformat(),
            "first_response_s": first_s,
            "lead_id": entry.lead_id,
        }
        cid = card["customer_id"]
        events = [PendingEvent("followup.logged", payload, cid, entry.lead_id, member.id, card["agency_id"])]
        if cid in alerted:  # answered: the customer's open alerts close (once)
            alerted.discard(cid)
            events += resolve_for_follow_up(conn, cid, member.name, now)
        pending.append(events)
        outcomes[pos].result = {"follow_up_id": fid, "first_response_s": first_s}
    _write(conn, vault, member, accepted, ids, firsts, now)
    audit.append(conn, audit_entries, now, bulk=True)
    flat = append_events(conn, [p for events in pending for p in events], now)
    _split_events(flat, pending, [outcomes[pos] for pos, *_ in accepted])
    _remember(conn, member, entries, outcomes, now)
    return outcomes


def _write(conn: Connection, vault: Vault, member: StaffMember, accepted, ids, firsts, now: datetime) -> None:
    """The follow-up rows and the first-response times, one executemany each."""
    db = db_params(conn)
    stamp = db.stamp(now)
    rows = []
    for fid, (_, e, when, card) in zip(ids, accepted, strict=True):
        note = vault.encrypt(e.note, "followup.note") if e.note else None
        rows.append((fid, e.lead_id, card["customer_id"], member.id, e.kind, note, db.stamp(when), stamp))
    columns = ("id", "lead_id", "customer_id", "staff_id", "kind", "note_enc", "occurred_at", "logged_at")
    executemany(conn, db.insert("follow_ups", columns), rows)
    update = db.sql("UPDATE lead_dispatch SET first_follow_up_at = ? WHERE lead_id = ?")
    executemany(conn, update, [(db.stamp(when), lid) for when, lid in firsts])


def _split_events(flat: list[Event], pending: list[list[PendingEvent]], changes: list[FloorChange]) -> None:
    """Hand each accepted entry its own stored events (they were appended in entry order)."""
    at = 0
    for events, change in zip(pending, changes, strict=True):
        change.events = flat[at : at + len(events)]
        at += len(events)


def _remember(conn: Connection, member: StaffMember, entries, outcomes, now: datetime) -> None:
    """Every keyed entry's answer beside its effect (a refusal too: a replay gets the same answer)."""
    db = db_params(conn)
    ok = column_converter(client_mutations.c.ok.type, conn.dialect)
    result = column_converter(client_mutations.c.result.type, conn.dialect)
    rows = []
    for entry, outcome in zip(entries, outcomes, strict=True):
        key = entry.mutation
        if key is None:
            continue
        if isinstance(outcome, FloorError):
            answer, success = {"code": outcome.code, "message": str(outcome)}, False
        else:
            answer, success = outcome.result, True
        rows.append((key.client_id, key.mutation_id, key.staff_id, key.type, key.digest, ok(success), result(answer)))
    columns = ("client_id", "mutation_id", "staff_id", "type", "digest", "ok", "result", "at")
    executemany(conn, db.insert("client_mutations", columns), [(*r, db.stamp(now)) for r in rows])
