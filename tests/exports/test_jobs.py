"""Export jobs on each runner: a thread of the web process, a Redis queue (real Redis, RQ),
and what a failure or an old job leaves behind."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from sqlalchemy import select

from app.exports import service
from app.exports.models import ExportJob
from app.exports.tasks import file_path
from app.extensions import db
from app.timeutil import utcnow
from tests.exports.helpers import download, sheet_rows, workbook

QUEUE = f"exports-test-{uuid.uuid4().hex[:8]}"


def _post(client: Any, **form: str) -> str:
    response = client.post("/exports", data={"format": "xlsx", **form})
    assert response.status_code == 303, response.text[:2000]
    return str(response.headers["Location"])


def _wait_done(client: Any, location: str) -> dict[str, Any]:
    for _ in range(300):  # bounded: 30 s at most
        status = client.get(location + "/status").json
        if status["state"] in ("done", "failed"):
            return dict(status)
        time.sleep(0.1)
    raise AssertionError(f"export still {status['state']}")


class TestThread:
    @pytest.fixture
    def config_overrides(self) -> dict[str, Any]:
        return {"EXPORT_QUEUE": "thread"}

    def test_job_runs_in_the_background_and_its_file_downloads(
        self, client, sites, make_user, login
    ):
        login(make_user("reviewer", None, "30"))
        location = _post(client, status="draft")
        status = _wait_done(client, location)
        assert (status["state"], status["done"], status["total"]) == ("done", 4, 4)
        rows = sheet_rows(workbook(download(client, status)), "調査結果")
        assert {row["審査状況"] for row in rows} == {"下書き"}


class TestRedisQueue:
    @pytest.fixture
    def config_overrides(self) -> dict[str, Any]:
        return {"EXPORT_QUEUE": "rq", "EXPORT_RQ_QUEUE": QUEUE}

    @pytest.fixture(autouse=True)
    def _empty_queue(self) -> Any:
        yield
        connection = Redis.from_url("redis://127.0.0.1:6379/0")
        for key in connection.scan_iter(f"rq:*{QUEUE}*"):
            connection.delete(key)

    def test_job_waits_in_redis_until_a_worker_runs_it(
        self, app, client, runner, sites, make_user, login
    ):
        login(make_user("viewer", None, "30"))
        location = _post(client, format="geojson")
        assert client.get(location + "/status").json["state"] == "queued"
        assert Redis.from_url("redis://127.0.0.1:6379/0").llen(f"rq:queue:{QUEUE}") == 1
        result = runner.invoke(args=["export-worker", "--burst"])
        assert result.exit_code == 0, result.output
        status = client.get(location + "/status").json
        assert (status["state"], status["done"]) == ("done", 5)
        assert b'"FeatureCollection"' in download(client, status)

    def test_a_job_delivered_twice_runs_once(self, app, client, runner, sites, make_user, login):
        login(make_user("viewer", None, "30"))
        location = _post(client)
        job_id = location.rsplit("/", 1)[1]
        app.extensions["export_runner"].submit(job_id)  # a duplicate delivery
        assert runner.invoke(args=["export-worker", "--burst"]).exit_code == 0
        job = db.session.get(ExportJob, job_id)
        db.session.refresh(job)
        assert job.state == "done"


def test_a_failed_job_says_why_and_leaves_no_file(client, sites, make_user, login, monkeypatch):
    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise OSError("disk full")

    monkeypatch.setattr("app.exports.tasks.write_export", broken)
    login(make_user("viewer", None, "30"))
    location = _post(client)
    status = client.get(location + "/status").json
    assert status["state"] == "failed"
    assert "disk full" in status["error"]
    assert status["download_url"] is None
    assert client.get(location + "/download").status_code == 404
    job = db.session.get(ExportJob, location.rsplit("/", 1)[1])
    assert not list(Path(file_path(job)).parent.glob(f"{job.id}*"))
    assert "The export failed" in client.get(location).text or "失敗" in client.get(location).text


def test_old_jobs_and_their_files_are_removed(app, client, sites, make_user, login):
    login(make_user("viewer", None, "30"))
    old_location = _post(client)
    old_id = old_location.rsplit("/", 1)[1]
    old = db.session.get(ExportJob, old_id)
    old_file = file_path(old)
    assert old_file.exists()
    old.created_at = utcnow() - timedelta(hours=25)
    db.session.commit()
    _post(client)  # a new job clears what is past EXPORT_RETENTION_HOURS (24)
    assert not old_file.exists()
    db.session.expire_all()
    remaining = db.session.scalars(select(ExportJob.id)).all()
    assert len(remaining) == 1
    assert old_id not in remaining


def test_unknown_queue_setting_stops_start_up(database_url, tmp_path):
    from app import create_app
    from app.config import ConfigError
    from tests.conftest import BASE_CONFIG

    with pytest.raises(ConfigError, match="EXPORT_QUEUE"):
        create_app(
            BASE_CONFIG
            | {
                "DATABASE_URL": database_url,
                "INSTANCE_PATH": str(tmp_path),
                "EXPORT_QUEUE": "celery",
            }
        )


def test_version_text_lists_each_rubric_with_its_count():
    assert service._versions_text({"v1": 3}) == "v1"
    assert service._versions_text({"v1": 3, "": 2}) == "v1(3件); 未採点(2件)"
