"""speedtest-cli from a field station's survey page: one background run at a time, with progress.

Wired once in create_app (`wire_station_speedtest`): `app.extensions["speedtest_jobs"]` is a
`StationSpeedtest` when this installation can run speedtest-cli, that is when
SPEEDTEST_STATION is 1, or when it is unset and UPSTREAM_URL or SPEEDTEST_SERVER_URL is set
(a station, or a server told where to measure against); SPEEDTEST_STATION=0 turns it off.
Without it the survey page shows no button and these routes answer 404.

A run is the `flask speedtest` command's run (the same settings from configuration, the public
Ookla network when allowed and answering, else this product's server), in a thread of the web
process with its own app context and database session. Its state lives in memory: a station is
one process. When the measurement is done the run is stored on the site through
`record.store_run` as the user who started it (a new revision); any failure (server down,
rate-limited, the site refused the document) ends the run as "failed" with the message, and
nothing is stored.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import db
from app.speedtest import cli as speedtest_cli
from app.speedtest import record
from app.speedtest.payload import MINI_SIZES
from app.speedtest.plan import Plan, local_config
from app.speedtest.runner import SpeedtestFailed, run_speedtest
from app.surveys.access import editable_site, visible_site
from app.timeutil import utcnow
from app.wiring import wants_json
from forms.speedtest import StationSpeedtestForm

log = logging.getLogger(__name__)
bp = Blueprint("station_speedtest", __name__, template_folder="templates")

PHASES = ("queued", "latency", "download", "upload", "saving", "done", "failed")
FINISHED = ("done", "failed")
# The share of the progress bar each phase ends at (download and upload fill theirs by time).
PHASE_SPAN = {"queued": (0, 2), "latency": (2, 6), "download": (6, 50), "upload": (50, 94)}
PHASE_END = {"saving": 96, "done": 100}
KEEP = 20  # finished runs remembered (status pages polling them)


def station_enabled(config: Any) -> bool:
    explicit = config.get("SPEEDTEST_STATION")
    if explicit is not None and explicit != "":
        return bool(int(explicit))
    return bool(config.get("UPSTREAM_URL") or config.get("SPEEDTEST_SERVER_URL"))


def wire_station_speedtest(app: Flask) -> None:
    if station_enabled(app.config):
        app.extensions["speedtest_jobs"] = StationSpeedtest(app)


class Busy(Exception):
    """A run is in progress on this installation."""

    def __init__(self, run: StationRun) -> None:
        super().__init__(run.id)
        self.run = run


@dataclass
class StationRun:
    id: str
    site_uuid: str
    user_email: str
    where_on_site: str | None
    created_at: datetime
    phase: str = "queued"
    phase_started: float = field(default_factory=time.monotonic)
    window_s: float = 10.0  # length of one direction (the plan's seconds)
    requests_done: int = 0
    requests_total: int = 0
    estimate_bytes: int = 0
    mbps: float | None = None  # running estimate for the current direction
    download_estimate: float | None = None
    result: dict[str, Any] | None = None
    revision: int | None = None
    error: str | None = None
    finished_at: datetime | None = None
    messages: list[str] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.phase in FINISHED

    def percent(self, now: float | None = None) -> int:
        if self.phase in PHASE_END:
            return PHASE_END[self.phase]
        if self.phase not in PHASE_SPAN:
            return 0
        low, high = PHASE_SPAN[self.phase]
        fraction = 0.0
        if self.phase in ("download", "upload"):
            elapsed = (now or time.monotonic()) - self.phase_started
            by_time = elapsed / self.window_s if self.window_s > 0 else 0.0
            by_requests = self.requests_done / self.requests_total if self.requests_total else 0.0
            fraction = min(max(by_time, by_requests), 1.0)
        return int(low + (high - low) * fraction)


class RunProgress:
    """speedtest-cli's callbacks -> the run's phase, requests done and a running Mbps estimate.

    The library reports only which request started or ended; a request that ended inside the
    direction's time window moved its whole payload (the sizes are known from the plan), so
    the estimate is those bytes over the time so far. The stored figures are the library's.
    """

    def __init__(self, run: StationRun, plan: Plan, lock: threading.Lock) -> None:
        config = local_config(plan)
        self.run = run
        self.lock = lock
        self.sizes = {
            "download": [
                MINI_SIZES.get(width, 0)
                for width in config["sizes"]["download"]
                for _ in range(config["counts"]["download"])
            ],
            "upload": [
                size
                for size in config["sizes"]["upload"]
                for _ in range(config["counts"]["upload"])
            ][: config["upload_max"]],
        }
        with lock:
            run.window_s = plan.seconds

    def phase(self, name: str) -> None:
        with self.lock:
            run = self.run
            if run.phase == "download" and run.mbps is not None:
                run.download_estimate = run.mbps
            run.phase = name
            run.phase_started = time.monotonic()
            run.requests_done = 0
            run.requests_total = len(self.sizes.get(name, ()))
            run.estimate_bytes = 0
            run.mbps = None

    def request(self, current: int, total: int, start: bool = False, end: bool = False) -> None:
        if not end:
            return
        with self.lock:
            run = self.run
            run.requests_done += 1
            run.requests_total = total
            elapsed = time.monotonic() - run.phase_started
            sizes = self.sizes.get(run.phase, [])
            if elapsed <= run.window_s and 0 <= current < len(sizes) and elapsed > 0:
                run.estimate_bytes += sizes[current]
                run.mbps = round(run.estimate_bytes * 8 / elapsed / 1_000_000, 1)


class StationSpeedtest:
    """The runs of this installation, in memory; at most one measuring at a time."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.lock = threading.Lock()
        self.runs: OrderedDict[str, StationRun] = OrderedDict()
        self.current: StationRun | None = None
        self.thread: threading.Thread | None = None

    def start(self, site_uuid: str, user_email: str, where_on_site: str | None) -> StationRun:
        """Queue a run and start its thread; Busy when one is running."""
        with self.lock:
            if self.current is not None and not self.current.finished:
                raise Busy(self.current)
            run = StationRun(
                id=uuid.uuid4().hex,
                site_uuid=site_uuid,
                user_email=user_email,
                where_on_site=where_on_site or None,
                created_at=utcnow(),
            )
            self.runs[run.id] = run
            while len(self.runs) > KEEP:
                self.runs.popitem(last=False)
            self.current = run
            self.thread = threading.Thread(
                target=self._work, args=(run,), name=f"station-speedtest-{run.id}", daemon=True
            )
            self.thread.start()
        return run

    def get(self, run_id: str) -> StationRun | None:
        with self.lock:
            return self.runs.get(run_id)

    def running(self) -> StationRun | None:
        with self.lock:
            run = self.current
            return run if run is not None and not run.finished else None

    def wait(self, timeout_s: float) -> bool:
        """Until the current run's thread ends (tests, shutdown); True when it has."""
        thread = self.thread
        if thread is not None:
            thread.join(timeout_s)
        return thread is None or not thread.is_alive()

    def status(self, run: StationRun) -> dict[str, Any]:
        with self.lock:
            return {
                "id": run.id,
                "site_uuid": run.site_uuid,
                "phase": run.phase,
                "finished": run.finished,
                "percent": run.percent(),
                "mbps": run.mbps,
                "download_estimate": run.download_estimate,
                "requests_done": run.requests_done,
                "requests_total": run.requests_total,
                "result": dict(run.result) if run.result else None,
                "revision": run.revision,
                "error": run.error,
                "where_on_site": run.where_on_site,
                "created_at": run.created_at.isoformat(),
                "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            }

    def _set(self, run: StationRun, **values: Any) -> None:
        with self.lock:
            for name, value in values.items():
                setattr(run, name, value)

    def _work(self, run: StationRun) -> None:
        with self.app.app_context():
            try:
                settings = speedtest_cli.settings_from_config(None, None, run.site_uuid)
                progress = RunProgress(run, settings.plan, self.lock)
                settings = replace(settings, progress=progress)
                result = run_speedtest(settings, log=run.messages.append)
                self._set(run, phase="saving", result=_figures(result.as_dict()))
                entry = record.measurement_entry(result, run.where_on_site)
                outcome = record.store_run(run.site_uuid, entry, run.user_email)
                self._set(run, phase="done", revision=outcome.revision, finished_at=utcnow())
            except (SpeedtestFailed, record.RecordError) as exc:
                db.session.rollback()
                self._fail(run, str(exc))
            except Exception as exc:  # never a half-stored run, never a silent thread death
                log.exception("station speedtest run %s failed", run.id)
                db.session.rollback()
                self._fail(run, f"{type(exc).__name__}: {exc}")
            finally:
                db.session.remove()

    def _fail(self, run: StationRun, message: str) -> None:
        self._set(run, phase="failed", error=message or "failed", finished_at=utcnow())


def _figures(result: dict[str, Any]) -> dict[str, Any]:
    names = (
        "server",
        "download_mbps",
        "upload_mbps",
        "latency_ms",
        "jitter_ms",
        "bytes_moved",
        "duration_s",
        "upload_counted_by",
        "method",
        "tool_version",
        "measured_at",
    )
    return {name: result[name] for name in names}


def jobs_or_404() -> StationSpeedtest:
    jobs: StationSpeedtest | None = current_app.extensions.get("speedtest_jobs")
    if jobs is None:
        abort(404)
    return jobs


@bp.app_context_processor
def _station_context() -> dict[str, Any]:
    return {
        "station_speedtest": current_app.extensions.get("speedtest_jobs"),
        "station_speedtest_form": lambda: StationSpeedtestForm(formdata=None),
    }


def _site_url(site_uuid: str) -> str:
    return url_for("surveys.show_site", site_uuid=site_uuid, _anchor="station-speedtest")


def _status_url(run: StationRun) -> str:
    return url_for("station_speedtest.status", site_uuid=run.site_uuid, run_id=run.id)


@bp.post("/surveys/<site_uuid>/speedtest")
@login_required
def start(site_uuid: str) -> Any:
    jobs = jobs_or_404()
    site = editable_site(site_uuid)  # 404 when not visible, 403 when not editable
    form = StationSpeedtestForm()
    if not form.validate():
        errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
        message = " ".join(" ".join(messages) for messages in errors.values())
        if wants_json():
            return jsonify(error="invalid", message=message, errors=errors), 400
        flash(message, "error")
        return redirect(_site_url(site.uuid), 303)
    try:
        run = jobs.start(site.uuid, current_user.email, form.where_on_site.data)
    except Busy:
        message = _("A speed test is already running on this station. Wait until it has finished.")
        if wants_json():
            return jsonify(error="busy", message=message), 409
        flash(message, "warning")
        return redirect(_site_url(site.uuid), 303)
    if wants_json():
        body = jobs.status(run) | {"status_url": _status_url(run)}
        return jsonify(body), 202, {"Location": _status_url(run)}
    return redirect(_site_url(site.uuid), 303)


@bp.get("/surveys/<site_uuid>/speedtest/<run_id>")
@login_required
def status(site_uuid: str, run_id: str) -> Any:
    jobs = jobs_or_404()
    site = visible_site(site_uuid)
    run = jobs.get(run_id)
    if run is None or run.site_uuid != site.uuid:
        abort(404)
    response = jsonify(jobs.status(run) | {"status_url": _status_url(run)})
    response.headers["Cache-Control"] = "no-store"
    return response
