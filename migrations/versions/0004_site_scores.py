"""site scores

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 14:40:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.add_column(sa.Column('score', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('tier', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('rubric_version', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('score_summary', JSON_TYPE, nullable=True))
        batch_op.add_column(sa.Column('scored_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_sites_score'), ['score'], unique=False)
        batch_op.create_index(batch_op.f('ix_sites_tier'), ['tier'], unique=False)
        batch_op.create_index(batch_op.f('ix_sites_rubric_version'), ['rubric_version'], unique=False)


def downgrade():
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sites_rubric_version'))
        batch_op.drop_index(batch_op.f('ix_sites_tier'))
        batch_op.drop_index(batch_op.f('ix_sites_score'))
        batch_op.drop_column('scored_at')
        batch_op.drop_column('score_summary')
        batch_op.drop_column('rubric_version')
        batch_op.drop_column('tier')
        batch_op.drop_column('score')
