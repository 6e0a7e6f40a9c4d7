"""upstream_state.photos_forwarded: whether the last push had every photo of the site

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 14:10:00

A site pushed upstream before all its photos had reached this installation (a municipal server
between stations and the prefecture) is pushed again, photos first, once they have: before, its
content hash was unchanged, so the photos that came late were never forwarded.
"""
import sqlalchemy as sa
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('upstream_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('photos_forwarded', sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table('upstream_state', schema=None) as batch_op:
        batch_op.drop_column('photos_forwarded')
