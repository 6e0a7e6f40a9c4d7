"""Revision and conflict rules of the sync protocol: plain data in, a decision out.

A client sends a site document with the revision it was based on (`If-Match` on PUT, the
document's `revision` in a push). The server compares content hashes first, so a replay of
what already landed is recognised whatever base it names (a lost reply retried), and only
then checks the base revision, so a stale write is refused instead of overwriting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

MAX_BATCH = 100
_ETAG = re.compile(r'^\s*(?:W/)?"(\d+)"\s*$')


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"
    INVALID = "invalid"

    @property
    def http_status(self) -> int:
        return {"created": 201, "updated": 200, "unchanged": 200, "conflict": 409}.get(
            self.value, 422
        )


@dataclass(frozen=True)
class Stored:
    """What the server holds for a site: its revision and content hash."""

    revision: int
    content_hash: str


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    new_revision: int | None  # the revision after applying, None for a conflict

    @property
    def writes(self) -> bool:
        return self.outcome in (Outcome.CREATED, Outcome.UPDATED)


def decide(stored: Stored | None, incoming_hash: str, base_revision: int | None) -> Decision:
    """Create, update, recognise a replay, or refuse a stale or blind write."""
    if stored is None:
        return Decision(Outcome.CREATED, 1)
    if incoming_hash == stored.content_hash:
        return Decision(Outcome.UNCHANGED, stored.revision)
    if base_revision != stored.revision:
        return Decision(Outcome.CONFLICT, None)
    return Decision(Outcome.UPDATED, stored.revision + 1)


def parse_etag(header: str | None) -> int | None:
    """'"3"' or 'W/"3"' -> 3; None when absent; ValueError when malformed."""
    if header is None or header.strip() == "":
        return None
    match = _ETAG.match(header)
    if not match:
        raise ValueError(f'If-Match must be a quoted revision such as "3", got {header!r}')
    return int(match.group(1))


def etag(revision: int) -> str:
    return f'"{revision}"'


def base_revision_of(document: dict[str, Any]) -> int | None:
    """The revision a pushed document names as its base (absent for a new site)."""
    value = document.get("revision")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError("revision must be a positive integer")
    return value


@dataclass
class ItemResult:
    uuid: str
    status: Outcome
    revision: int | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    current: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "uuid": self.uuid,
            "status": self.status.value,
            "revision": self.revision,
            "errors": self.errors,
        }
        if self.current is not None:
            body["current"] = self.current
        return body
