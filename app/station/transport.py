"""HTTP to the upstream server (standard library): 4xx/5xx are replies, not exceptions."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any


class TransportError(Exception):
    """The request did not get an HTTP answer (refused, reset, timed out)."""


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")


class UpstreamHttp:
    def __init__(self, base_url: str, token: str, timeout_s: float = 30.0) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"UPSTREAM_URL must be http:// or https://, got {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout_s = timeout_s

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        content_type: str = "application/json",
    ) -> Reply:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = content_type
        url = self.base_url + path  # scheme checked in __init__: http or https only
        req = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310
        try:
            with urllib.request.urlopen(req, timeout=self.timeout_s) as response:  # noqa: S310
                return Reply(response.status, response.read())
        except urllib.error.HTTPError as exc:
            return Reply(exc.code, exc.read() if exc.fp else b"")
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
            raise TransportError(str(exc)) from exc

    def json(self, method: str, path: str, payload: Any) -> Reply:
        return self.request(method, path, json.dumps(payload, ensure_ascii=False).encode())
