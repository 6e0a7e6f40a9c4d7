"""The work of one export job: run wherever the configured runner sends it."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import current_app, has_app_context
from sqlalchemy import update

from app.accounts.scope import Scope
from app.exports.models import ExportJob, JobState
from app.exports.query import count_sites
from app.exports.service import FORMATS, ExportRequest, download_name, write_export
from app.extensions import db
from app.surveys.filters import SiteFilter
from app.timeutil import utcnow

log = logging.getLogger(__name__)


def run_job(job_id: str) -> None:
    """Run a queued export; an RQ worker started without an app context makes its own app."""
    if has_app_context():
        _run(job_id)
        return
    from app import create_app

    with create_app().app_context():
        _run(job_id)


def export_dir() -> Path:
    path = Path(current_app.config["EXPORT_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_path(job: ExportJob) -> Path:
    return export_dir() / f"{job.id}{FORMATS[job.format].extension}"


def _run(job_id: str) -> None:
    job = db.session.get(ExportJob, job_id)
    if job is None or job.state != JobState.QUEUED:
        return  # unknown, or already taken (a queue may deliver twice)
    chosen = SiteFilter.parse(job.filter)
    scope = Scope.of(job.user)
    job.state = JobState.RUNNING
    job.total = count_sites(scope, chosen)
    request = ExportRequest(
        job.format, scope, chosen, job.user.display_name or job.user.email, job.created_at,
        job.site_url_base, job.user.email,
    )  # fmt: skip
    db.session.commit()
    target = file_path(job)
    partial = target.with_suffix(target.suffix + ".part")
    try:
        with partial.open("wb") as out:
            stats = write_export(out, request, lambda n: _progress(job_id, n))
        os.replace(partial, target)
    except Exception as exc:  # the job records the failure; the user sees it on the job page
        log.exception("export %s failed", job_id)
        db.session.rollback()
        partial.unlink(missing_ok=True)
        _finish(job_id, state=JobState.FAILED, error=f"{type(exc).__name__}: {exc}"[:500])
        return
    _finish(
        job_id, state=JobState.DONE, done=stats.sites, replaced_chars=stats.replaced_chars,
        file_name=download_name(FORMATS[request.format], chosen, scope, request.created_at),
    )  # fmt: skip


def _progress(job_id: str, done: int) -> None:
    db.session.execute(update(ExportJob).where(ExportJob.id == job_id).values(done=done))
    db.session.commit()


def _finish(job_id: str, **values: object) -> None:
    values["finished_at"] = utcnow()
    db.session.execute(update(ExportJob).where(ExportJob.id == job_id).values(**values))
    db.session.commit()
