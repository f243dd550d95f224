"""The hub's tables: staff and credentials, the event stream, client mutations, dispatch, follow-ups.

They share `models.schema.metadata`, so Alembic and the schema-equality test see one schema.
"""

from __future__ import annotations

import sqlalchemy as sa

from models.schema import UTCDateTime, metadata

staff = sa.Table(
    "staff",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("role", sa.String(24), nullable=False),
    sa.Column("agency_id", sa.Integer, sa.ForeignKey("agencies.id"), nullable=True),
    sa.Column("status", sa.String(12), nullable=False, server_default="off"),
    sa.Column("status_at", UTCDateTime, nullable=True),
    sa.Column("mobile_enc", sa.LargeBinary, nullable=True),
    sa.Column("mobile_masked", sa.String(32), nullable=False, server_default=""),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index(None, "role"),
)

staff_credentials = sa.Table(
    "staff_credentials",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=False),
    sa.Column("kind", sa.String(12), nullable=False),  # "enrollment" | "token"
    sa.Column("secret_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("label", sa.String(64), nullable=False, server_default=""),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=True),
    sa.Column("used_at", UTCDateTime, nullable=True),
    sa.Column("revoked_at", UTCDateTime, nullable=True),
    sa.Index(None, "staff_id"),
    sa.Index(None, "revoked_at"),
)

hub_events = sa.Table(
    "hub_events",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("customer_id", sa.Integer, nullable=True),
    sa.Column("lead_id", sa.Integer, nullable=True),
    sa.Column("staff_id", sa.Integer, nullable=True),
    sa.Column("agency_id", sa.Integer, nullable=True),
    sa.Column("payload", sa.JSON, nullable=False),
)

client_mutations = sa.Table(
    "client_mutations",
    metadata,
    sa.Column("client_id", sa.String(64), primary_key=True),
    sa.Column("mutation_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=False),
    sa.Column("type", sa.String(48), nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Column("result", sa.JSON, nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
)

lead_dispatch = sa.Table(
    "lead_dispatch",
    metadata,
    sa.Column("lead_id", sa.Integer, sa.ForeignKey("leads.id"), primary_key=True, autoincrement=False),
    sa.Column("state", sa.String(16), nullable=False),  # offered | assigned | manager
    sa.Column("mode", sa.String(12), nullable=False),
    sa.Column("consultant_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("assigned_at", UTCDateTime, nullable=True),
    sa.Column("first_follow_up_at", UTCDateTime, nullable=True),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.Index(None, "consultant_id"),
    sa.Index(None, "state"),
)

assignments = sa.Table(
    "assignments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("lead_id", sa.Integer, sa.ForeignKey("leads.id"), nullable=False),
    sa.Column("consultant_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
    sa.Column("how", sa.String(16), nullable=False),  # auto | returning | grab | fallback | manager | manual
    sa.Column("reason", sa.JSON, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Index(None, "lead_id"),
    sa.Index(None, "consultant_id", "at"),
)

grab_rounds = sa.Table(
    "grab_rounds",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("lead_id", sa.Integer, sa.ForeignKey("leads.id"), nullable=False),
    sa.Column("attempt", sa.Integer, nullable=False),
    sa.Column("offered", sa.JSON, nullable=False),
    sa.Column("opened_at", UTCDateTime, nullable=False),
    sa.Column("deadline", UTCDateTime, nullable=False),
    sa.Column("status", sa.String(12), nullable=False, server_default="open"),  # open | claimed | expired
    sa.Column("winner_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
    sa.Column("closed_at", UTCDateTime, nullable=True),
    sa.Index(None, "status", "deadline"),
    sa.Index(None, "lead_id"),
)

follow_ups = sa.Table(
    "follow_ups",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("lead_id", sa.Integer, sa.ForeignKey("leads.id"), nullable=False),
    sa.Column("customer_id", sa.Integer, nullable=True),
    sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=False),
    sa.Column("kind", sa.String(12), nullable=False),  # call | wechat | visit | note
    sa.Column("note_enc", sa.LargeBinary, nullable=True),
    sa.Column("occurred_at", UTCDateTime, nullable=False),
    sa.Column("logged_at", UTCDateTime, nullable=False),
    sa.Index(None, "lead_id"),
    sa.Index(None, "customer_id"),
    sa.Index(None, "staff_id", "occurred_at"),
)

behaviour_events = sa.Table(
    "behaviour_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("message_id", sa.String(128), nullable=False),
    sa.Column("customer_id", sa.Integer, nullable=True),
    sa.Column("match_key", sa.String(48), nullable=True),
    sa.Column("kind", sa.String(24), nullable=False),  # page_view | vr_view | favourite_plan
    sa.Column("page_path", sa.String(256), nullable=False, server_default=""),
    sa.Column("dwell_s", sa.Integer, nullable=False, server_default="0"),
    sa.Column("unit_id", sa.String(64), nullable=False, server_default=""),
    sa.Column("plan_id", sa.String(64), nullable=False, server_default=""),
    sa.Column("occurred_at", UTCDateTime, nullable=False),
    sa.Column("received_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("source", "message_id"),
    sa.Index(None, "customer_id", "occurred_at"),
    sa.Index(None, "match_key"),
)

webhook_nonces = sa.Table(
    "webhook_nonces",
    metadata,
    sa.Column("source", sa.String(32), primary_key=True),
    sa.Column("nonce", sa.String(64), primary_key=True),
    sa.Column("seen_at", UTCDateTime, nullable=False),
    sa.Index(None, "seen_at"),
)

dead_letters = sa.Table(
    "dead_letters",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("received_at", UTCDateTime, nullable=False),
    sa.Column("status", sa.Integer, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("body_enc", sa.LargeBinary, nullable=False),
    sa.Column("resolved", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index(None, "received_at"),
)

alerts = sa.Table(
    "alerts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("customer_id", sa.Integer, nullable=False),
    sa.Column("owner_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
    sa.Column("rule", sa.String(24), nullable=False),
    sa.Column("level", sa.String(8), nullable=False),
    sa.Column("state", sa.String(12), nullable=False, server_default="open"),  # open | acknowledged | resolved
    sa.Column("since", UTCDateTime, nullable=False),
    sa.Column("opened_at", UTCDateTime, nullable=False),
    sa.Column("evidence", sa.JSON, nullable=False),
    sa.Column("suggestion", sa.Text, nullable=False, server_default=""),
    sa.Column("acknowledged_at", UTCDateTime, nullable=True),
    sa.Column("acknowledged_by", sa.String(64), nullable=True),
    sa.Column("resolved_at", UTCDateTime, nullable=True),
    sa.Column("resolved_by", sa.String(64), nullable=True),
    sa.Index(None, "customer_id", "rule", "state"),
    sa.Index(None, "state", "level"),
)

notifications = sa.Table(
    "notifications",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("alert_id", sa.Integer, sa.ForeignKey("alerts.id"), nullable=True),
    sa.Column("channel", sa.String(16), nullable=False),  # wecom | email
    sa.Column("target", sa.String(64), nullable=False),  # robot name or mailbox
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("state", sa.String(12), nullable=False, server_default="queued"),  # queued | sent | failed
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", UTCDateTime, nullable=False),
    sa.Column("last_error", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("sent_at", UTCDateTime, nullable=True),
    sa.Index(None, "state", "next_attempt_at"),
)
