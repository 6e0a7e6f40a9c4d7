"""Reading exports back: the workbook with openpyxl, CSV with the csv module, GeoJSON with json."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import openpyxl

from app.exports.columns import CARRIERS_JA  # noqa: F401  (re-exported for tests)


def start(client: Any, **form: str) -> Any:
    """POST the export form; returns the job's status JSON (the inline runner has finished)."""
    response = client.post("/exports", data={"format": "xlsx", **form})
    assert response.status_code == 303, response.text[:2000]
    return client.get(response.headers["Location"] + "/status").json


def download(client: Any, status: dict[str, Any]) -> bytes:
    assert status["state"] == "done", status
    response = client.get(status["download_url"])
    assert response.status_code == 200
    return bytes(response.data)


def workbook(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data))


def sheet_rows(book: Any, name: str) -> list[dict[str, Any]]:
    """A sheet's data rows as header → value dicts."""
    rows = list(book[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def csv_rows(data: bytes, encoding: str) -> list[dict[str, str]]:
    text = data.decode(encoding)
    return list(csv.DictReader(io.StringIO(text, newline="")))


def geojson(data: bytes) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(data.decode("utf-8"))
    return loaded
