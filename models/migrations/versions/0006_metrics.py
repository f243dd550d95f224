"""what keeps the dashboard aggregates fast

Revision ID: 0006_metrics
Revises: 0005_transcripts
Create Date: 2026-11-26 10:55:00
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0006_metrics"
down_revision = "0005_transcripts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""


def downgrade() -> None:
    """Revert this revision."""
