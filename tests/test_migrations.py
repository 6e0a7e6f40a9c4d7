"""The migrations build exactly the schema the models describe, on each backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from app.extensions import db
from app.regions.models import Municipality, Prefecture


def test_models_and_migrations_agree(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_reference_data_covers_all_of_japan(app):
    assert db.session.scalar(select(func.count()).select_from(Prefecture)) == 47
    municipalities = db.session.scalar(select(func.count()).select_from(Municipality))
    assert 1900 <= municipalities <= 1925
    sapporo = db.session.get(Municipality, "011002")
    assert (sapporo.name, sapporo.kind) == ("札幌市", "designated_city")
    chuo = db.session.get(Municipality, "011011")
    assert chuo.parent_code == "011002"


def test_init_db_is_idempotent(runner):
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "added 0 prefectures, 0 municipalities" in result.output
