"""unit_parent_live_change_log_hlc: count a box's live contents from the index; find the clock fast

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 15:00:00.000000

- ``ix_unit_parent`` becomes ``(parent_id, deleted_at)``. The capacity rule counts the live
  units in a box (``parent_id IN (...) AND deleted_at IS NULL``); with ``parent_id`` alone every
  child was read from the table to test ``deleted_at``. On the 1,000,000-expediente demo
  database a collector file of 10,000 carpetas into as many boxes read ~100,000 table rows
  for it (0.6 s). The index still serves every lookup by ``parent_id`` alone.
- ``ix_change_log_hlc``: each process reads the feed's last clock (``max(hlc)``) when it starts.
  Without an index that scanned the whole change_log: 0.5 s warm on the demo database's 2.1
  million changes, seconds from a cold disk, before any CLI command or the first window. Local
  clocks only grow, so the index is appended to at its right edge.
"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0010'
down_revision: Union[str, Sequence[str], None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.drop_index('ix_unit_parent', table_name='unit')
    op.create_index('ix_unit_parent', 'unit', ['parent_id', 'deleted_at'], unique=False)
    op.create_index('ix_change_log_hlc', 'change_log', ['hlc'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_change_log_hlc', table_name='change_log')
    op.drop_index('ix_unit_parent', table_name='unit')
    op.create_index('ix_unit_parent', 'unit', ['parent_id'], unique=False)
