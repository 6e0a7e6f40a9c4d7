"""A TCP proxy on 127.0.0.1 that cuts connections at chosen points, for the sync fault tests."""

from __future__ import annotations

import contextlib
import random
import socket
import threading
from collections import Counter
from dataclasses import dataclass, field

FAULTS = ("before_request", "mid_request", "after_response_started")


PUSH = b"POST /api/v1/sync/push "


@dataclass
class FaultyProxy:
    """Relays one request per connection to `target_port`; a fraction of them is cut.

    It reads the start of each request before deciding, so that document pushes, which are few
    next to the photo requests, are cut too: the first pushes get each fault once, in order (so
    every fault is sure to hit a push: a batch lost before the server, a body cut in the middle,
    a batch the server committed whose reply never arrives), later ones at `push_fault_rate`.
    `faults` counts by fault, `push_faults` the pushes' share."""

    target_port: int
    fault_rate: float = 0.2
    push_fault_rate: float = 0.3
    seed: int = 1
    faults: Counter = field(default_factory=Counter)
    push_faults: Counter = field(default_factory=Counter)
    connections: int = 0
    pushes: int = 0
    max_connections: int = 100_000  # every test loop is bounded

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> FaultyProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._listener.close()
        self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _choose(self, is_push: bool) -> tuple[str | None, int]:
        """The fault for this connection (None: relay it whole) and, for a cut in the middle,
        how many bytes of the request pass."""
        with self._lock:
            self.connections += 1
            fault = None
            if is_push:
                self.pushes += 1
                if self.pushes <= len(FAULTS):
                    fault = FAULTS[self.pushes - 1]
                elif self._rng.random() < self.push_fault_rate:
                    fault = self._rng.choice(FAULTS)
            elif self._rng.random() < self.fault_rate:
                fault = self._rng.choice(FAULTS)
            if fault is not None:
                self.faults[fault] += 1
                if is_push:
                    self.push_faults[fault] += 1
            # a push's body is tens of kilobytes: cut it well inside; other requests are small
            budget = self._rng.randint(200, 20_000) if is_push else self._rng.randint(1, 4000)
            return fault, budget

    def _accept(self) -> None:
        self._listener.settimeout(0.2)
        while not self._stop.is_set() and self.connections < self.max_connections:
            try:
                client, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        with client:
            try:
                client.settimeout(30)
                first = client.recv(65536)
            except OSError:
                return
            if not first:
                return
            fault, budget = self._choose(first.startswith(PUSH))
            if fault == "before_request":  # nothing reaches the server
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=30)
            except OSError:
                return
            with upstream:
                pump = threading.Thread(
                    target=self._client_to_upstream,
                    args=(client, upstream, first, budget if fault == "mid_request" else None),
                    daemon=True,
                )
                pump.start()
                self._upstream_to_client(upstream, client, cut=fault == "after_response_started")
                pump.join(timeout=30)

    @staticmethod
    def _client_to_upstream(
        client: socket.socket, upstream: socket.socket, first: bytes, budget: int | None
    ) -> None:
        sent = 0
        chunk = first
        try:
            while True:
                if not chunk:
                    upstream.shutdown(socket.SHUT_WR)
                    return
                if budget is not None and sent + len(chunk) >= budget:
                    upstream.sendall(chunk[: max(budget - sent, 0)])
                    _hang_up(upstream, client)  # the request stops in the middle of its body
                    return
                upstream.sendall(chunk)
                sent += len(chunk)
                chunk = client.recv(65536)
        except OSError:
            return

    @staticmethod
    def _upstream_to_client(upstream: socket.socket, client: socket.socket, cut: bool) -> None:
        try:
            while True:
                chunk = upstream.recv(65536)
                if not chunk:
                    return
                if cut:  # the server has answered (and committed): drop the reply
                    _hang_up(upstream, client)
                    return
                client.sendall(chunk)
        except OSError:
            return


def _hang_up(*sockets: socket.socket) -> None:
    """shutdown() wakes a recv() blocked in another thread; close() alone would not."""
    for sock in sockets:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
