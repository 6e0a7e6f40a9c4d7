"""Review in a real browser: send back with a comment, the surveyor fixes and resubmits, approve."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import Problems
from tests.factories import scored_survey_post

COMMENT = "外観と入口の写真を追加してください。"
NO_TILES = {"MAP_TILE_URL": ""}  # no tile requests leave the machine


def _decide(page: Page, action: str, comment: str = "") -> None:
    page.locator("label", has=page.locator(f"input[name=action][value={action}]")).click()
    if comment:
        page.fill("#comment", comment)
    page.get_by_role("button", name="判定を保存").click()


def _map_popup(page: Page, name: str) -> Any:
    page.goto("/dashboard/map?prefecture=30")
    expect(page.locator("#site-map")).to_have_attribute("data-loaded", re.compile(r"^[1-9]"))
    page.locator(f'.leaflet-marker-icon[title^="{name}"]').click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_be_visible()
    return popup


def _status_count(page: Page, label: str) -> str:
    page.goto("/dashboard/summary?prefecture=30")
    row = page.locator("#status-table tbody tr", has=page.locator(".status", has_text=label))
    return row.locator("td").first.inner_text() if row.count() else "0"


@pytest.mark.browser
@pytest.mark.parametrize("config_overrides", [NO_TILES])
def test_send_back_fix_resubmit_and_approve(
    client: Any,
    login: Callable[[Any], Any],
    make_user: Callable[..., Any],
    new_context: Callable[..., BrowserContext],
    sign_in: Callable[[Page, Any], None],
    console_problems: Problems,
) -> None:
    surveyor = make_user("surveyor", "304018")
    reviewer = make_user("reviewer", None, "30")
    login(surveyor)
    post = scored_survey_post(name="差し戻しテスト拠点", intent="submit")
    assert client.post("/surveys/new", data=post).status_code == 302
    client.post("/logout")
    site_url = f"/surveys/{post['uuid']}"
    console_problems.expect_document_status(f"{site_url}/review", 422)

    review = new_context().new_page()
    sign_in(review, reviewer)
    assert _status_count(review, "承認済み") == "0"
    # the list holds the reviewer's prefecture only (no prefecture to choose); they narrow it to
    # a municipality and what waits for review with the list's filter form
    review.goto("/surveys")
    expect(review.locator("#prefecture")).to_have_count(0)
    review.select_option("#municipality", "304018")
    review.select_option("#status", "submitted")
    review.get_by_role("button", name="絞り込み").click()
    expect(review).to_have_url(re.compile(r"municipality=304018.*status=submitted"))
    review.get_by_role("link", name="差し戻しテスト拠点").click()
    expect(review).to_have_url(re.compile(re.escape(site_url) + "$"))
    # the score and exactly why: tier with its reason, gates, and each item's points and reason
    score = review.locator("#score")
    expect(score.locator(".tier")).to_be_visible()
    expect(score.locator(".score-total")).to_have_text(re.compile(r"^\d+\.\d$"))
    expect(score.locator(".why")).not_to_be_empty()
    expect(score.locator(".gates li")).not_to_have_count(0)
    workspace = score.locator("details.rules", has_text="ワークスペース")
    workspace.locator("summary").click()
    lux = workspace.locator("tr", has=review.locator("th", has_text="机上照度"))
    expect(lux.locator("td").first).to_have_text("2 / 2")
    expect(lux.locator("td").nth(1)).to_contain_text("500")
    _decide(review, "request_changes")  # no comment: refused, with the reason at the field
    expect(review.locator("#comment-errors")).to_be_visible()
    _decide(review, "request_changes", COMMENT)
    expect(review.locator(".flash-success")).to_contain_text("要修正")

    field = new_context().new_page()
    sign_in(field, surveyor)
    field.goto(site_url)
    expect(field.locator("#review-comment")).to_contain_text(COMMENT)
    field.get_by_role("link", name="編集").click()
    field.fill("#desk_lux", "650")
    field.get_by_role("button", name="審査に提出").click()
    expect(field).to_have_url(re.compile(re.escape(site_url) + "$"))
    expect(field.locator(".summary .status")).to_have_text("提出済み")

    review.goto(site_url)
    expect(review.locator("#score details.rules", has_text="ワークスペース")).to_contain_text("650")
    expect(_map_popup(review, "差し戻しテスト拠点").locator(".status")).to_have_text("提出済み")
    review.goto(site_url)
    _decide(review, "approve")
    expect(review.locator(".summary .status")).to_have_text("承認済み")
    # the map and the summary show the decision at once
    expect(_map_popup(review, "差し戻しテスト拠点").locator(".status")).to_have_text("承認済み")
    assert _status_count(review, "承認済み") == "1"
    review.goto(site_url + "/history")
    rows = review.locator("table.runs").first.locator("tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.first).to_contain_text("承認済み")
    expect(review.locator("#revision-2")).to_contain_text("650")
