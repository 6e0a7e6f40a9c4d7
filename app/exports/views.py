"""Export routes: choose format and filter, follow the job's progress, download the file.

Every signed-in role may export the sites it may view (viewers included); a filter naming a
prefecture or municipality outside the user's scope is refused (403), and the job applies the
scope again when it runs. A job is visible to the user who started it and to admins.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from app.exports import jobs_service
from app.exports.models import ExportJob, JobState
from app.exports.service import FORMATS
from app.exports.tasks import file_path
from app.extensions import db
from app.surveys.access import current_scope
from app.surveys.filters import TIERS, SiteFilter, filter_choices
from app.surveys.models import ReviewStatus
from forms.exports import FORMAT_LABELS, ExportForm

bp = Blueprint("exports", __name__, template_folder="templates")


def _page(form: ExportForm, status: int = 200) -> Any:
    chosen = SiteFilter.parse(form.filter_args() if form.is_submitted() else request.args)
    context = {
        "form": form,
        "choices": filter_choices(current_scope(), chosen),
        "chosen": chosen,
        "statuses": list(ReviewStatus),
        "tiers": TIERS,
        "recent": jobs_service.recent_jobs(current_user),
    }
    return render_template("exports/index.html", **context), status


@bp.get("/exports")
@login_required
def index() -> Any:
    """The export form, preset from the list's or map's filter (its query string)."""
    return _page(ExportForm(formdata=MultiDict(request.args)))


@bp.post("/exports")
@login_required
def create() -> Any:
    form = ExportForm()
    if not form.validate_on_submit():
        csrf = getattr(form, "csrf_token", None)
        return _page(form, 400 if csrf is not None and csrf.errors else 422)
    if not jobs_service.filter_in_scope(current_scope(), form):
        abort(403, description="You may only export the sites of your own area.")
    job = jobs_service.start_job(current_user, form.format.data, form.filter_args())
    return redirect(url_for("exports.job_page", job_id=job.id), code=303)


def _job_or_404(job_id: str) -> ExportJob:
    job = db.session.get(ExportJob, job_id)
    if job is None or not jobs_service.may_see(current_user, job):
        abort(404)
    return job


@bp.get("/exports/<job_id>")
@login_required
def job_page(job_id: str) -> Any:
    job = _job_or_404(job_id)
    return render_template("exports/job.html", job=job, status=jobs_service.status(job))


@bp.get("/exports/<job_id>/status")
@login_required
def job_status(job_id: str) -> Any:
    response = jsonify(jobs_service.status(_job_or_404(job_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/exports/<job_id>/download")
@login_required
def download(job_id: str) -> Any:
    job = _job_or_404(job_id)
    path = file_path(job)
    if job.state != JobState.DONE or not path.exists():
        abort(404)
    return send_file(
        path,
        mimetype=FORMATS[job.format].mimetype,
        as_attachment=True,
        download_name=job.file_name or path.name,
        max_age=0,
        etag=False,
        conditional=False,
    )


STATE_LABELS = {
    "queued": _l("Waiting"),
    "running": _l("Writing"),
    "done": _l("Finished"),
    "failed": _l("Failed"),
}


@bp.context_processor
def _export_helpers() -> dict[str, Any]:
    return {
        "export_state_label": lambda state: str(STATE_LABELS.get(state, state)),
        "export_format_label": lambda code: str(FORMAT_LABELS.get(code, code)),
        "export_retention_hours": current_app.config.get("EXPORT_RETENTION_HOURS"),
    }
