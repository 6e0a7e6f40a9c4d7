"""The station's "Measure with speedtest-cli" button: a background run with progress, stored on
the site. Real speedtest-cli against the app's own /speedtest/ endpoints on 127.0.0.1."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select

from app.accounts.models import ApiToken
from app.extensions import db
from app.speedtest import cli as speedtest_cli
from app.speedtest import station
from app.speedtest.runner import RunSettings, run_speedtest
from app.surveys.models import Site
from tests.api.conftest import document
from tests.conftest import PASSWORD
from tests.speedtest.conftest import TEST_PLAN

BUTTON = "Measure with speedtest-cli (this station)"
EN = {"Accept-Language": "en"}
JSON = {"Accept": "application/json", **EN}


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return {
        "SPEEDTEST_USE_PUBLIC": 0,
        "SPEEDTEST_SERVER_URL": "http://127.0.0.1:9",  # set to the live server where it is used
        "SPEEDTEST_TIMEOUT": 2.0,
        "SPEEDTEST_SECONDS": 3.0,
        "WTF_CSRF_ENABLED": True,
    }


@pytest.fixture(autouse=True)
def short_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(speedtest_cli, "make_plan", lambda seconds: TEST_PLAN)


@pytest.fixture(autouse=True)
def no_run_left_behind(app: Any) -> Iterator[None]:
    yield
    jobs = app.extensions.get("speedtest_jobs")
    if jobs is not None:
        assert jobs.wait(30), "a station run was still going"


@pytest.fixture
def site_uuid(app: Any, make_user: Any) -> str:
    """A site of municipality 304018, made through the API by a surveyor of 304018."""
    user = make_user("surveyor", "304018")
    row, plain = ApiToken.issue(user, "tablet")
    db.session.add(row)
    db.session.commit()
    doc = document()
    response = app.test_client().put(
        f"/api/v1/sites/{doc['uuid']}", json=doc, headers={"Authorization": f"Bearer {plain}"}
    )
    assert response.status_code == 201, response.json
    return str(doc["uuid"])


def _token(html: str) -> str:
    """The token of a form on the page (the station form's when it is there), else the meta tag."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'<meta name="csrf-token" content="([^"]+)"', html
    )
    assert match is not None, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture
