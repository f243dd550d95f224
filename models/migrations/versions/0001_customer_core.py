"""customer core: customers, leads, identifiers, touches, reports, audit

Revision ID: 0001
Revises:
Create Date: 2026-11-25 07:52:16.168121
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agencies")),
        sa.UniqueConstraint("code", name=op.f("uq_agencies_code")),
    )
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_customer_id"), ["customer_id"], unique=False)

    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("merged_into", sa.Integer(), nullable=True),
        sa.Column("name_masked", sa.String(length=32), server_default="", nullable=False),
        sa.Column("first_lead_id", sa.Integer(), nullable=True),
        sa.Column("first_channel", sa.String(length=32), nullable=True),
        sa.Column("first_contact_at", sa.DateTime(), nullable=True),
        sa.Column("needs_review", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["merged_into"], ["customers.id"], name=op.f("fk_customers_merged_into_customers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customers_status"), ["status"], unique=False)

    op.create_table(
        "brokers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("mobile_enc", sa.LargeBinary(), nullable=True),
        sa.Column("mobile_index", sa.String(length=32), nullable=True),
        sa.Column("mobile_masked", sa.String(length=32), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_brokers_agency_id_agencies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brokers")),
        sa.UniqueConstraint("agency_id", "code", name=op.f("uq_brokers_agency_id_code")),
    )
    op.create_table(
        "merge_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("op", sa.String(length=16), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("other_customer_id", sa.Integer(), nullable=True),
        sa.Column("lead_ids", sa.JSON(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_merge_history_customer_id_customers")),
        sa.ForeignKeyConstraint(
            ["other_customer_id"], ["customers.id"], name=op.f("fk_merge_history_other_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merge_history")),
    )
    with op.batch_alter_table("merge_history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_merge_history_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_merge_history_other_customer_id"), ["other_customer_id"], unique=False)

    op.create_table(
        "review_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="open", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_review_items_customer_id_customers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_items")),
        sa.UniqueConstraint("kind", "subject", name=op.f("uq_review_items_kind_subject")),
    )
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_items_status"), ["status"], unique=False)

    op.create_table(
        "leads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("source_message_id", sa.String(length=128), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("name_enc", sa.LargeBinary(), nullable=True),
        sa.Column("name_masked", sa.String(length=32), server_default="", nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("broker_id", sa.Integer(), nullable=True),
        sa.Column("report_code", sa.String(length=64), nullable=True),
        sa.Column("payload_enc", sa.LargeBinary(), nullable=False),
        sa.Column("payload_type", sa.String(length=64), server_default="application/json", nullable=False),
        sa.Column("payload_digest", sa.String(length=64), nullable=False),
        sa.Column("match_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("problems", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_leads_agency_id_agencies")),
        sa.ForeignKeyConstraint(["broker_id"], ["brokers.id"], name=op.f("fk_leads_broker_id_brokers")),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_leads_customer_id_customers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leads")),
        sa.UniqueConstraint("source", "source_message_id", name=op.f("uq_leads_source_source_message_id")),
    )
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_leads_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_leads_occurred_at"), ["occurred_at"], unique=False)

    op.create_table(
        "identifiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("blind_index", sa.String(length=32), nullable=True),
        sa.Column("match_key", sa.String(length=48), nullable=True),
        sa.Column("tag", sa.Integer(), server_default="0", nullable=False),
        sa.Column("value_enc", sa.LargeBinary(), nullable=False),
        sa.Column("masked", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("warnings", sa.String(length=128), server_default="", nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name=op.f("fk_identifiers_lead_id_leads")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identifiers")),
    )
    with op.batch_alter_table("identifiers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_identifiers_blind_index"), ["blind_index"], unique=False)
        batch_op.create_index(batch_op.f("ix_identifiers_lead_id"), ["lead_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_identifiers_match_key"), ["match_key"], unique=False)

    op.create_table(
        "manual_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_a", sa.Integer(), nullable=False),
        sa.Column("lead_b", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.ForeignKeyConstraint(["lead_a"], ["leads.id"], name=op.f("fk_manual_links_lead_a_leads")),
        sa.ForeignKeyConstraint(["lead_b"], ["leads.id"], name=op.f("fk_manual_links_lead_b_leads")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manual_links")),
    )
    with op.batch_alter_table("manual_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_manual_links_lead_a"), ["lead_a"], unique=False)
        batch_op.create_index(batch_op.f("ix_manual_links_lead_b"), ["lead_b"], unique=False)

    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("broker_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("reported_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_reports_agency_id_agencies")),
        sa.ForeignKeyConstraint(["broker_id"], ["brokers.id"], name=op.f("fk_reports_broker_id_brokers")),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name=op.f("fk_reports_lead_id_leads")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("lead_id", name=op.f("uq_reports_lead_id")),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reports_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "touches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("broker_id", sa.Integer(), nullable=True),
        sa.Column("weight", sa.Numeric(precision=8, scale=4), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_touches_agency_id_agencies")),
        sa.ForeignKeyConstraint(["broker_id"], ["brokers.id"], name=op.f("fk_touches_broker_id_brokers")),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name=op.f("fk_touches_lead_id_leads")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_touches")),
        sa.UniqueConstraint("lead_id", name=op.f("uq_touches_lead_id")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("touches")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reports_agency_id"))

    op.drop_table("reports")
    with op.batch_alter_table("manual_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_manual_links_lead_b"))
        batch_op.drop_index(batch_op.f("ix_manual_links_lead_a"))

    op.drop_table("manual_links")
    with op.batch_alter_table("identifiers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identifiers_match_key"))
        batch_op.drop_index(batch_op.f("ix_identifiers_lead_id"))
        batch_op.drop_index(batch_op.f("ix_identifiers_blind_index"))

    op.drop_table("identifiers")
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leads_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_leads_customer_id"))

    op.drop_table("leads")
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_items_status"))

    op.drop_table("review_items")
    with op.batch_alter_table("merge_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_merge_history_other_customer_id"))
        batch_op.drop_index(batch_op.f("ix_merge_history_customer_id"))

    op.drop_table("merge_history")
    op.drop_table("brokers")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customers_status"))

    op.drop_table("customers")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_customer_id"))

    op.drop_table("audit_log")
    op.drop_table("audit_head")
    op.drop_table("agencies")
