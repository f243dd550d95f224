"""The customer registry: every write to the customer core goes through here, in one transaction each.

Operations return a `ChangeSet` saying what changed, so callers (hub, desk, CLI) refresh only that.
"""

# ChangeSet, IngestResult and load_touches are part of this module's interface.

from __future__ import annotations

import contextlib
import itertools
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from models.audit import AuditEntry, AuditLog
from models.clock import Clock, SystemClock, business_time
from models.db import write_transaction
from models.leads import LeadError, LeadIn, TouchKind
from models.messages import Reason
from models.prepare import (
    PreparedLead,
    collector_paused,
    fetch_in,
    next_ids,
    prepare_lead,
    store_placed_leads,
)
from models.privacy import Vault, redact
from models.reconcile import IdentifierRow, Outcome, apply, chunks, gather, key_degrees
from models.recording import ChangeSet, IngestResult, Recorder, load_touches
from models.rules import ProjectRules, load_rules
from models.schema import agencies, brokers, customers, identifiers, leads, manual_links, reports, review_items, touches


class ReplayConflict(LeadError):
    """The same source message id arrived again with a different payload."""


class OperationError(ValueError):
    """A staff operation that cannot be done as asked; the message says why."""


class CustomerRegistry:
    """Ingests leads, resolves identity, records attribution and evidence; staff merge and split."""

    def __init__(self, engine: Engine, vault: Vault, rules: ProjectRules | None = None, clock: Clock | None = None):
        """Bind the registry to a database, a key vault, project rules and a clock."""
        self.engine = engine
        self.vault = vault
        self.rules = rules or load_rules()
        self.clock = clock or SystemClock()
        self.audit = AuditLog(vault.audit_key)
        self.recorder = Recorder(self.audit, self.rules.protection)
        self._agency_ids: dict[str, int] = {}
        self._broker_ids: dict[tuple[int, str], int] = {}

    # --- ingest ------------------------------------------------------------------------------------

    def ingest(self, lead: LeadIn, actor: str = "system") -> IngestResult:
        """Ingest one lead durably (its own transaction); raise ReplayConflict for a conflicting replay."""
        result = self.ingest_many([lead], actor).results[0]
        if result.conflict:
            raise ReplayConflict(result.conflict)
        return result

    def ingest_many(self, batch: list[LeadIn], actor: str = "system", *, bulk: bool | None = None) -> ChangeSet:
        """Ingest leads in one transaction; replays return their first result, conflicts are reported per lead.

        Batches of `BULK_MIN` leads or more take the bulk path (the driver's `executemany` for the
        rows); `bulk` forces one path or the other. Both store exactly the same rows.
        """
        with write_transaction(self.engine) as conn:
            return self.ingest_in(conn, batch, actor, bulk=bulk)

    def ingest_in(
        self, conn: Connection, batch: list[LeadIn], actor: str = "system", *, bulk: bool | None = None
    ) -> ChangeSet:
        """Ingest leads inside the caller's write transaction (the hub adds dispatch to the same one)."""
        if bulk is None:
            bulk = len(batch) >= BULK_MIN
        with collector_paused() if bulk else contextlib.nullcontext():
            now = self.clock.now()
            today = business_time(now).date()
            prepared = [prepare_lead(lead, self.vault, self.rules.identifiers, today) for lead in batch]
            try:
                return self._ingest(conn, prepared, now, actor, bulk)
            except BaseException:
                self.forget_cached_ids()
                raise

    def forget_cached_ids(self) -> None:
        """Drop cached agency and broker ids: those registered inside a rolled-back transaction do not exist.

        A caller whose own transaction around `ingest_in` rolls back must call this.
        """
        self._agency_ids.clear()
        self._broker_ids.clear()

    def _ingest(
        self, conn: Connection, prepared: list[PreparedLead], now: datetime, actor: str, bulk: bool
    ) -> ChangeSet:
        changes = ChangeSet()
        replays = self._find_replays(conn, prepared)
        fresh: list[PreparedLead] = []
        seen: dict[tuple[str, str], PreparedLead] = {}
        conflicts: dict[int, str] = {}  # position in `prepared` -> why it was refused
        for pos, p in enumerate(prepared):
            key = (p.lead.source, p.lead.source_message_id)
            before = replays[key][2] if key in replays else seen[key].payload_digest if key in seen else None
            if before is not None and before != p.payload_digest:
                conflicts[pos] = (
                    f"{p.lead.source} message {p.lead.source_message_id} was already received with a different payload"
                )
            elif before is None:
                seen[key] = p
                fresh.append(p)
        if bulk:  # ids reserved now, rows written once resolution has placed them
            lead_ids = next_ids(conn, "leads", len(fresh))
        else:
            lead_ids = self._insert_leads(conn, fresh, now) if fresh else []
        new_ids = dict(zip([(p.lead.source, p.lead.source_message_id) for p in fresh], lead_ids, strict=True))
        outcome = Outcome()
        if fresh:
            new_key_counts: dict[str, int] = {}
            for p in fresh:
                for k in {i.match_key for i in p.identifiers if i.match_key}:
                    new_key_counts[k] = new_key_counts.get(k, 0) + 1
            new_rows: dict[int, list[IdentifierRow]] = {
                lid: [(lid, i.match_key, i.kind, i.masked) for i in p.identifiers if i.match_key]
                for lid, p in zip(lead_ids, fresh, strict=True)
            }
            new_info = {lid: (p.lead.channel.value, p.lead.occurred_at) for lid, p in zip(lead_ids, fresh, strict=True)}
            cap = self.rules.match.max_leads_per_identifier
            hood = gather(conn, lead_ids, new_key_counts, cap, new_rows, new_info, new_stored=not bulk)
            outcome = apply(conn, hood, self.rules.match, now, set(lead_ids), bulk=bulk)
            if bulk:
                self._insert_leads_bulk(conn, fresh, lead_ids, outcome, now)
            self.recorder.finish(
                conn,
                outcome,
                now,
                actor,
                changes,
                {lid: p for lid, p in zip(lead_ids, fresh, strict=True)},
                bulk=bulk,
            )
        first_of = {(p.lead.source, p.lead.source_message_id): p for p in fresh}
        for pos, p in enumerate(prepared):
            key = (p.lead.source, p.lead.source_message_id)
            if key in new_ids:
                lid = new_ids[key]
                cid = outcome.lead_customer[lid]
                if first_of[key] is p:
                    changes.results.append(IngestResult(lid, cid, False, outcome.explanations[lid], _problems(p)))
                    continue
                reason = outcome.explanations[lid].text()
            else:
                lid, cid, _digest, reason = replays[key]
            changes.results.append(
                IngestResult(lid, cid, True, Reason("replay", {"text": reason}), _problems(p), conflicts.get(pos))
            )
        return changes

    def _find_replays(self, conn: Connection, prepared: list[PreparedLead]) -> dict[tuple[str, str], tuple]:
        """Leads already stored under the same (source, message id)."""
        found: dict[tuple[str, str], tuple] = {}
        by_source: dict[str, list[str]] = {}
        for p in prepared:
            by_source.setdefault(p.lead.source, []).append(p.lead.source_message_id)
        for source, ids in by_source.items():
            for part in chunks(sorted(set(ids))):
                for message_id, *stored in fetch_in(conn, _REPLAYS, part, source):
                    found[(source, message_id)] = tuple(stored)
        return found

    def agency_id(self, conn: Connection, code: str, now: datetime) -> int:
        """The id of an agency by code, registering it on first sight."""
        if code in self._agency_ids:
            return self._agency_ids[code]
        row = conn.execute(sa.select(agencies.c.id).where(agencies.c.code == code)).first()
        if row is None:
            row_id = conn.execute(agencies.insert().values(code=code, name=code, created_at=now)).inserted_primary_key[
                0
            ]
        else:
            row_id = row.id
        self._agency_ids[code] = row_id
        return row_id

    def _broker_id(self, conn: Connection, agency_id: int, code: str, name: str | None, now: datetime) -> int:
        """The id of a broker by (agency, code), registering it on first sight."""
        key = (agency_id, code)
        if key in self._broker_ids:
            return self._broker_ids[key]
        row = conn.execute(
            sa.select(brokers.c.id).where(brokers.c.agency_id == agency_id, brokers.c.code == code)
        ).first()
        if row is None:
            row_id = conn.execute(
                brokers.insert().values(agency_id=agency_id, code=code, name=name or code, created_at=now)
            ).inserted_primary_key[0]
        else:
            row_id = row.id
        self._broker_ids[key] = row_id
        return row_id

    def _parties(self, conn: Connection, lead: LeadIn, now: datetime) -> tuple[int | None, int | None]:
        """The (agency id, broker id) of a lead, registering them on first sight."""
        agency = self.agency_id(conn, lead.agency_code, now) if lead.agency_code else None
        if agency and lead.broker_code:
            return agency, self._broker_id(conn, agency, lead.broker_code, lead.broker_name, now)
        return agency, None

    def _insert_leads(self, conn: Connection, fresh: list[PreparedLead], now: datetime) -> list[int]:
        """Insert leads, identifiers, touches and reports; return the new lead ids in order."""
        rows = []
        for p in fresh:
            lead = p.lead
            agency, broker = self._parties(conn, lead, now)
            rows.append(
                {
                    "source": lead.source,
                    "source_message_id": lead.source_message_id,
                    "customer_id": None,
                    "channel": lead.channel.value,
                    "kind": lead.kind.value,
                    "occurred_at": lead.occurred_at,
                    "received_at": now,
                    "name_enc": p.name_enc,
                    "name_masked": p.name_masked,
                    "agency_id": agency,
                    "broker_id": broker,
                    "report_code": lead.report_code,
                    "payload_enc": p.payload_enc,
                    "payload_type": lead.payload_type,
                    "payload_digest": p.payload_digest,
                    "match_reason": "",
                    "problems": p.problems,
                }
            )
        ids = conn.execute(_INSERT_LEADS, rows).scalars().all()
        ident_rows = [i.row(lid) for lid, p in zip(ids, fresh, strict=True) for i in p.identifiers]
        if ident_rows:
            conn.execute(_INSERT_IDENTIFIERS, ident_rows)
        touch_rows, report_rows = [], []
        for lid, p, row in zip(ids, fresh, rows, strict=True):
            weight = self.rules.weight(p.lead.channel.value, p.lead.kind.value)
            touch_rows.append(
                {
                    "lead_id": lid,
                    "channel": row["channel"],
                    "kind": row["kind"],
                    "occurred_at": row["occurred_at"],
                    "agency_id": row["agency_id"],
                    "broker_id": row["broker_id"],
                    "weight": weight,
                }
            )
            if p.lead.kind is TouchKind.REPORT:
                report_rows.append(
                    {
                        "lead_id": lid,
                        "agency_id": row["agency_id"],
                        "broker_id": row["broker_id"],
                        "code": p.lead.report_code,
                        "reported_at": row["occurred_at"],
                    }
                )
        conn.execute(_INSERT_TOUCHES, touch_rows)
        if report_rows:
            conn.execute(reports.insert(), report_rows)
        return list(ids)

    def _insert_leads_bulk(
        self, conn: Connection, fresh: list[PreparedLead], ids: list[int], outcome: Outcome, now: datetime
    ) -> None:
        """`_insert_leads` for a batch whose leads resolution has already placed (the bulk path)."""
        parties = [self._parties(conn, p.lead, now) for p in fresh]
        store_placed_leads(conn, fresh, ids, outcome.lead_customer, outcome.texts, parties, self.rules.weight, now)

    # --- staff operations ---------------------------------------------------------------------------

    def merge(self, keep: int, absorb: int, actor: str, note: str = "", review_id: int | None = None) -> ChangeSet:
        """Merge two customers by hand (a staff link between their first leads); logged and reversible."""
        note = redact(note)  # free text is stored and logged: never a plaintext number in it
        now = self.clock.now()
        with write_transaction(self.engine) as conn:
            a = _first_lead(conn, keep)
            b = _first_lead(conn, absorb)
            if keep == absorb:
                raise OperationError("cannot merge a customer with itself")
            conn.execute(manual_links.insert().values(lead_a=a, lead_b=b, actor=actor, note=note, created_at=now))
            if review_id is not None:
                _close_review(conn, review_id, "merged", actor, note, now)
            hood = gather(conn, [a, b], {}, self.rules.match.max_leads_per_identifier)
            outcome = apply(conn, hood, self.rules.match, now, set(), keep_with={keep: a})
            changes = ChangeSet()
            self.recorder.finish(
                conn,
                outcome,
                now,
                actor,
                changes,
                extra=[
                    AuditEntry(
                        "manual_merge",
                        actor,
                        keep,
                        {"keep": keep, "absorb": absorb, "note": note, "review_id": review_id, "link": [a, b]},
                    )
                ],
            )
            return changes

    def split(self, customer_id: int, lead_ids: list[int], actor: str, note: str = "") -> ChangeSet:
        """Split leads out of a customer into a new one; the rules will not re-join them by themselves."""
        note = redact(note)
        now = self.clock.now()
        with write_transaction(self.engine) as conn:
            own = {i for (i,) in conn.execute(sa.select(leads.c.id).where(leads.c.customer_id == customer_id))}
            chosen = set(lead_ids)
            if not own:
                raise OperationError(f"customer #{customer_id} does not exist or has no leads")
            if not chosen or not chosen <= own:
                raise OperationError(f"leads {sorted(chosen - own)} do not belong to customer #{customer_id}")
            if chosen == own:
                raise OperationError("a split must leave at least one lead with the customer")
            ordered, rest = sorted(chosen), sorted(own - chosen)
            cap = self.rules.match.max_leads_per_identifier
            keys_of: dict[int, set[str]] = {}
            for lead, key in conn.execute(
                sa.select(identifiers.c.lead_id, identifiers.c.match_key).where(
                    identifiers.c.lead_id.in_(sorted(own)), identifiers.c.match_key.is_not(None)
                )
            ):
                keys_of.setdefault(lead, set()).add(key)
            split_keys = set().union(*(keys_of.get(i, set()) for i in ordered))
            kept_keys = set().union(*(keys_of.get(i, set()) for i in rest))
            cut = sorted(split_keys & kept_keys)  # only identifiers both sides carry link them: re-key those
            tag = (conn.execute(sa.select(sa.func.max(identifiers.c.tag))).scalar() or 0) + 1
            for part in chunks(cut):
                conn.execute(
                    identifiers.update()
                    .where(identifiers.c.lead_id.in_(ordered), identifiers.c.match_key.in_(part))
                    .values(tag=tag, match_key=identifiers.c.blind_index + f":{tag}")
                )
            conn.execute(
                manual_links.update()
                .where(
                    manual_links.c.active,
                    sa.or_(
                        sa.and_(manual_links.c.lead_a.in_(ordered), manual_links.c.lead_b.in_(rest)),
                        sa.and_(manual_links.c.lead_a.in_(rest), manual_links.c.lead_b.in_(ordered)),
                    ),
                )
                .values(active=False)
            )
            # each side stays whole: staff said these leads are one person and those are another
            links = [*itertools.pairwise(ordered), *itertools.pairwise(rest)]
            if links:
                conn.execute(
                    manual_links.insert(),
                    [
                        {"lead_a": x, "lead_b": y, "actor": actor, "note": f"split: {note}", "created_at": now}
                        for x, y in links
                    ],
                )
            # leads elsewhere that share a re-keyed identifier may now link differently: resolve them too
            degrees = key_degrees(conn, cut)
            seeds = set(own)
            for part in chunks([k for k in cut if degrees.get(k, 0) - len(ordered) <= cap]):
                seeds |= {
                    i
                    for (i,) in conn.execute(sa.select(identifiers.c.lead_id).where(identifiers.c.match_key.in_(part)))
                }
            hood = gather(conn, sorted(seeds), {}, cap)
            outcome = apply(conn, hood, self.rules.match, now, set(), keep_with={customer_id: rest[0]})
            changes = ChangeSet()
            self.recorder.finish(
                conn,
                outcome,
                now,
                actor,
                changes,
                extra=[
                    AuditEntry(
                        "manual_split",
                        actor,
                        customer_id,
                        {
                            "customer_id": customer_id,
                            "lead_ids": ordered,
                            "note": note,
                            "tag": tag,
                            "identifiers_cut": len(cut),
                        },
                    )
                ],
            )
            return changes

    def close_review(self, review_id: int, decision: str, actor: str, note: str = "") -> None:
        """Close a review item as kept apart or dismissed (merging goes through `merge`)."""
        if decision not in ("kept_apart", "dismissed"):
            raise OperationError("decision must be kept_apart or dismissed (use merge to merge)")
        note = redact(note)
        now = self.clock.now()
        with write_transaction(self.engine) as conn:
            cid = _close_review(conn, review_id, decision, actor, note, now)
            if cid is not None:
                names: dict[int, str] = {}
                self.recorder.refresh_customers(conn, {cid}, load_touches(conn, [cid], names), names, now)
            self.audit.append(
                conn,
                [AuditEntry("review_closed", actor, cid, {"review_id": review_id, "decision": decision, "note": note})],
                now,
            )


