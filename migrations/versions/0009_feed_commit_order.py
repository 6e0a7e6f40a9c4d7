"""site_changes.seq: the changes feed's cursor, numbered in commit order

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 14:00:00

The cursor was the row id, taken at insert time; on PostgreSQL transactions commit out of that
order, so a device could read past an entry that was committed later with a lower id and never
see it. Entries are now numbered as their transaction commits (app/surveys/feed_order.py).
Existing entries keep their id as their number, so cursors devices hold stay valid.
"""
import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade():
    with op.batch_alter_table('site_changes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', BIGINT, nullable=True))
    op.execute('UPDATE site_changes SET seq = id')
    with op.batch_alter_table('site_changes', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_site_changes_seq'), ['seq'])
        batch_op.create_index(
            'ix_site_changes_unnumbered',
            ['id'],
            unique=False,
            postgresql_where=sa.text('seq IS NULL'),
            sqlite_where=sa.text('seq IS NULL'),
        )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE SEQUENCE site_changes_seq_numbers AS bigint')
        op.execute(
            "SELECT setval('site_changes_seq_numbers', COALESCE((SELECT max(id) FROM site_changes), 0) + 1, false)"
        )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP SEQUENCE IF EXISTS site_changes_seq_numbers')
    with op.batch_alter_table('site_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_site_changes_unnumbered')
        batch_op.drop_constraint(batch_op.f('uq_site_changes_seq'), type_='unique')
        batch_op.drop_column('seq')
