"""upstream_state.upstream_score, upstream_tier: the readiness upstream gives the site

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 14:40:00

Every change a station pulls carries the site's current score and tier upstream; the station
keeps them (with the review status it already kept) and shows them on the site's page.
"""
import sqlalchemy as sa
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('upstream_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('upstream_score', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('upstream_tier', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('upstream_state', schema=None) as batch_op:
        batch_op.drop_column('upstream_tier')
        batch_op.drop_column('upstream_score')
