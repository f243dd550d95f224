"""Read side of the customer core: customer detail, review queue, history and the evidence bundle.

Personal fields come back masked unless the caller passes `reveal=True` (for roles that may see them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from operator import attrgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from models.attribution import Contribution, Judgement, TouchRecord, contributions, first_contact, judge
from models.audit import AuditLog, rows_for_customers
from models.leads import Channel, TouchKind
from models.prepare import chunks, db_params, fetch_in
from models.privacy import Vault
from models.rules import ProtectionRules
from models.schema import agencies, brokers, customers, identifiers, leads, merge_history, review_items, touches


@dataclass
class LeadLine:
    """One lead on a customer's timeline."""

    lead_id: int
    source: str
    channel: str
    kind: str
    occurred_at: datetime
    name: str
    match_reason: str
    identifiers: list[dict[str, str]] = field(default_factory=list)


@dataclass
class CustomerDetail:
    """Everything a screen or the CLI shows about one customer."""

    customer_id: int
    status: str
    merged_into: int | None
    name: str
    needs_review: bool
    first_channel: str | None
    first_contact_at: datetime | None
    leads: list[LeadLine]
    contributions: list[Contribution]
    judgement: Judgement
    history: list[dict[str, Any]]


def resolve_customer_id(conn: Connection, customer_id: int) -> int:
    """Follow merged_into pointers to the surviving customer."""
    seen = set()
    current = customer_id
    while current not in seen:
        seen.add(current)
        row = conn.execute(
            sa.select(customers.c.status, customers.c.merged_into).where(customers.c.id == current)
        ).first()
        if row is None:
            raise LookupError(f"customer #{customer_id} does not exist")
        if row.status != "merged" or row.merged_into is None:
            return current
        current = row.merged_into
    return current


def customer_detail(
    conn: Connection, vault: Vault, protection: ProtectionRules, customer_id: int, at: datetime, reveal: bool = False
) -> CustomerDetail:
    """The merged timeline, identifiers (masked unless `reveal`), attribution and 判客 at `at`."""
    row = conn.execute(sa.select(customers).where(customers.c.id == customer_id)).first()
    if row is None:
        raise LookupError(f"customer #{customer_id} does not exist")
    lead_rows = conn.execute(
        sa.select(leads).where(leads.c.customer_id == customer_id).order_by(leads.c.occurred_at, leads.c.id)
    ).all()
    ids = [r.id for r in lead_rows]
    idents: dict[int, list[dict[str, str]]] = {}
    if ids:
        for r in conn.execute(sa.select(identifiers).where(identifiers.c.lead_id.in_(ids)).order_by(identifiers.c.id)):
            value = vault.decrypt(r.value_enc, r.kind) if reveal else r.masked
            idents.setdefault(r.lead_id, []).append(
                {"kind": r.kind, "value": value or "", "status": r.status, "reason": r.reason, "warnings": r.warnings}
            )
    lines = [
        LeadLine(
            r.id,
            r.source,
            r.channel,
            r.kind,
            r.occurred_at,
            (vault.decrypt(r.name_enc, "name") or "") if reveal else r.name_masked,
            r.match_reason,
            idents.get(r.id, []),
        )
        for r in lead_rows
    ]
    touches = load_touches(conn, [customer_id]).get(customer_id, [])
    history = [
        dict(h._mapping)
        for h in conn.execute(
            sa.select(merge_history)
            .where(sa.or_(merge_history.c.customer_id == customer_id, merge_history.c.other_customer_id == customer_id))
            .order_by(merge_history.c.id)
        )
    ]
    first = first_contact(touches)
    return CustomerDetail(
        customer_id=row.id,
        status=row.status,
        merged_into=row.merged_into,
        name=next((ln.name for ln in lines if ln.name), row.name_masked),
        needs_review=row.needs_review,
        first_channel=first.channel.value if first else None,
        first_contact_at=first.occurred_at if first else None,
        leads=lines,
        contributions=contributions(touches),
        judgement=judge(touches, protection, at),
        history=history,
    )


def open_reviews(conn: Connection) -> list[dict[str, Any]]:
    """The review queue, oldest first."""
    q = sa.select(review_items).where(review_items.c.status == "open").order_by(review_items.c.id)
    return [dict(r._mapping) for r in conn.execute(q)]


def customers_absorbed_into(conn: Connection, customer_id: int) -> set[int]:
    """This customer and every customer merged into it, transitively (not those split away from it)."""
    found = {customer_id}
    frontier = {customer_id}
    while frontier:
        q = sa.select(merge_history.c.other_customer_id).where(
            merge_history.c.op == "merge", merge_history.c.customer_id.in_(sorted(frontier))
        )
        frontier = {c for (c,) in conn.execute(q) if c is not None} - found
        found |= frontier
    return found


