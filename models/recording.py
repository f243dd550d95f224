"""Recording what a resolution changed: explanations, history, review items, customer rows, evidence.

After `models.reconcile.apply` has placed leads into customers, the `Recorder` writes the rest in the
same transaction and fills the `ChangeSet` the caller gets back.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from models.attribution import Judgement, TouchRecord, contributions, first_contact, judge
from models.audit import AuditEntry, AuditLog, RenderedEntry, canonical, json_value
from models.lookup import TOUCH_ORDER, load_touches, touches_of_leads
from models.messages import Reason
from models.prepare import PreparedLead, db_params, executemany, fetch_in
from models.reconcile import Outcome, chunks
from models.resolution import HELD_FAMILY, HELD_LIMIT, HELD_SATURATED
from models.rules import ProtectionRules
from models.schema import customers, merge_history, review_items


@dataclass
class IngestResult:
    """What happened to one incoming lead."""

    lead_id: int
    customer_id: int
    replayed: bool
    explanation: Reason
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, masked, reason)
    conflict: str | None = None  # set when the same message id came with a different payload (nothing stored)


@dataclass
class ChangeSet:
    """What an operation changed (for screens to refresh and hubs to broadcast)."""

    results: list[IngestResult] = field(default_factory=list)
    customers: set[int] = field(default_factory=set)
    merged: list[tuple[int, int]] = field(default_factory=list)  # (survivor, absorbed)
    split: list[tuple[int, int]] = field(default_factory=list)  # (kept, new)
    reviews_opened: list[int] = field(default_factory=list)


class Recorder:
    """Writes the consequences of a resolution and appends them to the evidence chain."""

    def __init__(self, audit: AuditLog, protection: ProtectionRules):
        """Bind to the evidence chain and the protection rules used for 判客 decisions."""
        self.audit = audit
        self.protection = protection
        self._shares_memo: dict[tuple, tuple[list[dict], str]] = {}

    def finish(
        self,
        conn: Connection,
        outcome: Outcome,
        now: datetime,
        actor: str,
        changes: ChangeSet,
        new_leads: dict[int, PreparedLead] | None = None,
        extra: list[AuditEntry] | None = None,
        bulk: bool = False,
    ) -> None:
        """Write explanations, history, review items, customer summaries and the evidence chain.

        `bulk` writes customer rows and chain entries with the driver's `executemany` (same rows).
        """
        new_leads = new_leads or {}
        # entries are built as the chain consumes them: their payloads never outlive their hashing
        lead_entry = _rendered_lead_entry if bulk else _lead_entry
        leads_entries = (
            lead_entry(outcome, lid, reason, new_leads.get(lid), actor) for lid, reason in outcome.explanations.items()
        )
        entries: list[AuditEntry] = []
        history = []
        for survivor, absorbed, moved in outcome.merged:
            text = _merge_text(outcome, moved, survivor, absorbed)
            history.append(
                {
                    "at": now,
                    "op": "merge",
                    "customer_id": survivor,
                    "other_customer_id": absorbed,
                    "lead_ids": moved,
                    "explanation": text,
                    "actor": actor,
                }
            )
            entries.append(
                AuditEntry(
                    "customers_merged",
                    actor,
                    survivor,
                    {"survivor": survivor, "absorbed": absorbed, "lead_ids": moved, "explanation": text},
                )
            )
            changes.merged.append((survivor, absorbed))
        for kept, new, moved in outcome.split:
            text = f"leads {moved} left customer #{kept} for #{new}"
            history.append(
                {
                    "at": now,
                    "op": "split",
                    "customer_id": kept,
                    "other_customer_id": new,
                    "lead_ids": moved,
                    "explanation": text,
                    "actor": actor,
                }
            )
            entries.append(
                AuditEntry(
                    "customer_split", actor, kept, {"kept": kept, "new": new, "lead_ids": moved, "explanation": text}
                )
            )
            entries.append(
                AuditEntry(
                    "customer_split", actor, new, {"kept": kept, "new": new, "lead_ids": moved, "explanation": text}
                )
            )
            changes.split.append((kept, new))
        if history:
            conn.execute(merge_history.insert(), history)
        changes.reviews_opened += self.open_reviews(conn, outcome, now, entries, actor)
        names: dict[int, str] = {}
        if bulk:  # every lead of every touched customer is in the outcome: read their touches by lead
            name_of = {**outcome.lead_names, **{lid: p.name_masked for lid, p in new_leads.items()}}
            touches_by = touches_of_leads(conn, outcome.lead_customer, name_of, names)
        else:
            touches_by = load_touches(conn, sorted(outcome.touched_customers), names)
        firsts = {cid: first_contact(ts) for cid, ts in touches_by.items()}
        active = self.refresh_customers(conn, outcome.touched_customers, touches_by, names, now, bulk, firsts)
        changes.customers |= outcome.touched_customers
        attribution = self.iter_attribution_entries(active, touches_by, now, actor, firsts, rendered=bulk)
        self.audit.append(conn, itertools.chain(extra or [], leads_entries, entries, attribution), now, bulk)

    def open_reviews(self, conn: Connection, outcome: Outcome, now: datetime, entries: list, actor: str) -> list[int]:
        """Open one review item per held-back identifier or flagged customer (never twice)."""
        wanted = []
        for reason, key, members, kind, masked in outcome.held:
            text = Reason(_HELD_MESSAGE[reason], {"kind": kind, "masked": masked, "count": len(members)})
            wanted.append(
                (
                    f"held_{reason}",
                    key,
                    None,
                    {
                        "identifier_kind": kind,
                        "masked": masked,
                        "lead_ids": members,
                        "customers": sorted({outcome.lead_customer.get(m) for m in members} - {None}),
                        "text": text.text(),
                        "text_en": text.text("en"),
                    },
                )
            )
        for cid, reason in outcome.flagged:
            text = Reason(f"flag_{reason}", {"customer": cid})
            wanted.append((f"flag_{reason}", f"customer:{cid}", cid, {"text": text.text(), "text_en": text.text("en")}))
        opened = []
        taken: set[tuple[str, str]] = set()
        for part in chunks(sorted({subject for _, subject, _, _ in wanted})):
            taken.update(tuple(r) for r in conn.execute(_REVIEWS_OF_SUBJECTS, {"subjects": part}))
        for kind, subject, cid, evidence in wanted:
            if (kind, subject) in taken:
                continue
            taken.add((kind, subject))
            rid = conn.execute(
                _INSERT_REVIEW,
                {
                    "kind": kind,
                    "subject": subject,
                    "customer_id": cid or (evidence.get("customers") or [None])[0],
                    "evidence": evidence,
                    "status": "open",
                    "created_at": now,
                },
            ).inserted_primary_key[0]
            opened.append(rid)
            entries.append(
                AuditEntry(
                    "review_opened",
                    actor,
                    cid or (evidence.get("customers") or [None])[0],
                    {"review_id": rid, "kind": kind, "evidence": evidence},
                )
            )
        return opened

    def refresh_customers(
        self,
        conn: Connection,
        ids: set[int],
        touches_by: dict[int, list[TouchRecord]],
        names: dict[int, str],
        now: datetime,
        bulk: bool = False,
        firsts: dict[int, TouchRecord | None] | None = None,
    ) -> list[int]:
        """Recompute first contact, display name and review flag; return the still-active ids.

        `firsts` may give each customer's first contact already found (`first_contact` of its touches).
        """
        active = sorted(c for c in ids if touches_by.get(c))
        flagged: set[int] = set()
        for part in chunks(active):
            flagged.update(c for (c,) in fetch_in(conn, _OPEN_REVIEW_CUSTOMERS, part))
        known = firsts or {}
        firsts_of = [(cid, known[cid] if cid in known else first_contact(touches_by[cid])) for cid in active]
        if firsts and bulk:
            db = db_params(conn)
            stamp = db.stamp(now)
            rows = [
                (
                    first.lead_id,
                    first.channel.value,
                    db.stamp(first.occurred_at),
                    names.get(cid, ""),
                    db.flag(cid in flagged),
                    stamp,
                    cid,
                )
                for cid, first in firsts_of
            ]
            executemany(conn, db.sql(_BULK_UPDATE_CUSTOMER), rows)
        elif firsts_of:
            updates = [
                {
                    "b_id": cid,
                    "b_first": first.lead_id,
                    "b_channel": first.channel.value,
                    "b_at": first.occurred_at,
                    "b_name": names.get(cid, ""),
                    "b_review": cid in flagged,
                    "b_now": now,
                }
                for cid, first in firsts_of
            ]
            conn.execute(_UPDATE_CUSTOMER, updates)
        gone = sorted(set(ids) - set(active))
        for part in chunks(gone):
            conn.execute(
                customers.update()
                .where(customers.c.id.in_(part), customers.c.status == "active")
                .values(status="merged", updated_at=now)
            )
        return active

    def attribution_entries(
        self, active: list[int], touches_by: dict[int, list[TouchRecord]], now: datetime, actor: str
    ) -> list[AuditEntry]:
        """One attribution decision per affected customer, for the evidence chain."""
        return list(self.iter_attribution_entries(active, touches_by, now, actor))

    def _shares(self, touches: list[TouchRecord]) -> tuple[list[dict], str]:
        """The contributions part of an attribution entry, and its canonical JSON.

        Shares depend only on the sequence of (channel, agency, weight), and most customers repeat a
        handful of such sequences: both forms are remembered per sequence.
        """
        ordered = sorted(touches, key=TOUCH_ORDER)  # the order `contributions` groups in
        key = tuple((t.channel, t.agency_id, t.weight) for t in ordered)
        found = self._shares_memo.get(key)
        if found is None:
            shares = [
                {"channel": c.channel.value, "agency_id": c.agency_id, "share": str(c.share)}
                for c in contributions(touches)
            ]
            if len(self._shares_memo) >= 4096:
                self._shares_memo.clear()
            found = self._shares_memo[key] = (shares, canonical(shares))
        return [dict(s) for s in found[0]], found[1]

    def iter_attribution_entries(
        self,
        active: list[int],
        touches_by: dict[int, list[TouchRecord]],
        now: datetime,
        actor: str,
        firsts: dict[int, TouchRecord | None] | None = None,
        rendered: bool = False,
    ) -> Iterator[AuditEntry | RenderedEntry]:
        """`attribution_entries`, one at a time (`firsts` as for `refresh_customers`).

        With `rendered`, each entry comes with its payload already in canonical JSON (`RenderedEntry`).
        """
        known = firsts or {}
        for cid in active:
            ts = touches_by[cid]
            first = known[cid] if cid in known else first_contact(ts)
            verdict = judge(ts, self.protection, now)
            if rendered:
                yield _rendered_attribution(cid, first, self._shares(ts)[1], verdict, actor)
                continue
            yield (
                AuditEntry(
                    "attribution",
                    actor,
                    cid,
                    {
                        "customer_id": cid,
                        "first_contact": {
                            "lead_id": first.lead_id,
                            "channel": first.channel.value,
                            "at": first.occurred_at.isoformat(),
                        }
                        if first
                        else None,
                        "contributions": self._shares(ts)[0],
                        "owner": {
                            "kind": verdict.owner,
                            "channel": verdict.channel.value if verdict.channel else None,
                            "agency_id": verdict.agency_id,
                            "broker_id": verdict.broker_id,
                            "protected_until": verdict.protected_until.isoformat() if verdict.protected_until else None,
                        },
                        "reasons": [r.as_dict() for r in verdict.reasons],
                    },
                )
            )


def _as_dict(reason: Reason, text: str | None) -> dict:
    """`reason.as_dict()`, with its text when already rendered."""
    if text is None:
        return reason.as_dict()
    return {"code": reason.code, "params": reason.params, "text": text}


def _lead_entry(outcome: Outcome, lid: int, reason: Reason, p: PreparedLead | None, actor: str) -> AuditEntry:
    """The evidence of one ingested lead: where it came from, its identifiers (masked) and why it went where."""
    return AuditEntry(
        "lead_ingested",
        actor,
        outcome.lead_customer[lid],
        {
            "lead_id": lid,
            "customer_id": outcome.lead_customer[lid],
            "source": p.lead.source if p else None,
            "source_message_id": p.lead.source_message_id if p else None,
            "channel": p.lead.channel.value if p else None,
            "kind": p.lead.kind.value if p else None,
            "occurred_at": p.lead.occurred_at.isoformat() if p else None,
            "reason": _as_dict(reason, outcome.texts.get(lid)),
            "identifiers": [
                {
                    "kind": i.kind,
                    "masked": i.masked,
                    "status": i.status,
                    "reason": i.ident.reason,
                    "warnings": list(i.ident.warnings),
                }
                for i in (p.identifiers if p else [])
            ],
        },
    )


def _rendered_lead_entry(
    outcome: Outcome, lid: int, reason: Reason, p: PreparedLead | None, actor: str
) -> RenderedEntry:
    """`_lead_entry` with its payload written straight as canonical JSON (keys in sorted order)."""
    v = json_value
    lead = p.lead if p else None
    idents = ",".join(
        f'{{"kind":{v(i.kind)},"masked":{v(i.masked)},"reason":{v(i.ident.reason)},"status":{v(i.status)},'
        f'"warnings":[{",".join(map(v, i.ident.warnings))}]}}'
        for i in (p.identifiers if p else [])
    )
    text = outcome.texts.get(lid)
    cid = outcome.lead_customer[lid]
    return RenderedEntry(
        "lead_ingested",
        actor,
        cid,
        f'{{"channel":{v(lead.channel.value if lead else None)},"customer_id":{v(cid)},"identifiers":[{idents}],'
        f'"kind":{v(lead.kind.value if lead else None)},"lead_id":{v(lid)},'
        f'"occurred_at":{v(lead.occurred_at.isoformat() if lead else None)},'
        f'"reason":{{"code":{v(reason.code)},"params":{canonical(reason.params)},'
        f'"text":{v(reason.text() if text is None else text)}}},'
        f'"source":{v(lead.source if lead else None)},'
        f'"source_message_id":{v(lead.source_message_id if lead else None)}}}',
    )


def _rendered_attribution(
    cid: int, first: TouchRecord | None, shares: str, verdict: Judgement, actor: str
) -> RenderedEntry:
    """An attribution entry written straight as canonical JSON (keys in sorted order)."""
    v = json_value
    first_text = (
        f'{{"at":{v(first.occurred_at.isoformat())},"channel":{v(first.channel.value)},"lead_id":{v(first.lead_id)}}}'
        if first
        else "null"
    )
    until = verdict.protected_until.isoformat() if verdict.protected_until else None
    owner = (
        f'{{"agency_id":{v(verdict.agency_id)},"broker_id":{v(verdict.broker_id)},'
        f'"channel":{v(verdict.channel.value if verdict.channel else None)},"kind":{v(verdict.owner)},'
        f'"protected_until":{v(until)}}}'
    )
    reasons = ",".join(
        f'{{"code":{v(r.code)},"params":{canonical(r.params)},"text":{v(r.text())}}}' for r in verdict.reasons
    )
    return RenderedEntry(
        "attribution",
        actor,
        cid,
        f'{{"contributions":{shares},"customer_id":{v(cid)},"first_contact":{first_text},"owner":{owner},'
        f'"reasons":[{reasons}]}}',
    )


def _merge_text(outcome: Outcome, moved: list[int], survivor: int, absorbed: int) -> str:
    lead = outcome.bridges.get((survivor, absorbed))
    if lead is not None:
        return (
            Reason("bridge_merge", {"lead_id": lead, "a": survivor, "b": absorbed}).text()
            + "；"
            + outcome.explanations[lead].text()
        )
    return f"customer #{absorbed} merged into #{survivor} (leads {moved})"


_HELD_MESSAGE = {HELD_FAMILY: "held_family", HELD_LIMIT: "held_limit", HELD_SATURATED: "held_saturated"}
_REVIEWS_OF_SUBJECTS = sa.select(review_items.c.kind, review_items.c.subject).where(
    review_items.c.subject.in_(sa.bindparam("subjects", expanding=True))
)
_INSERT_REVIEW = review_items.insert()
_OPEN_REVIEW_CUSTOMERS = "SELECT customer_id FROM review_items WHERE customer_id IN ({in}) AND status = 'open'"
_BULK_UPDATE_CUSTOMER = (
    "UPDATE customers SET first_lead_id = ?, first_channel = ?, first_contact_at = ?, name_masked = ?,"
    " needs_review = ?, updated_at = ?, status = 'active', merged_into = NULL WHERE id = ?"
)
_UPDATE_CUSTOMER = (
    customers.update()
    .where(customers.c.id == sa.bindparam("b_id"))
    .values(
        first_lead_id=sa.bindparam("b_first"),
        first_channel=sa.bindparam("b_channel"),
        first_contact_at=sa.bindparam("b_at"),
        name_masked=sa.bindparam("b_name"),
        needs_review=sa.bindparam("b_review"),
        updated_at=sa.bindparam("b_now"),
        status="active",
        merged_into=None,
    )
)
