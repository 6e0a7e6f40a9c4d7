"""The bulk row writers (COPY text on PostgreSQL, executemany elsewhere) store values exactly."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    select,
)

from app.extensions import db
from app.surveys.row_writers import copy_text


class Colour(enum.StrEnum):
    RED = "red"


def _table() -> Table:
    table = Table(
        "row_writer_probe",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("text", String(200)),
        Column("number", Float),
        Column("big", BigInteger),
        Column("flag", Boolean),
        Column("day", Date),
        Column("moment", DateTime(timezone=True)),
        Column("doc", JSON),
    )
    table.create(db.session.connection())
    return table


AWKWARD = "tab\there, line\nbreak, cr\r, back\\slash \\N, 和文 ＡＢＣ, emoji 🏝"


def test_awkward_values_round_trip(app):
    table = _table()
    moment = datetime(2026, 11, 29, 1, 2, 3, 456789, tzinfo=UTC)
    rows = [
        {
            "id": 1,
            "text": AWKWARD,
            "number": 0.1 + 0.2,
            "big": 10**12,
            "flag": True,
            "day": date(2026, 11, 29),
            "moment": moment,
            "doc": {"note": AWKWARD, "list": [1, 2.5, None, False], "enum": "x\\y"},
        },
        {  # JSON that orjson refuses (an integer beyond 64 bits): the standard library writes it
            "id": 3,
            "text": "",
            "number": 0.0,
            "big": -(2**63),
            "flag": None,
            "day": None,
            "moment": None,
            "doc": {"huge": 10**30, "tiny": 1e-300, "u": "\u2028"},
        },
        {
            "id": 2,
            "text": Colour.RED,
            "number": -1e-05,
            "big": None,
            "flag": False,
            "day": None,
            "moment": None,
            "doc": None,
        },
    ]
    app.extensions["row_writer"].write(table, rows)
    back = db.session.execute(select(table).order_by(table.c.id)).mappings().all()
    first, second, third = back
    assert first["text"] == AWKWARD and first["number"] == 0.1 + 0.2
    assert first["big"] == 10**12 and first["flag"] is True and first["day"] == date(2026, 11, 29)
    assert first["moment"].replace(tzinfo=first["moment"].tzinfo or UTC) == moment
    assert first["doc"] == rows[0]["doc"]
    assert second["text"] == "red" and second["number"] == -1e-05 and second["flag"] is False
    assert second["big"] is None and second["day"] is None and second["doc"] is None
    assert third["doc"] == rows[1]["doc"] and third["big"] == -(2**63) and third["text"] == ""


def test_copy_text_escapes_and_nulls():
    data = copy_text(
        [{"a": "x\ty\\", "b": None, "c": {"k": "\n"}}], ["a", "b", "c"], [False, False, True]
    )
    assert data == b'x\\ty\\\\\t\\N\t{"k":"\\\\n"}\n'


def test_copy_text_refuses_non_finite_numbers():
    with pytest.raises(ValueError, match="non-finite"):
        copy_text([{"a": float("nan")}], ["a"], [False])


def test_many_rows_arrive_whole_and_in_order(app):
    """More rows than one COPY chunk: every row stored once, none split."""
    table = _table()
    rows = [
        {
            "id": i,
            "text": f"行 {i}\t{AWKWARD}",
            "number": i / 7,
            "big": i,
            "flag": i % 2 == 0,
            "day": None,
            "moment": None,
            "doc": {"i": i},
        }
        for i in range(1, 48)
    ]
    app.extensions["row_writer"].write(table, rows)
    back = db.session.execute(select(table).order_by(table.c.id)).mappings().all()
    assert [dict(row) for row in back] == rows


def _probe_rows(count: int):
    for i in range(1, count + 1):
        yield {"id": i, "text": f"行 {i}", "number": i / 7, "big": i, "flag": None}


def test_rows_from_a_generator_are_consumed_as_they_are_sent(app):
    """A generator (bulk.create_sites builds each site as its row goes out) is read once, lazily,
    and every row arrives; an empty one writes nothing."""
    table = _table()
    consumed: list[int] = []

    def rows():
        for row in _probe_rows(25):
            consumed.append(row["id"])
            yield row

    app.extensions["row_writer"].write(table, rows())
    app.extensions["row_writer"].write(table, iter(()))
    back = db.session.execute(select(table.c.id, table.c.text).order_by(table.c.id)).all()
    assert [tuple(r) for r in back] == [(i, f"行 {i}") for i in range(1, 26)]
    assert consumed == list(range(1, 26))


def test_a_failure_while_rows_are_built_stores_none_of_them(app):
    """The rows before the failure were already sent: the savepoint (as in create_sites) takes
    them back, and the connection can be used afterwards."""
    table = _table()

    def rows():
        yield from _probe_rows(23)  # two chunks sent, the third pending
        raise RuntimeError("a site could not be built")

    with pytest.raises(RuntimeError, match="could not be built"), db.session.begin_nested():
        app.extensions["row_writer"].write(table, rows())
    assert db.session.execute(select(table.c.id)).all() == []
    app.extensions["row_writer"].write(table, _probe_rows(2))
    assert len(db.session.execute(select(table.c.id)).all()) == 2
