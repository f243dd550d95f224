"""deals, commission splits and settlements

Revision ID: 0004_deals
Revises: 0003_alerts
Create Date: 2026-11-26 10:55:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_deals"
down_revision = "0003_alerts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "settlement_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), server_default="pending", nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("confirmed_by", sa.String(length=64), nullable=True),
        sa.Column("paid_at", sa.DateTime(), nullable=True),
        sa.Column("paid_by", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_settlement_statements_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlement_statements")),
    )
    with op.batch_alter_table("settlement_statements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_settlement_statements_agency_id_period_start"), ["agency_id", "period_start"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_settlement_statements_status"), ["status"], unique=False)

    op.create_table(
        "deals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("consultant_id", sa.Integer(), nullable=True),
        sa.Column("consultant_name", sa.String(length=64), nullable=False),
        sa.Column("subscribed_at", sa.DateTime(), nullable=True),
        sa.Column("subscription_amount", sa.BigInteger(), nullable=True),
        sa.Column("signed_at", sa.DateTime(), nullable=True),
        sa.Column("signed_amount", sa.BigInteger(), nullable=True),
        sa.Column("first_touch_at", sa.DateTime(), nullable=True),
        sa.Column("cycle_days", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["consultant_id"], ["staff.id"], name=op.f("fk_deals_consultant_id_staff")),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_deals_customer_id_customers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deals")),
        sa.UniqueConstraint("unit", name=op.f("uq_deals_unit")),
    )
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deals_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deals_signed_at"), ["signed_at"], unique=False)

    op.create_table(
        "commission_pools",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("rate", sa.Numeric(precision=8, scale=6), nullable=True),
        sa.Column("split_at", sa.DateTime(), nullable=False),
        sa.Column("judgement", sa.JSON(), nullable=False),
        sa.Column("protection", sa.JSON(), nullable=False),
        sa.Column("audit_seq", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["deal_id"], ["deals.id"], name=op.f("fk_commission_pools_deal_id_deals")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commission_pools")),
        sa.UniqueConstraint("deal_id", name=op.f("uq_commission_pools_deal_id")),
    )
    op.create_table(
        "commission_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("party_kind", sa.String(length=12), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("broker_id", sa.Integer(), nullable=True),
        sa.Column("consultant_id", sa.Integer(), nullable=True),
        sa.Column("party_name", sa.String(length=128), nullable=False),
        sa.Column("weight", sa.Numeric(precision=12, scale=4), nullable=False),
        sa.Column("eligible", sa.Boolean(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_commission_lines_agency_id_agencies")),
        sa.ForeignKeyConstraint(["broker_id"], ["brokers.id"], name=op.f("fk_commission_lines_broker_id_brokers")),
        sa.ForeignKeyConstraint(["consultant_id"], ["staff.id"], name=op.f("fk_commission_lines_consultant_id_staff")),
        sa.ForeignKeyConstraint(
            ["pool_id"], ["commission_pools.id"], name=op.f("fk_commission_lines_pool_id_commission_pools")
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["settlement_statements.id"],
            name=op.f("fk_commission_lines_statement_id_settlement_statements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commission_lines")),
        sa.UniqueConstraint("pool_id", "position", name=op.f("uq_commission_lines_pool_id_position")),
    )
    with op.batch_alter_table("commission_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commission_lines_agency_id_statement_id"), ["agency_id", "statement_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_commission_lines_statement_id"), ["statement_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("commission_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commission_lines_statement_id"))
        batch_op.drop_index(batch_op.f("ix_commission_lines_agency_id_statement_id"))

    op.drop_table("commission_lines")
    op.drop_table("commission_pools")
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deals_signed_at"))
        batch_op.drop_index(batch_op.f("ix_deals_customer_id"))

    op.drop_table("deals")
    with op.batch_alter_table("settlement_statements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_settlement_statements_status"))
        batch_op.drop_index(batch_op.f("ix_settlement_statements_agency_id_period_start"))

    op.drop_table("settlement_statements")
