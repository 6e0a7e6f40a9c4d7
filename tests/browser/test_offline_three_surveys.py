"""Issue #4's "done when": on a tablet-sized browser a surveyor loads the app once, loses the
connection, completes three surveys with photos, closes the browser, reopens it still offline,
and on reconnecting sees all three arrive once each at the central server."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, Locator, Page, expect
from sqlalchemy import func, select

from app.extensions import db
from app.photos.models import Photo
from app.surveys.models import Site
from tests.browser.test_offline_outbox import PHOTO_MAX_PX, SLOW, SYNC_TIMEOUT, _site_count
from tests.offline.browser import Signal, wait_until_offline_ready

# name, photo size as taken, its colour, the size after shrinking on the tablet, caption
SURVEYS = [
    ("三件目テスト 白浜コワーキング", (2400, 1800), (200, 120, 40), (PHOTO_MAX_PX, 900), "入口"),
    ("三件目テスト 熊野古道ゲストハウス", (1800, 2400), (40, 140, 90), (900, PHOTO_MAX_PX), "客室"),
    ("三件目テスト 串本ワークラウンジ", (1000, 750), (30, 60, 200), (1000, 750), "作業席"),
]
NAMES = {name for name, *_ in SURVEYS}
PHOTOS_OF = """async (uuid) => {
  const { photosOf } = await import("/static/js/outbox.js");
  return (await photosOf(uuid)).map((p) => [p.sha256, p.width, p.height]);
}"""


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return {"OFFLINE_PHOTO_MAX_PX": PHOTO_MAX_PX}


def _photo(size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    """A JPEG of one colour with a stripe, so that each survey's photo has its own bytes."""
    image = Image.new("RGB", size, colour)
    image.paste((255, 255, 255), (0, size[1] // 3, size[0], size[1] // 3 + 40))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    return buffer.getvalue()


def _speeds(index: int) -> tuple[str, str]:
    """Download and upload Mbps typed into survey `index`."""
    return f"{100 + index}.5", f"{40 + index}.2"


def _records(page: Page, state: str) -> Locator:
    """This test's surveys in the records panel in one state."""
    return page.locator(f".outbox-record[data-state={state}]", has_text="三件目テスト")


def _fill_and_save(page: Page, index: int, saved: list[str]) -> str:
    """On the cached new-survey page, offline: fill in survey `index`, save it; its uuid.

    The cached page carries the uuid it was cached with; once the outbox holds that one, the
    page claims a new one (asynchronously, so the test waits for it before typing).
    """
    name, size, colour, _, caption = SURVEYS[index]
    page.wait_for_function(
        "(saved) => !saved.includes(document.querySelector('input[name=uuid]').value)",
        arg=saved,
        timeout=SLOW,
    )
    uuid = page.locator("input[name=uuid]").input_value()
    page.fill("#name", name)
    page.fill("#measurements-0-download_mbps", _speeds(index)[0])
    page.fill("#measurements-0-upload_mbps", _speeds(index)[1])
    page.set_input_files(
        "#photo_files",
        files=[
            {"name": f"photo{index}.jpg", "mimeType": "image/jpeg", "buffer": _photo(size, colour)}
        ],
    )
    page.fill("#photo_caption", caption)
    # saved to the outbox, the page opens itself again (from the cache): an empty form
    with page.expect_navigation(timeout=SLOW):
        page.locator("button[name=intent][value=draft]").click()
    expect(page.locator("#queued-notice")).to_be_visible(timeout=SLOW)
    expect(_records(page, "waiting")).to_have_count(index + 1, timeout=SLOW)
    expect(page.locator("#name")).to_have_value("")
    saved.append(uuid)
    return uuid


@pytest.mark.browser
def test_three_surveys_with_photos_saved_offline_survive_a_restart_and_arrive_once_each(
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

    # The signal goes; the surveyor completes three surveys on the cached page.
    signal.lost()
    context.set_offline(True)
    response = page.reload()
    assert response is not None and response.from_service_worker
    uuids: list[str] = []
    for index in range(len(SURVEYS)):
        _fill_and_save(page, index, uuids)
    assert len(set(uuids)) == 3
    photos = {}  # uuid -> (sha256, width, height) as stored on the tablet
    for uuid, (*_, shrunk, _caption) in zip(uuids, SURVEYS, strict=True):
        stored = page.evaluate(PHOTOS_OF, uuid)
        assert len(stored) == 1 and tuple(stored[0][1:]) == shrunk
        photos[uuid] = tuple(stored[0])
    assert len({sha for sha, *_ in photos.values()}) == 3
    expect(_records(page, "waiting")).to_have_count(3)
    expect(page.locator("#net-state")).to_contain_text("3")
    context.close()
    assert _site_count() == 0

    # The browser is opened again, still without signal (the relay refuses it too:
    # after a restart the emulation now and then misses the service worker).
    context = persistent(proxy=signal.proxy, offline=True)
    page = context.pages[0] if context.pages else context.new_page()
    response = page.goto("/surveys/new")
    assert response is not None and response.from_service_worker
    expect(page.locator("#survey-form")).to_be_visible(timeout=SLOW)
    expect(_records(page, "waiting")).to_have_count(3, timeout=SLOW)
    assert _site_count() == 0

    # The signal is back: the "online" event starts a sync.
    signal.back()
    context.set_offline(False)
    sent = _records(page, "sent")
    signin = page.locator("#outbox-status", has_text=re.compile(r"\S"))
    expect(sent.first.or_(signin)).to_be_visible(timeout=SYNC_TIMEOUT)
    if not sent.first.is_visible():  # the session cookie did not survive the restart
        sign_in(page, user)
        page.goto("/surveys/new")
    expect(_records(page, "sent")).to_have_count(3, timeout=SYNC_TIMEOUT)
    expect(_records(page, "waiting")).to_have_count(0)

    assert _site_count() == 3
    sites = db.session.scalars(select(Site).order_by(Site.name)).all()
    assert sorted(s.uuid for s in sites) == sorted(uuids)
    assert {s.name for s in sites} == NAMES
    by_uuid = {s.uuid: s for s in sites}
    for index, uuid in enumerate(uuids):
        name, _, _, (width, height), caption = SURVEYS[index]
        site = by_uuid[uuid]
        assert site.name == name
        assert site.surveyor_id == user.id
        download, upload = _speeds(index)
        assert [(m.download_mbps, m.upload_mbps) for m in site.measurements] == [
            (float(download), float(upload))
        ]
        sha256 = photos[uuid][0]
        assert [(p.sha256, p.caption) for p in site.photos] == [(sha256, caption)]
        assert site.photos_complete
        photo = db.session.get(Photo, sha256)
        assert photo is not None and (photo.width, photo.height) == (width, height)
    assert db.session.scalar(select(func.count()).select_from(Photo)) == 3

    page.reload()  # nothing is sent twice
    expect(_records(page, "sent")).to_have_count(3)
    page.wait_for_timeout(1_000)
    assert _site_count() == 3
    assert db.session.scalar(select(func.count()).select_from(Photo)) == 3
