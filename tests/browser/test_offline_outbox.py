"""The outbox: a survey saved with no signal survives reloads and a browser restart, and
reaches the server exactly once, even when the reply to the first push is lost."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, Route, expect
from sqlalchemy import func, select

from app.extensions import db
from app.photos.models import Photo
from app.surveys.models import Site
from tests.browser.conftest import Problems
from tests.factories import image_bytes
from tests.offline.browser import Signal, wait_until_offline_ready

SITE_NAME = "オフライン保存テスト 白浜コワーキング"
PHOTO_MAX_PX = 1200
SYNC_TIMEOUT = 30_000  # the first retry comes after about 5 s; slow machines need more
SLOW = 20_000  # shrinking a photo and reloading from the cache, on a busy machine


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return {"OFFLINE_PHOTO_MAX_PX": PHOTO_MAX_PX}


def _record(page: Page, state: str | None = None) -> Any:
    selector = ".outbox-record" + (f"[data-state={state}]" if state else "")
    return page.locator(selector, has_text=SITE_NAME)


def _save_offline(context: BrowserContext, page: Page, photo: bytes | None = None) -> str:
    """On a signed-in page with the worker ready: go offline, reload, fill in, save."""
    context.set_offline(True)
    response = page.reload()
    assert response is not None and response.from_service_worker
    uuid = page.locator("input[name=uuid]").input_value()
    page.fill("#name", SITE_NAME)
    page.fill("#measurements-0-download_mbps", "120.5")
    page.fill("#measurements-0-upload_mbps", "45.2")
    page.locator("label", has=page.locator("input[name=amenities][value=wifi]")).click()
    if photo is not None:
        page.set_input_files(
            "#photo_files",
            files=[{"name": "entrance.jpg", "mimeType": "image/jpeg", "buffer": photo}],
        )
        page.fill("#photo_caption", "入口")
    page.locator("button[name=intent][value=draft]").click()
    expect(page.locator("#queued-notice")).to_be_visible(timeout=SLOW)
    expect(_record(page, "waiting")).to_have_count(1, timeout=SLOW)
    # the next survey on this cached page gets its own uuid
    assert page.locator("input[name=uuid]").input_value() != uuid
    return uuid


def _site_count() -> int:
    db.session.rollback()  # see what the server thread committed
    return db.session.scalar(select(func.count()).select_from(Site)) or 0


@pytest.mark.browser
def test_saved_offline_survives_reload_and_restart_then_arrives_once(
    persistent: Callable[..., BrowserContext],
    signal: Signal,
    make_user: Callable[..., Any],
    sign_in: Callable[[Page, Any], None],
) -> None:
    user = make_user()
    context = persistent(proxy=signal.proxy)
    page = context.pages[0] if context.pages else context.new_page()
    sign_in(page, user)
    page.goto("/surveys/new")
    wait_until_offline_ready(page)
    uuid = _save_offline(context, page, photo=image_bytes(size=(2400, 1800)))
    stored = page.evaluate(
        """async (uuid) => {
          const { photosOf } = await import("/static/js/outbox.js");
          return (await photosOf(uuid)).map((p) => [p.sha256, p.width, p.height, p.blob.size]);
        }""",
        uuid,
    )
    assert len(stored) == 1
    sha256, width, height, size = stored[0]
    assert (width, height) == (PHOTO_MAX_PX, 900) and size > 0

    page.reload()  # still offline
    expect(_record(page, "waiting")).to_have_count(1)
    expect(page.locator("#net-state")).to_contain_text("1")
    context.close()
    assert _site_count() == 0

    # A full browser restart on the same profile, still without signal (the relay refuses it
    # too: after a restart the emulation now and then misses the service worker).
    signal.lost()
    context = persistent(proxy=signal.proxy, offline=True)
    page = context.pages[0] if context.pages else context.new_page()
    page.goto("/surveys/new")
    expect(page.locator("#survey-form")).to_be_visible()
    expect(_record(page, "waiting")).to_have_count(1)
    assert _site_count() == 0

    signal.back()
    context.set_offline(False)  # the "online" event starts a sync
    sent = _record(page, "sent")
    signin = page.locator("#outbox-status", has_text=re.compile(r"\S"))
    expect(sent.or_(signin)).to_be_visible(timeout=SYNC_TIMEOUT)
    if not sent.is_visible():  # the session cookie did not survive the restart
        sign_in(page, user)
        page.goto("/surveys/new")
    expect(_record(page, "sent")).to_have_count(1, timeout=SYNC_TIMEOUT)

    assert _site_count() == 1
    site = db.session.scalar(select(Site))
    assert site.uuid == uuid and site.name == SITE_NAME
    assert sorted(site.amenities) == ["wifi"]
    assert [(m.download_mbps, m.upload_mbps) for m in site.measurements] == [(120.5, 45.2)]
    assert site.surveyor_id == user.id
    assert [(p.sha256, p.caption) for p in site.photos] == [(sha256, "入口")]
    assert site.photos_complete
    photo = db.session.get(Photo, sha256)
    assert photo is not None and (photo.width, photo.height) == (PHOTO_MAX_PX, 900)
    assert db.session.scalar(select(func.count()).select_from(Photo)) == 1

    page.reload()  # nothing is sent twice
    expect(_record(page, "sent")).to_have_count(1)
    page.wait_for_timeout(1_000)
    assert _site_count() == 1


@pytest.mark.browser
def test_a_reply_lost_after_the_server_stored_the_survey_is_retried_without_a_duplicate(
    new_context: Callable[..., BrowserContext],
    make_user: Callable[..., Any],
    sign_in: Callable[[Page, Any], None],
    console_problems: Problems,
) -> None:
    context = new_context()
    page = context.new_page()
    sign_in(page, make_user())
    page.goto("/surveys/new")
    wait_until_offline_ready(page)
    uuid = _save_offline(context, page)

    pushes: list[int] = []
    results: list[Any] = []

    def lose_first_reply(route: Route) -> None:
        pushes.append(1)
        if len(pushes) == 1:
            response = route.fetch()  # the server stores the survey ...
            assert response.status == 200
            results.append(response.json())
            route.abort("connectionreset")  # ... and the tablet never hears back
        else:
            route.continue_()

    page.route("**/api/v1/sync/push", lose_first_reply)
    context.set_offline(False)
    expect(page.locator(".outbox-record[data-state=waiting]")).to_have_count(1)
    for _ in range(120):  # until the handler has the server's reply (not merely the request)
        if results:
            break
        page.wait_for_timeout(250)
    assert results and results[0]["results"][0]["status"] == "created"
    assert _site_count() == 1

    page.locator("#send-now").click()  # or wait for the timer's retry
    expect(_record(page, "sent")).to_have_count(1, timeout=SYNC_TIMEOUT)
    assert len(pushes) >= 2
    assert _site_count() == 1
    assert db.session.scalar(select(Site)).uuid == uuid
    # the lost reply is logged by Chromium as a failed load: expected here, nothing else
    console_problems.messages[:] = [
        m for m in console_problems.messages if "net::ERR_CONNECTION_RESET" not in m
    ]


@pytest.mark.browser
def test_field_errors_from_the_server_are_shown_on_the_record(
    new_context: Callable[..., BrowserContext],
    make_user: Callable[..., Any],
    sign_in: Callable[[Page, Any], None],
) -> None:
    context = new_context()
    page = context.new_page()
    sign_in(page, make_user())
    page.goto("/surveys/new")
    wait_until_offline_ready(page)
    context.set_offline(True)
    page.reload()
    page.fill("#name", SITE_NAME)
    page.fill("#seats", "999")
    page.locator("button[name=intent][value=draft]").click()
    expect(_record(page, "waiting")).to_have_count(1)

    context.set_offline(False)
    record = _record(page, "attention")
    expect(record).to_have_count(1, timeout=SYNC_TIMEOUT)
    error = record.locator(".errors li[data-field=seats]")
    expect(error).to_contain_text("500")
    expect(error).to_contain_text(page.locator("[data-field=seats] label").inner_text().split()[0])
    assert _site_count() == 0


def _refused_offline_survey(context: BrowserContext, page: Page, photo: bytes) -> str:
    """Saved offline with a value the server refuses (999 seats) and a photo; back online, the
    record needs attention. Returns its uuid."""
    wait_until_offline_ready(page)
    context.set_offline(True)
    page.reload()
    uuid = page.locator("input[name=uuid]").input_value()
    page.fill("#name", SITE_NAME)
    page.fill("#seats", "999")
    page.fill("#measurements-0-download_mbps", "120.5")
    page.set_input_files(
        "#photo_files", files=[{"name": "entrance.jpg", "mimeType": "image/jpeg", "buffer": photo}]
    )
    page.fill("#photo_caption", "入口")
    page.locator("button[name=intent][value=draft]").click()
    expect(_record(page, "waiting")).to_have_count(1, timeout=SLOW)
    context.set_offline(False)
    expect(_record(page, "attention")).to_have_count(1, timeout=SYNC_TIMEOUT)
    return uuid


@pytest.mark.browser
def test_a_refused_survey_is_opened_fixed_and_sent_with_its_photo(
    new_context: Callable[..., BrowserContext],
    make_user: Callable[..., Any],
    sign_in: Callable[[Page, Any], None],
) -> None:
    """A survey the server refused is not stuck: "Open and fix" fills the form with it, the
    server's reasons at the top; saving sends it, photo included, as the same survey."""
    context = new_context()
    page = context.new_page()
    user = make_user()
    sign_in(page, user)
    page.goto("/surveys/new")
    uuid = _refused_offline_survey(context, page, image_bytes("JPEG", (64, 48)))
    assert _site_count() == 0

    _record(page, "attention").locator("[data-action=fix]").click()
    expect(page).to_have_url(re.compile(r"/surveys/new\?fix="))
    banner = page.locator("#offline-banner")
    expect(banner.locator(".errors li[data-field=seats]")).to_contain_text("500")
    assert page.locator("input[name=uuid]").input_value() == uuid
    expect(page.locator("#name")).to_have_value(SITE_NAME)
    expect(page.locator("#seats")).to_have_value("999")
    expect(page.locator("#measurements-0-download_mbps")).to_have_value("120.5")
    # the record being fixed offers no "Open and fix" link to itself
    expect(_record(page, "attention").locator("[data-action=fix]")).to_have_count(0)

    # every reason the server gave is listed: 999 seats, and a run with no upload figure
    expect(banner.locator(".errors li")).to_have_count(2)
    page.fill("#seats", "40")
    page.fill("#measurements-0-upload_mbps", "45.2")
    page.locator("button[name=intent][value=draft]").click()
    expect(page.locator("#queued-notice")).to_be_visible(timeout=SLOW)
    expect(_record(page, "sent")).to_have_count(1, timeout=SYNC_TIMEOUT)
    assert page.locator("input[name=uuid]").input_value() != uuid  # a new survey's page again
    assert _site_count() == 1
    site = db.session.scalar(select(Site))
    assert site.uuid == uuid and site.name == SITE_NAME and site.seats == 40
    assert [(m.download_mbps, m.upload_mbps) for m in site.measurements] == [(120.5, 45.2)]
    assert site.surveyor_id == user.id
    assert [p.caption for p in site.photos] == ["入口"] and site.photos_complete
    assert db.session.get(Photo, site.photos[0].sha256) is not None


