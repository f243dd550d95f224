"""A dispute pack per deal: every touch, report, visit and decision, with reasons and chain hashes.

What an agency and the office look at when they disagree about a commission: the customer's whole
history as attribution saw it (identifiers masked), the 判客 at the signing and now, the split and
its reasons, where the money stands, and the evidence chain rows about the customer with their
hashes, each recomputed, and whether the whole chain verifies.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from models.attribution import judge
from models.audit import AuditLog, rows_for_customers
from models.deal_queries import deal_detail
from models.deal_schema import commission_lines, commission_pools, deals, settlement_statements
from models.deal_wire import to_wire
from models.hub_schema import follow_ups, staff
from models.leads import VISIT_KINDS
from models.lookup import customers_absorbed_into, load_touches, resolve_customer_id
from models.privacy import Vault
from models.rules import ProtectionRules
from models.schema import agencies, brokers, identifiers, leads, reports


def _touches(conn: Connection, customer_id: int, loaded: list) -> list[dict[str, Any]]:
    """Each lead of the customer as a touch (`loaded`: its touch records), identifiers masked."""
    rows = conn.execute(
        sa.select(leads.c.id, leads.c.source, leads.c.match_reason, leads.c.name_masked)
        .where(leads.c.customer_id == customer_id)
        .order_by(leads.c.occurred_at, leads.c.id)
    ).all()
    ids = [r.id for r in rows]
    masked: dict[int, list[dict[str, str]]] = {}
    for r in conn.execute(
        sa.select(identifiers.c.lead_id, identifiers.c.kind, identifiers.c.masked, identifiers.c.status)
        .where(identifiers.c.lead_id.in_(ids))
        .order_by(identifiers.c.id)
    ):
        masked.setdefault(r.lead_id, []).append({"kind": r.kind, "value": r.masked, "status": r.status})
    by_lead = {t.lead_id: t for t in loaded}
    out = []
    for r in rows:
        t = by_lead.get(r.id)
        if t is None:
            continue
        out.append(
            {
                "lead_id": r.id,
                "at": t.occurred_at.isoformat(),
                "source": r.source,
                "channel": t.channel.value,
                "kind": t.kind.value,
                "agency": t.agency_name,
                "broker": t.broker_name,
                "weight": str(t.weight),
                "name": r.name_masked,
                "match_reason": r.match_reason,
                "identifiers": masked.get(r.id, []),
            }
        )
    return out


def _reports(conn: Connection, customer_id: int) -> list[dict[str, Any]]:
    """The agencies' 报备 of this customer."""
    q = (
        sa.select(
            reports.c.lead_id, reports.c.code, reports.c.reported_at, agencies.c.name.label("agency"), brokers.c.name
        )
        .select_from(
            reports.join(leads, leads.c.id == reports.c.lead_id)
            .join(agencies, agencies.c.id == reports.c.agency_id)
            .outerjoin(brokers, brokers.c.id == reports.c.broker_id)
        )
        .where(leads.c.customer_id == customer_id)
        .order_by(reports.c.reported_at, reports.c.lead_id)
    )
    return [
        {
            "lead_id": r.lead_id,
            "agency": r.agency,
            "broker": r.name or "",
            "code": r.code or "",
            "at": r.reported_at.isoformat(),
        }
        for r in conn.execute(q)
    ]


def _visits(conn: Connection, customer_id: int, touches: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Visits: walk-ins and accompanied visits as touches, and visits consultants logged as follow-ups."""
    out = [
        {"at": t["at"], "kind": t["kind"], "by": t["agency"] or "", "lead_id": t["lead_id"], "source": "touch"}
        for t in touches
        if t["kind"] in {k.value for k in VISIT_KINDS}
    ]
    q = (
        sa.select(follow_ups.c.occurred_at, follow_ups.c.lead_id, staff.c.name)
        .select_from(follow_ups.join(staff, staff.c.id == follow_ups.c.staff_id))
        .where(follow_ups.c.customer_id == customer_id, follow_ups.c.kind == "visit")
    )
    out += [
        {
            "at": r.occurred_at.isoformat(),
            "kind": "follow_up_visit",
            "by": r.name,
            "lead_id": r.lead_id,
            "source": "follow_up",
        }
        for r in conn.execute(q)
    ]
    return sorted(out, key=lambda v: v["at"])


def _settlement(conn: Connection, deal_id: int) -> list[dict[str, Any]]:
    """Statements that hold this deal's commission lines."""
    q = (
        sa.select(settlement_statements, agencies.c.name.label("agency"))
        .select_from(
            settlement_statements.join(agencies, agencies.c.id == settlement_statements.c.agency_id)
            .join(commission_lines, commission_lines.c.statement_id == settlement_statements.c.id)
            .join(commission_pools, commission_pools.c.id == commission_lines.c.pool_id)
        )
        .where(commission_pools.c.deal_id == deal_id)
        .distinct()
        .order_by(settlement_statements.c.id)
    )
    return [
        {
            "statement_id": r.id,
            "agency": r.agency,
            "period": [r.period_start.isoformat(), r.period_end.isoformat()],
            "status": r.status,
            "confirmed_at": r.confirmed_at.isoformat() if r.confirmed_at else None,
            "confirmed_by": r.confirmed_by,
            "paid_at": r.paid_at.isoformat() if r.paid_at else None,
            "paid_by": r.paid_by,
        }
        for r in conn.execute(q)
    ]


def dispute_pack(
    conn: Connection, vault: Vault, protection: ProtectionRules, audit: AuditLog, deal_id: int, now: datetime
) -> dict[str, Any]:
    """Everything a commission dispute about one deal needs, as JSON-able data (masked)."""
    detail = deal_detail(conn, deal_id)
    cid = resolve_customer_id(conn, detail.deal.customer_id)  # the deal's customer may since have merged
    related = sorted(customers_absorbed_into(conn, cid))
    loaded = load_touches(conn, [cid]).get(cid, [])
    touches = _touches(conn, cid, loaded)
    subscribed = [
        r.subscribed_at
        for r in conn.execute(
            sa.select(deals.c.subscribed_at).where(deals.c.customer_id.in_(related), deals.c.subscribed_at.is_not(None))
        )
    ]
    verdict = judge(loaded, protection, now, subscribed)
    head_seq, head_hash = audit.head(conn)
    problems = audit.verify(conn)
    decisions = rows_for_customers(conn, related, vault.audit_key)
    return {
        "generated_at": now.isoformat(),
        "deal": to_wire(detail.deal),
        "customer": {
            "customer_id": cid,
            "name": detail.deal.customer_name,
            "merged_from": [c for c in related if c != cid],
        },
        "touches": touches,
        "reports": _reports(conn, cid),
        "visits": _visits(conn, cid, touches),
        "judgement_at_signing": {"text": detail.judgement, "reasons": detail.reasons},
        "judgement_now": {
            "owner": verdict.owner,
            "agency": verdict.agency_name,
            "text": verdict.text(),
            "reasons": [r.as_dict() for r in verdict.reasons],
        },
        "split": {
            "pool": str(detail.deal.pool) if detail.deal.pool is not None else None,
            "rate": str(detail.rate) if detail.rate is not None else None,
            "audit_seq": detail.audit_seq,
            "lines": [to_wire(line) for line in detail.lines],
        },
        "settlement": _settlement(conn, deal_id),
        "decisions": decisions,
        "chain": {
            "head_seq": head_seq,
            "head_hash": head_hash,
            "intact": not problems and all(d["hash_ok"] for d in decisions),
            "problems": problems,
        },
    }
