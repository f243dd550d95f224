"""Deals (认购/签约), commission splits and agency settlements.

They share `models.schema.metadata`, so Alembic and the schema-equality test see one schema.
Money is stored as whole fens (BIGINT) through `Fen`, so sums are exact on SQLite and PostgreSQL
alike; Python sees `Decimal` yuan with two places.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

from models.hub_schema import staff
from models.schema import UTCDateTime, agencies, brokers, customers, metadata

FEN = Decimal("0.01")


class Fen(TypeDecorator):
    """Decimal yuan in Python, whole fens in the database; refuses anything finer than a fen."""

    impl = sa.BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Yuan → fens (exact, or a ValueError)."""
        if value is None:
            return None
        amount = Decimal(value)
        if amount != amount.quantize(FEN):
            raise ValueError(f"{amount} is finer than a fen")
        return int(amount.scaleb(2))

    def process_result_value(self, value, dialect):
        """Fens → Decimal yuan with two places."""
        if value is None:
            return None
        return (Decimal(int(value)) * FEN).quantize(FEN)


deals = sa.Table(
    "deals",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey(customers.c.id), nullable=False),
    sa.Column("unit", sa.String(32), nullable=False, unique=True),  # 房号, normalised (models.deal_checks)
    sa.Column("state", sa.String(12), nullable=False),  # subscribed | signed
    sa.Column("consultant_id", sa.Integer, sa.ForeignKey(staff.c.id), nullable=True),
    sa.Column("consultant_name", sa.String(64), nullable=False),
    sa.Column("subscribed_at", UTCDateTime, nullable=True),
    sa.Column("subscription_amount", Fen, nullable=True),
    sa.Column("signed_at", UTCDateTime, nullable=True),
    sa.Column("signed_amount", Fen, nullable=True),
    sa.Column("first_touch_at", UTCDateTime, nullable=True),
    sa.Column("cycle_days", sa.Integer, nullable=True),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Index(None, "customer_id"),
    sa.Index(None, "signed_at"),
)

commission_pools = sa.Table(
    "commission_pools",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("deal_id", sa.Integer, sa.ForeignKey("deals.id"), nullable=False, unique=True),
    sa.Column("amount", Fen, nullable=False),
    sa.Column("rate", sa.Numeric(8, 6), nullable=True),  # null when the pool was given with the signing
    sa.Column("split_at", UTCDateTime, nullable=False),  # the moment 判客 was asked (the signing)
    sa.Column("judgement", sa.JSON, nullable=False),  # owner and reasons at split_at
    sa.Column("protection", sa.JSON, nullable=False),  # the 报备 rules the split used
    sa.Column("audit_seq", sa.Integer, nullable=True),  # evidence chain row of the split decision
    sa.Column("created_at", UTCDateTime, nullable=False),
)

settlement_statements = sa.Table(
    "settlement_statements",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("agency_id", sa.Integer, sa.ForeignKey(agencies.c.id), nullable=False),
    sa.Column("period_start", sa.Date, nullable=False),
    sa.Column("period_end", sa.Date, nullable=False),
    sa.Column("status", sa.String(12), nullable=False, server_default="pending"),  # pending | confirmed | paid
    sa.Column("total", Fen, nullable=False),
    sa.Column("line_count", sa.Integer, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("confirmed_at", UTCDateTime, nullable=True),
    sa.Column("confirmed_by", sa.String(64), nullable=True),
    sa.Column("paid_at", UTCDateTime, nullable=True),
    sa.Column("paid_by", sa.String(64), nullable=True),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Index(None, "agency_id", "period_start"),
    sa.Index(None, "status"),
)

commission_lines = sa.Table(
    "commission_lines",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("pool_id", sa.Integer, sa.ForeignKey("commission_pools.id"), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("party_kind", sa.String(12), nullable=False),  # agency | channel | office
    sa.Column("channel", sa.String(32), nullable=True),
    sa.Column("agency_id", sa.Integer, sa.ForeignKey(agencies.c.id), nullable=True),
    sa.Column("broker_id", sa.Integer, sa.ForeignKey(brokers.c.id), nullable=True),
    sa.Column("consultant_id", sa.Integer, sa.ForeignKey(staff.c.id), nullable=True),
    sa.Column("party_name", sa.String(128), nullable=False),
    sa.Column("weight", sa.Numeric(12, 4), nullable=False),
    sa.Column("eligible", sa.Boolean, nullable=False),
    sa.Column("amount", Fen, nullable=False),
    sa.Column("reasons", sa.JSON, nullable=False),
    sa.Column("statement_id", sa.Integer, sa.ForeignKey("settlement_statements.id"), nullable=True),
    sa.UniqueConstraint("pool_id", "position"),
    sa.Index(None, "agency_id", "statement_id"),
    sa.Index(None, "statement_id"),
)
