"""Alembic environment of the central-only tables. Run only through ``archive.sync.central_schema``.

Its own version table (``legajo_central_version``) keeps this chain apart from the workstation
chain, which the central database runs too (``alembic_version``).
"""

from __future__ import annotations

from alembic import context

from archive.sync.central_models import CENTRAL_VERSION_TABLE, CentralBase

config = context.config
connection = config.attributes["connection"]


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Only the central tables: the workstation tables belong to the other chain."""
    if type_ == "table":
        return name in CentralBase.metadata.tables
    return True


context.configure(
    connection=connection,
    target_metadata=CentralBase.metadata,
    version_table=CENTRAL_VERSION_TABLE,
    include_name=include_name,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
