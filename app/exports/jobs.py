"""Where an export job runs, chosen by configuration (EXPORT_QUEUE) in create_app:

- `thread`: a background thread of the web process (one machine; the default),
- `rq`: a Redis queue served by `flask --app app export-worker` (several web servers),
- `inline`: at once, in the caller (tests, and the CLI).

Each runner only hands over the job id; `tasks.run_job` does the work wherever it runs.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

from flask import Flask

from app.config import ConfigError

RQ_JOB_TIMEOUT_S = 3 * 3600


class ExportRunner(Protocol):
    def submit(self, job_id: str) -> None: ...


class InlineRunner:
    def submit(self, job_id: str) -> None:
        from app.exports.tasks import run_job

        run_job(job_id)


class ThreadRunner:
    def __init__(self, app: Flask) -> None:
        self.app = app

    def submit(self, job_id: str) -> None:
        thread = threading.Thread(target=self._run, args=(job_id,), name=f"export-{job_id}")
        thread.daemon = True
        thread.start()

    def _run(self, job_id: str) -> None:
        from app.exports.tasks import run_job

        with self.app.app_context():
            run_job(job_id)


class RQRunner:
    def __init__(self, redis_url: str, queue_name: str) -> None:
        from redis import Redis
        from rq import Queue

        self.connection = Redis.from_url(redis_url)
        self.queue = Queue(queue_name, connection=self.connection)

    def submit(self, job_id: str) -> None:
        self.queue.enqueue(
            "app.exports.tasks.run_job", job_id, job_id=f"export-{job_id}",
            job_timeout=RQ_JOB_TIMEOUT_S,
        )  # fmt: skip


def runner_for(app: Flask) -> Any:
    kind = app.config.get("EXPORT_QUEUE", "thread")
    if kind == "thread":
        return ThreadRunner(app)
    if kind == "inline":
        return InlineRunner()
    if kind == "rq":
        return RQRunner(app.config["EXPORT_REDIS_URL"], app.config["EXPORT_RQ_QUEUE"])
    raise ConfigError(f"EXPORT_QUEUE: expected thread, rq or inline, not {kind!r}")
