"""/speedtest/: speedtest-cli's "mini server" protocol and the browser test's endpoints.

Public (no sign-in), CSRF-exempt, never cached, never compressed, rate-limited per client
address (requests, and MiB moved), bodies streamed both ways in small chunks.
"""

from __future__ import annotations

import math
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, jsonify, request
from flask.blueprints import BlueprintSetupState
from werkzeug.exceptions import ClientDisconnected, HTTPException

from app.api.errors import json_error
from app.config import ConfigError
from app.extensions import csrf, limiter
from app.speedtest.counter import RunCounter, is_run_token
from app.speedtest.payload import MINI_SIZES, TooSlow, drain, random_chunks

bp = Blueprint("speedtest", __name__, url_prefix="/speedtest")
csrf.exempt(bp)

MIB = 1024 * 1024
DEFAULT_DOWNLOAD_BYTES = 16 * MIB
NO_STORE = "no-store, no-cache, must-revalidate, no-transform, max-age=0"
ERROR_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    408: "too_slow",
    413: "too_large",
    429: "rate_limited",
}


@bp.record_once
def _counter(state: BlueprintSetupState) -> None:
    state.app.extensions["speedtest_counter"] = make_counter(state.app)


def make_counter(app: Flask | Any) -> RunCounter:
    uri = app.config.get("SPEEDTEST_COUNTER_STORAGE_URI") or app.config["RATELIMIT_STORAGE_URI"]
    try:
        return RunCounter.from_uri(uri)
    except Exception as exc:  # limits' ConfigurationError, a missing driver
        raise ConfigError(f"SPEEDTEST_COUNTER_STORAGE_URI: {exc}") from exc


def _request_limit() -> str:
    return str(current_app.config["SPEEDTEST_RATE_LIMIT"])


def _transfer_limit() -> str:
    return str(current_app.config["SPEEDTEST_TRANSFER_LIMIT"])


def _transfer_cost() -> int:
    """MiB this request may move (what it asked for; an upload without a length: the cap)."""
    if request.endpoint == "speedtest.random_image":
        n = MINI_SIZES.get((request.view_args or {}).get("width", 0), 0)
    elif request.endpoint == "speedtest.download":
        n = _requested_download() or 0
    elif request.method == "POST":
        n = request.content_length or current_app.config["SPEEDTEST_MAX_UPLOAD_BYTES"]
    else:
        n = 0
    return max(1, math.ceil(n / MIB))


limit_requests = limiter.shared_limit(_request_limit, scope="speedtest")
limit_transfer = limiter.shared_limit(_transfer_limit, scope="speedtest-mib", cost=_transfer_cost)


@bp.after_request
def _never_cached(response: Response) -> Response:
    response.headers["Cache-Control"] = NO_STORE
    response.headers["Pragma"] = "no-cache"
    response.headers["Content-Encoding"] = "identity"  # also keeps a gzip proxy away
    return response


@bp.errorhandler(HTTPException)
def _json_error(error: HTTPException) -> Any:
    code = error.code or 500
    response, status = json_error(code, ERROR_CODES.get(code, "error"), str(error.description))
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response, status


@bp.get("/latency.txt")
@limit_requests
def latency() -> Response:
    return _text("test=test")


@bp.get("/random<int:width>x<int:height>.jpg")
@limit_requests
@limit_transfer
def random_image(width: int, height: int) -> Response:
    if width != height or width not in MINI_SIZES:
        abort(404, f"Sizes: {', '.join(f'random{n}x{n}.jpg' for n in MINI_SIZES)}.")
    return _random_bytes(MINI_SIZES[width])


@bp.route("/upload.php", methods=["GET", "POST"])
@limit_requests
@limit_transfer
def upload_php() -> Response:
    """POST: read and count the body, reply size=<bytes>. GET: size=0, or a run's total."""
    token = _run_token()
    if request.method == "GET":
        counter: RunCounter = current_app.extensions["speedtest_counter"]
        return _text(f"size={counter.get(token) if token else 0}")
    return _text(f"size={_receive(token)}")


@bp.get("/download")
@limit_requests
@limit_transfer
def download() -> Any:
    size = _requested_download()
    if size is None:
        cap = current_app.config["SPEEDTEST_MAX_DOWNLOAD_BYTES"]
        return json_error(400, "bad_size", f"bytes: a whole number from 0 to {cap}.", max_bytes=cap)
    return _random_bytes(size)


@bp.post("/upload")
@limit_requests
@limit_transfer
def upload() -> Any:
    return jsonify(received=_receive(_run_token()))


@bp.get("/ping")
@limit_requests
def ping() -> Response:
    return Response(status=204)


def _requested_download() -> int | None:
    cap: int = current_app.config["SPEEDTEST_MAX_DOWNLOAD_BYTES"]
    raw = request.args.get("bytes")
    if raw is None:
        return min(DEFAULT_DOWNLOAD_BYTES, cap)
    if not raw.isdigit() or len(raw) > 18 or int(raw) > cap:
        return None
    return int(raw)


def _run_token() -> str | None:
    token = request.args.get("run")
    if token is not None and not is_run_token(token):
        abort(400, "run: 16 to 64 letters, digits, '-' or '_'.")
    return token


def _receive(token: str | None) -> int:
    """Read the body in small chunks, count it (for the run too), keep nothing."""
    request.max_content_length = current_app.config["SPEEDTEST_MAX_UPLOAD_BYTES"]
    counter: RunCounter = current_app.extensions["speedtest_counter"]
    try:
        return drain(
            request.stream,  # 413 here when Content-Length is over the cap, or while reading
            max_seconds=float(current_app.config["SPEEDTEST_MAX_SECONDS"]),
            report=(lambda n: counter.add(token, n)) if token else None,
        )
    except TooSlow:
        abort(408, "The upload took too long.")
    except ClientDisconnected:
        abort(400, "The body ended before its Content-Length.")


def _random_bytes(size: int) -> Response:
    body = random_chunks(size, max_seconds=float(current_app.config["SPEEDTEST_MAX_SECONDS"]))
    response = Response(body, mimetype="application/octet-stream", direct_passthrough=True)
    response.content_length = size
    return response


def _text(body: str) -> Response:
    return Response(body, mimetype="text/plain")
