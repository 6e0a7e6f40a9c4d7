"""Pull upstream's changes and apply them to local sites: review status and comments, and new
revisions made upstream (an edit there) when this installation has nothing unsent for the site.
The score follows: recomputed here from the content, with this installation's rubric;
upstream's score and tier, which every change carries, are kept beside it (UpstreamState)."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.station.models import StationSetting, UpstreamState
from app.station.push import Pusher, refusal
from app.surveys.models import ReviewEvent, Site
from app.surveys.service import record_change, save_survey
from forms.document import validate_site_document

CURSOR_KEY = "upstream_changes_cursor"
MAX_PAGES = 1000


def pull_changes(pusher: Pusher) -> int:
    """Apply the upstream feed since the stored cursor; return how many changes were applied."""
    setting = db.session.get(StationSetting, CURSOR_KEY) or StationSetting(
        key=CURSOR_KEY, value="0"
    )
    db.session.add(setting)
    applied = 0
    for _ in range(MAX_PAGES):
        path = f"/api/v1/sync/changes?since={int(setting.value)}"
        reply = pusher.call(lambda path=path: pusher.http.request("GET", path))
        if reply.status != 200:
            raise refusal("changes", reply)
        page = reply.json()
        for change in page["changes"]:
            applied += _apply(change, pusher)
        setting.value = str(page["next"])
        db.session.commit()
        if not page.get("more"):
            break
    return applied


def _apply(change: dict, pusher: Pusher) -> int:
    site = db.session.scalar(select(Site).where(Site.uuid == change["uuid"]))
    if site is None:
        return 0
    state = db.session.get(UpstreamState, site.id)
    if state is not None and "tier" in change:  # every change carries upstream's readiness
        state.upstream_score, state.upstream_tier = change.get("score"), change.get("tier")
    if change["kind"] == "status":
        return _apply_status(change, site, state)
    if change["kind"] == "revision" and state is not None:
        return _apply_revision(change, site, state, pusher)
    return 0


def _apply_revision(change: dict, site: Site, state: UpstreamState, pusher: Pusher) -> int:
    """A revision upstream has and this installation has not (one this installation pushed is
    already its `upstream_revision`): fetched and stored as a local revision with no local
    author. Local edits not yet sent win here: the next push of them gets a 409 and is reported
    as a conflict, never a silent overwrite either way."""
    if state.upstream_revision is None or change["revision"] <= state.upstream_revision:
        return 0
    if state.pushed_hash != site.content_hash:
        return 0
    reply = pusher.call(lambda: pusher.http.request("GET", f"/api/v1/sites/{site.uuid}"))
    if reply.status in (403, 404):  # no longer this station's to see: nothing to take
        return 0
    if reply.status != 200:
        raise refusal("site", reply)
    document = reply.json()
    check = validate_site_document(document)
    if check.errors:  # upstream's rules differ from this installation's: keep the local one
        return 0
    save_survey(check.data, site=site, site_uuid=site.uuid, actor=None, submit=False)
    state.upstream_revision = int(document["revision"])
    state.pushed_hash = site.content_hash  # what upstream has: nothing to push back
    return 1


def _apply_status(change: dict, site: Site, state: UpstreamState | None) -> int:
    """A reviewer's decision upstream, with its comment."""
    state = state or UpstreamState(site_id=site.id)
    state.upstream_review_status = change["status"]  # what upstream has now
    db.session.add(state)
    if change["status"] == site.status and not change.get("comment"):
        return 0
    previous = site.status
    site.status = change["status"]
    db.session.add(
        ReviewEvent(
            site_id=site.id,
            from_status=previous,
            to_status=change["status"],
            comment=change.get("comment") or "",
        )
    )
    record_change(site, "status", change.get("comment") or "")
    return 1