def _problems(p: PreparedLead) -> list[tuple[str, str, str]]:
    return [(i.kind, i.masked, i.ident.reason) for i in p.identifiers if i.status != "valid"]


def _first_lead(conn: Connection, customer_id: int) -> int:
    row = conn.execute(
        sa.select(customers.c.first_lead_id, customers.c.status).where(customers.c.id == customer_id)
    ).first()
    if row is None or row.first_lead_id is None:
        raise OperationError(f"customer #{customer_id} does not exist")
    if row.status != "active":
        raise OperationError(f"customer #{customer_id} was already merged into another customer")
    return row.first_lead_id


def _close_review(conn: Connection, review_id: int, status: str, actor: str, note: str, now: datetime) -> int | None:
    row = conn.execute(
        sa.select(review_items.c.status, review_items.c.customer_id).where(review_items.c.id == review_id)
    ).first()
    if row is None:
        raise OperationError(f"review item #{review_id} does not exist")
    if row.status != "open":
        raise OperationError(f"review item #{review_id} is already {row.status}")
    conn.execute(
        review_items.update()
        .where(review_items.c.id == review_id)
        .values(status=status, resolved_at=now, resolved_by=actor, note=note)
    )
    return row.customer_id


BULK_MIN = 2  # batches of this many leads or more take the bulk path
_INSERT_LEADS = leads.insert().returning(leads.c.id, sort_by_parameter_order=True)
_INSERT_IDENTIFIERS = identifiers.insert()
_INSERT_TOUCHES = touches.insert()
_REPLAYS = (
    "SELECT source_message_id, id, customer_id, payload_digest, match_reason FROM leads"
    " WHERE source_message_id IN ({in}) AND source = ?"
)

__all__ = [
    "ChangeSet",
    "CustomerRegistry",
    "IngestResult",
    "OperationError",
    "ReplayConflict",
    "load_touches",
]
