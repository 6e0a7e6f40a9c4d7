"""Load and check a rubric file (TOML) into frozen dataclasses; mistakes raise RubricError."""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.scoring import schema
from app.scoring.kinds import KINDS, hours_check
from app.scoring.model import (
    TIER_CODES,
    Cap,
    Category,
    Gate,
    HoursCheck,
    Rubric,
    Rule,
    Tiers,
    WifiCheck,
)
from app.scoring.reader import RubricError, Table, read_condition, read_input

__all__ = ["DEFAULT_PATH", "RubricError", "load_rubric", "parse_rubric"]

DEFAULT_PATH = Path(__file__).resolve().parent / "rubrics" / "jp-workation-2026.1.toml"
TOTAL_WEIGHT = 100  # the score's scale, not a policy number


def _rule(t: Table, categories: Mapping[str, Category]) -> Rule:
    code, category, kind = t.text("code"), t.text("category"), t.text("kind")
    t.where = f"{t.where} ({code})"
    if category not in categories:
        raise t.error(f"unknown category '{category}'")
    if kind not in KINDS:
        raise t.error(f"unknown kind '{kind}' (known: {', '.join(KINDS)})")
    labels, optional = (t.text("label_ja"), t.text("label_en")), t.flag("optional", False)
    rule = Rule(code, category, kind, *labels, optional=optional, spec=KINDS[kind](t))
    t.done()
    return rule


def _category(code: str, t: Table) -> Category:
    category = Category(code, t.text("label_ja"), t.text("label_en"), t.number("weight"))
    if category.weight <= 0:
        raise t.error("'weight' must be above 0")
    t.done()
    return category


def _gate(code: str, t: Table) -> Gate:
    labels = t.text("label_ja"), t.text("label_en")
    conditions = tuple(read_condition(c) for c in t.tables("all")) if t.has("all") else ()
    yes = t.texts("yes") if t.has("yes") else ()
    if any(name not in schema.FLAG_INPUTS for name in yes):
        raise t.error("'yes' must name yes/no survey inputs")
    hours = _gate_hours(t.table("hours")) if t.has("hours") else None
    wifi = _wifi(t.table("wifi")) if t.has("wifi") else None
    t.done()
    if not (conditions or yes or hours or wifi):
        raise t.error("a gate needs at least one check ('all', 'yes', 'hours' or 'wifi')")
    return Gate(code, *labels, conditions=conditions, yes=yes, hours=hours, wifi=wifi)


def _gate_hours(t: Table) -> HoursCheck:
    check = hours_check(t, "min_days")
    t.done()
    return check


def _wifi(t: Table) -> WifiCheck:
    name = t.text("input")
    known = schema.CODE_INPUTS.get(name, ())
    pass_codes, fail_codes, no_wifi = t.texts("pass"), t.texts("fail"), t.text("no_wifi")
    if not known or any(code not in known for code in (*pass_codes, *fail_codes, no_wifi)):
        raise t.error(f"'wifi' needs a select input and its codes ({', '.join(known)})")
    amenity = t.text("wired_amenity")
    if amenity not in schema.LIST_INPUTS["amenities"]:
        raise t.error(f"unknown amenity '{amenity}'")
    t.done()
    return WifiCheck(name, pass_codes, fail_codes, no_wifi, amenity)


def _tiers(t: Table) -> Tiers:
    tiers = Tiers(
        max_missing_fraction=t.number("max_missing_fraction"),
        ready_min_score=t.number("ready_min_score"),
        nearly_min_score=t.number("nearly_min_score"),
        category_min_share=t.number("category_min_share"),
        labels=_tier_labels(t.table("labels")),
    )
    t.done()
    if not 0 <= tiers.max_missing_fraction < 1:
        raise t.error("'max_missing_fraction' must be from 0 up to (not including) 1")
    if not 0 <= tiers.nearly_min_score < tiers.ready_min_score <= TOTAL_WEIGHT:
        raise t.error(f"need 0 <= nearly_min_score < ready_min_score <= {TOTAL_WEIGHT}")
    if not 0 <= tiers.category_min_share <= 1:
        raise t.error("'category_min_share' must be from 0 to 1")
    return tiers


def _tier_labels(t: Table) -> tuple[tuple[str, str, str], ...]:
    labels = []
    for code in TIER_CODES:
        label = t.table(code)
        labels.append((code, label.text("ja"), label.text("en")))
        label.done()
    t.done()
    return tuple(labels)


def _cap(t: Table) -> Cap:
    cap = Cap(read_input(t), t.number("above"), t.text("label_ja"), t.text("label_en"))
    t.done()
    return cap


def parse_rubric(data: Mapping[str, Any], source: str = "rubric") -> Rubric:
    """Build and check a rubric from parsed TOML (floats as Decimal)."""
    top = Table(data, source)
    version = top.text("version")
    cats = top.table("categories")
    categories = {code: _category(code, cats.table(code)) for code in cats.data}
    rules = tuple(_rule(t, categories) for t in top.tables("rules"))
    gates_table = top.table("gates")
    gates = tuple(_gate(code, gates_table.table(code)) for code in gates_table.data)
    rubric = Rubric(
        version,
        tuple(categories.values()),
        rules,
        gates,
        _tiers(top.table("tiers")),
        _cap(top.table("cap")),
    )
    top.done()
    _check_whole(rubric, top)
    return rubric


def _check_whole(rubric: Rubric, top: Table) -> None:
    if sum(c.weight for c in rubric.categories) != TOTAL_WEIGHT:
        raise top.error(f"category weights must add up to {TOTAL_WEIGHT}")
    for category in rubric.categories:
        if rubric.category_max(category.code) <= 0:
            raise top.error(f"category '{category.code}' has no rule that can score points")
    codes = [rule.code for rule in rubric.rules]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise top.error(f"duplicate rule code(s) {', '.join(duplicates)}")
    if not rubric.gates:
        raise top.error("at least one gate is needed")


def load_rubric(path: str | Path | None = None) -> Rubric:
    """The rubric in `path` (default: the bundled one); parsed once per distinct file content."""
    target = Path(path) if path is not None else DEFAULT_PATH
    try:
        text = target.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RubricError(f"{target}: cannot read the rubric ({exc})") from exc
    return _parse_text(text, target.name)


@functools.lru_cache(maxsize=16)
def _parse_text(text: str, name: str) -> Rubric:
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise RubricError(f"{name}: not valid TOML ({exc})") from exc
    return parse_rubric(data, name)
