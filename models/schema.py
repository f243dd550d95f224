"""The relational schema (SQLAlchemy Core). Alembic migrations in models/migrations build the same."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = sa.MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, hands back aware UTC, on SQLite and PostgreSQL alike."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Convert an aware datetime to naive UTC for storage."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        """Attach UTC to a stored naive datetime."""
        if value is None:
            return None
        if isinstance(value, str):  # raw SQLite text
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC)


def _now() -> datetime:
    return datetime.now(UTC)


customers = sa.Table(
    "customers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("status", sa.String(16), nullable=False, server_default="active"),
    sa.Column("merged_into", sa.Integer, sa.ForeignKey("customers.id"), nullable=True),
    sa.Column("name_masked", sa.String(32), nullable=False, server_default=""),
    sa.Column("first_lead_id", sa.Integer, nullable=True),
    sa.Column("first_channel", sa.String(32), nullable=True),
    sa.Column("first_contact_at", UTCDateTime, nullable=True),
    sa.Column("needs_review", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Index(None, "status"),
)

agencies = sa.Table(
    "agencies",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

brokers = sa.Table(
    "brokers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("agency_id", sa.Integer, sa.ForeignKey("agencies.id"), nullable=False),
    sa.Column("code", sa.String(64), nullable=False),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("mobile_enc", sa.LargeBinary, nullable=True),
    sa.Column("mobile_index", sa.String(32), nullable=True),
    sa.Column("mobile_masked", sa.String(32), nullable=False, server_default=""),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("agency_id", "code"),
)

leads = sa.Table(
    "leads",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("source_message_id", sa.String(128), nullable=False),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=True),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("occurred_at", UTCDateTime, nullable=False),
    sa.Column("received_at", UTCDateTime, nullable=False),
    sa.Column("name_enc", sa.LargeBinary, nullable=True),
    sa.Column("name_masked", sa.String(32), nullable=False, server_default=""),
    sa.Column("agency_id", sa.Integer, sa.ForeignKey("agencies.id"), nullable=True),
    sa.Column("broker_id", sa.Integer, sa.ForeignKey("brokers.id"), nullable=True),
    sa.Column("report_code", sa.String(64), nullable=True),
    sa.Column("payload_enc", sa.LargeBinary, nullable=False),
    sa.Column("payload_type", sa.String(64), nullable=False, server_default="application/json"),
    sa.Column("payload_digest", sa.String(64), nullable=False),
    sa.Column("match_reason", sa.Text, nullable=False, server_default=""),
    sa.Column("problems", sa.Integer, nullable=False, server_default="0"),
    sa.UniqueConstraint("source", "source_message_id"),
    sa.Index(None, "customer_id"),
    sa.Index(None, "occurred_at"),
)

identifiers = sa.Table(
    "identifiers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("lead_id", sa.Integer, sa.ForeignKey("leads.id"), nullable=False),
    sa.Column("kind", sa.String(24), nullable=False),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("blind_index", sa.String(32), nullable=True),
    sa.Column("match_key", sa.String(48), nullable=True),
    sa.Column("tag", sa.Integer, nullable=False, server_default="0"),
    sa.Column("value_enc", sa.LargeBinary, nullable=False),
    sa.Column("masked", sa.String(64), nullable=False),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.Column("warnings", sa.String(128), nullable=False, server_default=""),
    sa.Index(None, "lead_id"),
    sa.Index(None, "match_key"),
    sa.Index(None, "blind_index"),
)

touches = sa.Table(
    "touches",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("lead_id", sa.Integer, sa.ForeignKey("leads.id"), nullable=False, unique=True),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("occurred_at", UTCDateTime, nullable=False),
    sa.Column("agency_id", sa.Integer, sa.ForeignKey("agencies.id"), nullable=True),
    sa.Column("broker_id", sa.Integer, sa.ForeignKey("brokers.id"), nullable=True),
    sa.Column("weight", sa.Numeric(8, 4), nullable=False),
)

reports = sa.Table(
    "reports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("lead_id", sa.Integer, sa.ForeignKey("leads.id"), nullable=False, unique=True),
    sa.Column("agency_id", sa.Integer, sa.ForeignKey("agencies.id"), nullable=False),
    sa.Column("broker_id", sa.Integer, sa.ForeignKey("brokers.id"), nullable=True),
    sa.Column("code", sa.String(64), nullable=True),
    sa.Column("reported_at", UTCDateTime, nullable=False),
    sa.Index(None, "agency_id"),
)

manual_links = sa.Table(
    "manual_links",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("lead_a", sa.Integer, sa.ForeignKey("leads.id"), nullable=False),
    sa.Column("lead_b", sa.Integer, sa.ForeignKey("leads.id"), nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Index(None, "lead_a"),
    sa.Index(None, "lead_b"),
)

merge_history = sa.Table(
    "merge_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("op", sa.String(16), nullable=False),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False),
    sa.Column("other_customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=True),
    sa.Column("lead_ids", sa.JSON, nullable=False),
    sa.Column("explanation", sa.Text, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Index(None, "customer_id"),
    sa.Index(None, "other_customer_id"),
)

review_items = sa.Table(
    "review_items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("subject", sa.String(64), nullable=False),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=True),
    sa.Column("evidence", sa.JSON, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, server_default="open"),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("resolved_at", UTCDateTime, nullable=True),
    sa.Column("resolved_by", sa.String(64), nullable=True),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.UniqueConstraint("kind", "subject"),
    sa.Index(None, "status"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("customer_id", sa.Integer, nullable=True),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Index(None, "customer_id"),
)

audit_head = sa.Table(
    "audit_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)
