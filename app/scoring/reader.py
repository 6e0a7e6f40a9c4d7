"""Reading a rubric's TOML tables with clear errors (shared by app.scoring.rubric)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from app.scoring import schema
from app.scoring.model import OPS, Condition, Ladder, Op, Step


class RubricError(ValueError):
    """The rubric file cannot be used; the message names the file, the place and the problem."""


class Table:
    """One TOML table, read key by key; leftover keys are reported as unknown."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, Mapping):
            raise RubricError(f"{where}: expected a table")
        self.data, self.where, self.used = data, where, set[str]()

    def error(self, message: str) -> RubricError:
        return RubricError(f"{self.where}: {message}")

    def raw(self, key: str) -> Any:
        if key not in self.data:
            raise self.error(f"missing key '{key}'")
        self.used.add(key)
        return self.data[key]

    def has(self, key: str) -> bool:
        return key in self.data

    def text(self, key: str) -> str:
        value = self.raw(key)
        if not isinstance(value, str) or not value.strip():
            raise self.error(f"'{key}' must be a non-empty string")
        return value

    def number(self, key: str) -> Fraction:
        return to_number(self.raw(key), f"{self.where}.{key}")

    def flag(self, key: str, default: bool) -> bool:
        if key not in self.data:
            return default
        value = self.raw(key)
        if not isinstance(value, bool):
            raise self.error(f"'{key}' must be true or false")
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.raw(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise self.error(f"'{key}' must be a non-empty list of strings")
        return tuple(value)

    def table(self, key: str) -> Table:
        return Table(self.raw(key), f"{self.where}.{key}")

    def tables(self, key: str) -> list[Table]:
        value = self.raw(key)
        if not isinstance(value, list) or not value:
            raise self.error(f"'{key}' must be a non-empty list of tables")
        return [Table(item, f"{self.where}.{key}[{i}]") for i, item in enumerate(value)]

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise self.error(f"unknown key(s) {', '.join(map(repr, unknown))}")


def to_number(value: Any, where: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise RubricError(f"{where}: expected a number, got {value!r}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise RubricError(f"{where}: expected a finite number")
    return Fraction(value)


def read_points(table: Table, key: str = "points") -> Fraction:
    value = table.number(key)
    if value < 0:
        raise table.error(f"'{key}' must not be negative")
    return value


def read_op(table: Table, key: str = "op", default: Op | None = None) -> Op:
    if default is not None and not table.has(key):
        return default
    value = table.raw(key)
    for op in OPS:
        if value == op:
            return op
    raise table.error(f"'{key}' must be one of {', '.join(OPS)}")


def read_input(table: Table, key: str = "input") -> str:
    name = table.text(key)
    if name not in schema.NUMBER_INPUTS:
        raise table.error(f"'{name}' is not a numeric survey input")
    return name


def read_ladder(table: Table, key: str, op: Op) -> Ladder:
    steps = []
    for item in table.tables(key):
        steps.append(Step(at=item.number("at"), points=read_points(item)))
        item.done()
    for before, after in itertools.pairwise(steps):
        ordered = before.at > after.at if op in (">=", ">") else before.at < after.at
        if not ordered or after.points > before.points:
            raise table.error(f"'{key}' must run from the best threshold to the worst")
    return Ladder(op=op, steps=tuple(steps))


def read_condition(table: Table) -> Condition:
    condition = Condition(input=read_input(table), op=read_op(table), at=table.number("at"))
    table.done()
    return condition
