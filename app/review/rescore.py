"""Rescore stored sites (after the rubric changed): build each site's current document from its
stored rows, score it with the pure scorer, write the score columns back in batches.

A site saved while the rescore runs keeps the score its save computed: every update names the
revision it scored (`WHERE revision = ...`). A site whose score, tier, rubric version and
summary come out as they are stored is not rewritten (its `scored_at` keeps the time that
score was first computed); `RescoreReport.unchanged` counts them.

On PostgreSQL the id range can be split over several worker processes (`workers`): reading,
scoring and writing a site costs about as much Python time as database time, so two processes
keep both cores busy. Each chunk of ids is rescored and committed on its own connection.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import cache
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Column, MetaData, Table, and_, bindparam, func, or_, select, text

from app.extensions import db
from app.review.scores import SCORE_COLUMNS, score_columns
from app.scoring import Rubric
from app.surveys.documents import COVERAGE_FIELDS, MEASUREMENT_FIELDS, build_document
from app.surveys.models import MobileCoverage, Site, SitePhoto, SpeedMeasurement
from app.timeutil import utcnow
from forms.document import LIST_FIELDS, scalar_field_names

BATCH = 2000
CHUNK = 10_000  # ids per task when several workers share the work
COMPARED = ("score", "tier", "rubric_version", "score_summary")  # not scored_at


@cache
def _columns() -> dict[str, list[Any]]:
    """The stored columns a site's document is built from (the survey form's fields)."""
    table = Site.__table__.c
    return {
        "sites": [
            table[n] for n in ("id", "revision", "uuid", *scalar_field_names(), *LIST_FIELDS)
        ],
        "runs": [
            SpeedMeasurement.__table__.c[n] for n in ("uuid", "measured_at", *MEASUREMENT_FIELDS)
        ],
        "coverage": [MobileCoverage.__table__.c[n] for n in ("carrier", *COVERAGE_FIELDS)],
        "photos": [SitePhoto.__table__.c[n] for n in ("sha256", "caption")],
    }


@dataclass
class RescoreReport:
    scored: int = 0  # sites whose stored score is now the rubric's (rewritten or unchanged)
    skipped: int = 0  # changed while being rescored: their own save scored them
    unchanged: int = 0  # of `scored`: the stored values were already these, nothing written

    def add(self, other: RescoreReport) -> None:
        self.scored += other.scored
        self.skipped += other.skipped
        self.unchanged += other.unchanged


def _page(after_id: int, stale_only: bool, version: str, until: int | None = None) -> list[Any]:
    """The next BATCH of (site id, revision, document), in id order (keyset paging).

    The document is built from the stored rows with `build_document`, as every save builds it
    (so it equals the current revision's): cheaper than reading and parsing the JSON copy."""
    stmt = select(*_columns()["sites"]).where(Site.id > after_id).order_by(Site.id).limit(BATCH)
    if until is not None:
        stmt = stmt.where(Site.id <= until)
    if stale_only:
        stmt = stmt.where((Site.rubric_version.is_(None)) | (Site.rubric_version != version))
    rows = db.session.execute(stmt).all()
    if not rows:
        return []
    ids = [row.id for row in rows]
    runs = _children(SpeedMeasurement, _columns()["runs"], ids, SpeedMeasurement.measured_at)
    coverage = _children(MobileCoverage, _columns()["coverage"], ids, MobileCoverage.position)
    photos = _children(SitePhoto, _columns()["photos"], ids, SitePhoto.position)
    scalars, lists = scalar_field_names(), LIST_FIELDS
    return [
        (
            row.id,
            row.revision,
            build_document(
                row.uuid,
                {name: row._mapping[name] for name in scalars},
                {name: row._mapping[name] for name in lists},
                runs.get(row.id, []),
                coverage.get(row.id, []),
                photos.get(row.id, []),
            ),
        )
        for row in rows
    ]


def _children(model: Any, columns: list[Any], ids: list[int], order: Any) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = {}
    stmt = select(model.site_id, *columns).where(model.site_id.in_(ids))
    for row in db.session.execute(stmt.order_by(model.site_id, order, model.id)).mappings():
        grouped.setdefault(row["site_id"], []).append(row)
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
    while rows := _page(after_id, stale_only, rubric.version, until):
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
    """COPY the batch into a temporary table, then one UPDATE ... FROM of the changed rows."""
    db.session.execute(_CREATE_BATCH)
    db.session.execute(text("TRUNCATE rescore_batch"))
    current_app.extensions["row_writer"].write(_BATCH, batch)
    sites, new = Site.__table__, _BATCH.c
    match = and_(sites.c.id == new.id, sites.c.revision == new.revision)
    differs = or_(*[sites.c[n].is_distinct_from(new[n]) for n in COMPARED])
    same = and_(*[sites.c[n].is_not_distinct_from(new[n]) for n in COMPARED])
    unchanged = db.session.scalar(  # counted first: the update makes the rest equal too
        select(func.count()).select_from(_BATCH.join(sites, match)).where(same)
    )
    changed = sites.update().where(match, differs).values({n: new[n] for n in SCORE_COLUMNS})
    updated = db.session.execute(changed).rowcount  # type: ignore[attr-defined]
    return int(updated), int(unchanged or 0)


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
    """In a forked worker: never touch the parent's pooled connections."""
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
