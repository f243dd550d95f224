"""deals, commission splits and settlements

Revision ID: 0004_deals
Revises: 0003_alerts
Create Date: 2026-11-26 10:55:00
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0004_deals"
down_revision = "0003_alerts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""


def downgrade() -> None:
    """Revert this revision."""
