"""The survey list's filters, sort and pagination, always inside the user's scope."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.surveys.filters import SiteFilter, filter_notes
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


def test_days_are_read_as_japanese_users_type_them_and_a_reversed_range_is_turned_round():
    chosen = SiteFilter.parse({"from": "２０２６／１１／２０", "to": "2026/11/1"})
    assert (chosen.surveyed_from, chosen.surveyed_to) == (date(2026, 11, 1), date(2026, 11, 20))
    assert filter_notes({"from": "２０２６／１１／２０", "to": "2026/11/1"}) == [("swapped", "")]
    assert filter_notes({"from": "2026-11-01", "to": "2026-11-01"}) == []
    assert filter_notes({"from": "yesterday", "to": "2026-02-30"}) == [
        ("from", "yesterday"),
        ("to", "2026-02-30"),
    ]
    assert SiteFilter.parse({"from": "2026-11-1x"}).surveyed_from is None


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


def test_the_page_says_which_dates_it_left_out_or_turned_round(client, make_user, login, sites):
    login(make_user("admin", None, None))
    english = {"Accept-Language": "en"}
    page = client.get("/surveys", query_string={"from": "2026-13-01"}, headers=english).text
    assert "The start date “2026-13-01” could not be read and was left out." in page
    assert _names(client, **{"from": "2026-13-01"}) == ["拠点a", "拠点b", "拠点c", "拠点d"]
    turned = {"from": "2026-11-20", "to": "2026-11-15"}
    page = client.get("/surveys", query_string=turned, headers=english).text
    assert "the wrong way round" in page and 'value="2026-11-15"' in page
    assert _names(client, **turned) == ["拠点b", "拠点c"]
    for path in ("/dashboard/map", "/dashboard/summary"):
        shown = client.get(path, query_string={"to": "soon"}, headers=english)
        assert "The end date “soon” could not be read" in shown.text, path
    assert "filter-note" not in client.get("/surveys").text
    odd = {"status": "bogus", "municipality": "abc", "tier": "great", "prefecture": "99"}
    page = client.get("/surveys", query_string=odd, headers=english).text
    for value, what in (("bogus", "review status"), ("abc", "municipality"), ("great", "tier")):
        assert f"“{value}” is not a known" in page and what in page
    assert "“99” is not a known prefecture" in page
    assert _names(client, **odd) == ["拠点a", "拠点b", "拠点c", "拠点d"]


def test_search_reads_full_width_and_half_width_kana_as_the_names_are_stored(
    client, make_user, login
):
    login(make_user("surveyor", "304018"))
    post = scored_survey_post(name="白浜ＩＴオフィス ﾃﾞﾓ")
    assert client.post("/surveys/new", data=post).status_code == 302
    assert db.session.scalar(select(Site.name)) == "白浜ITオフィス デモ"
    for typed in ("IT", "ＩＴ", "ﾃﾞﾓ", "デモ", "ｵﾌｨｽ"):
        page = client.get("/surveys", query_string={"q": typed}).text
        assert _count(page) == 1, typed


def test_a_page_past_the_end_shows_the_last_page(client, make_user, login, sites, monkeypatch):
    login(make_user("admin", None, None))
    monkeypatch.setattr("app.surveys.views.PAGE_SIZE", 3)
    for page in ("3", "9223372036854775807", "99999999999999999999999", "-5", "x"):
        shown = client.get("/surveys", query_string={"page": page})
        assert shown.status_code == 200, page
        names = [n for n in ("拠点a", "拠点b", "拠点c", "拠点d") if f">{n}</a>" in shown.text]
        assert len(names) == (1 if page not in ("-5", "x") else 3), (page, names)


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


def _count(page: str) -> int:
    found = re.search(r'<p class="count">\s*([\d,]+)', page)
    assert found, page[:2000]
    return int(found.group(1).replace(",", ""))


def test_the_count_is_reused_but_follows_every_change(client, make_user, login, sites):
    """The list's total comes from the dashboard cache, keyed on the data version: a new site
    or a decision shows in the count at once, and a filter has its own count."""
    login(make_user("admin", None, None))
    assert _count(client.get("/surveys").text) == 4
    assert _count(client.get("/surveys", query_string={"status": "submitted"}).text) == 1
    assert _count(client.get("/surveys", query_string={"prefecture": "30"}).text) == 3
    post = scored_survey_post(name="拠点e", municipality_code="304018", intent="submit")
    assert client.post("/surveys/new", data=post).status_code == 302
    assert _count(client.get("/surveys").text) == 5
    assert _count(client.get("/surveys", query_string={"status": "submitted"}).text) == 2
    assert _count(client.get("/surveys", query_string={"prefecture": "30"}).text) == 4
    client.post("/logout")
    login(make_user("reviewer", None, "30"))
    assert _count(client.get("/surveys").text) == 4  # the reviewer's scope: another count


def test_a_row_shows_status_tier_score_and_dates(client, make_user, login, sites):
    login(make_user("reviewer", None, "30"))
    page = client.get("/surveys", query_string={"q": "拠点b"}).text
    site = db.session.scalar(select(Site).where(Site.name == "拠点b"))
    assert '<span class="status status-submitted">提出済み</span>' in page
    tier_ja = {
        "ready": "準備完了",
        "nearly": "あと一歩",
        "invest": "要整備",
        "insufficient": "判定保留",
    }
    assert f'<span class="tier tier-{site.tier}">' in page and f" {site.score:.1f}</td>" in page
    assert tier_ja[site.tier] in page
    assert "2026年11月15日" in page
    assert f'href="/surveys/{site.uuid}"' in page
    english = client.get("/surveys", query_string={"q": "拠点b"}, headers={"Accept-Language": "en"})
    assert '<td data-label="Municipality">' in english.text and ">Submitted</span>" in english.text