@pytest.mark.browser
def test_a_refused_survey_can_be_discarded_after_a_warning(
    new_context: Callable[..., BrowserContext],
    make_user: Callable[..., Any],
    sign_in: Callable[[Page, Any], None],
) -> None:
    context = new_context()
    page = context.new_page()
    sign_in(page, make_user())
    page.goto("/surveys/new")
    uuid = _refused_offline_survey(context, page, image_bytes("JPEG", (64, 48)))
    discard = _record(page, "attention").locator("[data-action=discard]")

    said: list[str] = []

    def answer(dialog: Any, accept: bool) -> None:
        said.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    discard.click()
    page.wait_for_timeout(500)
    expect(_record(page, "attention")).to_have_count(1)  # "cancel" keeps it
    assert SITE_NAME in said[0]

    page.once("dialog", lambda dialog: answer(dialog, True))
    discard.click()
    expect(_record(page)).to_have_count(0)
    page.reload()
    expect(_record(page)).to_have_count(0)
    left = page.evaluate(
        """async (uuid) => {
          const { photosOf, getRecord } = await import("/static/js/outbox.js");
          return [(await photosOf(uuid)).length, Boolean(await getRecord(uuid))];
        }""",
        uuid,
    )
    assert left == [0, False]
    assert _site_count() == 0
