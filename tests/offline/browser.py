"""Helpers for the offline browser tests (tests/browser/test_offline_*.py)."""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any
from urllib.parse import urlsplit

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


class Signal:
    """A relay between the browser and the live server that can lose the signal for real.

    After a persistent-profile restart, Playwright's offline emulation (set_offline, or
    offline=True at launch) now and then misses the service worker: its network-first fetch
    of the page reached the server (seen about once in eight runs; the worker is probably
    started before Playwright attaches to it). A browser launched with `proxy=signal.proxy`
    sends every request, loopback included, through this relay; `lost()` drops its
    connections and refuses new ones, so every fetch fails as on a tablet with no signal;
    `back()` relays again. Use it together with the emulation (navigator.onLine).
    """

    def __init__(self, server_url: str) -> None:
        target = urlsplit(server_url)
        self._target = (target.hostname or "127.0.0.1", target.port or 80)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.up = True
        self.proxy = {"server": f"http://127.0.0.1:{self._listener.getsockname()[1]}"}
        threading.Thread(target=self._accept, name="signal", daemon=True).start()

    def lost(self) -> None:
        with self._lock:
            self.up = False
            for conn in self._connections:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
            self._connections.clear()

    def back(self) -> None:
        self.up = True

    def close(self) -> None:
        self.lost()
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            with self._lock:
                if not self.up:
                    client.close()
                    continue
                try:
                    upstream = socket.create_connection(self._target)
                except OSError:
                    client.close()
                    continue
                self._connections.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        # the browser sends absolute-form request lines (GET http://host/path), which the
        # server takes as they are: bytes go through untouched
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for conn in (source, sink):
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
