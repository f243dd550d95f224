"""policy sandbox: experiments, variants, exposures and conversions

Revision ID: 0007_experiments
Revises: 0006_metrics
Create Date: 2026-11-26 11:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_experiments"
down_revision = "0006_metrics"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "experiments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("policy_key", sa.String(length=48), nullable=False),
        sa.Column("hypothesis", sa.Text(), server_default="", nullable=False),
        sa.Column("share_bp", sa.Integer(), server_default="500", nullable=False),
        sa.Column("allow_overlap", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("stops_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(length=12), server_default="draft", nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("started_by", sa.String(length=64), nullable=True),
        sa.Column("stopped_at", sa.DateTime(), nullable=True),
        sa.Column("stopped_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["staff.id"], name=op.f("fk_experiments_created_by_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiments")),
    )
    with op.batch_alter_table("experiments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_experiments_state_policy_key"), ["state", "policy_key"], unique=False)

    op.create_table(
        "experiment_variants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("policy", sa.String(length=200), nullable=False),
        sa.Column("weight", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["experiment_id"], ["experiments.id"], name=op.f("fk_experiment_variants_experiment_id_experiments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiment_variants")),
        sa.UniqueConstraint("experiment_id", "name", name=op.f("uq_experiment_variants_experiment_id_name")),
        sa.UniqueConstraint("experiment_id", "position", name=op.f("uq_experiment_variants_experiment_id_position")),
    )
    op.create_table(
        "experiment_exposures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("variant_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("exposed_at", sa.DateTime(), nullable=False),
        sa.Column("through", sa.String(length=24), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("staff_name", sa.String(length=64), server_default="", nullable=False),
        sa.Column("last_exposed_at", sa.DateTime(), nullable=False),
        sa.Column("times", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_experiment_exposures_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["experiment_id"], ["experiments.id"], name=op.f("fk_experiment_exposures_experiment_id_experiments")
        ),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_experiment_exposures_staff_id_staff")),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["experiment_variants.id"],
            name=op.f("fk_experiment_exposures_variant_id_experiment_variants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiment_exposures")),
        sa.UniqueConstraint(
            "experiment_id", "customer_id", name=op.f("uq_experiment_exposures_experiment_id_customer_id")
        ),
    )
    with op.batch_alter_table("experiment_exposures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_experiment_exposures_customer_id"), ["customer_id"], unique=False)

    op.create_table(
        "experiment_conversions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("variant_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("exposure_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("converted_at", sa.DateTime(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_experiment_conversions_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(["deal_id"], ["deals.id"], name=op.f("fk_experiment_conversions_deal_id_deals")),
        sa.ForeignKeyConstraint(
            ["experiment_id"], ["experiments.id"], name=op.f("fk_experiment_conversions_experiment_id_experiments")
        ),
        sa.ForeignKeyConstraint(
            ["exposure_id"],
            ["experiment_exposures.id"],
            name=op.f("fk_experiment_conversions_exposure_id_experiment_exposures"),
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["experiment_variants.id"],
            name=op.f("fk_experiment_conversions_variant_id_experiment_variants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiment_conversions")),
        sa.UniqueConstraint(
            "experiment_id",
            "customer_id",
            "kind",
            name=op.f("uq_experiment_conversions_experiment_id_customer_id_kind"),
        ),
    )
    with op.batch_alter_table("experiment_conversions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_experiment_conversions_deal_id"), ["deal_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("experiment_conversions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_experiment_conversions_deal_id"))

    op.drop_table("experiment_conversions")
    with op.batch_alter_table("experiment_exposures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_experiment_exposures_customer_id"))

    op.drop_table("experiment_exposures")
    op.drop_table("experiment_variants")
    with op.batch_alter_table("experiments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_experiments_state_policy_key"))

    op.drop_table("experiments")
