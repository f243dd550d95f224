"""Policy sandbox: experiments, their variants, exposures and conversions.

They share `models.schema.metadata`, so Alembic and the schema-equality test see one schema.
"""

from __future__ import annotations

from models.schema import metadata  # noqa: F401
