"""loans

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import archive.db.types


# revision identifiers, used by Alembic.
revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('loan',
    sa.Column('unit_id', sa.String(length=36), nullable=False),
    sa.Column('dependencia_id', sa.String(length=36), nullable=False),
    sa.Column('requester_id', sa.String(length=36), nullable=True),
    sa.Column('requester_name', sa.String(length=200), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('requested_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('requested_by', sa.String(length=60), nullable=False),
    sa.Column('approved_at', archive.db.types.UTCDateTime(), nullable=True),
    sa.Column('approved_by', sa.String(length=60), nullable=False),
    sa.Column('lent_at', archive.db.types.UTCDateTime(), nullable=True),
    sa.Column('lent_by', sa.String(length=60), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('renewals', sa.Integer(), nullable=False),
    sa.Column('returned_at', archive.db.types.UTCDateTime(), nullable=True),
    sa.Column('received_by', sa.String(length=60), nullable=False),
    sa.Column('folios_complete', sa.Boolean(), nullable=True),
    sa.Column('return_notes', sa.Text(), nullable=False),
    sa.Column('incident_id', sa.String(length=36), nullable=True),
    sa.Column('closed_at', archive.db.types.UTCDateTime(), nullable=True),
    sa.Column('closed_by', sa.String(length=60), nullable=False),
    sa.Column('close_reason', sa.Text(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=8), nullable=False),
    sa.Column('deleted_at', archive.db.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['dependencia_id'], ['dependencia.id'], name=op.f('fk_loan_dependencia_id_dependencia')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_loan_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loan'))
    )
    with op.batch_alter_table('loan', schema=None) as batch_op:
        batch_op.create_index('ix_loan_dependencia', ['dependencia_id'], unique=False)
        batch_op.create_index('ix_loan_requester', ['requester_id'], unique=False)
        batch_op.create_index('ix_loan_state_due', ['state', 'due_on'], unique=False)
        batch_op.create_index('ix_loan_unit', ['unit_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('loan', schema=None) as batch_op:
        batch_op.drop_index('ix_loan_unit')
        batch_op.drop_index('ix_loan_state_due')
        batch_op.drop_index('ix_loan_requester')
        batch_op.drop_index('ix_loan_dependencia')

    op.drop_table('loan')
