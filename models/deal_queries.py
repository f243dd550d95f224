"""Deals as screens and exports read them: the deals list, a deal with its split lines (plain data)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from models.deal_records import DealDetail, DealSummary, SplitRow
from models.deal_schema import commission_lines, commission_pools, deals, settlement_statements
from models.metrics import business_range
from models.schema import customers

_SUMMARY = sa.select(
    deals,
    customers.c.name_masked,
    commission_pools.c.amount.label("pool"),
    commission_pools.c.rate,
    commission_pools.c.judgement,
    commission_pools.c.audit_seq,
).select_from(
    deals.join(customers, customers.c.id == deals.c.customer_id).outerjoin(
        commission_pools, commission_pools.c.deal_id == deals.c.id
    )
)


def _owner(judgement: dict[str, Any] | None) -> str:
    if not judgement:
        return ""
    return judgement["agency_name"] if judgement["owner"] == "agency" else "案场"


def _summary(r: Any) -> DealSummary:
    return DealSummary(
        r.id,
        r.customer_id,
        r.name_masked,
        r.unit,
        r.state,
        r.consultant_id,
        r.consultant_name,
        r.subscribed_at,
        r.subscription_amount,
        r.signed_at,
        r.signed_amount,
        r.first_touch_at,
        r.cycle_days,
        r.pool,
        _owner(r.judgement),
    )


def deal_detail(conn: Connection, deal_id: int) -> DealDetail:
    """A deal with its split lines (LookupError if there is no such deal)."""
    row = conn.execute(_SUMMARY.where(deals.c.id == deal_id)).first()
    if row is None:
        raise LookupError(f"deal #{deal_id} does not exist")
    lines = conn.execute(
        sa.select(commission_lines, settlement_statements.c.status)
        .select_from(
            commission_lines.join(commission_pools, commission_pools.c.id == commission_lines.c.pool_id).outerjoin(
                settlement_statements, settlement_statements.c.id == commission_lines.c.statement_id
            )
        )
        .where(commission_pools.c.deal_id == deal_id)
        .order_by(commission_lines.c.position)
    ).all()
    judgement = row.judgement or {"reasons": []}
    return DealDetail(
        _summary(row),
        Decimal(row.rate) if row.rate is not None else None,
        tuple(
            SplitRow(
                r.position,
                r.party_kind,
                r.party_name,
                r.channel,
                r.agency_id,
                Decimal(r.weight),
                r.eligible,
                r.amount,
                "；".join(x["text"] for x in r.reasons),
                "; ".join(x.get("text_en", x["text"]) for x in r.reasons),
                r.statement_id,
                r.status,
            )
            for r in lines
        ),
        "\n".join(x["text"] for x in judgement["reasons"]),
        "\n".join(x.get("text_en", x["text"]) for x in judgement["reasons"]),
        row.audit_seq,
        judgement["reasons"],
    )


def list_deals(
    conn: Connection, start: date | None = None, end: date | None = None, consultant_id: int | None = None
) -> list[DealSummary]:
    """Deals subscribed or signed within business days start..end (all when not given), newest first."""
    q = _SUMMARY
    if start is not None and end is not None:
        low, high = business_range(start, end)
        latest = sa.func.coalesce(deals.c.signed_at, deals.c.subscribed_at)
        q = q.where(latest >= low, latest < high)
    if consultant_id is not None:
        q = q.where(deals.c.consultant_id == consultant_id)
    q = q.order_by(sa.func.coalesce(deals.c.signed_at, deals.c.subscribed_at).desc(), deals.c.id.desc())
    return [_summary(r) for r in conn.execute(q)]
