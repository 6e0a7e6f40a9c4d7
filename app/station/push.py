"""Push local surveys and their photos upstream, in batches, resuming where the last run stopped."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.photos.uploads import photo_store
from app.station.models import UpstreamState
from app.station.transport import Reply, TransportError, UpstreamHttp
from app.surveys.models import ReviewStatus, Site
from app.surveys.service import site_document
from app.timeutil import utcnow
from sync.batching import Backoff, batches, is_retryable
from sync.protocol import MAX_BATCH

WAITING_UPSTREAM = (ReviewStatus.SUBMITTED, ReviewStatus.IN_REVIEW)
PHOTO_REFUSALS = (400, 413, 415, 422)  # about the photo itself, not the station's access


class UpstreamUnavailable(Exception):
    """Upstream did not answer after every retry; what was sent so far is recorded."""


class UpstreamRefused(UpstreamUnavailable):
    """Upstream answered but refuses this station (token, user, address): a retry won't help."""


def refusal(what: str, reply: Reply) -> UpstreamUnavailable:
    """The error for a refused request, worded for the person running the station."""
    detail = _server_message(reply)
    if reply.status == 401:
        return UpstreamRefused(
            f"{what}: upstream refused the token (401{detail}). Check UPSTREAM_TOKEN: make one"
            " on the upstream server with `flask create-token EMAIL`."
        )
    if reply.status == 403:
        return UpstreamRefused(
            f"{what}: the token's user may not do this upstream (403{detail}). Use a token of"
            " a surveyor of this station's municipality."
        )
    if reply.status in (404, 405):
        return UpstreamRefused(
            f"{what}: upstream has no such address ({reply.status}). Check that UPSTREAM_URL"
            " is the server's base address, e.g. https://central.example.jp"
        )
    return UpstreamUnavailable(f"{what}: upstream answered {reply.status}{detail}")


def _server_message(reply: Reply) -> str:
    try:
        body = reply.json()
    except ValueError:
        return ""
    message = body.get("message") if isinstance(body, dict) else None
    return f": {message}" if message else ""


@dataclass
class PushReport:
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[tuple[str, str, Any]] = field(default_factory=list)  # uuid, status, errors
    photos_sent: int = 0

    def add(self, status: str) -> None:
        self.counts[status] = self.counts.get(status, 0) + 1


