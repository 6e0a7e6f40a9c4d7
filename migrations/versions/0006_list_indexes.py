"""site list indexes: scope column + default order

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 18:30:00

The survey list of a reviewer or viewer (scoped by prefecture) and of a surveyor (scoped by
municipality) is ordered newest first: (scope column, updated_at, id) gives each page straight
from the index. They replace the single-column indexes, which they cover.
"""
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.create_index(
            'ix_sites_prefecture_updated', ['prefecture_code', 'updated_at', 'id'], unique=False
        )
        batch_op.create_index(
            'ix_sites_municipality_updated', ['municipality_code', 'updated_at', 'id'], unique=False
        )
        batch_op.drop_index(batch_op.f('ix_sites_prefecture_code'))
        batch_op.drop_index(batch_op.f('ix_sites_municipality_code'))


def downgrade():
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sites_municipality_code'), ['municipality_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_sites_prefecture_code'), ['prefecture_code'], unique=False)
        batch_op.drop_index('ix_sites_municipality_updated')
        batch_op.drop_index('ix_sites_prefecture_updated')