def sign_in(client: Any, make_user: Any) -> Callable[..., Any]:
    """sign_in(role, municipality) -> the user, signed in through the login form (CSRF on)."""

    def do(role: str = "surveyor", municipality: str | None = "304018") -> Any:
        user = make_user(role, municipality)
        token = _token(client.get("/login").get_data(as_text=True))
        response = client.post(
            "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302
        return user

    return do


def _site(site_uuid: str) -> Site:
    db.session.expire_all()
    site = db.session.scalar(select(Site).where(Site.uuid == site_uuid))
    assert site is not None
    return site


def _page(client: Any, site_uuid: str) -> str:
    response = client.get(f"/surveys/{site_uuid}", headers=EN)
    assert response.status_code == 200
    return str(response.get_data(as_text=True))


def _start(client: Any, site_uuid: str, where: str = "", as_json: bool = True) -> Any:
    token = _token(_page(client, site_uuid))
    return client.post(
        f"/surveys/{site_uuid}/speedtest",
        data={"csrf_token": token, "where_on_site": where},
        headers=JSON if as_json else EN,
    )


def _until_finished(client: Any, status_url: str, seconds: float = 45) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        response = client.get(status_url, headers=JSON)
        assert response.status_code == 200, response.data
        assert response.headers["Cache-Control"] == "no-store"
        seen.append(response.json)
        if response.json["finished"]:
            return seen
        time.sleep(0.1)
    raise AssertionError(f"the run did not finish in {seconds} s: {seen[-1:]}")


def test_the_button_runs_speedtest_cli_and_stores_the_run(
    app: Any, client: Any, live_server: str, site_uuid: str, sign_in: Any
) -> None:
    app.config["SPEEDTEST_SERVER_URL"] = live_server
    sign_in()
    before = _site(site_uuid)
    revision, runs = before.revision, len(before.measurements)
    page = _page(client, site_uuid)
    assert BUTTON in page and 'id="station-speedtest"' in page
    assert 'role="status" aria-live="polite"' in page
    assert "js/station_speedtest.js" in page and 'data-status-url=""' in page

    response = _start(client, site_uuid, where="2F booth")
    assert response.status_code == 202, response.data
    assert response.json["phase"] in station.PHASES
    status_url = response.json["status_url"]
    assert response.headers["Location"].endswith(status_url)
    seen = _until_finished(client, status_url)

    final = seen[-1]
    assert final["phase"] == "done", final
    assert final["percent"] == 100 and final["error"] is None
    assert final["revision"] == revision + 1
    result = final["result"]
    assert result["server"] == live_server and result["method"] == "speedtest-cli"
    assert result["download_mbps"] > 0 and result["upload_mbps"] > 0
    assert result["upload_counted_by"] == "server"
    assert all(0 <= s["percent"] <= 100 for s in seen)
    assert [s["percent"] for s in seen] == sorted(s["percent"] for s in seen)

    site = _site(site_uuid)
    assert site.revision == revision + 1
    assert len(site.measurements) == runs + 1
    run = next(m for m in site.measurements if m.method == "speedtest-cli")
    assert run.where_on_site == "2F booth" and run.server == live_server
    assert run.tool_version.startswith("speedtest-cli ")
    assert run.bytes_moved == result["bytes_moved"] > 0
    assert 0 < run.duration_s < 60
    assert run.download_mbps > 0 and run.upload_mbps > 0 and run.latency_ms > 0
    assert site.score is not None

    page = _page(client, site_uuid)
    assert "2F booth" in page and "speedtest-cli" in page
    assert 'data-status-url=""' in page  # nothing running any more


def test_progress_follows_the_phases_of_a_real_run(app: Any, live_server: str) -> None:
    run = station.StationRun(
        id="x", site_uuid="s", user_email="e", where_on_site=None, created_at=None
    )
    phases: list[tuple[str, int, float | None]] = []

    class Recording(station.RunProgress):
        def phase(self, name: str) -> None:
            if self.run.phase in ("download", "upload"):
                phases.append((self.run.phase, self.run.requests_done, self.run.mbps))
            super().phase(name)

    progress = Recording(run, TEST_PLAN, threading.Lock())
    settings = RunSettings(live_server, plan=TEST_PLAN, progress=progress)
    result = run_speedtest(settings)
    progress.phase("saving")
    assert [p[0] for p in phases] == ["download", "upload"]
    download, upload = phases
    assert download[1] == len(TEST_PLAN.download_sizes) * TEST_PLAN.download_per_size
    # sized from the measured download: whole rounds of the sizes, at least the plan's own
    assert upload[1] % len(TEST_PLAN.upload_sizes) == 0 and upload[1] >= TEST_PLAN.upload_max
    assert download[2] is not None and download[2] > 0  # a running estimate was made
    assert run.download_estimate == download[2]
    assert result.download_mbps > 0


def test_a_form_post_without_javascript_redirects_to_the_page(
    app: Any, client: Any, live_server: str, site_uuid: str, sign_in: Any
) -> None:
    app.config["SPEEDTEST_SERVER_URL"] = live_server
    sign_in()
    response = _start(client, site_uuid, as_json=False)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/surveys/{site_uuid}#station-speedtest")
    assert app.extensions["speedtest_jobs"].wait(30)
    assert _site(site_uuid).measurements[-1].method == "speedtest-cli"


def test_csrf_and_sign_in_are_required(
    app: Any, client: Any, live_server: str, site_uuid: str, sign_in: Any
) -> None:
    anonymous = client.post(f"/surveys/{site_uuid}/speedtest", data={})
    assert anonymous.status_code in (302, 400)
    assert client.get(f"/surveys/{site_uuid}/speedtest/abc").status_code == 302
    sign_in()
    response = client.post(f"/surveys/{site_uuid}/speedtest", data={}, headers=JSON)
    assert response.status_code == 400
    assert app.extensions["speedtest_jobs"].running() is None


def test_a_too_long_place_is_refused(client: Any, site_uuid: str, sign_in: Any) -> None:
    sign_in()
    response = _start(client, site_uuid, where="x" * 101)
    assert response.status_code == 400
    assert response.json["error"] == "invalid" and "where_on_site" in response.json["errors"]


@pytest.mark.parametrize(
    ("role", "municipality", "code"),
    [
        ("reviewer", "304018", 403),  # sees the site, may not change it
        ("viewer", "302015", 403),  # same prefecture: sees it, may not change it
        ("surveyor", "302015", 404),  # another municipality's site: its existence is private
    ],
)
def test_users_who_may_not_edit_the_site_are_refused(
    app: Any, client: Any, site_uuid: str, sign_in: Any, role: str, municipality: str, code: int
) -> None:
    sign_in(role, municipality)
    page = client.get(f"/surveys/{site_uuid}", headers=EN)
    assert page.status_code == (404 if code == 404 else 200)
    assert BUTTON not in page.get_data(as_text=True)
    token = _token(client.get("/surveys", headers=EN).get_data(as_text=True))
    response = client.post(
        f"/surveys/{site_uuid}/speedtest", data={"csrf_token": token}, headers=JSON
    )
    assert response.status_code == code
    assert app.extensions["speedtest_jobs"].running() is None


def test_a_run_is_seen_only_on_its_own_site(
    app: Any, client: Any, site_uuid: str, sign_in: Any
) -> None:
    sign_in()
    response = _start(client, site_uuid)
    assert response.status_code == 202
    run_id = response.json["id"]
    other = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"/surveys/{other}/speedtest/{run_id}", headers=JSON).status_code == 404
    assert client.get(f"/surveys/{site_uuid}/speedtest/nope", headers=JSON).status_code == 404


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A port that accepts connections and never answers: a run against it hangs, then fails."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()


