"""Browser fixtures: the real app served on a loopback port, driven by headless Chromium.

The server is the app from the `app` fixture, so these tests run on every backend in
BACKENDS. Chromium is Debian's (/usr/bin/chromium); Playwright never downloads a browser.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    expect,
    sync_playwright,
)

from tests.conftest import PASSWORD
from tests.offline.browser import Signal

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# An iPad Air in portrait, as surveyors hold it on site.
CONTEXT_DEFAULTS: dict[str, Any] = {
    "locale": "ja-JP",
    "timezone_id": "Asia/Tokyo",
    "viewport": {"width": 820, "height": 1180},
    "has_touch": True,
}

expect.set_options(timeout=5_000)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Problems:
    """Console errors and uncaught page errors seen in a context (CSP violations included)."""

    base_url: str
    messages: list[str] = field(default_factory=list)
    expected_statuses: set[tuple[str, int]] = field(default_factory=set)

    def expect_document_status(self, path: str, status: int) -> None:
        """A page the test means to get with an error status (a 422 form re-render, say).

        Chromium logs a console error for any 4xx/5xx response, the page itself included;
        only that one line, for that URL and status, is excused.
        """
        self.expected_statuses.add((f"{self.base_url}{path}", status))

    def console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "") if message.location else ""
        for url, status in self.expected_statuses:
            if where == url and message.text.startswith(
                f"Failed to load resource: the server responded with a status of {status} "
            ):
                return
        self.messages.append(f"console error: {message.text} ({where})")

    def page_error(self, error: Error) -> None:
        self.messages.append(f"page error: {error.message}\n{error.stack or ''}")


@pytest.fixture
def console_problems(live_server: str) -> Problems:
    return Problems(live_server)


@pytest.fixture
def new_context(
    browser: Browser, live_server: str, console_problems: Problems
) -> Iterator[Callable[..., BrowserContext]]:
    """Open a context (ja-JP, iPad portrait, touch) on the live server; extra options override.

    Every page of every context opened here is watched; the test fails at teardown if any
    console error or uncaught exception happened.
    """
    contexts: list[BrowserContext] = []
    problems = console_problems

    def watch(page: Page) -> None:
        page.on("console", problems.console)
        page.on("pageerror", problems.page_error)

    def make(**options: Any) -> BrowserContext:
        context = browser.new_context(base_url=live_server, **(CONTEXT_DEFAULTS | options))
        context.on("page", watch)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert not problems.messages, "\n".join(problems.messages)


@pytest.fixture
def persistent(
    browser: Browser, live_server: str, console_problems: Problems, tmp_path: Path
) -> Iterator[Callable[..., BrowserContext]]:
    """Launch Chromium on one profile folder; launching again is a full browser restart.

    Options override the context's; `offline=True` starts the browser with no signal.
    """
    opened: list[BrowserContext] = []

    def launch(**options: Any) -> BrowserContext:
        context = browser.browser_type.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            base_url=live_server,
            **(CONTEXT_DEFAULTS | options),
        )
        for page in context.pages:
            page.on("console", console_problems.console)
            page.on("pageerror", console_problems.page_error)
        context.on("page", lambda p: p.on("console", console_problems.console))
        context.on("page", lambda p: p.on("pageerror", console_problems.page_error))
        opened.append(context)
        return context

    yield launch
    for context in opened:
        with contextlib.suppress(Exception):  # already closed by the test
            context.close()
    assert not console_problems.messages, "\n".join(console_problems.messages)


@pytest.fixture
def signal(live_server: str) -> Iterator[Signal]:
    """A relay to the live server whose signal can be lost for real (see Signal)."""
    relay = Signal(live_server)
    yield relay
    relay.close()


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    return new_context().new_page()


@pytest.fixture
def sign_in() -> Callable[[Page, Any], None]:
    def do(page: Page, user: Any) -> None:
        page.goto("/login")
        page.fill("#email", user.email)
        page.fill("#password", PASSWORD)
        page.locator("form:has(#password) button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/surveys(\?.*)?$"))

    return do
