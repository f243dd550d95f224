"""Deals on the dashboard: subscriptions, signings and conversion by consultant and channel, and each
channel's contribution to what was signed (its share of the commission split weights).

Conversion = signings in the period ÷ leads received in the period (same grouping): a rate of the
period's work, not a cohort (a lead of March signed in May counts in May). A channel's contribution
is the sum of its split weights over the deals signed in the period, as a share of all of them —
where the channel mix says how many leads a channel brought, this says how much of the selling it did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from models.deal_schema import commission_lines, commission_pools, deals
from models.metrics import business_range
from models.schema import customers

GROUPS = (None, "consultant", "channel")


@dataclass(frozen=True)
class DealRow:
    """Deals of one group in a period."""

    key: str
    subscriptions: int
    signings: int
    signed_amount: Decimal


def _group_column(group: str | None):
    if group == "consultant":
        return sa.cast(sa.func.coalesce(deals.c.consultant_id, 0), sa.String)
    if group == "channel":
        return sa.func.coalesce(customers.c.first_channel, "")
    return sa.literal("all")


def deal_rows(
    conn: Connection,
    start: date,
    end: date,
    group: str | None = None,
    channel: str | None = None,
    consultant_id: int | None = None,
) -> list[DealRow]:
    """Subscriptions and signings in business days start..end, by consultant (id) or first channel;
    filtered like the KPI rows beside them (the customer's first channel, the deal's consultant)."""
    if group not in GROUPS:
        raise ValueError(f"group must be one of {list(GROUPS)}, got {group!r}")
    low, high = business_range(start, end)
    key = _group_column(group).label("key")
    subscribed = sa.and_(deals.c.subscribed_at >= low, deals.c.subscribed_at < high)
    signed = sa.and_(deals.c.signed_at >= low, deals.c.signed_at < high)
    q = (
        sa.select(
            key,
            sa.func.sum(sa.case((subscribed, 1), else_=0)).label("subscriptions"),
            sa.func.sum(sa.case((signed, 1), else_=0)).label("signings"),
            sa.func.sum(sa.case((signed, deals.c.signed_amount), else_=None)).label("amount"),
        )
        .select_from(deals.join(customers, customers.c.id == deals.c.customer_id))
        .where(sa.or_(subscribed, signed))
        .where(customers.c.first_channel == channel if channel else sa.true())
        .where(deals.c.consultant_id == consultant_id if consultant_id is not None else sa.true())
        .group_by(key)
        .order_by(key)
    )
    return [  # the sum keeps the column's type: amounts come back in yuan, exact
        DealRow(str(r.key), int(r.subscriptions or 0), int(r.signings or 0), Decimal(r.amount or 0))
        for r in conn.execute(q)
    ]


def channel_contribution(conn: Connection, start: date, end: date) -> dict[str, Decimal]:
    """Each channel's share (0..1) of the split weights of deals signed in business days start..end."""
    low, high = business_range(start, end)
    channel = sa.func.coalesce(commission_lines.c.channel, commission_lines.c.party_kind).label("channel")
    q = (
        sa.select(channel, sa.func.sum(commission_lines.c.weight).label("weight"))
        .select_from(
            commission_lines.join(commission_pools, commission_pools.c.id == commission_lines.c.pool_id).join(
                deals, deals.c.id == commission_pools.c.deal_id
            )
        )
        .where(deals.c.signed_at >= low, deals.c.signed_at < high, commission_lines.c.weight > 0)
        .group_by(channel)
    )
    weights = {str(r.channel): Decimal(r.weight) for r in conn.execute(q)}
    total = sum(weights.values(), Decimal(0))
    return {k: (v / total).quantize(Decimal("0.0001")) for k, v in sorted(weights.items())} if total else {}
