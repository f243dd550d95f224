"""Settlement statements as screens and exports read them, and the settlement cycle as a figure.

The cycle (签约 → 结佣到账) is measured per payable agency line: from the deal's signing to the
statement marked paid. The seed's target is three days (`[commission] settlement_target_days`).
"""

from __future__ import annotations

import statistics
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from models.deal_records import CycleFigure, StatementDetail, StatementLine, StatementSummary
from models.deal_schema import commission_lines, commission_pools, deals, settlement_statements
from models.metrics import business_range
from models.schema import agencies, brokers, customers

DAY = Decimal(86400)


_HEAD = sa.select(settlement_statements, agencies.c.name.label("agency_name")).select_from(
    settlement_statements.join(agencies, agencies.c.id == settlement_statements.c.agency_id)
)


def _head(r: Any) -> StatementSummary:
    return StatementSummary(
        r.id,
        r.agency_id,
        r.agency_name,
        r.period_start,
        r.period_end,
        r.status,
        r.total,
        r.line_count,
        r.created_at,
        r.created_by,
        r.confirmed_at,
        r.confirmed_by,
        r.paid_at,
        r.paid_by,
        r.note,
    )


def statement_summary(conn: Connection, statement_id: int) -> StatementSummary:
    """One statement's head (LookupError if there is none)."""
    row = conn.execute(_HEAD.where(settlement_statements.c.id == statement_id)).first()
    if row is None:
        raise LookupError(f"statement #{statement_id} does not exist")
    return _head(row)


def list_statements(
    conn: Connection, agency_id: int | None = None, status: str | None = None
) -> list[StatementSummary]:
    """Statements, newest period first (optionally of one agency or in one status)."""
    q = _HEAD
    if agency_id is not None:
        q = q.where(settlement_statements.c.agency_id == agency_id)
    if status is not None:
        q = q.where(settlement_statements.c.status == status)
    q = q.order_by(settlement_statements.c.period_start.desc(), agencies.c.name, settlement_statements.c.id.desc())
    return [_head(r) for r in conn.execute(q)]


def _days(seconds: float) -> Decimal:
    return (Decimal(str(seconds)) / DAY).quantize(Decimal("0.1"))


def statement_detail(conn: Connection, statement_id: int) -> StatementDetail:
    """A statement with its lines, oldest signing first."""
    head = statement_summary(conn, statement_id)
    rows = conn.execute(
        sa.select(
            commission_lines,
            deals.c.id.label("deal_id"),
            deals.c.unit,
            deals.c.customer_id,
            deals.c.signed_at,
            deals.c.signed_amount,
            customers.c.name_masked,
            commission_pools.c.amount.label("pool"),
            brokers.c.name.label("broker_name"),
        )
        .select_from(
            commission_lines.join(commission_pools, commission_pools.c.id == commission_lines.c.pool_id)
            .join(deals, deals.c.id == commission_pools.c.deal_id)
            .join(customers, customers.c.id == deals.c.customer_id)
            .outerjoin(brokers, brokers.c.id == commission_lines.c.broker_id)
        )
        .where(commission_lines.c.statement_id == statement_id)
        .order_by(deals.c.signed_at, commission_lines.c.id)
    ).all()
    lines = tuple(
        StatementLine(
            r.id,
            r.deal_id,
            r.unit,
            r.customer_id,
            r.name_masked,
            r.signed_at,
            r.signed_amount,
            r.pool,
            r.broker_name or "",
            Decimal(r.weight),
            r.amount,
            "；".join(x["text"] for x in r.reasons),
            _days((head.paid_at - r.signed_at).total_seconds()) if head.paid_at else None,
        )
        for r in rows
    )
    return StatementDetail(head, lines)


def _percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of sorted values."""
    rank = max(1, -(-int(share * 100) * len(values) // 100))
    return values[rank - 1]


def settlement_cycle(conn: Connection, start: date, end: date, now: datetime, target_days: int) -> CycleFigure:
    """Signing → paid over payable agency lines of deals signed in business days start..end."""
    low, high = business_range(start, end)
    rows = conn.execute(
        sa.select(deals.c.signed_at, settlement_statements.c.paid_at)
        .select_from(
            commission_lines.join(commission_pools, commission_pools.c.id == commission_lines.c.pool_id)
            .join(deals, deals.c.id == commission_pools.c.deal_id)
            .outerjoin(settlement_statements, settlement_statements.c.id == commission_lines.c.statement_id)
        )
        .where(
            commission_lines.c.party_kind == "agency",
            commission_lines.c.eligible,
            commission_lines.c.amount > Decimal(0),
            deals.c.signed_at >= low,
            deals.c.signed_at < high,
        )
    ).all()
    paid = sorted((r.paid_at - r.signed_at).total_seconds() for r in rows if r.paid_at is not None)
    waiting = [(now - r.signed_at).total_seconds() for r in rows if r.paid_at is None]
    return CycleFigure(
        target_days=target_days,
        lines=len(rows),
        paid=len(paid),
        within_target=sum(1 for s in paid if s <= target_days * 86400),
        median_days=_days(statistics.median(paid)) if paid else None,
        p90_days=_days(_percentile(paid, 0.9)) if paid else None,
        max_days=_days(paid[-1]) if paid else None,
        open_lines=len(waiting),
        oldest_open_days=_days(max(waiting)) if waiting else None,
    )
