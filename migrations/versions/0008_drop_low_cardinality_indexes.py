"""drop the indexes on sites.tier and sites.rubric_version

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 03:40:00

Each holds a handful of distinct values (five tiers, one or two rubric versions), so a query
never gains from them over the scope indexes (prefecture or municipality, updated_at, id),
while every save and every rescored site paid one index entry for each.
"""
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sites_tier'))
        batch_op.drop_index(batch_op.f('ix_sites_rubric_version'))


def downgrade():
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sites_rubric_version'), ['rubric_version'], unique=False)
        batch_op.create_index(batch_op.f('ix_sites_tier'), ['tier'], unique=False)
