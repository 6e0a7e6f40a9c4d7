"""The tablet and the server disagree: a 409 conflict shows both versions and the surveyor
chooses; a reviewer's "needs revision" reaches the tablet through the changes feed."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import func, select

from app.accounts.models import ApiToken
from app.extensions import db
from app.review.service import review_site
from app.surveys.models import ReviewStatus, Site, SiteRevision
from tests.api.conftest import document
from tests.browser.test_accessibility import serious_violations
from tests.offline.browser import eventually, wait_until_offline_ready

SITE_NAME = "競合テスト 白浜ワーケーション拠点"
COMMENT = "座席数とコンセントの数をもう一度確認してください。"
SYNC_TIMEOUT = 30_000
SLOW = 20_000
SCREENSHOTS = "/tmp/offline_{}.png"
BG_SYNC_TAGS = """async () => {
  const registration = await navigator.serviceWorker.getRegistration();
  return registration && registration.sync ? await registration.sync.getTags() : null;
}"""


def _fresh(site_uuid: str) -> Site:
    db.session.rollback()  # see what the server thread committed
    site = db.session.scalar(select(Site).where(Site.uuid == site_uuid))
    assert site is not None
    return site


def _revisions(site: Site) -> int:
    count = select(func.count()).select_from(SiteRevision).where(SiteRevision.site_id == site.id)
    return db.session.scalar(count) or 0


def _record(page: Page, site_uuid: str) -> Any:
    return page.locator(f".outbox-record[data-uuid='{site_uuid}']")


@pytest.fixture
def server_site(client: Any, make_user: Callable[..., Any]) -> Callable[..., tuple[Any, str, Any]]:
    """A surveyor with a site on the server at revision 1, and a way to change it over the API
    (the same surveyor on another device)."""

    def make() -> tuple[Any, str, Any]:
        user = make_user("surveyor", "304018")
        row, plain = ApiToken.issue(user, "other tablet")
        db.session.add(row)
        db.session.commit()
        headers = {"Authorization": f"Bearer {plain}"}
        doc = document(name=SITE_NAME, seats=20, seats_with_outlet=10)
        created = client.put(f"/api/v1/sites/{doc['uuid']}", json=doc, headers=headers)
        assert created.status_code == 201, created.get_json()

        def change_elsewhere(**changes: Any) -> int:
            current = client.get(f"/api/v1/sites/{doc['uuid']}", headers=headers).get_json()
            body = doc | changes
            response = client.put(
                f"/api/v1/sites/{doc['uuid']}",
                json=body,
                headers=headers | {"If-Match": f'"{current["revision"]}"'},
            )
            assert response.status_code == 200, response.get_json()
            return int(response.get_json()["revision"])

        return user, doc["uuid"], change_elsewhere

    return make


def _edit_offline(context: BrowserContext, page: Page, site_uuid: str, seats: str) -> None:
    """On the survey's edit page with the worker ready: go offline, change seats, save."""
    context.set_offline(True)
    response = page.reload()
    assert response is not None and response.from_service_worker
    page.fill("#seats", seats)
    page.locator("button[name=intent][value=draft]").click()
    expect(page.locator("#queued-notice")).to_be_visible(timeout=SLOW)
    expect(_record(page, site_uuid).and_(page.locator("[data-state=waiting]"))).to_have_count(1)


