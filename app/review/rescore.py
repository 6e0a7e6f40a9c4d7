"""Rescore stored sites (after the rubric changed): read the stored values the rubric reads,
score them with the pure scorer, write the score columns back in batches.

A site saved while the rescore runs keeps the score its save computed: every update names the
revision it scored (`WHERE revision = ...`). A site whose score, tier, rubric version and
summary come out as they are stored is not rewritten (its `scored_at` keeps the time that
score was first computed); `RescoreReport.unchanged` counts them.

On PostgreSQL the id range can be split over several worker processes (`workers`): reading,
scoring and writing a site costs about as much Python time as database time, so two processes
keep both cores busy. Each chunk of ids is rescored and committed on its own connection.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Column, MetaData, Table, and_, bindparam, func, or_, select, text

from app.extensions import db
from app.review.scores import SCORE_COLUMNS, score_columns
from app.scoring import Rubric
from app.surveys.models import MobileCoverage, Site, SpeedMeasurement
from app.timeutil import utcnow

BATCH = 2000
CHUNK = 10_000  # ids per task when several workers share the work
COMPARED = ("score", "tier", "rubric_version", "score_summary")  # not scored_at


RUN_METRICS = ("download_mbps", "upload_mbps", "latency_ms", "jitter_ms", "loss_pct")
COVERAGE_COLUMNS = ("carrier", "technology", "rsrp_dbm", "signal_bars", "placement")


def _read_columns(rubric: Rubric) -> list[str]:
    """The site columns the rubric reads (`Plan.reads`: survey field names)."""
    reads = rubric.plan.reads
    names = [*reads.numbers, *reads.flags, *reads.codes, *(name for name, _ in reads.lists)]
    if reads.hours:
        names += ["weekday_open", "weekday_close"]
    return list(dict.fromkeys(names))


@dataclass
class RescoreReport:
    scored: int = 0  # sites whose stored score is now the rubric's (rewritten or unchanged)
    skipped: int = 0  # changed while being rescored: their own save scored them
    unchanged: int = 0  # of `scored`: the stored values were already these, nothing written

    def add(self, other: RescoreReport) -> None:
        self.scored += other.scored
        self.skipped += other.skipped
        self.unchanged += other.unchanged


def _page(after_id: int, stale_only: bool, rubric: Rubric, until: int | None = None) -> list[Any]:
    """The next BATCH of (site id, revision, scoring input), in id order (keyset paging).

    The input holds the stored values the rubric reads, under the document's field names, with
    the speed runs and coverage rows: what score_site reads of the site's document, without
    reading and parsing the revision's JSON copy or building the rest of the document."""
    names = _read_columns(rubric)
    table = Site.__table__.c
    stmt = select(table.id, table.revision, *[table[n] for n in names])
    stmt = stmt.where(Site.id > after_id).order_by(Site.id).limit(BATCH)
    if until is not None:
        stmt = stmt.where(Site.id <= until)
    if stale_only:
        stmt = stmt.where((Site.rubric_version.is_(None)) | (Site.rubric_version != rubric.version))
    connection = db.session.connection()  # Core rows, without the ORM's result handling
    rows = connection.execute(stmt).all()
    if not rows:
        return []
    span = (after_id, rows[-1][0])  # children by id range: no IN list of BATCH parameters
    runs = _children(SpeedMeasurement, RUN_METRICS, span, SpeedMeasurement.measured_at)
    coverage = _children(MobileCoverage, COVERAGE_COLUMNS, span, MobileCoverage.position)
    pages = []
    for row in rows:
        values = dict(zip(names, row[2:], strict=True))
        values["measurements"] = runs.get(row[0], [])
        values["coverage"] = coverage.get(row[0], [])
        pages.append((row[0], row[1], values))
    return pages


def _children(
    model: Any, names: tuple[str, ...], span: tuple[int, int], order: Any
) -> dict[int, list[dict[str, Any]]]:
    """Rows of a child table for the sites with after < id <= last, by site id, in order."""
    columns = model.__table__.c
    stmt = select(columns.site_id, *[columns[n] for n in names])
    stmt = stmt.where(columns.site_id > span[0], columns.site_id <= span[1])
    grouped: dict[int, list[dict[str, Any]]] = {}
    connection = db.session.connection()
    for row in connection.execute(stmt.order_by(columns.site_id, order, columns.id)):
        grouped.setdefault(row[0], []).append(dict(zip(names, row[1:], strict=True)))
    return grouped


def rescore(
    rubric: Rubric,
    stale_only: bool = False,
    progress: Callable[[int], None] | None = None,
    workers: int = 1,
) -> RescoreReport:
    """Score every (or every stale) site with `rubric`; commits per batch."""
    if workers > 1 and _can_fork():
        return _rescore_parallel(rubric, stale_only, progress, workers)
    return _rescore_range(rubric, stale_only, progress, 0, None)


def _rescore_range(
    rubric: Rubric,
    stale_only: bool,
    progress: Callable[[int], None] | None,
    after_id: int,
    until: int | None,
) -> RescoreReport:
    report = RescoreReport()
    now = utcnow()
    while rows := _page(after_id, stale_only, rubric, until):
        batch = [
            {"id": site_id, "revision": revision, **score_columns(document, rubric, now)}
            for site_id, revision, document in rows
        ]
        _write(batch, report)
        after_id = rows[-1][0]
        if progress:
            progress(report.scored)
    return report


