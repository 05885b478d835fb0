"""movement_batch_partial: the batch index holds only movements made by a batch

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 13:00:00.000000

Nearly every movement (scans, collector files, registrations) has no batch, and each of them
still added a NULL entry to ix_movement_batch: a tenth of the cost of writing a movement. The
index now covers only the rows that have a batch, which are the only ones ever looked up by it
(``batch_id = ?`` implies ``batch_id IS NOT NULL``, so both databases still use it).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_WHERE = sa.text('batch_id IS NOT NULL')


def upgrade() -> None:
    """Upgrade schema."""
    op.drop_index('ix_movement_batch', table_name='movement')
    op.create_index('ix_movement_batch', 'movement', ['batch_id'], unique=False, sqlite_where=_WHERE,
                    postgresql_where=_WHERE)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_movement_batch', table_name='movement', sqlite_where=_WHERE, postgresql_where=_WHERE)
    op.create_index('ix_movement_batch', 'movement', ['batch_id'], unique=False)