def _conflict_on_the_tablet(
    new_context: Callable[..., BrowserContext],
    sign_in: Callable[[Page, Any], None],
    server_site: Callable[..., tuple[Any, str, Any]],
) -> tuple[Page, str]:
    user, site_uuid, change_elsewhere = server_site()
    context = new_context(bypass_csp=True)  # for axe-core, evaluated by the test
    page = context.new_page()
    sign_in(page, user)
    edit = f"/surveys/{site_uuid}/edit"
    page.goto(edit)
    wait_until_offline_ready(page, edit)
    page.goto(edit)  # now controlled by the worker, which keeps the page
    wait_until_offline_ready(page, edit)
    _edit_offline(context, page, site_uuid, "30")
    # Background Sync, where the browser has it: the queued survey asked to be woken
    tags = eventually(page, BG_SYNC_TAGS)
    assert "wss-outbox" in tags

    assert change_elsewhere(seats=25) == 2  # meanwhile the server moved on
    context.set_offline(False)
    record = _record(page, site_uuid)
    expect(record).to_have_attribute("data-state", "attention", timeout=SYNC_TIMEOUT)
    row = record.locator(".conflict-table tbody tr[data-field=seats]")
    expect(row.locator("th")).to_have_text("座席数")
    expect(row.locator("td.mine")).to_have_text("30")
    expect(row.locator("td.server")).to_have_text("25")
    # only what differs is listed: the rest of the two documents is the same survey
    expect(record.locator(".conflict-table tbody tr")).to_have_count(1)
    # both versions are kept on the tablet until the surveyor chooses
    kept = page.evaluate(
        """async (uuid) => {
          const { getRecord } = await import("/static/js/outbox.js");
          const r = await getRecord(uuid);
          const { document: mine, current } = r;
          return [r.kind, mine.seats, mine.revision, current.seats, current.revision];
        }""",
        site_uuid,
    )
    assert kept == ["conflict", "30", 1, 25, 2]
    # the edit page itself says so at the top
    expect(page.locator("#offline-banner")).to_contain_text("サーバー")
    return page, site_uuid


@pytest.mark.browser
def test_a_conflict_shows_both_versions_and_keep_mine_overwrites_once(
    new_context: Callable[..., BrowserContext],
    sign_in: Callable[[Page, Any], None],
    server_site: Callable[..., tuple[Any, str, Any]],
) -> None:
    page, site_uuid = _conflict_on_the_tablet(new_context, sign_in, server_site)
    record = _record(page, site_uuid)
    record.screenshot(path=SCREENSHOTS.format("conflict"))
    assert serious_violations(page) == []
    site = _fresh(site_uuid)
    assert (site.revision, site.seats, _revisions(site)) == (2, 25, 2)  # nothing overwritten yet

    record.get_by_role("button", name="自分の版を残す").click()
    expect(record).to_have_attribute("data-state", "sent", timeout=SYNC_TIMEOUT)
    expect(record.locator(".conflict-table")).to_have_count(0)
    expect(page.locator("#offline-banner")).to_have_count(0)
    site = _fresh(site_uuid)
    assert (site.revision, site.seats) == (3, 30)
    assert _revisions(site) == 3  # exactly one new revision

    page.locator("#send-now").click()  # nothing more goes
    page.wait_for_timeout(1_000)
    assert _fresh(site_uuid).revision == 3


@pytest.mark.browser
def test_a_conflict_resolved_by_taking_the_servers_version(
    new_context: Callable[..., BrowserContext],
    sign_in: Callable[[Page, Any], None],
    server_site: Callable[..., tuple[Any, str, Any]],
) -> None:
    page, site_uuid = _conflict_on_the_tablet(new_context, sign_in, server_site)
    record = _record(page, site_uuid)
    record.get_by_role("button", name="サーバーの版にする").click()
    expect(record).to_have_attribute("data-state", "sent")
    expect(record.locator(".conflict-table")).to_have_count(0)
    expect(record.locator(".outbox-resolved")).to_contain_text("サーバー")
    stored = page.evaluate(
        """async (uuid) => {
          const { getRecord } = await import("/static/js/outbox.js");
          const r = await getRecord(uuid);
          return [r.state, r.kind, r.current, r.document.seats, r.document.revision];
        }""",
        site_uuid,
    )
    assert stored == ["sent", None, None, 25, 2]
    page.locator("#send-now").click()
    page.wait_for_timeout(1_000)
    site = _fresh(site_uuid)
    assert (site.revision, site.seats, _revisions(site)) == (2, 25, 2)

    # this page still shows my edit: it offers to reload, and then shows the server's
    record.get_by_role("button", name="ページを再読み込み").click()
    expect(page.locator("#seats")).to_have_value("25")
    expect(page.locator("input[name=base_revision]")).to_have_value("2")
    expect(_record(page, site_uuid).locator("[data-action=reload]")).to_have_count(0)
    expect(page.locator("#offline-banner")).to_have_count(0)