def test_a_second_start_while_one_runs_is_refused(
    app: Any, client: Any, site_uuid: str, sign_in: Any, silent_server: str
) -> None:
    app.config["SPEEDTEST_SERVER_URL"] = silent_server
    app.config["SPEEDTEST_TIMEOUT"] = 4.0  # the first request hangs this long, then fails
    sign_in()
    revision = _site(site_uuid).revision
    first = _start(client, site_uuid)
    assert first.status_code == 202

    second = _start(client, site_uuid)
    assert second.status_code == 409
    assert second.json["error"] == "busy"
    assert "already running" in second.json["message"]
    page = _page(client, site_uuid)
    assert "A speed test is running for this site." in page
    assert f'data-status-url="{first.json["status_url"]}"' in page
    without_js = _start(client, site_uuid, as_json=False)
    assert without_js.status_code == 303
    assert "already running" in _page(client, site_uuid)

    final = _until_finished(client, first.json["status_url"])[-1]
    assert final["phase"] == "failed" and silent_server in final["error"]
    assert _site(site_uuid).revision == revision


def test_a_server_that_is_down_ends_failed_and_stores_nothing(
    app: Any, client: Any, site_uuid: str, sign_in: Any
) -> None:
    app.config["SPEEDTEST_SERVER_URL"] = "http://127.0.0.1:9"  # nothing listens there
    sign_in()
    before = _site(site_uuid)
    revision, runs = before.revision, len(before.measurements)
    response = _start(client, site_uuid)
    assert response.status_code == 202
    final = _until_finished(client, response.json["status_url"])[-1]
    assert final["phase"] == "failed"
    assert "127.0.0.1:9" in final["error"] and final["result"] is None
    after = _site(site_uuid)
    assert after.revision == revision and len(after.measurements) == runs
    assert _start(client, site_uuid).status_code == 202  # a failed run frees the station


def test_a_refused_document_ends_failed_and_stores_nothing(
    app: Any,
    client: Any,
    live_server: str,
    site_uuid: str,
    sign_in: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app.config["SPEEDTEST_SERVER_URL"] = live_server
    real_entry = station.record.measurement_entry

    def out_of_range(result: Any, where: Any = None) -> dict[str, Any]:
        return real_entry(result, where) | {"download_mbps": -1.0}

    monkeypatch.setattr(station.record, "measurement_entry", out_of_range)
    sign_in()
    before = _site(site_uuid)
    revision, runs = before.revision, len(before.measurements)
    response = _start(client, site_uuid)
    final = _until_finished(client, response.json["status_url"])[-1]
    assert final["phase"] == "failed" and final["error"].startswith("invalid")
    assert final["revision"] is None
    after = _site(site_uuid)
    assert after.revision == revision and len(after.measurements) == runs


@pytest.mark.parametrize(
    "config_overrides",
    [
        {"SPEEDTEST_STATION": 0, "SPEEDTEST_SERVER_URL": "http://127.0.0.1:9"},
        {"SPEEDTEST_SERVER_URL": None, "UPSTREAM_URL": None},
    ],
)
def test_without_the_runner_there_is_no_button_and_no_route(
    app: Any, client: Any, site_uuid: str, make_user: Any, login: Any
) -> None:
    assert "speedtest_jobs" not in app.extensions
    login(make_user("surveyor", "304018"))
    page = _page(client, site_uuid)
    assert BUTTON not in page and "station_speedtest.js" not in page
    assert client.post(f"/surveys/{site_uuid}/speedtest", headers=JSON).status_code == 404
    assert client.get(f"/surveys/{site_uuid}/speedtest/abc", headers=JSON).status_code == 404


@pytest.mark.parametrize(
    ("config", "enabled"),
    [
        ({}, False),
        ({"UPSTREAM_URL": "https://hub.example.jp"}, True),
        ({"SPEEDTEST_SERVER_URL": "https://hub.example.jp"}, True),
        ({"UPSTREAM_URL": "https://hub.example.jp", "SPEEDTEST_STATION": 0}, False),
        ({"SPEEDTEST_STATION": 1}, True),
        ({"SPEEDTEST_STATION": "0"}, False),
    ],
)
def test_which_installations_get_the_button(config: dict[str, Any], enabled: bool) -> None:
    assert station.station_enabled(config) is enabled
