"""JSON errors for the API: `{"error": code, "message": text, ...}` with the right status."""

from __future__ import annotations

from typing import Any

from flask import jsonify


class ApiError(Exception):
    def __init__(self, status: int, error: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.error, self.message, self.extra = status, error, message, extra


def json_error(status: int, error: str, message: str, **extra: Any) -> Any:
    return jsonify({"error": error, "message": message, **extra}), status


def handle_api_error(exc: ApiError) -> Any:
    return json_error(exc.status, exc.error, exc.message, **exc.extra)
