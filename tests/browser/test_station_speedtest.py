"""One tap on a field station: speedtest-cli runs in the background, the page shows its
progress, and the run appears in the site's speed runs (real library, the app's own endpoints)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from app.extensions import db
from app.speedtest import cli as speedtest_cli
from app.surveys.models import Site
from tests.factories import scored_survey_post
from tests.speedtest.conftest import TEST_PLAN


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return {"SPEEDTEST_STATION": 1, "SPEEDTEST_USE_PUBLIC": 0, "SPEEDTEST_TIMEOUT": 5.0}


@pytest.mark.browser
def test_one_tap_measures_and_stores_a_run(
    app: Any,
    client: Any,
    live_server: str,
    login: Callable[[Any], Any],
    make_user: Callable[..., Any],
    new_context: Callable[..., BrowserContext],
    sign_in: Callable[[Page, Any], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(speedtest_cli, "make_plan", lambda seconds: TEST_PLAN)
    app.config["SPEEDTEST_SERVER_URL"] = live_server
    surveyor = make_user("surveyor", "304018")
    login(surveyor)
    post = scored_survey_post(name="計測ボタン拠点")
    assert client.post("/surveys/new", data=post).status_code == 302
    client.post("/logout")
    site = db.session.scalar(select(Site).where(Site.uuid == post["uuid"]))
    runs_before, revision = len(site.measurements), site.revision

    page = new_context().new_page()
    sign_in(page, surveyor)
    page.goto(f"/surveys/{post['uuid']}")
    page.fill("#station-speedtest-form input[name=where_on_site]", "2F 会議室")
    page.locator("#station-speedtest-start").click()
    expect(page.locator("#station-speedtest-progress-area")).to_be_visible()
    expect(page.locator("#station-speedtest-done")).to_be_visible(timeout=60_000)
    page.locator("#station-speedtest-reload").click()
    table = page.locator("table.runs").first
    expect(table.locator("tbody tr")).to_have_count(runs_before + 1)
    expect(table.locator("tbody tr", has_text="2F 会議室")).to_contain_text("speedtest-cli")

    db.session.expire_all()
    site = db.session.scalar(select(Site).where(Site.uuid == post["uuid"]))
    assert site.revision == revision + 1
    run = next(m for m in site.measurements if m.method == "speedtest-cli")
    assert run.where_on_site == "2F 会議室" and run.server == live_server
    assert run.download_mbps > 0 and run.upload_mbps > 0 and run.bytes_moved > 0
