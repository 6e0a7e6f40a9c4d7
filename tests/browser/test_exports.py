"""An export in Chromium: from the filtered list to the export page, the job's progress on
the page while it waits in the Redis queue and runs, then the download, read back."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from playwright.sync_api import Page, expect
from redis import Redis

from tests.exports.conftest import sites  # noqa: F401  (the six export sites)

QUEUE = f"exports-browser-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return {"EXPORT_QUEUE": "rq", "EXPORT_RQ_QUEUE": QUEUE}


@pytest.fixture(autouse=True)
def _empty_queue() -> Any:
    yield
    connection = Redis.from_url("redis://127.0.0.1:6379/0")
    for key in connection.scan_iter(f"rq:*{QUEUE}*"):
        connection.delete(key)


def test_reviewer_exports_the_filtered_list(
    app,
    page: Page,
    sign_in,
    make_user,
    sites,  # noqa: F811
    tmp_path: Path,
):
    sign_in(page, make_user("reviewer", None, "30"))
    page.goto("/surveys?status=draft")
    page.click("#link-export")
    expect(page).to_have_url(re.compile(r"/exports\?.*status=draft"))
    expect(page.locator("#status")).to_have_value("draft")
    expect(page.locator("input[name=format][value=xlsx]")).to_be_checked()
    page.click("#start-export")

    expect(page.locator("#export-state-label")).to_have_text("待機中")
    expect(page.locator("#export-download")).to_be_hidden()
    # the worker serves the queue here (RQ wants the main thread); the page polls meanwhile
    result = app.test_cli_runner().invoke(args=["export-worker", "--burst"])
    assert result.exit_code == 0, (result.output, result.exception)

    expect(page.locator("#export-state-label")).to_have_text("完了")
    expect(page.locator("#export-progress")).to_have_attribute("value", "100")
    expect(page.locator("#export-count")).to_have_text("4件中 4件")
    with page.expect_download() as download_info:
        page.click("#export-download-link")
    download = download_info.value
    assert re.fullmatch(r"workation-sites-30-\d{8}-\d{4}\.xlsx", download.suggested_filename)
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    book = openpyxl.load_workbook(target)
    ids = {row[1] for row in book["調査結果"].iter_rows(min_row=2, values_only=True)}
    assert ids == {sites[k] for k in "acex"}
    meta = dict(book["メタデータ"].iter_rows(min_row=2, values_only=True))
    assert meta["抽出条件"] == "審査状況=下書き"

    page.goto("/exports")
    expect(page.locator("#export-jobs tbody tr")).to_have_count(1)
