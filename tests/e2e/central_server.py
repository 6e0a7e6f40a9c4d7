"""Run a central server for the end-to-end tests: `python -m tests.e2e.central_server URL DIR PORT`.

A separate process, so a test can kill it with SIGKILL in the middle of a push: from outside,
or from inside at an exact point with WSS_E2E_KILL="N:phase" (see `_die_during_push`).
"""

from __future__ import annotations

import itertools
import os
import signal
import sys

from flask import Flask, g, request
from werkzeug.serving import make_server

from app import create_app

PUSH_PATH = "/api/v1/sync/push"
SITES_BEFORE_DYING = 10


def _die_during_push(app: Flask, spec: str) -> None:
    """SIGKILL this process during its Nth push: phase "mid_batch" once it has applied
    SITES_BEFORE_DYING sites of the batch (in the open transaction, nothing committed), or
    "after_commit" once the batch is committed, before the reply leaves."""
    import app.api.push as push_module

    nth, phase = spec.split(":")
    pushes = itertools.count(1)

    @app.before_request
    def count_pushes() -> None:
        if request.method == "POST" and request.path == PUSH_PATH:
            g.doomed = next(pushes) == int(nth)

    if phase == "after_commit":

        @app.after_request
        def die_before_replying(response):  # type: ignore[no-untyped-def]
            if g.get("doomed"):
                os.kill(os.getpid(), signal.SIGKILL)
            return response

        return
    assert phase == "mid_batch", spec
    real = push_module._push_one
    applied = itertools.count(1)

    def push_one_then_die(doc):  # type: ignore[no-untyped-def]
        if g.get("doomed") and next(applied) > SITES_BEFORE_DYING:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(doc)

    push_module._push_one = push_one_then_die


def _hold_saves(app: Flask, seconds: float, log_path: str) -> None:
    """Keep each PUT's transaction open `seconds` after its save, and log when each PUT starts
    and ends (WSS_E2E_HOLD_SAVES="seconds:log file"): two writers of one site then overlap for
    sure, and the test can see that they did."""
    import threading
    import time

    import app.api.sites as sites_module

    lock, counter = threading.Lock(), itertools.count()

    def log(event: str) -> None:
        with lock, open(log_path, "a", encoding="utf-8") as out:
            out.write(f"{next(counter)} {event} {threading.get_ident()}\n")

    @app.before_request
    def started() -> None:
        if request.method == "PUT" and request.path.startswith("/api/v1/sites/"):
            log("start")

    @app.after_request
    def ended(response):  # type: ignore[no-untyped-def]
        if request.method == "PUT" and request.path.startswith("/api/v1/sites/"):
            log(f"end {response.status_code}")
        return response

    real = sites_module.save_survey

    def save_then_hold(*args, **kwargs):  # type: ignore[no-untyped-def]
        outcome = real(*args, **kwargs)
        time.sleep(seconds)  # the transaction (and its row lock) stays open meanwhile
        return outcome

    sites_module.save_survey = save_then_hold


def main() -> None:
    database_url, instance, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": instance,
            "SECRET_KEY": "central-test",
            "RATELIMIT_ENABLED": False,
            "GEOCODER_DOMAIN": "127.0.0.1:9",
            "GEOCODER_SCHEME": "http",
        }
    )
    if os.environ.get("WSS_E2E_HOLD_SAVES"):
        seconds, log_path = os.environ["WSS_E2E_HOLD_SAVES"].split(":", 1)
        _hold_saves(app, float(seconds), log_path)
    if os.environ.get("WSS_E2E_KILL"):
        _die_during_push(app, os.environ["WSS_E2E_KILL"])
    server = make_server("127.0.0.1", port, app, threaded=True)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
