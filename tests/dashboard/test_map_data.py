"""GET /dashboard/map.json: only the user's scope, the list's filters, only placed sites."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.surveys.models import Site

NAMES = ["拠点a", "拠点b", "拠点c", "拠点d", "拠点e"]


def _markers(client: Any, **args: str) -> dict[str, Any]:
    response = client.get("/dashboard/map.json", query_string=args)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def _names(client: Any, **args: str) -> list[str]:
    return sorted(row[5] for row in _markers(client, **args)["sites"])


def test_marker_rows_carry_exactly_the_columns_the_map_needs(client, make_user, login, sites):
    login(make_user("admin", None, None))
    data = _markers(client, q="拠点c")
    tier = db.session.scalar(select(Site.tier).where(Site.uuid == sites["c"]))
    assert data["sites"] == [[33.64, 135.93, tier, "draft", sites["c"], "拠点c", "304212"]]
    assert data["count"] == 1 and data["without_coordinates"] == 0
    assert data["places"] == {"304212": "和歌山県 那智勝浦町"}
    assert tier == "invest"  # open Wi-Fi fails gate G2


def test_sites_without_coordinates_are_left_out_and_counted(client, make_user, login, sites):
    login(make_user("admin", None, None))
    data = _markers(client)
    assert sorted(row[5] for row in data["sites"]) == ["拠点a", "拠点b", "拠点c", "拠点d"]
    assert data["count"] == 4 and data["without_coordinates"] == 1
    assert sites["e"] not in {row[4] for row in data["sites"]}


@pytest.mark.parametrize(
    ("role", "municipality", "prefecture", "expected"),
    [
        ("admin", None, None, ["拠点a", "拠点b", "拠点c", "拠点d"]),
        ("viewer", None, "30", ["拠点a", "拠点b", "拠点c"]),
        ("reviewer", None, "30", ["拠点a", "拠点b", "拠点c"]),
        ("viewer", None, "20", ["拠点d"]),
        ("reviewer", None, "20", ["拠点d"]),
        ("surveyor", "304018", None, ["拠点a", "拠点b"]),
        ("surveyor", "304212", None, ["拠点c"]),
        ("surveyor", "202142", None, []),
    ],
)
def test_scope_per_role(client, make_user, login, sites, role, municipality, prefecture, expected):
    login(make_user(role, municipality, prefecture))
    assert _names(client) == expected


def test_a_filter_never_widens_the_scope(client, make_user, login, sites):
    login(make_user("viewer", None, "30"))
    assert _names(client, prefecture="20") == []
    assert _names(client, municipality="202011") == []
    assert _names(client, q="拠点d") == []


def test_each_filter_selects_exactly_its_sites(client, make_user, login, sites):
    login(make_user("admin", None, None))
    assert _names(client, prefecture="20") == ["拠点d"]
    assert _names(client, prefecture="30") == ["拠点a", "拠点b", "拠点c"]
    assert _names(client, municipality="304212") == ["拠点c"]
    assert _names(client, municipality="304018") == ["拠点a", "拠点b"]
    assert _names(client, status="submitted") == ["拠点b"]
    assert _names(client, status="draft") == ["拠点a", "拠点c", "拠点d"]
    assert _names(client, **{"from": "2026-11-15", "to": "2026-11-20"}) == ["拠点b", "拠点c"]
    assert _names(client, **{"from": "2026-11-21"}) == ["拠点d"]
    assert _names(client, to="2026-10-01") == ["拠点a"]
    assert _names(client, q="拠点b") == ["拠点b"]
    assert _names(client, q="%") == []  # LIKE wildcards are escaped
    assert _names(client, tier="invest") == ["拠点c"]
    tiers = dict(db.session.execute(select(Site.name, Site.tier)).all())
    for tier in ("ready", "nearly", "insufficient"):
        want = sorted(n for n, t in tiers.items() if t == tier and n != "拠点e")
        assert _names(client, tier=tier) == want
    assert _names(client, status="approved") == []
    assert _names(client, prefecture="30", tier="invest", status="draft") == ["拠点c"]
    # invalid values are ignored, as in the list
    assert _names(client, prefecture="99", tier="great", to="2026-13-01") == NAMES[:4]


def test_reviews_show_at_once(client, make_user, login, sites):
    """The cached body is rebuilt when a site changes (here: a reviewer's decision)."""
    reviewer = make_user("reviewer", None, "30")
    login(reviewer)
    assert _names(client, status="in_review") == []
    page = client.get(f"/surveys/{sites['b']}")
    assert page.status_code == 200
    revision = db.session.scalar(select(Site.revision).where(Site.uuid == sites["b"]))
    decided = client.post(
        f"/surveys/{sites['b']}/review",
        data={"action": "start_review", "comment": "", "revision": str(revision)},
    )
    assert decided.status_code in (302, 303), decided.text[:1000]
    assert _names(client, status="in_review") == ["拠点b"]


def test_etag_answers_not_modified(client, make_user, login, sites):
    login(make_user("admin", None, None))
    first = client.get("/dashboard/map.json")
    again = client.get("/dashboard/map.json", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert "private" in first.headers["Cache-Control"]


def test_cache_age_limit_covers_changes_the_version_cannot_see(
    app, client, make_user, login, sites
):
    login(make_user("admin", None, None))
    before = _names(client, tier="ready")
    assert before != NAMES[:4]
    db.session.execute(update(Site).values(tier="ready"))  # as a rescore does: no new version
    db.session.commit()
    assert _names(client, tier="ready") == before  # within DASHBOARD_CACHE_SECONDS
    app.extensions["dashboard_cache"].max_age = 0
    assert _names(client, tier="ready") == NAMES[:4]
