"""policy sandbox: experiments, variants, exposures and conversions

Revision ID: 0007_experiments
Revises: 0006_metrics
Create Date: 2026-11-26 11:05:00
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0007_experiments"
down_revision = "0006_metrics"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""


def downgrade() -> None:
    """Revert this revision."""
