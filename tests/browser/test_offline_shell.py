"""The installable app shell: after one online visit the survey page works with no signal."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from app.offline import views as offline_views
from tests.offline.browser import eventually, wait_until_offline_ready


def _visit_online(page: Page, sign_in: Callable[[Page, Any], None], user: Any) -> None:
    sign_in(page, user)
    page.goto("/surveys/new")
    expect(page.locator("#survey-form")).to_be_visible()
    wait_until_offline_ready(page)


@pytest.mark.browser
def test_after_a_first_visit_the_survey_page_is_served_offline(
    new_context: Callable[..., BrowserContext],
    make_user: Callable[..., Any],
    sign_in: Callable[[Page, Any], None],
) -> None:
    context = new_context()
    page = context.new_page()
    _visit_online(page, sign_in, make_user())
    manifest = page.locator("link[rel=manifest]")
    expect(manifest).to_have_attribute("href", "/manifest.webmanifest")

    context.set_offline(True)
    response = page.reload()
    assert response is not None and response.from_service_worker
    expect(page.locator("#survey-form")).to_be_visible()
    expect(page.locator("#net-state")).to_have_class(re.compile(r"\bis-offline\b"))
    # the shell is usable: styles and scripts came from the cache, section links work
    assert page.evaluate("getComputedStyle(document.body).fontFamily").count("Hiragino") >= 1
    page.fill("#name", "オフライン確認")
    page.locator(".sections-nav a[data-section=amenities]").click()
    expect(page).to_have_url(re.compile(r"#section-amenities$"))
    expect(page.locator("#install-help summary")).to_be_visible()
    # Leaflet is precached for the map pick
    assert page.evaluate(
        "async () => Boolean(await caches.match('/static/vendor/leaflet/leaflet.js'))"
    )

    # a new survey opened from the menu works offline too
    page.goto("/surveys/new")
    expect(page.locator("#survey-form")).to_be_visible()
    # a page never opened online: the offline page, with a way back to a new survey
    page.goto("/surveys/00000000-0000-4000-8000-000000000000")
    expect(page.locator("#offline-page")).to_be_visible()
    page.locator("main a[href='/surveys/new']").click()
    expect(page.locator("#survey-form")).to_be_visible()


@pytest.mark.browser
def test_a_new_version_is_announced_and_old_caches_are_removed(
    new_context: Callable[..., BrowserContext],
    make_user: Callable[..., Any],
    sign_in: Callable[[Page, Any], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    context = new_context()
    page = context.new_page()
    _visit_online(page, sign_in, make_user())
    old = sorted(page.evaluate("caches.keys()"))
    assert old and all(name.startswith("wss-") for name in old)
    page.evaluate("caches.open('wss-shell-0000000000000000')")

    monkeypatch.setattr(offline_views, "shell_version", lambda: "feedfacecafebeef")
    page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
    notice = page.locator("#app-notices .update-notice")
    expect(notice).to_be_visible(timeout=30_000)
    with page.expect_navigation(timeout=30_000):
        notice.locator("button").click()
    expect(page.locator("#survey-form")).to_be_visible()
    eventually(
        page,
        """async () => {
          const names = await caches.keys();
          return names.length > 0 && names.every((n) => n.endsWith("-feedfacecafebeef"));
        }""",
    )
