"""Pull reviewers' changes (status, comments) from upstream and apply them to local sites."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.station.models import StationSetting, UpstreamState
from app.station.push import Pusher, refusal
from app.surveys.models import ReviewEvent, Site
from app.surveys.service import record_change

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
            applied += _apply(change)
        setting.value = str(page["next"])
        db.session.commit()
        if not page.get("more"):
            break
    return applied


def _apply(change: dict) -> int:
    """Apply a reviewer's status change; content revisions stay the station's own."""
    if change["kind"] != "status":
        return 0
    site = db.session.scalar(select(Site).where(Site.uuid == change["uuid"]))
    if site is None:
        return 0
    state = db.session.get(UpstreamState, site.id) or UpstreamState(site_id=site.id)
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