@pytest.mark.browser
def test_needs_revision_reaches_the_tablet_and_goes_away_when_resent(
    new_context: Callable[..., BrowserContext],
    sign_in: Callable[[Page, Any], None],
    make_user: Callable[..., Any],
) -> None:
    surveyor = make_user("surveyor", "304018")
    reviewer = make_user("reviewer", None, "30")
    context = new_context(bypass_csp=True)  # for axe-core, evaluated by the test
    page = context.new_page()
    sign_in(page, surveyor)
    page.goto("/surveys/new")
    wait_until_offline_ready(page)

    # a survey made on the tablet with no signal, submitted for review
    context.set_offline(True)
    page.reload()
    site_uuid = page.locator("input[name=uuid]").input_value()
    page.fill("#name", SITE_NAME)
    page.fill("#seats", "12")
    page.locator("button[name=intent][value=submit]").click()
    expect(page.locator("#queued-notice")).to_be_visible(timeout=SLOW)
    context.set_offline(False)
    record = _record(page, site_uuid)
    expect(record).to_have_attribute("data-state", "sent", timeout=SYNC_TIMEOUT)
    site = _fresh(site_uuid)
    assert site.status == ReviewStatus.SUBMITTED

    # the reviewer sends it back
    review_site(site, "request_changes", COMMENT, site.revision, reviewer)
    db.session.commit()
    expect(record).not_to_have_attribute("data-review", "needs_revision")
    page.locator("#send-now").click()  # the next sync cycle
    expect(record).to_have_attribute("data-review", "needs_revision", timeout=SYNC_TIMEOUT)
    expect(record.locator(".review-status")).to_contain_text("要修正")
    expect(record.locator(".review-comment-text")).to_have_text(COMMENT)
    edit = record.get_by_role("link", name="この調査を編集")
    expect(edit).to_have_attribute("href", f"/surveys/{site_uuid}/edit")
    record.screenshot(path=SCREENSHOTS.format("feedback_record"))

    # the edit page says it at the top, and keeps saying it offline
    edit.click()
    expect(page).to_have_url(re.compile(f"/surveys/{site_uuid}/edit$"))
    banner = page.locator("#offline-banner")
    expect(banner).to_contain_text("差し戻し")
    expect(banner.locator(".review-comment-text")).to_have_text(COMMENT)
    page.screenshot(path=SCREENSHOTS.format("feedback_banner"))
    assert serious_violations(page) == []
    wait_until_offline_ready(page, f"/surveys/{site_uuid}/edit")
    context.set_offline(True)
    response = page.reload()
    assert response is not None and response.from_service_worker
    expect(page.locator("#offline-banner .review-comment-text")).to_have_text(COMMENT)

    # fixed and sent again from the tablet: the notice goes once the server's status changes
    page.fill("#seats", "14")
    page.locator("button[name=intent][value=submit]").click()
    expect(page.locator("#queued-notice")).to_be_visible(timeout=SLOW)
    record = _record(page, site_uuid)
    expect(record).to_have_attribute("data-state", "waiting")
    expect(record).to_have_attribute("data-review", "needs_revision")
    context.set_offline(False)
    expect(record).to_have_attribute("data-state", "sent", timeout=SYNC_TIMEOUT)
    expect(record).to_have_attribute("data-review", "submitted", timeout=SYNC_TIMEOUT)
    expect(record.locator(".review-status")).to_contain_text("提出済み")
    expect(record.locator(".review-comment-text")).to_have_count(0)
    expect(page.locator("#offline-banner")).to_have_count(0)
    site = _fresh(site_uuid)
    assert (site.status, site.seats) == (ReviewStatus.SUBMITTED, 14)
