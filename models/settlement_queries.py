"""Settlement statements as screens and exports read them, and the settlement cycle as a figure.

The cycle (签约 → 结佣到账) is measured per payable agency line: from the deal's signing to the
statement marked paid. The seed's target is three days (`[commission] settlement_target_days`).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from models.deal_queries import business_day_bounds
from models.deal_schema import commission_lines, commission_pools, deals, settlement_statements
from models.schema import agencies, brokers, customers

DAY = Decimal(86400)


@dataclass(frozen=True)
class StatementSummary:
    """A statement's head: agency, period, status with who and when, total."""

    statement_id: int
    agency_id: int
    agency_name: str
    period_start: date
    period_end: date
    status: str
    total: Decimal
    line_count: int
    created_at: datetime
    created_by: str
    confirmed_at: datetime | None = None
    confirmed_by: str | None = None
    paid_at: datetime | None = None
    paid_by: str | None = None
    note: str = ""


@dataclass(frozen=True)
class StatementLine:
    """One deal's commission to the agency on a statement (customer name masked)."""

    line_id: int
    deal_id: int
    unit: str
    customer_id: int
    customer_name: str
    signed_at: datetime
    signed_amount: Decimal
    pool: Decimal
    broker_name: str
    weight: Decimal
    amount: Decimal
    reasons: str
    cycle_days: Decimal | None = None  # signing → paid, in days to 0.1, once paid


@dataclass(frozen=True)
class StatementDetail:
    """A statement and its lines; the lines always sum to the total."""

    statement: StatementSummary
    lines: tuple[StatementLine, ...] = ()


@dataclass(frozen=True)
class CycleFigure:
    """The settlement cycle over lines of deals signed in a period (days, to 0.1)."""

    target_days: int
    lines: int
    paid: int
    within_target: int
    median_days: Decimal | None
    p90_days: Decimal | None
    max_days: Decimal | None
    open_lines: int
    oldest_open_days: Decimal | None

    @property
    def share_within(self) -> float | None:
        """Share of paid lines paid within the target (None before any is paid)."""
        return self.within_target / self.paid if self.paid else None


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
    low, high = business_day_bounds(start, end)
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
