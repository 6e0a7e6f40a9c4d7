"""upstream_state.upstream_review_status: the review status upstream has, as far as known

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 11:25:00

A survey submitted for review on a field station is pushed with "status": "submitted" until
upstream has it as submitted (or further along); a status pulled from upstream is recorded
here, so a resubmission after "needs revision" is pushed again even when the content is the
same.
"""
import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('upstream_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('upstream_review_status', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('upstream_state', schema=None) as batch_op:
        batch_op.drop_column('upstream_review_status')
