"""call transcripts and their script tags

Revision ID: 0005_transcripts
Revises: 0004_deals
Create Date: 2026-11-26 10:55:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_transcripts"
down_revision = "0004_deals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "transcripts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("content_key", sa.String(length=32), nullable=False),
        sa.Column("source_file", sa.String(length=255), server_default="", nullable=False),
        sa.Column("source_ref", sa.String(length=64), server_default="", nullable=False),
        sa.Column("consultant_id", sa.Integer(), nullable=True),
        sa.Column("consultant_name", sa.String(length=64), server_default="", nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("customer_key", sa.String(length=32), nullable=True),
        sa.Column("customer_masked", sa.String(length=32), server_default="", nullable=False),
        sa.Column("called_at", sa.DateTime(), nullable=True),
        sa.Column("duration_s", sa.Integer(), nullable=True),
        sa.Column("utterances", sa.Integer(), server_default="0", nullable=False),
        sa.Column("chars", sa.Integer(), server_default="0", nullable=False),
        sa.Column("consultant_chars", sa.Integer(), server_default="0", nullable=False),
        sa.Column("text_enc", sa.LargeBinary(), nullable=False),
        sa.Column("taxonomy", sa.String(length=16), server_default="", nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["consultant_id"], ["staff.id"], name=op.f("fk_transcripts_consultant_id_staff")),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_transcripts_customer_id_customers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transcripts")),
        sa.UniqueConstraint("content_key", name=op.f("uq_transcripts_content_key")),
    )
    with op.batch_alter_table("transcripts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_transcripts_consultant_id_called_at"), ["consultant_id", "called_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_transcripts_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_transcripts_customer_key"), ["customer_key"], unique=False)

    op.create_table(
        "transcript_tags",
        sa.Column("transcript_id", sa.Integer(), nullable=False),
        sa.Column("speaker", sa.String(length=12), nullable=False),
        sa.Column("tag", sa.String(length=48), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["transcript_id"], ["transcripts.id"], name=op.f("fk_transcript_tags_transcript_id_transcripts")
        ),
        sa.PrimaryKeyConstraint("transcript_id", "speaker", "tag", name=op.f("pk_transcript_tags")),
    )
    with op.batch_alter_table("transcript_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transcript_tags_tag"), ["tag"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("transcript_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transcript_tags_tag"))

    op.drop_table("transcript_tags")
    with op.batch_alter_table("transcripts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transcripts_customer_key"))
        batch_op.drop_index(batch_op.f("ix_transcripts_customer_id"))
        batch_op.drop_index(batch_op.f("ix_transcripts_consultant_id_called_at"))

    op.drop_table("transcripts")
