"""axe-core (from the npm registry: `make vendor` installs node_modules/axe-core) on the survey
pages in Chromium: no serious or critical violations.

The script is evaluated through Playwright (a context with bypass_csp, since the app's CSP
rightly refuses inline script); nothing of axe-core is served by the app.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.factories import scored_survey_post

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def axe_page(new_context: Any) -> Page:
    if not AXE.exists():
        pytest.fail("node_modules/axe-core missing: run `make vendor`")
    return new_context(bypass_csp=True).new_page()


def serious_violations(page: Page) -> list[str]:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_survey_pages_have_no_serious_violations(axe_page: Page, sign_in, make_user, client, login):
    surveyor = make_user("surveyor", "304018")
    login(surveyor)
    post = scored_survey_post(name="アクセシビリティ確認")
    assert client.post("/surveys/new", data=post).status_code == 302
    sign_in(axe_page, surveyor)
    found = {}
    for path in (
        "/surveys",
        "/surveys/new",
        f"/surveys/{post['uuid']}",
        f"/surveys/{post['uuid']}/edit",
        "/exports",
    ):
        axe_page.goto(path)
        axe_page.wait_for_load_state("networkidle")
        found[path] = serious_violations(axe_page)
    assert found == {path: [] for path in found}


def test_the_scan_finds_a_planted_violation(axe_page: Page, sign_in, make_user):
    """The check above can fail: an unlabeled input and an image without alt are reported."""
    sign_in(axe_page, make_user("surveyor", "304018"))
    axe_page.goto("/surveys")
    axe_page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend',"
        ' \'<img src="/static/img/icon-192.png"><input type="text">\')'
    )
    found = " ".join(serious_violations(axe_page))
    assert "image-alt" in found and "label" in found