def evidence_bundle(
    conn: Connection, vault: Vault, protection: ProtectionRules, audit: AuditLog, customer_id: int, at: datetime
) -> dict[str, Any]:
    """Everything an agency dispute needs: touches, decisions, reasons and chain hashes (masked)."""
    detail = customer_detail(conn, vault, protection, customer_id, at)
    related = customers_absorbed_into(conn, customer_id)
    head_seq, head_hash = audit.head(conn)
    problems = audit.verify(conn)
    return {
        "customer_id": customer_id,
        "generated_at": at.isoformat(),
        "chain": {"head_seq": head_seq, "head_hash": head_hash, "intact": not problems, "problems": problems},
        "first_contact": {
            "channel": detail.first_channel,
            "at": detail.first_contact_at.isoformat() if detail.first_contact_at else None,
        },
        "judgement": {
            "owner": detail.judgement.owner,
            "channel": detail.judgement.channel.value if detail.judgement.channel else None,
            "agency": detail.judgement.agency_name,
            "broker": detail.judgement.broker_name,
            "protected_until": detail.judgement.protected_until.isoformat()
            if detail.judgement.protected_until
            else None,
            "reasons": [r.as_dict() for r in detail.judgement.reasons],
        },
        "contributions": [
            {"channel": c.channel.value, "agency": c.agency_name, "weight": str(c.weight), "share": str(c.share)}
            for c in detail.contributions
        ],
        "touches": [
            {
                "lead_id": ln.lead_id,
                "source": ln.source,
                "channel": ln.channel,
                "kind": ln.kind,
                "at": ln.occurred_at.isoformat(),
                "name": ln.name,
                "match_reason": ln.match_reason,
                "identifiers": ln.identifiers,
            }
            for ln in detail.leads
        ],
        "history": json.loads(json.dumps(detail.history, default=str)),
        "decisions": rows_for_customers(conn, sorted(related)),
    }


# --- touches, as attribution reads them -----------------------------------------------------------

_TOUCHES_OF_CUSTOMERS = (
    sa.select(
        leads.c.customer_id,
        leads.c.name_masked,
        touches.c.id,
        touches.c.lead_id,
        touches.c.channel,
        touches.c.kind,
        touches.c.occurred_at,
        touches.c.weight,
        touches.c.agency_id,
        agencies.c.name.label("agency"),
        touches.c.broker_id,
        brokers.c.name.label("broker"),
    )
    .select_from(
        touches.join(leads, leads.c.id == touches.c.lead_id)
        .outerjoin(agencies, agencies.c.id == touches.c.agency_id)
        .outerjoin(brokers, brokers.c.id == touches.c.broker_id)
    )
    .where(leads.c.customer_id.in_(sa.bindparam("ids", expanding=True)))
    .order_by(touches.c.occurred_at, touches.c.lead_id)
)
_TOUCHES_OF_LEADS = (
    "SELECT touches.id, touches.lead_id, touches.channel, touches.kind, touches.occurred_at, touches.weight,"
    " touches.agency_id, agencies.name, touches.broker_id, brokers.name FROM touches"
    " LEFT OUTER JOIN agencies ON agencies.id = touches.agency_id"
    " LEFT OUTER JOIN brokers ON brokers.id = touches.broker_id"
    " WHERE touches.lead_id IN ({in})"
)
TOUCH_ORDER = attrgetter("occurred_at", "lead_id")  # the order load_touches gives a customer's touches in
_CHANNELS = {c.value: c for c in Channel}
_KINDS = {k.value: k for k in TouchKind}


def load_touches(
    conn: Connection, customer_ids: list[int], names: dict[int, str] | None = None
) -> dict[int, list[TouchRecord]]:
    """Touches of the given customers with agency and broker names, oldest first.

    If `names` is given it receives each customer's display name (the earliest masked name).
    """
    out: dict[int, list[TouchRecord]] = {}
    for part in chunks(sorted(customer_ids)):
        for r in conn.execute(_TOUCHES_OF_CUSTOMERS, {"ids": part}):
            out.setdefault(r.customer_id, []).append(
                TouchRecord(
                    r.id,
                    r.lead_id,
                    Channel(r.channel),
                    TouchKind(r.kind),
                    r.occurred_at,
                    Decimal(r.weight),
                    r.agency_id,
                    r.agency or "",
                    r.broker_id,
                    r.broker or "",
                )
            )
            if names is not None and r.name_masked and r.customer_id not in names:
                names[r.customer_id] = r.name_masked
    return out


def touches_of_leads(
    conn: Connection, customer_of: dict[int, int], name_of: dict[int, str], names: dict[int, str] | None = None
) -> dict[int, list[TouchRecord]]:
    """`load_touches` for customers whose leads are all known: touches read by lead from the driver's cursor.

    `customer_of` maps every lead of those customers to its customer and `name_of` gives a lead's masked
    name; the result and `names` are what `load_touches` gives for the same customers.
    """
    db = db_params(conn)
    weights: dict[Any, Decimal] = {}
    out: dict[int, list[TouchRecord]] = {}
    for part in chunks(sorted(customer_of)):
        for tid, lead, channel, kind, at, weight, agency_id, agency, broker_id, broker in fetch_in(
            conn, _TOUCHES_OF_LEADS, part
        ):
            value = weights.get(weight)
            if value is None:
                value = weights[weight] = Decimal(db.read_number(weight))
            record = TouchRecord(
                tid,
                lead,
                _CHANNELS[channel],
                _KINDS[kind],
                db.read_stamp(at),
                value,
                agency_id,
                agency or "",
                broker_id,
                broker or "",
            )
            out.setdefault(customer_of[lead], []).append(record)
    for cid, ts in out.items():
        ts.sort(key=TOUCH_ORDER)
        if names is not None:
            name = next((name_of[t.lead_id] for t in ts if name_of.get(t.lead_id)), None)
            if name:
                names[cid] = name
    return out
