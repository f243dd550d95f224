"""Call transcripts and the sales-script tags found in them.

They share `models.schema.metadata`, so Alembic and the schema-equality test see one schema.
The text is encrypted at rest (customers say names and numbers on calls); the tag counts are plain.
"""

from __future__ import annotations

import sqlalchemy as sa

import models.hub_schema  # noqa: F401 - staff, referenced below
from models.schema import UTCDateTime, metadata

transcripts = sa.Table(
    "transcripts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("content_key", sa.String(32), nullable=False, unique=True),  # keyed hash: a re-import is a replay
    sa.Column("source_file", sa.String(255), nullable=False, server_default=""),
    sa.Column("source_ref", sa.String(64), nullable=False, server_default=""),  # "row 5", "call C-1001"
    sa.Column("consultant_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
    sa.Column("consultant_name", sa.String(64), nullable=False, server_default=""),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=True),
    sa.Column("customer_key", sa.String(32), nullable=True),  # blind index of the customer's mobile
    sa.Column("customer_masked", sa.String(32), nullable=False, server_default=""),
    sa.Column("called_at", UTCDateTime, nullable=True),
    sa.Column("duration_s", sa.Integer, nullable=True),
    sa.Column("utterances", sa.Integer, nullable=False, server_default="0"),
    sa.Column("chars", sa.Integer, nullable=False, server_default="0"),
    sa.Column("consultant_chars", sa.Integer, nullable=False, server_default="0"),  # consultant + unlabelled
    sa.Column("text_enc", sa.LargeBinary, nullable=False),
    sa.Column("taxonomy", sa.String(16), nullable=False, server_default=""),  # digest the counts were made with
    sa.Column("imported_at", UTCDateTime, nullable=False),
    sa.Index(None, "consultant_id", "called_at"),
    sa.Index(None, "customer_id"),
    sa.Index(None, "customer_key"),
)

transcript_tags = sa.Table(
    "transcript_tags",
    metadata,
    sa.Column("transcript_id", sa.Integer, sa.ForeignKey("transcripts.id"), primary_key=True),
    sa.Column("speaker", sa.String(12), primary_key=True),  # consultant | customer | unknown
    sa.Column("tag", sa.String(48), primary_key=True),
    sa.Column("hits", sa.Integer, nullable=False),
    sa.Index(None, "tag"),
)
