"""Revision and conflict rules, without an app."""

from __future__ import annotations

import pytest

from sync.protocol import (
    Decision,
    ItemResult,
    Outcome,
    Stored,
    base_revision_of,
    decide,
    etag,
    parse_etag,
)

HELD = Stored(revision=3, content_hash="abc")


def test_new_site_is_created_at_revision_one():
    assert decide(None, "abc", None) == Decision(Outcome.CREATED, 1)
    assert decide(None, "abc", 7) == Decision(Outcome.CREATED, 1)


def test_same_content_is_unchanged_whatever_base_is_named():
    for base in (None, 1, 3, 99):
        assert decide(HELD, "abc", base) == Decision(Outcome.UNCHANGED, 3)


def test_update_on_the_current_revision():
    decision = decide(HELD, "def", 3)
    assert decision == Decision(Outcome.UPDATED, 4) and decision.writes


@pytest.mark.parametrize("base", [None, 1, 2, 4])
def test_stale_or_blind_update_is_a_conflict(base):
    decision = decide(HELD, "def", base)
    assert decision.outcome is Outcome.CONFLICT and not decision.writes
    assert decision.outcome.http_status == 409


@pytest.mark.parametrize(
    ("header", "value"), [(None, None), ("", None), ('"3"', 3), ('W/"12"', 12), (' "5" ', 5)]
)
def test_parse_etag(header, value):
    assert parse_etag(header) == value


@pytest.mark.parametrize("header", ["3", '"x"', '"3", "4"', "*"])
def test_parse_etag_refuses_malformed(header):
    with pytest.raises(ValueError):
        parse_etag(header)


def test_etag_round_trip():
    assert parse_etag(etag(42)) == 42


def test_base_revision_of_a_document():
    assert base_revision_of({}) is None
    assert base_revision_of({"revision": 2}) == 2
    for bad in (0, -1, "2", 1.5, True):
        with pytest.raises(ValueError):
            base_revision_of({"revision": bad})


def test_statuses_and_result_json():
    assert [o.http_status for o in Outcome] == [201, 200, 200, 409, 422]
    result = ItemResult("u", Outcome.INVALID, errors={"seats": ["too many"]})
    assert result.as_json() == {
        "uuid": "u",
        "status": "invalid",
        "revision": None,
        "errors": {"seats": ["too many"]},
    }
