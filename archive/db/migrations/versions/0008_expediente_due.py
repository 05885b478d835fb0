"""expediente_due: the derived due dates leave the expediente row

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 08:00:00.000000

A recompute that rewrote every expediente's due dates rewrote every page of the wide expediente
table (1M rows: 15 s for a bare UPDATE). The rule and dates now live in a narrow table with a row
per expediente that has a rule; the values move over, then the old columns and their indexes go.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_COLUMNS = ('trd_rule_id', 'fin_gestion', 'fin_central')


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('expediente_due',
    sa.Column('expediente_id', sa.String(length=36), nullable=False),
    sa.Column('trd_rule_id', sa.String(length=36), nullable=False),
    sa.Column('fin_gestion', sa.Date(), nullable=True),
    sa.Column('fin_central', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['expediente_id'], ['expediente.id'], name=op.f('fk_expediente_due_expediente_id_expediente')),
    sa.PrimaryKeyConstraint('expediente_id', name=op.f('pk_expediente_due')),
    sqlite_with_rowid=False
    )
    op.execute(
        "INSERT INTO expediente_due (expediente_id, trd_rule_id, fin_gestion, fin_central) "
        "SELECT id, trd_rule_id, fin_gestion, fin_central FROM expediente WHERE trd_rule_id IS NOT NULL"
    )
    op.create_index('ix_expediente_due_gestion', 'expediente_due', ['fin_gestion', 'expediente_id'], unique=False)
    op.create_index('ix_expediente_due_central', 'expediente_due', ['fin_central', 'expediente_id'], unique=False)
    op.drop_index('ix_expediente_fin_gestion_live', table_name='expediente', sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
    op.drop_index('ix_expediente_fin_central_live', table_name='expediente', sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
    # SQLite ≥ 3.35 drops an unindexed column in place (no table copy, foreign keys untouched).
    for column in _COLUMNS:
        op.execute(f'ALTER TABLE expediente DROP COLUMN {column}')


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('expediente', schema=None) as batch_op:
        batch_op.add_column(sa.Column('trd_rule_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('fin_gestion', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('fin_central', sa.Date(), nullable=True))
    op.execute(
        "UPDATE expediente SET trd_rule_id = d.trd_rule_id, fin_gestion = d.fin_gestion, "
        "fin_central = d.fin_central FROM expediente_due AS d WHERE d.expediente_id = expediente.id"
    )
    with op.batch_alter_table('expediente', schema=None) as batch_op:
        batch_op.create_index('ix_expediente_fin_central_live', ['fin_central', 'id'], unique=False, sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
        batch_op.create_index('ix_expediente_fin_gestion_live', ['fin_gestion', 'id'], unique=False, sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
    op.drop_index('ix_expediente_due_central', table_name='expediente_due')
    op.drop_index('ix_expediente_due_gestion', table_name='expediente_due')
    op.drop_table('expediente_due')
