"""Alembic environment. Run only through ``archive.db.migrate`` (no alembic.ini)."""

from __future__ import annotations

from alembic import context

import archive.db.models  # noqa: F401 - registers every table
from archive.db.base import Base

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
