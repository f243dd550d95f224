"""Agency settlements: statements per agency per period, pending → confirmed → paid, who and when.

A statement gathers the agency's unsettled commission lines of deals signed in the period. Status
only moves forward; each move is a conditional update (two people confirming at once: one wins,
the other is told) and is written to the evidence chain for every customer on the statement.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from models.audit import AuditEntry, AuditLog
from models.clock import Clock, SystemClock
from models.db import write_transaction
from models.deal_checks import stamp
from models.deal_records import MAX_PERIOD_DAYS, NEXT, STATUSES, transition_refusal
from models.deal_schema import commission_lines, commission_pools, deals, settlement_statements
from models.metrics import business_range
from models.privacy import redact
from models.settlement_queries import (
    CycleFigure,
    StatementDetail,
    StatementLine,
    StatementSummary,
    list_statements,
    settlement_cycle,
    statement_detail,
    statement_summary,
)

__all__ = [
    "CycleFigure",
    "SettlementError",
    "Settlements",
    "StatementDetail",
    "StatementLine",
    "StatementSummary",
    "list_statements",
    "settlement_cycle",
    "statement_detail",
    "transition_refusal",
]


class SettlementError(ValueError):
    """A settlement step that cannot be done as asked; the message says why."""


def _unsettled(start: date, end: date, agency_id: int | None):
    """Payable agency lines of deals signed in the period that no statement holds yet."""
    low, high = business_range(start, end)
    q = (
        sa.select(commission_lines.c.id, commission_lines.c.agency_id, commission_lines.c.amount, deals.c.customer_id)
        .select_from(
            commission_lines.join(commission_pools, commission_pools.c.id == commission_lines.c.pool_id).join(
                deals, deals.c.id == commission_pools.c.deal_id
            )
        )
        .where(
            commission_lines.c.party_kind == "agency",
            commission_lines.c.eligible,
            commission_lines.c.amount > Decimal(0),
            commission_lines.c.statement_id.is_(None),
            deals.c.signed_at >= low,
            deals.c.signed_at < high,
        )
        .order_by(commission_lines.c.agency_id, deals.c.signed_at, commission_lines.c.id)
    )
    if agency_id is not None:
        q = q.where(commission_lines.c.agency_id == agency_id)
    return q


class Settlements:
    """Prepares statements and moves them through their statuses, against one database and clock."""

    def __init__(self, engine: Engine, audit: AuditLog, clock: Clock | None = None):
        """Bind to a database, the evidence chain and a clock."""
        self.engine = engine
        self.audit = audit
        self.clock = clock or SystemClock()

    def prepare(self, start: date, end: date, actor: str, agency_id: int | None = None) -> list[StatementSummary]:
        """Statements for the period (one per agency with unsettled lines); see `prepare_in`."""
        with write_transaction(self.engine) as conn:
            ids = self.prepare_in(conn, start, end, actor, agency_id)
            return [statement_summary(conn, i) for i in ids]

    def prepare_in(
        self, conn: Connection, start: date, end: date, actor: str, agency_id: int | None = None
    ) -> list[int]:
        """Gather unsettled lines into the agency's pending statement for the period (made if none); ids touched."""
        if end < start:
            raise SettlementError(f"the period must run forwards: {start} is after {end}")
        if (end - start).days >= MAX_PERIOD_DAYS:
            raise SettlementError(f"a period spans at most {MAX_PERIOD_DAYS} days")
        now = self.clock.now()
        by_agency: dict[int, list] = {}
        for row in conn.execute(_unsettled(start, end, agency_id)):
            by_agency.setdefault(row.agency_id, []).append(row)
        touched = []
        entries = []
        for agency, rows in by_agency.items():
            pending = conn.execute(
                sa.select(settlement_statements.c.id).where(
                    settlement_statements.c.agency_id == agency,
                    settlement_statements.c.period_start == start,
                    settlement_statements.c.period_end == end,
                    settlement_statements.c.status == "pending",
                )
            ).first()
            if pending is None:
                sid = conn.execute(
                    settlement_statements.insert().values(
                        agency_id=agency,
                        period_start=start,
                        period_end=end,
                        status="pending",
                        total=Decimal(0),
                        line_count=0,
                        created_at=now,
                        created_by=actor,
                    )
                ).inserted_primary_key[0]
            else:
                sid = pending.id
            conn.execute(
                commission_lines.update()
                .where(commission_lines.c.id.in_([r.id for r in rows]))
                .values(statement_id=sid)
            )
            total = _retotal(conn, sid)
            touched.append(sid)
            for customer in sorted({r.customer_id for r in rows}):
                mine = [r for r in rows if r.customer_id == customer]
                payload = {
                    "statement_id": sid,
                    "agency_id": agency,
                    "period": [start.isoformat(), end.isoformat()],
                    "lines": [r.id for r in mine],
                    "amount": str(sum((r.amount for r in mine), Decimal(0))),
                    "statement_total": str(total),
                }
                entries.append(AuditEntry("settlement_prepared", actor, customer, payload))
        self.audit.append(conn, entries, now)
        return touched

    def transition(self, statement_id: int, to: str, actor: str, note: str = "") -> StatementSummary:
        """Move a statement one step forward (pending → confirmed → paid); see `transition_in`."""
        with write_transaction(self.engine) as conn:
            self.transition_in(conn, statement_id, to, actor, note)
            return statement_summary(conn, statement_id)

    def transition_in(self, conn: Connection, statement_id: int, to: str, actor: str, note: str = "") -> None:
        """Move a statement to `to` if that is its next status; SettlementError says why not."""
        if to not in STATUSES[1:]:
            raise SettlementError(f"a statement can be marked {' or '.join(STATUSES[1:])}, not {str(to)[:20]!r}")
        row = conn.execute(sa.select(settlement_statements).where(settlement_statements.c.id == statement_id)).first()
        if row is None:
            raise SettlementError(f"statement #{statement_id} does not exist")
        _check_step(row, to)
        now = self.clock.now()
        note = redact(note)[:500]
        values = {"status": to, f"{to}_at": now, f"{to}_by": actor}
        if note:
            values["note"] = f"{row.note}\n{note}".strip()
        done = conn.execute(
            settlement_statements.update()
            .where(settlement_statements.c.id == statement_id, settlement_statements.c.status == row.status)
            .values(**values)
        )
        if done.rowcount != 1:  # someone moved it first
            fresh = conn.execute(
                sa.select(settlement_statements).where(settlement_statements.c.id == statement_id)
            ).first()
            _check_step(fresh, to)
        lines = conn.execute(
            sa.select(
                commission_lines.c.id, commission_lines.c.amount, deals.c.id.label("deal_id"), deals.c.customer_id
            )
            .select_from(
                commission_lines.join(commission_pools, commission_pools.c.id == commission_lines.c.pool_id).join(
                    deals, deals.c.id == commission_pools.c.deal_id
                )
            )
            .where(commission_lines.c.statement_id == statement_id)
        ).all()
        entries = [
            AuditEntry(
                f"settlement_{to}",
                actor,
                customer,
                {
                    "statement_id": statement_id,
                    "agency_id": row.agency_id,
                    "deals": sorted({r.deal_id for r in lines if r.customer_id == customer}),
                    "amount": str(sum((r.amount for r in lines if r.customer_id == customer), Decimal(0))),
                    "statement_total": str(row.total),
                    "note": note,
                },
            )
            for customer in sorted({r.customer_id for r in lines})
        ]
        self.audit.append(conn, entries, now)


def _check_step(row, to: str) -> None:
    """Refuse anything but the next status, naming who did what when."""
    if row.status == to:
        who, when = getattr(row, f"{to}_by"), getattr(row, f"{to}_at")
        raise SettlementError(f"statement #{row.id} is already {to} (by {who}, {stamp(when)})")
    if row.status == "paid":
        raise SettlementError(
            f"statement #{row.id} was paid on {stamp(row.paid_at)} by {row.paid_by}; it cannot change"
        )
    if NEXT.get(row.status) != to:
        if to == "paid":
            raise SettlementError(f"statement #{row.id} is pending: the agency must confirm it before it is paid")
        raise SettlementError(f"statement #{row.id} is {row.status}: it cannot go back to {to}")


def _retotal(conn: Connection, statement_id: int) -> Decimal:
    """Recount a statement's total and lines from its lines (exact, in fens); returns the total."""
    amounts = [
        a
        for (a,) in conn.execute(
            sa.select(commission_lines.c.amount).where(commission_lines.c.statement_id == statement_id)
        )
    ]
    total = sum(amounts, Decimal(0))
    conn.execute(
        settlement_statements.update()
        .where(settlement_statements.c.id == statement_id)
        .values(total=total, line_count=len(amounts))
    )
    return total