@dataclass
class Pusher:
    http: UpstreamHttp
    backoff: Backoff = field(default_factory=Backoff)
    batch_size: int = MAX_BATCH
    sleep: Callable[[float], None] = time.sleep
    log: Callable[[str], None] = lambda message: None

    def pending(self) -> list[Site]:
        """Sites whose current content upstream has not accepted yet, oldest first."""
        stmt = (
            select(Site)
            .outerjoin(UpstreamState, UpstreamState.site_id == Site.id)
            .where(
                or_(
                    UpstreamState.site_id.is_(None),
                    UpstreamState.pushed_hash.is_(None),  # refused so far: send it again
                    UpstreamState.pushed_hash != Site.content_hash,
                    and_(  # photos that came after the last push: forward them now
                        Site.photos_complete.is_(True),
                        UpstreamState.photos_forwarded.is_(False),
                    ),
                    and_(  # submitted here, not (yet) waiting for review upstream
                        Site.status == ReviewStatus.SUBMITTED,
                        or_(
                            UpstreamState.upstream_review_status.is_(None),
                            UpstreamState.upstream_review_status.notin_(WAITING_UPSTREAM),
                        ),
                    ),
                )
            )
            .order_by(Site.id)
            .options(
                selectinload(Site.measurements),
                selectinload(Site.coverage),
                selectinload(Site.photos),
            )
        )
        return list(db.session.scalars(stmt))

    def push(self) -> PushReport:
        report = PushReport()
        sites = self.pending()
        self.log(f"{len(sites)} sites to push")
        for batch in batches(sites, self.batch_size):
            report.photos_sent += self._send_photos(batch, report)
            self._send_batch(batch, report)
            db.session.commit()  # resume point: what upstream accepted stays recorded
        return report

    def _send_photos(self, sites: Any, report: PushReport) -> int:
        """Every photo of these sites that is here and not yet upstream. A photo upstream
        refuses (its bytes, type or size) is reported for its sites and the push goes on: the
        sites arrive marked incomplete instead of one photo holding up every later survey."""
        store = photo_store()
        sent = 0
        for sha in sorted({p.sha256 for site in sites for p in site.photos}):
            path = store.path_for(sha)
            if path is None:  # not on this installation either: upstream marks the site incomplete
                continue
            head = self.call(lambda sha=sha: self.http.request("HEAD", f"/api/v1/photos/{sha}"))
            if head.status == 200:
                continue
            data = path.read_bytes()
            reply = self.call(
                lambda sha=sha, data=data: self.http.request(
                    "PUT", f"/api/v1/photos/{sha}", data, "application/octet-stream"
                )
            )
            if reply.status in PHOTO_REFUSALS:
                errors = {
                    "photos": [
                        f"{sha}: upstream refused it ({reply.status}{_server_message(reply)})"
                    ]
                }
                for site in sites:
                    if any(p.sha256 == sha for p in site.photos):
                        report.problems.append((site.uuid, "photo_refused", errors))
                continue
            if reply.status not in (200, 201):
                raise refusal(f"photo {sha}", reply)
            sent += reply.status == 201
        return sent

    def _send_batch(self, sites: Any, report: PushReport) -> None:
        states = {
            s.site_id: s
            for s in db.session.scalars(
                select(UpstreamState).where(UpstreamState.site_id.in_([site.id for site in sites]))
            )
        }
        documents, hashes = [], {}
        for site in sites:
            state = states.get(site.id)
            doc = site_document(site)
            if state is not None and state.upstream_revision:
                doc["revision"] = state.upstream_revision
            if site.status == ReviewStatus.SUBMITTED:  # the surveyor asked for review here
                doc["status"] = ReviewStatus.SUBMITTED
            documents.append(doc)
            hashes[site.uuid] = (site, site.content_hash)
        reply = self.call(lambda: self.http.json("POST", "/api/v1/sync/push", {"sites": documents}))
        if reply.status != 200:
            raise refusal("push", reply)
        for result in reply.json()["results"]:
            site, content = hashes[result["uuid"]]
            state = states.get(site.id) or UpstreamState(site_id=site.id)
            db.session.add(state)
            state.last_status, state.pushed_at = result["status"], utcnow()
            state.last_errors = result.get("errors") or None
            if result["status"] in ("created", "updated", "unchanged"):
                state.upstream_revision, state.pushed_hash = result["revision"], content
                state.photos_forwarded = site.photos_complete
                if site.status == ReviewStatus.SUBMITTED:  # asked; a pull tells what came of it
                    state.upstream_review_status = ReviewStatus.SUBMITTED
            else:
                report.problems.append((result["uuid"], result["status"], result.get("errors")))
            report.add(result["status"])

    def call(self, send: Callable[[], Reply]) -> Reply:
        """Send with retries on dropped connections and retryable statuses."""
        last = "no attempt"
        for delay in [*self.backoff.delays(), None]:
            try:
                reply = send()
                if not is_retryable(reply.status):
                    if reply.body[:1] in (b"{", b"["):
                        reply.json()  # a reply cut mid-body raises ValueError: retried
                    return reply
                last = f"HTTP {reply.status}"
            except (TransportError, ValueError) as exc:  # ValueError: a reply cut mid-body
                last = str(exc)
            if delay is None:
                break
            self.log(f"retrying in {delay:.1f} s after: {last}")
            self.sleep(delay)
        raise UpstreamUnavailable(
            f"upstream unavailable after {self.backoff.attempts} tries: {last}"
        )
