"""Helpers for the offline browser tests (tests/browser/test_offline_*.py)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

PAGES_CACHED = """async (path) => {
  for (const name of await caches.keys()) {
    if (name.startsWith("wss-pages-") && (await (await caches.open(name)).match(path))) return true;
  }
  return false;
}"""
CONTROLLED = "() => navigator.serviceWorker.controller !== null"


def eventually(page: Page, script: str, arg: Any = None, attempts: int = 120) -> Any:
    """Poll an async page function until it returns something truthy (about 30 s at most).

    Playwright's wait_for_function does not await a returned promise, so it cannot do this.
    """
    for _ in range(attempts):
        value = page.evaluate(script, arg)
        if value:
            return value
        page.wait_for_timeout(250)
    raise AssertionError(f"never true: {script}")


def wait_until_offline_ready(page: Page, path: str = "/surveys/new") -> None:
    """The service worker controls the page and has `path` in its page cache."""
    page.wait_for_function(CONTROLLED, timeout=30_000)
    eventually(page, PAGES_CACHED, path)
