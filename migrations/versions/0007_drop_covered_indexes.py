"""drop the site_id indexes that a unique (site_id, …) constraint already covers

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 02:40:00

speed_measurements, mobile_coverage, site_photos and site_revisions each have a unique
constraint led by site_id, whose index serves every lookup by site_id (loading a site's
children, the cascade on delete). The separate single-column index only cost a write per row:
8 index entries per pushed site (3 runs, 4 carriers, 1 revision).
"""
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

TABLES = ('speed_measurements', 'mobile_coverage', 'site_photos', 'site_revisions')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_site_id'))


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f'ix_{table}_site_id'), ['site_id'], unique=False)
