"""Alembic environment: runs migrations on the engine handed over in config.attributes."""

from alembic import context

import models.deal_schema  # each schema module registers its tables on the shared metadata
import models.experiment_schema
import models.hub_schema
import models.transcript_schema  # noqa: F401
from models.schema import metadata


def run_migrations_online() -> None:
    """Run migrations on the engine the caller supplied."""
    engine = context.config.attributes["engine"]
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        context.run_migrations()


run_migrations_online()