def _write(batch: list[dict[str, Any]], report: RescoreReport) -> None:
    """Write the batch where id and revision match and a compared value differs; count the
    rows that matched but were already up to date."""
    if db.engine.dialect.name == "postgresql":
        updated, unchanged = _write_postgres(batch)
    else:
        updated, unchanged = _write_portable(batch)
    db.session.commit()
    report.scored += updated + unchanged
    report.unchanged += unchanged
    report.skipped += len(batch) - updated - unchanged


def _write_portable(batch: list[dict[str, Any]]) -> tuple[int, int]:
    table = Site.__table__
    match = [table.c.id == bindparam("k_id"), table.c.revision == bindparam("k_revision")]
    params = [{**row, "k_id": row["id"], "k_revision": row["revision"]} for row in batch]
    params = [{k: v for k, v in p.items() if k not in ("id", "revision")} for p in params]
    new = {n: bindparam(n, type_=table.c[n].type) for n in SCORE_COLUMNS}
    differs = or_(*[table.c[n].is_distinct_from(new[n]) for n in COMPARED])
    update = table.update().where(*match, differs).values(new)
    result = db.session.execute(update, params)
    updated = result.rowcount  # type: ignore[attr-defined]
    # after the update every matching row holds the new values: those not updated were equal
    kept = select(table.c.id, table.c.revision).where(table.c.id.in_([r["id"] for r in batch]))
    current = {row.id: row.revision for row in db.session.execute(kept)}
    matched = sum(1 for r in batch if current.get(r["id"]) == r["revision"])
    updated = matched if updated is None or updated < 0 else min(int(updated), matched)
    return updated, matched - updated


_BATCH = Table(  # the rows of one batch on PostgreSQL: COPY in, then one UPDATE ... FROM
    "rescore_batch",
    MetaData(),
    *[Column(n, Site.__table__.c[n].type) for n in ("id", "revision", *SCORE_COLUMNS)],
    prefixes=["TEMPORARY"],
)
_CREATE_BATCH = text(
    "CREATE TEMP TABLE IF NOT EXISTS rescore_batch AS"
    " SELECT id, revision, score, tier, rubric_version, score_summary, scored_at"
    " FROM sites LIMIT 0"
)


def _write_postgres(batch: list[dict[str, Any]]) -> tuple[int, int]:
    """COPY the batch into a temporary table, then one statement that updates the changed rows
    and counts the rows whose revision still matches (as its snapshot saw them, before the
    update): those not updated were already up to date."""
    db.session.execute(_CREATE_BATCH)
    db.session.execute(text("TRUNCATE rescore_batch"))
    current_app.extensions["row_writer"].write(_BATCH, batch)
    sites, new = Site.__table__, _BATCH.c
    # the id range lets the planner read just these sites by key: it has no statistics on the
    # temporary table, and without the range it hashed the whole sites table for every batch
    span = sites.c.id.between(batch[0]["id"], batch[-1]["id"])
    match = and_(sites.c.id == new.id, sites.c.revision == new.revision, span)
    differs = or_(*[sites.c[n].is_distinct_from(new[n]) for n in COMPARED])
    changed = (
        sites.update()
        .where(match, differs)
        .values({n: new[n] for n in SCORE_COLUMNS})
        .returning(sites.c.id)
        .cte("changed")
    )
    matched = select(func.count()).select_from(_BATCH.join(sites, match)).scalar_subquery()
    updated = select(func.count()).select_from(changed).scalar_subquery()
    written, current = db.session.execute(select(updated, matched)).one()
    return int(written), int(current) - int(written)


# ---------- several worker processes (PostgreSQL) ----------

_WORKER: dict[str, Any] = {}  # what a forked worker inherits: the app and the rubric


def _can_fork() -> bool:
    return (
        db.engine.dialect.name == "postgresql" and "fork" in multiprocessing.get_all_start_methods()
    )


def _chunks() -> Iterator[tuple[int, int]]:
    """(after id, last id) ranges of at most CHUNK ids, over the ids there are."""
    low, high = db.session.execute(select(func.min(Site.id), func.max(Site.id))).one()
    if low is None:
        return
    for start in range(low - 1, high, CHUNK):
        yield start, min(start + CHUNK, high)


def _rescore_parallel(
    rubric: Rubric, stale_only: bool, progress: Callable[[int], None] | None, workers: int
) -> RescoreReport:
    chunks = list(_chunks())
    db.session.commit()  # as the batches would: the caller's pending work is kept
    db.session.remove()  # nothing open is inherited by the workers
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    _WORKER.update(app=app, rubric=rubric, stale_only=stale_only)
    report = RescoreReport()
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_worker_start
        ) as pool:
            futures = [pool.submit(_worker_chunk, after, until) for after, until in chunks]
            for future in as_completed(futures):
                report.add(future.result())
                if progress:
                    progress(report.scored)
    finally:
        _WORKER.clear()
    return report


def _worker_start() -> None:
    """In a forked worker: never touch the parent's pooled connections; leave what it inherited
    out of the collector's walks (a sixth of the Python time of a rescore went there)."""
    gc.freeze()
    app: Flask = _WORKER["app"]
    with app.app_context():
        db.engine.dispose(close=False)


def _worker_chunk(after_id: int, until: int) -> RescoreReport:
    app: Flask = _WORKER["app"]
    with app.app_context():
        try:
            return _rescore_range(_WORKER["rubric"], _WORKER["stale_only"], None, after_id, until)
        finally:
            db.session.remove()


def versions() -> list[tuple[str | None, int]]:
    """How many sites carry a score from each rubric version (None: never scored)."""
    rows = db.session.execute(
        select(Site.rubric_version, func.count()).group_by(Site.rubric_version)
    )
    return sorted(((v, n) for v, n in rows), key=lambda item: (item[0] is None, item[0] or ""))
