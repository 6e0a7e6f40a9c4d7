"""Starting, showing and cleaning up export jobs (the database side of `views.py`)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from flask import current_app, request
from sqlalchemy import select

from app.accounts.models import Role
from app.accounts.scope import Scope
from app.exports.models import ExportJob, JobState
from app.exports.service import FORMATS
from app.extensions import db
from app.timeutil import utcnow
from forms.exports import ExportForm

RECENT = 10


def filter_in_scope(scope: Scope, form: ExportForm) -> bool:
    """A chosen prefecture or municipality must be one the user may view."""
    if scope.sees_everything:
        return True
    municipality = form.municipality.data
    if municipality and not scope.can_view(municipality):
        return False
    prefecture = form.prefecture.data
    if prefecture:
        own = scope.municipality_code or scope.prefecture_code or ""
        return own[:2] == prefecture
    return True


def site_url_base() -> str:
    """Base of the URL column: configured, else the hub above this server, else this server."""
    configured = current_app.config.get("EXPORT_SITE_URL_BASE") or current_app.config.get(
        "UPSTREAM_URL"
    )
    return str(configured or request.url_root).rstrip("/")


def start_job(user: Any, fmt: str, filter_args: dict[str, str]) -> ExportJob:
    """Record the job, commit it, and hand it to the configured runner."""
    purge_expired()
    job = ExportJob(
        id=str(uuid.uuid4()),
        user_id=user.id,
        format=fmt,
        filter=filter_args,
        state=JobState.QUEUED,
        done=0,
        replaced_chars=0,
        site_url_base=site_url_base(),
        created_at=utcnow(),
    )
    db.session.add(job)
    db.session.commit()
    current_app.extensions["export_runner"].submit(job.id)
    return job


def may_see(user: Any, job: ExportJob) -> bool:
    return job.user_id == user.id or user.role == Role.ADMIN


def recent_jobs(user: Any) -> list[ExportJob]:
    stmt = (
        select(ExportJob)
        .where(ExportJob.user_id == user.id)
        .order_by(ExportJob.created_at.desc())
        .limit(RECENT)
    )
    return list(db.session.scalars(stmt))


def status(job: ExportJob) -> dict[str, Any]:
    from flask import url_for

    total = job.total
    percent = 100 if job.state == JobState.DONE else (int(100 * job.done / total) if total else 0)
    return {
        "id": job.id,
        "state": job.state,
        "format": job.format,
        "done": job.done,
        "total": total,
        "percent": min(percent, 100),
        "replaced_chars": job.replaced_chars,
        "file_name": job.file_name,
        "download_url": url_for("exports.download", job_id=job.id)
        if job.state == JobState.DONE
        else None,
        "error": job.error if job.state == JobState.FAILED else None,
    }


def purge_expired() -> int:
    """Delete jobs (and files) older than EXPORT_RETENTION_HOURS; returns how many."""
    from app.exports.tasks import file_path

    hours = float(current_app.config.get("EXPORT_RETENTION_HOURS") or 24)
    cutoff = utcnow() - timedelta(hours=hours)
    old = list(db.session.scalars(select(ExportJob).where(ExportJob.created_at < cutoff)))
    for job in old:
        if job.format in FORMATS:
            file_path(job).unlink(missing_ok=True)
        db.session.delete(job)
    return len(old)
