"""The rubric file: its numbers drive the score, and a broken file stops with RubricError."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app.scoring import DEFAULT_PATH, RubricError, load_rubric, score_site
from tests.scoring.test_tiers import SITE_A

SCORING = Path(__file__).resolve().parents[2] / "app" / "scoring"


def copy_with(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    """The bundled rubric with text replaced (each old text must be there)."""
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "rubric.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_rubric_matches_the_spec_outline() -> None:
    rubric = load_rubric()
    assert rubric.version == "jp-workation-2026.1"
    weights = {c.code: c.weight for c in rubric.categories}
    assert weights == {
        "connectivity": 25,
        "workspace": 20,
        "lodging": 15,
        "access": 10,
        "daily_life": 10,
        "engagement": 10,
        "safety": 10,
    }
    maxima = {c: rubric.category_max(c) for c in weights}
    assert maxima == weights  # the spec's "max N points" per category
    counts = {c: sum(r.category == c for r in rubric.rules) for c in weights}
    assert counts == {
        "connectivity": 6,
        "workspace": 8,
        "lodging": 5,
        "access": 4,
        "daily_life": 5,
        "engagement": 5,
        "safety": 5,
    }
    assert [g.code for g in rubric.gates] == ["G1", "G2", "G3", "G4"]


def test_load_is_cached_until_the_file_changes(tmp_path: Path) -> None:
    assert load_rubric() is load_rubric()
    path = copy_with(tmp_path)
    first = load_rubric(path)
    assert load_rubric(str(path)) is first
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('version = "jp-workation-2026.1"', 'version = "jp-workation-2026.9"')
    )
    assert load_rubric(path).version == "jp-workation-2026.9"


def test_weights_come_from_the_file(tmp_path: Path) -> None:
    # connectivity 25 -> 20 and workspace 20 -> 25: site A is 25/25 and 17/20, so
    # 20 + 17/20 * 25 + 12 + 9 + 9 + 7 + 8 = 86.25, shown rounded down as 86.2
    path = copy_with(
        tmp_path,
        ("[categories.connectivity]\nweight = 25", "[categories.connectivity]\nweight = 20"),
        ("[categories.workspace]\nweight = 20", "[categories.workspace]\nweight = 25"),
        ('version = "jp-workation-2026.1"', 'version = "test-weights"'),
    )
    result = score_site(SITE_A, load_rubric(path))
    assert result.total_exact * 4 == 345 and result.total == 86.2
    assert result.rubric_version == "test-weights"
    assert score_site(SITE_A, load_rubric()).total == 87.0


def test_thresholds_and_cut_offs_come_from_the_file(tmp_path: Path) -> None:
    path = copy_with(
        tmp_path,
        ("{ at = 100, points = 7 }", "{ at = 200, points = 7 }"),
        ("ready_min_score = 75", "ready_min_score = 90"),
    )
    result = score_site(SITE_A, load_rubric(path))
    assert result.field("download").points == 5  # median 150 < 200
    assert result.total == 85.0 and result.tier == "nearly"


def test_gate_limits_and_cap_come_from_the_file(tmp_path: Path) -> None:
    path = copy_with(
        tmp_path,
        (
            '{ input = "lodging_minutes", op = "<=", at = 30 }',
            '{ input = "lodging_minutes", op = "<=", at = 4 }',
        ),
        ("above = 4", "above = 2"),
    )
    result = score_site(SITE_A, load_rubric(path))
    assert result.gate("G4").status == "fail" and result.capped and result.tier == "invest"


G4_ALL = '\nall = [{ input = "lodging_minutes", op = "<=", at = 30 }]\nyes'
BROKEN = [
    ("not toml", ("[tiers]", "[tiers")),
    ("unknown kind", ('kind = "within"', 'kind = "between"')),
    ("unknown key", ("steps = [{ at = 300", "setps = [{ at = 300")),
    ("ladder order", ("{ at = 100, points = 7 }, { at = 25", "{ at = 20, points = 7 }, { at = 25")),
    ("unknown input", ('input = "desk_lux"', 'input = "desk_luxx"')),
    ("unknown amenity", ('codes = ["aed"]', 'codes = ["defibrillator"]')),
    ("unknown category", ('category = "safety"', 'category = "security"')),
    ("weights", ("[categories.safety]\nweight = 10", "[categories.safety]\nweight = 11")),
    ("tiers order", ("nearly_min_score = 55", "nearly_min_score = 80")),
    ("missing share", ("max_missing_fraction = 0.15", "max_missing_fraction = 1.5")),
    ("negative points", ("points = { premium = 2", "points = { premium = -2")),
    ("bad choice code", ("points = { premium = 2", "points = { platinum = 2")),
    ("bad op", ('op = "<"', 'op = "=<"')),
    ("text number", ("rsrp_at = -90", 'rsrp_at = "-90"')),
    ("no version", ('version = "jp-workation-2026.1"', "")),
    ("gate without checks", (G4_ALL + ' = ["lodging_accepts_3_nights"]', "")),
]


@pytest.mark.parametrize(("name", "replacement"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_rubric_raises_rubric_error(
    tmp_path: Path, name: str, replacement: tuple[str, str]
) -> None:
    path = copy_with(tmp_path, replacement)
    with pytest.raises(RubricError):
        load_rubric(path)


def test_a_category_whose_rules_cannot_score_is_refused(tmp_path: Path) -> None:
    path = copy_with(
        tmp_path,
        (
            "[categories.safety]\nweight = 10",
            '[categories.extra]\nweight = 5\nlabel_ja = "追加"\nlabel_en = "Extra"\n\n'
            "[categories.safety]\nweight = 5",
        ),
    )
    with pytest.raises(RubricError, match="extra"):
        load_rubric(path)


def test_rubric_error_names_the_place(tmp_path: Path) -> None:
    path = copy_with(tmp_path, ('kind = "within"', 'kind = "between"'))
    with pytest.raises(RubricError, match=r"climate.*unknown kind 'between'"):
        load_rubric(path)


def test_a_missing_file_raises_rubric_error(tmp_path: Path) -> None:
    with pytest.raises(RubricError):
        load_rubric(tmp_path / "absent.toml")


def test_the_scoring_package_is_pure() -> None:
    """Only the standard library, app.scoring itself and forms.catalog are imported."""
    allowed_prefixes = ("app.scoring", "forms.catalog", "__future__")
    stdlib = {
        "collections",
        "dataclasses",
        "decimal",
        "fractions",
        "functools",
        "itertools",
        "math",
        "pathlib",
        "re",
        "statistics",
        "tomllib",
        "typing",
    }
    for source in SCORING.glob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
                if node.module == "forms":
                    names = [f"forms.{alias.name}" for alias in node.names]
            for name in names:
                ok = name.startswith(allowed_prefixes) or name.split(".")[0] in stdlib
                assert ok, f"{source.name} imports {name}"
