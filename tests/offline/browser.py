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
    try:
        page.wait_for_function(CONTROLLED, timeout=30_000)
    except Exception as exc:
        raise AssertionError(f"no service worker controls the page: {_worker_state(page)}") from exc
    eventually(page, PAGES_CACHED, path)


WORKER_STATE = """async () => {
  const r = await navigator.serviceWorker.getRegistration();
  if (!r) return "no registration";
  const s = (w) => (w ? w.state : null);
  return JSON.stringify({installing: s(r.installing), waiting: s(r.waiting), active: s(r.active),
                         caches: await caches.keys(), url: location.href});
}"""


def _worker_state(page: Page) -> str:
    """What the registration looks like, for the message of a failed wait."""
    try:
        return str(page.evaluate(WORKER_STATE))
    except Exception as exc:
        return f"(could not read: {exc})"
