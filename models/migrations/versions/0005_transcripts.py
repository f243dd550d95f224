"""call transcripts and their script tags

Revision ID: 0005_transcripts
Revises: 0004_deals
Create Date: 2026-11-26 10:55:00
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0005_transcripts"
down_revision = "0004_deals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""


def downgrade() -> None:
    """Revert this revision."""
