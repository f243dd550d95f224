"""Policy sandbox: experiments, their variants, exposures and conversions.

They share `models.schema.metadata`, so Alembic and the schema-equality test see one schema.
An experiment's exposed share is stored in basis points (500 = 5 %), so it is exact on both engines.
One exposure row per customer and experiment (the first offer; repeats bump `times`), which is what
keeps a customer in one variant; one conversion per customer, experiment and kind.
"""

from __future__ import annotations

import sqlalchemy as sa

from models.deal_schema import deals
from models.hub_schema import staff
from models.schema import UTCDateTime, customers, metadata

experiments = sa.Table(
    "experiments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("policy_key", sa.String(48), nullable=False),  # what the variants change: "discount", "parking" …
    sa.Column("hypothesis", sa.Text, nullable=False, server_default=""),
    sa.Column("share_bp", sa.Integer, nullable=False, server_default="500"),  # exposed share, 1..10000
    sa.Column("allow_overlap", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("starts_at", UTCDateTime, nullable=False),
    sa.Column("stops_at", UTCDateTime, nullable=False),
    sa.Column("state", sa.String(12), nullable=False, server_default="draft"),  # draft | running | stopped
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_by_id", sa.Integer, sa.ForeignKey(staff.c.id), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("started_at", UTCDateTime, nullable=True),
    sa.Column("started_by", sa.String(64), nullable=True),
    sa.Column("stopped_at", UTCDateTime, nullable=True),
    sa.Column("stopped_by", sa.String(64), nullable=True),
    sa.Index(None, "state", "policy_key"),
)

experiment_variants = sa.Table(
    "experiment_variants",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("experiment_id", sa.Integer, sa.ForeignKey("experiments.id"), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),  # 0 is the control
    sa.Column("name", sa.String(32), nullable=False),
    sa.Column("policy", sa.String(200), nullable=False),  # e.g. "9.5折", "送车位"
    sa.Column("weight", sa.Integer, nullable=False, server_default="1"),
    sa.UniqueConstraint("experiment_id", "position"),
    sa.UniqueConstraint("experiment_id", "name"),
)

experiment_exposures = sa.Table(
    "experiment_exposures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("experiment_id", sa.Integer, sa.ForeignKey("experiments.id"), nullable=False),
    sa.Column("variant_id", sa.Integer, sa.ForeignKey("experiment_variants.id"), nullable=False),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey(customers.c.id), nullable=False),
    sa.Column("exposed_at", UTCDateTime, nullable=False),
    sa.Column("through", sa.String(24), nullable=False),  # consultant | phone | wechat | sms | mini_program | other
    sa.Column("staff_id", sa.Integer, sa.ForeignKey(staff.c.id), nullable=True),
    sa.Column("staff_name", sa.String(64), nullable=False, server_default=""),
    sa.Column("last_exposed_at", UTCDateTime, nullable=False),
    sa.Column("times", sa.Integer, nullable=False, server_default="1"),
    sa.UniqueConstraint("experiment_id", "customer_id"),
    sa.Index(None, "customer_id"),
)

experiment_conversions = sa.Table(
    "experiment_conversions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("experiment_id", sa.Integer, sa.ForeignKey("experiments.id"), nullable=False),
    sa.Column("variant_id", sa.Integer, sa.ForeignKey("experiment_variants.id"), nullable=False),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey(customers.c.id), nullable=False),
    sa.Column("exposure_id", sa.Integer, sa.ForeignKey("experiment_exposures.id"), nullable=False),
    sa.Column("kind", sa.String(12), nullable=False),  # subscription | signing
    sa.Column("converted_at", UTCDateTime, nullable=False),
    sa.Column("deal_id", sa.Integer, sa.ForeignKey(deals.c.id), nullable=True),
    sa.Column("recorded_by", sa.String(64), nullable=False),
    sa.Column("recorded_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("experiment_id", "customer_id", "kind"),
    sa.Index(None, "deal_id"),
)
