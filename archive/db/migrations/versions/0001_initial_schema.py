"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-26 02:15:46.332409

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import archive.db.types


# revision identifiers, used by Alembic.
revision: str = '0001'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('audit_log',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('workstation', sa.String(length=8), nullable=False),
    sa.Column('chain_seq', sa.Integer(), nullable=False),
    sa.Column('at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=True),
    sa.Column('username', sa.String(length=60), nullable=False),
    sa.Column('program', sa.String(length=60), nullable=False),
    sa.Column('module', sa.String(length=40), nullable=False),
    sa.Column('profile', sa.String(length=40), nullable=False),
    sa.Column('host', sa.String(length=200), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('entity', sa.String(length=60), nullable=False),
    sa.Column('entity_id', sa.String(length=36), nullable=False),
    sa.Column('before', archive.db.types.JSONText(), nullable=True),
    sa.Column('after', archive.db.types.JSONText(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('confirmed', sa.Boolean(), nullable=False),
    sa.Column('extra1', sa.String(length=200), nullable=False),
    sa.Column('extra2', sa.String(length=200), nullable=False),
    sa.Column('extra3', sa.String(length=200), nullable=False),
    sa.Column('extra4', sa.String(length=200), nullable=False),
    sa.Column('extra5', sa.String(length=200), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
    sa.UniqueConstraint('workstation', 'chain_seq', name=op.f('uq_audit_log_workstation_chain_seq'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_at', ['at'], unique=False)
        batch_op.create_index('ix_audit_log_entity', ['entity', 'entity_id'], unique=False)
        batch_op.create_index('ix_audit_log_user_at', ['username', 'at'], unique=False)

    op.create_table('barcode_counter',
    sa.Column('kind', sa.String(length=1), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('kind', name=op.f('pk_barcode_counter'))
    )
    op.create_table('batch',
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('username', sa.String(length=60), nullable=False),
    sa.Column('at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('items', sa.Integer(), nullable=False),
    sa.Column('reverted_at', archive.db.types.UTCDateTime(), nullable=True),
    sa.Column('reverted_by', sa.String(length=60), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=8), nullable=False),
    sa.Column('deleted_at', archive.db.types.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_batch'))
    )
    op.create_table('change_log',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('change_id', sa.String(length=36), nullable=False),
    sa.Column('table_name', sa.String(length=60), nullable=False),
    sa.Column('row_id', sa.String(length=36), nullable=False),
    sa.Column('op', sa.String(length=1), nullable=False),
    sa.Column('fields', archive.db.types.JSONText(), nullable=False),
    sa.Column('hlc', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=True),
    sa.Column('origin', sa.String(length=8), nullable=False),
    sa.Column('at', archive.db.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_change_log')),
    sa.UniqueConstraint('change_id', name=op.f('uq_change_log_change_id'))
    )
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.create_index('ix_change_log_table_row', ['table_name', 'row_id'], unique=False)

    op.create_table('dependencia',
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('sigla', sa.String(length=20), nullable=False),
    sa.Column('parent_id', sa.String(length=36), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=8), nullable=False),
    sa.Column('deleted_at', archive.db.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['dependencia.id'], name=op.f('fk_dependencia_parent_id_dependencia')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dependencia'))
    )
    with op.batch_alter_table('dependencia', schema=None) as batch_op:
        batch_op.create_index('ix_dependencia_code_live', ['code'], unique=True, sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))

    op.create_table('entity',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('nit', sa.String(length=20), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=8), nullable=False),
    sa.Column('deleted_at', archive.db.types.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entity'))
    )
    op.create_table('feed_cursor',
    sa.Column('consumer', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('consumer', name=op.f('pk_feed_cursor'))
    )
    op.create_table('local_state',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_local_state'))
    )
    op.create_table('location_level',
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('depth', sa.Integer(), nullable=False),
    sa.Column('prefix', sa.String(length=4), nullable=False),
    sa.Column('pad', sa.Integer(), nullable=False),
    sa.Column('in_signatura', sa.Boolean(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=8), nullable=False),
    sa.Column('deleted_at', archive.db.types.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_location_level'))
    )
    with op.batch_alter_table('location_level', schema=None) as batch_op:
        batch_op.create_index('ix_location_level_code_live', ['code'], unique=True, sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))

    op.create_table('parameter',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('value', archive.db.types.JSONText(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=8), nullable=False),
    sa.Column('deleted_at', archive.db.types.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parameter'))
    )
    with op.batch_alter_table('parameter', schema=None) as batch_op:
        batch_op.create_index('ix_parameter_key_live', ['key'], unique=True, sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))

    op.create_table('role',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('builtin', sa.Boolean(), nullable=False),
    sa.Column('own_dependencia_only', sa.Boolean(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=8), nullable=False),
    sa.Column('deleted_at', archive.db.types.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role'))
    )
    with op.batch_alter_table('role', schema=None) as batch_op:
        batch_op.create_index('ix_role_code_live', ['code'], unique=True, sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))

    op.create_table('unit_type',
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('width_cm', sa.Integer(), nullable=False),
    sa.Column('height_cm', sa.Integer(), nullable=False),
    sa.Column('depth_cm', sa.Integer(), nullable=False),
    sa.Column('shelf_cm', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=8), nullable=False),
    sa.Column('deleted_at', archive.db.types.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_type'))
    )
    with op.batch_alter_table('unit_type', schema=None) as batch_op:
        batch_op.create_index('ix_unit_type_code_live', ['code'], unique=True, sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))

    op.create_table('workstation',
    sa.Column('code', sa.String(length=3), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('host', sa.String(length=200), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=8), nullable=False),
    sa.Column('deleted_at', archive.db.types.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workstation'))
    )
    with op.batch_alter_table('workstation', schema=None) as batch_op:
        batch_op.create_index('ix_workstation_code_live', ['code'], unique=True, sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))

    op.create_table('app_user',
    sa.Column('username', sa.String(length=60), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('cargo', sa.String(length=120), nullable=False),
    sa.Column('role_id', sa.String(length=36), nullable=False),
    sa.Column('dependencia_id', sa.String(length=36), nullable=True),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('must_change_password', sa.Boolean(), nullable=False),
    sa.Column('password_changed_at', archive.db.types.UTCDateTime(), nullable=True),
    sa.Column('failed_attempts', sa.Integer(), nullable=False),
    sa.Column('locked_until', archive.db.types.UTCDateTime(), nullable=True),
    sa.Column('disabled', sa.Boolean(), nullable=False),
    sa.Column('last_login_at', archive.db.types.UTCDateTime(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=8), nullable=False),
    sa.Column('deleted_at', archive.db.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['dependencia_id'], ['dependencia.id'], name=op.f('fk_app_user_dependencia_id_dependencia')),
    sa.ForeignKeyConstraint(['role_id'], ['role.id'], name=op.f('fk_app_user_role_id_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_app_user'))
    )
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.create_index('ix_app_user_username', ['username'], unique=True)

    op.create_table('batch_item',
    sa.Column('batch_id', sa.String(length=36), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.String(length=36), nullable=False),
    sa.Column('before', archive.db.types.JSONText(), nullable=False),
    sa.Column('after', archive.db.types.JSONText(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=8), nullable=False),
    sa.Column('deleted_at', archive.db.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['batch.id'], name=op.f('fk_batch_item_batch_id_batch')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_batch_item'))
    )
    with op.batch_alter_table('batch_item', schema=None) as batch_op:
        batch_op.create_index('ix_batch_item_batch', ['batch_id'], unique=False)

    op.create_table('location',
    sa.Column('parent_id', sa.String(length=36), nullable=True),
    sa.Column('level_id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('barcode', sa.String(length=64), nullable=False),
    sa.Column('path', sa.String(length=200), nullable=False),
    sa.Column('capacity_units', sa.Integer(), nullable=True),
    sa.Column('capacity_cm', sa.Integer(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=8), nullable=False),
    sa.Column('deleted_at', archive.db.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['level_id'], ['location_level.id'], name=op.f('fk_location_level_id_location_level')),
    sa.ForeignKeyConstraint(['parent_id'], ['location.id'], name=op.f('fk_location_parent_id_location')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_location'))
    )
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.create_index('ix_location_barcode_live', ['barcode'], unique=True, sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
        batch_op.create_index('ix_location_parent', ['parent_id'], unique=False)
        batch_op.create_index('ix_location_parent_code_live', ['parent_id', 'code'], unique=True, sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
        batch_op.create_index('ix_location_path', ['path'], unique=False)

    op.create_table('role_permission',
    sa.Column('role_id', sa.String(length=36), nullable=False),
    sa.Column('permission', sa.String(length=60), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=8), nullable=False),
    sa.Column('deleted_at', archive.db.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['role_id'], ['role.id'], name=op.f('fk_role_permission_role_id_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_permission'))
    )
    with op.batch_alter_table('role_permission', schema=None) as batch_op:
        batch_op.create_index('ix_role_permission_pair', ['role_id', 'permission'], unique=False)

    op.create_table('serie',
    sa.Column('dependencia_id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=8), nullable=False),
    sa.Column('deleted_at', archive.db.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['dependencia_id'], ['dependencia.id'], name=op.f('fk_serie_dependencia_id_dependencia')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_serie'))
    )
    with op.batch_alter_table('serie', schema=None) as batch_op:
        batch_op.create_index('ix_serie_dep_code', ['dependencia_id', 'code'], unique=False)

    op.create_table('count_session',
    sa.Column('scope_location_id', sa.String(length=36), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('started_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('started_by', sa.String(length=60), nullable=False),
    sa.Column('finished_at', archive.db.types.UTCDateTime(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=8), nullable=False),
    sa.Column('deleted_at', archive.db.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['scope_location_id'], ['location.id'], name=op.f('fk_count_session_scope_location_id_location')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_count_session'))
    )
    op.create_table('subserie',
    sa.Column('serie_id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=8), nullable=False),
    sa.Column('deleted_at', archive.db.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['serie_id'], ['serie.id'], name=op.f('fk_subserie_serie_id_serie')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subserie'))
    )
    with op.batch_alter_table('subserie', schema=None) as batch_op:
        batch_op.create_index('ix_subserie_serie_code', ['serie_id', 'code'], unique=False)

    op.create_table('expediente',
    sa.Column('dependencia_id', sa.String(length=36), nullable=False),
    sa.Column('serie_id', sa.String(length=36), nullable=True),
    sa.Column('subserie_id', sa.String(length=36), nullable=True),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('folio_first', sa.Integer(), nullable=True),
    sa.Column('folio_last', sa.Integer(), nullable=True),
    sa.Column('folios', sa.Integer(), nullable=False),
    sa.Column('soporte', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('stage', sa.String(length=12), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('barcode', sa.String(length=64), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=8), nullable=False),
    sa.Column('deleted_at', archive.db.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['dependencia_id'], ['dependencia.id'], name=op.f('fk_expediente_dependencia_id_dependencia')),
    sa.ForeignKeyConstraint(['serie_id'], ['serie.id'], name=op.f('fk_expediente_serie_id_serie')),
    sa.ForeignKeyConstraint(['subserie_id'], ['subserie.id'], name=op.f('fk_expediente_subserie_id_subserie')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expediente'))
    )
    with op.batch_alter_table('expediente', schema=None) as batch_op:
        batch_op.create_index('ix_expediente_barcode_live', ['barcode'], unique=True, sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
        batch_op.create_index('ix_expediente_closed_live', ['closed_on', 'id'], unique=False, sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
        batch_op.create_index('ix_expediente_dep_number', ['dependencia_id', 'number'], unique=True, sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
        batch_op.create_index('ix_expediente_number_live', ['number', 'id'], unique=False, sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
        batch_op.create_index('ix_expediente_opened_live', ['opened_on', 'id'], unique=False, sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
        batch_op.create_index('ix_expediente_serie', ['serie_id'], unique=False)
        batch_op.create_index('ix_expediente_title_live', ['title', 'id'], unique=False, sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))

    op.create_table('unit',
    sa.Column('unit_type_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('barcode', sa.String(length=64), nullable=False),
    sa.Column('external_barcode', sa.Boolean(), nullable=False),
    sa.Column('number', sa.String(length=30), nullable=False),
    sa.Column('dependencia_id', sa.String(length=36), nullable=True),
    sa.Column('parent_id', sa.String(length=36), nullable=True),
    sa.Column('location_id', sa.String(length=36), nullable=True),
    sa.Column('home_location_id', sa.String(length=36), nullable=True),
    sa.Column('expediente_id', sa.String(length=36), nullable=True),
    sa.Column('sequence', sa.Integer(), nullable=True),
    sa.Column('folio_first', sa.Integer(), nullable=True),
    sa.Column('folio_last', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=8), nullable=False),
    sa.Column('deleted_at', archive.db.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['dependencia_id'], ['dependencia.id'], name=op.f('fk_unit_dependencia_id_dependencia')),
    sa.ForeignKeyConstraint(['expediente_id'], ['expediente.id'], name=op.f('fk_unit_expediente_id_expediente')),
    sa.ForeignKeyConstraint(['home_location_id'], ['location.id'], name=op.f('fk_unit_home_location_id_location')),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_unit_location_id_location')),
    sa.ForeignKeyConstraint(['parent_id'], ['unit.id'], name=op.f('fk_unit_parent_id_unit')),
    sa.ForeignKeyConstraint(['unit_type_id'], ['unit_type.id'], name=op.f('fk_unit_unit_type_id_unit_type')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit'))
    )
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.create_index('ix_unit_barcode_live', ['barcode'], unique=True, sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
        batch_op.create_index('ix_unit_expediente', ['expediente_id'], unique=False)
        batch_op.create_index('ix_unit_kind_number', ['kind', 'number'], unique=False)
        batch_op.create_index('ix_unit_location', ['location_id'], unique=False)
        batch_op.create_index('ix_unit_parent', ['parent_id'], unique=False)

    op.create_table('count_scan',
    sa.Column('session_id', sa.String(length=36), nullable=False),
    sa.Column('location_id', sa.String(length=36), nullable=False),
    sa.Column('unit_id', sa.String(length=36), nullable=True),
    sa.Column('barcode', sa.String(length=64), nullable=False),
    sa.Column('at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=8), nullable=False),
    sa.Column('deleted_at', archive.db.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_count_scan_location_id_location')),
    sa.ForeignKeyConstraint(['session_id'], ['count_session.id'], name=op.f('fk_count_scan_session_id_count_session')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_count_scan_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_count_scan'))
    )
    with op.batch_alter_table('count_scan', schema=None) as batch_op:
        batch_op.create_index('ix_count_scan_session', ['session_id'], unique=False)

    op.create_table('incident',
    sa.Column('unit_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('opened_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('opened_by', sa.String(length=60), nullable=False),
    sa.Column('closed_at', archive.db.types.UTCDateTime(), nullable=True),
    sa.Column('closed_by', sa.String(length=60), nullable=False),
    sa.Column('resolution', sa.Text(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=8), nullable=False),
    sa.Column('deleted_at', archive.db.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_incident_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident'))
    )
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.create_index('ix_incident_state', ['state'], unique=False)
        batch_op.create_index('ix_incident_unit', ['unit_id'], unique=False)

    op.create_table('movement',
    sa.Column('unit_id', sa.String(length=36), nullable=False),
    sa.Column('at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=True),
    sa.Column('username', sa.String(length=60), nullable=False),
    sa.Column('method', sa.String(length=12), nullable=False),
    sa.Column('from_location_id', sa.String(length=36), nullable=True),
    sa.Column('to_location_id', sa.String(length=36), nullable=True),
    sa.Column('from_parent_id', sa.String(length=36), nullable=True),
    sa.Column('to_parent_id', sa.String(length=36), nullable=True),
    sa.Column('over_capacity', sa.Boolean(), nullable=False),
    sa.Column('batch_id', sa.String(length=36), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', archive.db.types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=8), nullable=False),
    sa.Column('deleted_at', archive.db.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_movement_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_movement'))
    )
    with op.batch_alter_table('movement', schema=None) as batch_op:
        batch_op.create_index('ix_movement_batch', ['batch_id'], unique=False)
        batch_op.create_index('ix_movement_unit_at', ['unit_id', 'at'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('movement', schema=None) as batch_op:
        batch_op.drop_index('ix_movement_unit_at')
        batch_op.drop_index('ix_movement_batch')

    op.drop_table('movement')
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_unit')
        batch_op.drop_index('ix_incident_state')

    op.drop_table('incident')
    with op.batch_alter_table('count_scan', schema=None) as batch_op:
        batch_op.drop_index('ix_count_scan_session')

    op.drop_table('count_scan')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_index('ix_unit_parent')
        batch_op.drop_index('ix_unit_location')
        batch_op.drop_index('ix_unit_kind_number')
        batch_op.drop_index('ix_unit_expediente')
        batch_op.drop_index('ix_unit_barcode_live', sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))

    op.drop_table('unit')
    with op.batch_alter_table('expediente', schema=None) as batch_op:
        batch_op.drop_index('ix_expediente_title_live', sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
        batch_op.drop_index('ix_expediente_serie')
        batch_op.drop_index('ix_expediente_opened_live', sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
        batch_op.drop_index('ix_expediente_number_live', sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
        batch_op.drop_index('ix_expediente_dep_number', sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
        batch_op.drop_index('ix_expediente_closed_live', sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
        batch_op.drop_index('ix_expediente_barcode_live', sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))

    op.drop_table('expediente')
    with op.batch_alter_table('subserie', schema=None) as batch_op:
        batch_op.drop_index('ix_subserie_serie_code')

    op.drop_table('subserie')
    op.drop_table('count_session')
    with op.batch_alter_table('serie', schema=None) as batch_op:
        batch_op.drop_index('ix_serie_dep_code')

    op.drop_table('serie')
    with op.batch_alter_table('role_permission', schema=None) as batch_op:
        batch_op.drop_index('ix_role_permission_pair')

    op.drop_table('role_permission')
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.drop_index('ix_location_path')
        batch_op.drop_index('ix_location_parent_code_live', sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
        batch_op.drop_index('ix_location_parent')
        batch_op.drop_index('ix_location_barcode_live', sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))

    op.drop_table('location')
    with op.batch_alter_table('batch_item', schema=None) as batch_op:
        batch_op.drop_index('ix_batch_item_batch')

    op.drop_table('batch_item')
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_index('ix_app_user_username')

    op.drop_table('app_user')
    with op.batch_alter_table('workstation', schema=None) as batch_op:
        batch_op.drop_index('ix_workstation_code_live', sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))

    op.drop_table('workstation')
    with op.batch_alter_table('unit_type', schema=None) as batch_op:
        batch_op.drop_index('ix_unit_type_code_live', sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))

    op.drop_table('unit_type')
    with op.batch_alter_table('role', schema=None) as batch_op:
        batch_op.drop_index('ix_role_code_live', sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))

    op.drop_table('role')
    with op.batch_alter_table('parameter', schema=None) as batch_op:
        batch_op.drop_index('ix_parameter_key_live', sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))

    op.drop_table('parameter')
    with op.batch_alter_table('location_level', schema=None) as batch_op:
        batch_op.drop_index('ix_location_level_code_live', sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))

    op.drop_table('location_level')
    op.drop_table('local_state')
    op.drop_table('feed_cursor')
    op.drop_table('entity')
    with op.batch_alter_table('dependencia', schema=None) as batch_op:
        batch_op.drop_index('ix_dependencia_code_live', sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))

    op.drop_table('dependencia')
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.drop_index('ix_change_log_table_row')

    op.drop_table('change_log')
    op.drop_table('batch')
    op.drop_table('barcode_counter')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_user_at')
        batch_op.drop_index('ix_audit_log_entity')
        batch_op.drop_index('ix_audit_log_at')

    op.drop_table('audit_log')
