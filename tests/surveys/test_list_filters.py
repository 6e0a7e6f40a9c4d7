"""The survey list's filters, sort and pagination, always inside the user's scope."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.surveys.filters import SiteFilter
from app.surveys.models import Site
from tests.factories import scored_survey_post


def test_parse_keeps_only_valid_values():
    chosen = SiteFilter.parse(
        {
            "prefecture": "48",
            "municipality": "30401x",
            "status": "approved",
            "tier": "great",
            "from": "2026-11-01",
            "to": "2026-13-01",
            "q": "  白浜 ",
            "sort": "colour",
            "order": "asc",
        }
    )
    assert (chosen.prefecture, chosen.municipality, chosen.status, chosen.tier) == (
        "",
        "",
        "approved",
        "",
    )
    assert chosen.surveyed_from == date(2026, 11, 1) and chosen.surveyed_to is None
    assert (chosen.q, chosen.sort, chosen.descending) == ("白浜", "updated", False)
    assert chosen.query_args() == {
        "status": "approved",
        "from": "2026-11-01",
        "q": "白浜",
        "order": "asc",
    }


@pytest.fixture
def sites(client, make_user, login):
    """Four sites: three in 白浜町 (30), one in 長野市 (20); varied dates, states and scores."""
    login(make_user("admin", None, None))
    made = {}
    for key, municipality, day, seats, extra in (
        ("a", "304018", "2026-10-01", "10", {}),
        ("b", "304018", "2026-11-15", "40", {"intent": "submit"}),
        ("c", "304212", "2026-11-20", "5", {"wifi_security": "open"}),
        ("d", "202011", "2026-11-21", "20", {"latitude": "36.65", "longitude": "138.18"}),
    ):
        post = scored_survey_post(
            name=f"拠点{key}", municipality_code=municipality, surveyed_on=day, seats=seats, **extra
        )
        assert client.post("/surveys/new", data=post).status_code == 302
        made[key] = post["uuid"]
    client.post("/logout")
    return made


def _names(client, **args):
    page = client.get("/surveys", query_string=args)
    assert page.status_code == 200
    return sorted(n for n in ("拠点a", "拠点b", "拠点c", "拠点d") if f">{n}</a>" in page.text)


def test_each_filter_selects_exactly_its_sites(client, make_user, login, sites):
    login(make_user("admin", None, None))
    assert _names(client) == ["拠点a", "拠点b", "拠点c", "拠点d"]
    assert _names(client, prefecture="20") == ["拠点d"]
    assert _names(client, municipality="304212") == ["拠点c"]
    assert _names(client, status="submitted") == ["拠点b"]
    assert _names(client, **{"from": "2026-11-15", "to": "2026-11-20"}) == ["拠点b", "拠点c"]
    assert _names(client, q="拠点c") == ["拠点c"]
    tiers = dict(db.session.execute(select(Site.name, Site.tier)).all())
    assert set(tiers.values()) <= {"ready", "nearly", "invest", "insufficient"}
    assert len(set(tiers.values())) >= 2, tiers  # the filter must have something to tell apart
    for tier in ("ready", "nearly", "invest", "insufficient"):
        assert _names(client, tier=tier) == sorted(n for n, t in tiers.items() if t == tier)


def test_a_reviewer_filters_inside_their_prefecture_only(client, make_user, login, sites):
    login(make_user("reviewer", None, "30"))
    assert _names(client) == ["拠点a", "拠点b", "拠点c"]
    assert _names(client, prefecture="20") == []


def test_sort_by_score_and_pagination_keep_the_filter(client, make_user, login, sites, monkeypatch):
    login(make_user("admin", None, None))
    page = client.get("/surveys", query_string={"sort": "score", "order": "asc"}).text
    scores = dict(db.session.execute(select(Site.name, Site.score)).all())
    shown = [n for n in sorted(scores, key=lambda n: page.index(f">{n}</a>"))]
    assert shown == sorted(scores, key=lambda n: (scores[n], 0))
    monkeypatch.setattr("app.surveys.views.PAGE_SIZE", 2)
    first = client.get("/surveys", query_string={"prefecture": "30", "sort": "name"}).text
    assert "prefecture=30" in first and "page=2" in first and "sort=name" in first
    second = client.get("/surveys", query_string={"prefecture": "30", "sort": "name", "page": 2})
    assert "拠点a" in second.text and "拠点d" not in second.text
