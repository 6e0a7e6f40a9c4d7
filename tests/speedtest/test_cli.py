"""`flask speedtest`: measure against this product's server, and store the run on a site."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from app.accounts.models import ApiToken
from app.extensions import db
from app.speedtest import cli as speedtest_cli
from app.surveys.models import Site, SiteChange, SiteRevision
from tests.api.conftest import document
from tests.speedtest.conftest import TEST_PLAN


@pytest.fixture(autouse=True)
def short_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(speedtest_cli, "make_plan", lambda seconds: TEST_PLAN)


@pytest.fixture
def site_uuid(client: Any, make_user: Any) -> str:
    user = make_user("surveyor", "304018")
    row, plain = ApiToken.issue(user, "tablet")
    db.session.add(row)
    db.session.commit()
    doc = document()
    response = client.put(
        f"/api/v1/sites/{doc['uuid']}", json=doc, headers={"Authorization": f"Bearer {plain}"}
    )
    assert response.status_code == 201, response.json
    return str(doc["uuid"])


def test_without_a_site_it_prints_the_result(runner: Any, live_server: str) -> None:
    result = runner.invoke(args=["speedtest", "--server", live_server, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["method"] == "speedtest-cli"
    assert data["server"] == live_server
    assert data["download_mbps"] > 0 and data["upload_mbps"] > 0 and data["latency_ms"] > 0
    assert data["upload_counted_by"] == "server"


def test_the_configured_server_is_used(runner: Any, app: Any, live_server: str) -> None:
    app.config["SPEEDTEST_SERVER_URL"] = live_server + "/"
    result = runner.invoke(args=["speedtest"])
    assert result.exit_code == 0, result.output
    assert "Download" in result.output and f"Server {live_server};" in result.output


def test_with_a_site_it_stores_a_new_speed_run(
    runner: Any, live_server: str, site_uuid: str
) -> None:
    site = db.session.scalar(select(Site).where(Site.uuid == site_uuid))
    revision, runs = site.revision, len(site.measurements)
    changes = db.session.scalar(select(func.count()).select_from(SiteChange))

    result = runner.invoke(
        args=["speedtest", "--site", site_uuid, "--server", live_server, "--where", "2F booth"]
    )
    assert result.exit_code == 0, result.output
    assert f"revision {revision + 1}" in result.output

    db.session.expire_all()
    site = db.session.scalar(select(Site).where(Site.uuid == site_uuid))
    assert site.revision == revision + 1
    assert len(site.measurements) == runs + 1
    run = next(m for m in site.measurements if m.method == "speedtest-cli")
    assert run.server == live_server
    assert run.where_on_site == "2F booth"
    assert run.download_mbps > 0 and run.upload_mbps > 0 and run.latency_ms > 0
    assert run.tool_version.startswith("speedtest-cli ")
    assert run.bytes_moved > 0 and 0 < run.duration_s < 60
    stored = db.session.scalar(
        select(SiteRevision).where(
            SiteRevision.site_id == site.id, SiteRevision.revision == site.revision
        )
    )
    assert stored is not None and stored.content_hash == site.content_hash
    assert "measurements" in stored.changed_fields
    assert db.session.scalar(select(func.count()).select_from(SiteChange)) > changes
    assert site.score is not None and site.scored_at is not None


def test_an_unknown_site_is_refused_before_measuring(runner: Any, live_server: str) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    result = runner.invoke(args=["speedtest", "--site", unknown, "--server", live_server])
    assert result.exit_code != 0
    assert f"no site {unknown}" in result.output


def test_an_unreachable_server_fails_cleanly(runner: Any) -> None:
    result = runner.invoke(args=["speedtest", "--server", "http://127.0.0.1:9"])
    assert result.exit_code == 1
    assert "Error:" in result.output and "127.0.0.1:9" in result.output


def test_help(runner: Any) -> None:
    result = runner.invoke(args=["speedtest", "--help"])
    assert result.exit_code == 0
    for option in ("--site", "--server", "--where"):
        assert option in result.output
