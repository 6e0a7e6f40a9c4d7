"""Canonical JSON and content hash of a site document: equal content, equal hash."""

from __future__ import annotations

import hashlib
import json
import math
from datetime import date, datetime
from typing import Any

# Fields the server owns: they never count towards a document's content.
SERVER_FIELDS = frozenset({"revision", "status", "score", "tier", "updated_at", "photos_complete"})


_PLAIN = frozenset({str, int, bool})


def _normalize(value: Any) -> Any:
    """Nulls dropped from objects, integral floats as ints, dates as ISO text (key order is
    left to json.dumps' sort_keys; dict equality ignores it)."""
    kind = type(value)
    if kind is dict:
        return {
            k: v if type(v) in _PLAIN else _normalize(v) for k, v in value.items() if v is not None
        }
    if kind in _PLAIN or value is None:
        return value
    if kind is list or kind is tuple:
        return [v if type(v) in _PLAIN else _normalize(v) for v in value]
    if isinstance(value, dict):
        return {k: _normalize(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_normalize(v) for v in value]
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("non-finite number in a site document")
        return int(value) if value.is_integer() else value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


class CanonicalContent(dict[str, Any]):
    """A document's content in canonical form, with its canonical JSON text alongside.

    It is what a revision stores, so a stored revision hashes to its own content_hash; a row
    writer that can take JSON text uses `text` instead of encoding the object again."""

    __slots__ = ("text",)
    text: str


def canonical_content(document: dict[str, Any]) -> CanonicalContent:
    """No nulls, no server-owned fields, integral floats as ints; text: sorted keys, compact."""
    content = CanonicalContent(
        _normalize({k: v for k, v in document.items() if k not in SERVER_FIELDS})
    )
    content.text = json.dumps(content, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return content


def canonical_json(document: dict[str, Any]) -> bytes:
    return canonical_content(document).text.encode("utf-8")


def hash_of(content: CanonicalContent) -> str:
    return hashlib.sha256(content.text.encode("utf-8")).hexdigest()


def content_hash(document: dict[str, Any]) -> str:
    return hash_of(canonical_content(document))


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Top-level fields whose canonical values differ between two documents."""
    keys = (set(before) | set(after)) - SERVER_FIELDS
    return sorted(k for k in keys if _differs(before.get(k), after.get(k)))


def _differs(old: Any, new: Any) -> bool:
    """Canonical inequality, without normalising what is plainly equal or plainly absent."""
    if old is None or new is None:
        return (old is None) != (new is None)  # only None normalises to None
    return bool(old != new and _normalize(old) != _normalize(new))
