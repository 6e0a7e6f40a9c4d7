"""Canonical form and content hash of a site document."""

from __future__ import annotations

import pytest

from sync.canonical import canonical_json, changed_fields, content_hash


def test_key_order_nulls_and_server_fields_do_not_change_the_hash():
    a = {"name": "白浜", "seats": 20, "notes": None, "revision": 3}
    b = {"seats": 20.0, "revision": 9, "name": "白浜", "status": "approved"}
    assert content_hash(a) == content_hash(b)
    assert canonical_json(a) == '{"name":"白浜","seats":20}'.encode()


def test_any_content_change_changes_the_hash():
    base = {"name": "白浜", "amenities": ["aed", "wifi"]}
    assert content_hash(base) != content_hash(base | {"name": "白浜町"})
    assert content_hash(base) != content_hash(base | {"amenities": ["wifi", "aed"]})
    assert content_hash(base) != content_hash(base | {"seats": 0})


def test_non_finite_numbers_are_refused():
    with pytest.raises(ValueError):
        canonical_json({"seats": float("nan")})


def test_changed_fields():
    before = {"name": "a", "seats": 1, "revision": 1, "notes": None}
    after = {"name": "a", "seats": 2, "revision": 2, "amenities": ["wifi"]}
    assert changed_fields(before, after) == ["amenities", "seats"]
