"""A station pushes to a real central server through faults: nothing lost, nothing duplicated."""

from __future__ import annotations

import hashlib
import io
import random
import signal
import threading
import uuid

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.accounts.models import User
from app.extensions import db
from app.photos.uploads import photo_store
from app.station.models import UpstreamState
from app.station.pull import pull_changes
from app.station.push import Pusher, UpstreamUnavailable
from app.station.transport import UpstreamHttp
from app.surveys.models import ReviewStatus, Site
from app.surveys.service import change_status, record_change, save_survey
from sync.batching import Backoff
from tests.e2e.conftest import central_token
from tests.e2e.proxy import FAULTS, FaultyProxy

FAST = Backoff(first_s=0.01, factor=2, cap_s=0.2, attempts=10)


def _photo(seed: int) -> bytes:
    rng = random.Random(seed)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (8, 8), bytes(rng.randrange(256) for _ in range(192))).save(
        buffer, "PNG"
    )
    return buffer.getvalue()


def _make_sites(count: int) -> dict[str, str]:
    """`count` surveyed sites, each with its own photo, recorded on this station."""
    surveyor = User(
        email="local@example.jp",
        role="surveyor",
        municipality_code="304018",
        prefecture_code="30",
        password_hash="-",
    )
    db.session.add(surveyor)
    db.session.flush()
    store, photos = photo_store(), {}
    for i in range(count):
        stored = store.save(_photo(i))
        from app.photos.models import Photo

        db.session.add(
            Photo(
                sha256=stored.sha256,
                content_type=stored.content_type,
                size_bytes=stored.size_bytes,
                width=8,
                height=8,
            )
        )
        site_uuid = str(uuid.UUID(int=i + 1))
        data = {
            "name": f"候補地 {i}",
            "municipality_code": "304018",
            "seats": i % 50,
            "amenities": ["wifi"],
            "transport_options": [],
            "coverage": [],
            "measurements": [
                {
                    "uuid": str(uuid.UUID(int=10**6 + i)),
                    "method": "manual",
                    "download_mbps": 50.0 + i % 7,
                    "upload_mbps": 10.0,
                }
            ],
            "photos": [{"sha256": stored.sha256, "caption": f"写真 {i}"}],
        }
        save_survey(data, site=None, site_uuid=site_uuid, actor=surveyor, submit=True)
        photos[site_uuid] = stored.sha256
    db.session.commit()
    return photos


def _push_until_done(pusher: Pusher, runs: int = 6) -> None:
    for _ in range(runs):  # bounded: each run resumes where the previous one stopped
        try:
            pusher.push()
            return
        except UpstreamUnavailable:
            db.session.rollback()
    raise AssertionError("push did not complete")


def _assert_central_holds_exactly(central, photos: dict[str, str]) -> None:
    from app.photos.models import Photo

    app = central.app()
    with app.app_context():
        uuids = db.session.scalars(select(Site.uuid)).all()
        assert len(uuids) == len(set(uuids)) == len(photos)
        assert set(uuids) == set(photos)
        assert db.session.scalar(select(func.count()).where(~Site.photos_complete)) == 0
        held = set(db.session.scalars(select(Photo.sha256)))
        assert held == set(photos.values())
        store = app.extensions["photo_store"]
        for sha in list(held)[:50] + list(held)[-50:]:
            assert hashlib.sha256(store.path_for(sha).read_bytes()).hexdigest() == sha
        runs = db.session.scalar(
            select(func.count())
            .select_from(Site.__table__)
            .join(Site.measurements.property.mapper.local_table)
        )
        assert runs == len(photos)
        db.engine.dispose()


@pytest.mark.e2e
def test_push_through_a_proxy_that_cuts_connections(app, central):
    photos = _make_sites(1000)
    token = central_token(central)
    with FaultyProxy(central.port, fault_rate=0.2, seed=7) as proxy:
        pusher = Pusher(
            UpstreamHttp(proxy.url, token, timeout_s=20), backoff=FAST, sleep=lambda s: None
        )
        _push_until_done(pusher)
        # every fault hit photo requests and document pushes alike (a batch lost on the way, a
        # body cut in the middle, a committed batch whose reply never came back)
        assert all(proxy.faults[f] > proxy.push_faults[f] > 0 for f in FAULTS), proxy.faults
        assert proxy.pushes > 10  # ten batches of 100, and the ones that were cut
    _assert_central_holds_exactly(central, photos)
    states = db.session.scalars(select(UpstreamState)).all()
    assert len(states) == 1000 and {s.upstream_revision for s in states} == {1}
    assert Pusher(UpstreamHttp(central.url, token), backoff=FAST).pending() == []


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("phase", "stored_before_restart"), [("mid_batch", 50), ("after_commit", 100)]
)
def test_central_killed_in_the_middle_of_a_push(app, central, phase, stored_before_restart):
    """The central server dies by SIGKILL during the second batch: with ten of its sites applied
    and nothing committed, or with the batch committed and its reply not yet sent. After a
    restart the next push completes: nothing lost, nothing twice."""
    photos = _make_sites(300)
    token = central_token(central)
    central.kill()
    central.start(env={"WSS_E2E_KILL": f"2:{phase}"})
    pusher = Pusher(
        UpstreamHttp(central.url, token, timeout_s=5),
        backoff=FAST,
        batch_size=50,
        sleep=lambda s: None,
    )
    with pytest.raises(UpstreamUnavailable):
        pusher.push()
    assert central.process is not None
    assert central.process.wait(timeout=10) == -signal.SIGKILL  # died in that push, by the hook
    db.session.rollback()
    with central.app().app_context():
        assert db.session.scalar(select(func.count()).select_from(Site)) == stored_before_restart
        db.session.remove()
        db.engine.dispose()
    central.start()
    _push_until_done(pusher)
    _assert_central_holds_exactly(central, photos)


@pytest.mark.e2e
def test_reviewers_status_and_comment_come_back_to_the_station(
    app, central, client, make_user, login
):
    """The decision, its comment, and upstream's score and tier come back; the station's site
    page shows what upstream holds."""
    from app.surveys.models import ReviewEvent

    _make_sites(3)
    token = central_token(central)
    pusher = Pusher(UpstreamHttp(central.url, token), backoff=FAST)
    pusher.push()
    first = str(uuid.UUID(int=1))
    central_app = central.app()
    with central_app.app_context():
        site = db.session.scalar(select(Site).where(Site.uuid == first))
        site.status = ReviewStatus.NEEDS_REVISION
        record_change(site, "status", "写真を追加してください")
        upstream_score, upstream_tier = site.score, site.tier
        db.session.commit()
        db.engine.dispose()
    assert pull_changes(pusher) == 1
    local = db.session.scalar(select(Site).where(Site.uuid == first))
    assert local.status == "needs_revision"
    comments = db.session.scalars(
        select(ReviewEvent.comment).where(ReviewEvent.site_id == local.id)
    )
    assert list(comments)[-1] == "写真を追加してください"
    state = db.session.get(UpstreamState, local.id)
    assert (state.upstream_score, state.upstream_tier) == (upstream_score, upstream_tier)
    assert state.upstream_review_status == "needs_revision"
    assert pull_changes(pusher) == 0  # the cursor moved on

    login(make_user("surveyor", "304018"))
    page = client.get(f"/surveys/{first}").get_data(as_text=True)
    shown = page.split('id="upstream-state"')[1].split("</div>")[0]
    assert "上位サーバー" in shown and "要修正" in shown
    assert f"{upstream_score:.1f} / 100" in shown and f"tier-{upstream_tier}" in shown


@pytest.mark.e2e
def test_concurrent_updates_exactly_one_wins(app, central, tmp_path):
    """Two devices update the same site on the same base at the same moment: one 200, one 409.
    The central server holds each save's transaction open a moment, so the two requests are
    sure to overlap; its log shows, for every round, the second starting before the first
    ended."""
    import json
    import urllib.request

    token = central_token(central)
    log = tmp_path / "puts.log"
    central.kill()
    central.start(env={"WSS_E2E_HOLD_SAVES": f"0.3:{log}"})
    site_uuid = str(uuid.uuid4())
    doc = {"uuid": site_uuid, "name": "同時編集", "municipality_code": "304018", "seats": 1}

    def put(body: dict, revision: int | None) -> int:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        if revision:
            headers["If-Match"] = f'"{revision}"'
        req = urllib.request.Request(
            f"{central.url}/api/v1/sites/{site_uuid}",
            json.dumps(body).encode(),
            headers,
            method="PUT",
        )
        try:
            with urllib.request.urlopen(req, timeout=20) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    assert put(doc, None) == 201
    for round_ in range(10):
        barrier, codes = threading.Barrier(2), []

        def writer(seats: int, barrier=barrier, codes=codes, round_=round_) -> None:
            barrier.wait()
            codes.append(put(doc | {"seats": seats}, round_ + 1))

        threads = [threading.Thread(target=writer, args=(100 + round_ * 2 + k,)) for k in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert sorted(codes) == [200, 409], codes
    events = [line.split()[1:-1] for line in log.read_text().splitlines()][2:]  # after the create
    assert len(events) == 40
    for round_ in range(10):
        kinds = [e[0] for e in events[4 * round_ : 4 * round_ + 4]]
        assert kinds[:2] == ["start", "start"], kinds  # both in flight before either ended


@pytest.mark.e2e
def test_flask_sync_push_command_sends_and_pulls(app, central, runner):
    from app.station.transport import UpstreamHttp as Http

    _make_sites(2)
    token = central_token(central)
    nothing = runner.invoke(args=["sync", "push"])
    assert nothing.exit_code == 1 and "UPSTREAM_URL" in nothing.output
    app.extensions["upstream"] = Http(central.url, token)  # what UPSTREAM_URL/TOKEN wire up
    result = runner.invoke(args=["sync", "push"])
    assert result.exit_code == 0, result.output
    assert "Pushed: created 2; photos sent 2; changes pulled 0." in result.output
    again = runner.invoke(args=["sync", "push"])
    assert "nothing to send" in again.output
    central.kill()
    db.session.execute(Site.__table__.update().values(seats=7))  # local edits, upstream down
    db.session.execute(Site.__table__.update().values(content_hash="changed"))
    db.session.commit()
    app.extensions["upstream"].timeout_s = 1
    down = runner.invoke(args=["sync", "push", "--no-pull"])
    assert down.exit_code == 1 and "run again" in down.output


@pytest.mark.e2e
def test_sites_refused_once_are_sent_again_and_the_command_says_not_all_landed(
    app, central, runner
):
    from app.station.transport import UpstreamHttp as Http

    _make_sites(2)
    app.extensions["upstream"] = Http(central.url, "")
    unset = runner.invoke(args=["sync", "push", "--no-pull"])
    assert unset.exit_code == 1 and "UPSTREAM_TOKEN is not set" in unset.output
    app.extensions["upstream"] = Http(central.url, "not-a-token")
    wrong = runner.invoke(args=["sync", "push", "--no-pull"])
    assert wrong.exit_code == 1 and "refused the token (401" in wrong.output, wrong.output
    assert "Check UPSTREAM_TOKEN" in wrong.output and "b'" not in wrong.output
    assert "run again" not in wrong.output  # it would not help
    app.extensions["upstream"] = Http(central.url + "/api/v1", central_token(central))
    misplaced = runner.invoke(args=["sync", "push", "--no-pull"])
    assert misplaced.exit_code == 1 and "Check that UPSTREAM_URL" in misplaced.output
    elsewhere = central_token(central, municipality="204854")  # 白馬村: not this station's town
    app.extensions["upstream"] = Http(central.url, elsewhere)
    refused = runner.invoke(args=["sync", "push", "--no-pull"])
    assert refused.exit_code == 3, refused.output  # pushed, but not everything landed
    assert refused.output.count("invalid: ") == 2
    assert "municipality_code: " in refused.output and "['" not in refused.output  # no repr
    app.extensions["upstream"] = Http(central.url, central_token(central))
    fixed = runner.invoke(args=["sync", "push", "--no-pull"])
    assert fixed.exit_code == 0, fixed.output
    assert "Pushed: created 2;" in fixed.output  # the refused sites were not forgotten


def _central_status(central, site_uuid: str) -> str:
    central_app = central.app()
    with central_app.app_context():
        status = db.session.scalar(select(Site.status).where(Site.uuid == site_uuid))
        db.engine.dispose()
    return str(status)


@pytest.mark.e2e
def test_a_survey_submitted_on_the_station_is_submitted_upstream_and_resubmitted(app, central):
    _make_sites(2)
    first, second = str(uuid.UUID(int=1)), str(uuid.UUID(int=2))
    surveyor = db.session.scalar(select(User).where(User.email == "local@example.jp"))
    local = db.session.scalar(select(Site).where(Site.uuid == first))
    assert local.status == "submitted"  # _make_sites submits what it records
    db.session.scalar(select(Site).where(Site.uuid == second)).status = ReviewStatus.DRAFT
    db.session.commit()
    pusher = Pusher(UpstreamHttp(central.url, central_token(central)), backoff=FAST)
    pusher.push()
    pull_changes(pusher)
    assert _central_status(central, first) == "submitted"
    assert _central_status(central, second) == "draft"  # a draft here stays a draft there

    central_app = central.app()
    with central_app.app_context():  # the reviewer sends it back
        site = db.session.scalar(select(Site).where(Site.uuid == first))
        site.status = ReviewStatus.NEEDS_REVISION
        record_change(site, "status", "座席数を確認してください")
        db.session.commit()
        db.engine.dispose()
    pull_changes(pusher)
    db.session.expire_all()
    local = db.session.scalar(select(Site).where(Site.uuid == first))
    assert local.status == "needs_revision"
    assert pusher.pending() == []  # nothing to send until the surveyor acts

    change_status(local, surveyor, ReviewStatus.SUBMITTED)  # resubmitted, content unchanged
    db.session.commit()
    assert [s.uuid for s in pusher.pending()] == [first]
    report = pusher.push()
    assert report.counts == {"unchanged": 1}
    assert _central_status(central, first) == "submitted"
    pull_changes(pusher)
    assert pusher.pending() == []  # asked once: not sent again


def _central_sites(central) -> dict[str, bool]:
    """uuid -> photos_complete, as central holds them."""
    central_app = central.app()
    with central_app.app_context():
        rows = dict(db.session.execute(select(Site.uuid, Site.photos_complete)).all())
        db.engine.dispose()
    return rows


@pytest.mark.e2e
def test_a_photo_that_reaches_the_middle_tier_late_is_forwarded(app, central):
    """A municipal server pushed a site whose photo had not reached it yet (upstream: incomplete);
    when the photo arrives here, the next push forwards it and upstream completes the site."""
    from app.photos.models import Photo
    from app.surveys.photo_checks import complete_where_all_held, waiting_for

    photos = _make_sites(2)
    late_site = str(uuid.UUID(int=2))
    late = photos[late_site]
    store = photo_store()
    data = store.path_for(late).read_bytes()
    db.session.delete(db.session.get(Photo, late))  # as if it had not come from the station yet
    store.delete(late)
    db.session.execute(
        Site.__table__.update().where(Site.uuid == late_site).values(photos_complete=False)
    )
    db.session.commit()
    pusher = Pusher(UpstreamHttp(central.url, central_token(central)), backoff=FAST)
    first = pusher.push()
    assert first.photos_sent == 1 and first.counts == {"created": 2}
    assert _central_sites(central) == {str(uuid.UUID(int=1)): True, late_site: False}
    assert pusher.pending() == []  # nothing new here until the photo comes

    stored = store.save(data, expected_sha256=late)  # the photo arrives from the station
    db.session.add(
        Photo(
            sha256=late, content_type=stored.content_type, size_bytes=len(data), width=8, height=8
        )
    )
    complete_where_all_held(waiting_for(late))  # what the photo's upload does
    db.session.commit()
    assert [site.uuid for site in pusher.pending()] == [late_site]
    second = pusher.push()
    assert second.photos_sent == 1 and second.counts == {"unchanged": 1}
    assert _central_sites(central) == {str(uuid.UUID(int=1)): True, late_site: True}
    assert pusher.pending() == []


@pytest.mark.e2e
def test_a_photo_upstream_refuses_does_not_hold_up_the_others(app, central, runner):
    """A photo whose bytes no longer match its name (a damaged file) is refused upstream (400):
    its site arrives marked incomplete and is reported; the other sites and photos still go."""
    from app.station.transport import UpstreamHttp as Http

    photos = _make_sites(3)
    damaged_site = str(uuid.UUID(int=2))
    photo_store().path_for(photos[damaged_site]).write_bytes(_photo(999))
    app.extensions["upstream"] = Http(central.url, central_token(central))
    result = runner.invoke(args=["sync", "push", "--no-pull"])
    assert result.exit_code == 3, result.output  # pushed, but not everything landed
    assert f"photo_refused: {damaged_site}" in result.output and "(400" in result.output
    assert "Pushed: created 3; photos sent 2" in result.output
    assert _central_sites(central) == {
        str(uuid.UUID(int=1)): True,
        damaged_site: False,
        str(uuid.UUID(int=3)): True,
    }


def _edit_upstream(central, token: str, site_uuid: str, **changes) -> int:
    """A surveyor edits the site on the central server through its API; returns the revision."""
    import json
    import urllib.request

    base = f"{central.url}/api/v1/sites/{site_uuid}"
    auth = {"Authorization": f"Bearer {token}"}
    with urllib.request.urlopen(urllib.request.Request(base, headers=auth)) as response:
        doc = json.loads(response.read())
    body = json.dumps(doc | changes).encode()
    headers = auth | {"Content-Type": "application/json", "If-Match": f'"{doc["revision"]}"'}
    put = urllib.request.Request(base, data=body, headers=headers, method="PUT")
    with urllib.request.urlopen(put) as response:
        return int(json.loads(response.read())["revision"])


@pytest.mark.e2e
def test_a_revision_made_upstream_is_pulled_and_stored_here(app, central):
    _make_sites(2)
    token = central_token(central)
    pusher = Pusher(UpstreamHttp(central.url, token), backoff=FAST)
    pusher.push()
    first = str(uuid.UUID(int=1))
    assert _edit_upstream(central, token, first, seats=44, notes="県で追記") == 2

    assert pull_changes(pusher) == 1
    local = db.session.scalar(select(Site).where(Site.uuid == first))
    assert (local.seats, local.notes, local.revision) == (44, "県で追記", 2)
    assert local.score is not None  # scored again here, from the new content
    state = db.session.get(UpstreamState, local.id)
    assert state.upstream_revision == 2 and state.pushed_hash == local.content_hash
    assert pusher.pending() == []  # nothing to send back
    assert pull_changes(pusher) == 0


@pytest.mark.e2e
def test_an_upstream_revision_never_overwrites_an_unsent_local_edit(app, central):
    _make_sites(1)
    token = central_token(central)
    pusher = Pusher(UpstreamHttp(central.url, token), backoff=FAST)
    pusher.push()
    site_uuid = str(uuid.UUID(int=1))
    surveyor = db.session.scalar(select(User).where(User.email == "local@example.jp"))
    local = db.session.scalar(select(Site).where(Site.uuid == site_uuid))
    data = {"name": local.name, "municipality_code": "304018", "seats": 12, "amenities": ["wifi"]}
    save_survey(data, site=local, site_uuid=site_uuid, actor=surveyor, submit=False)
    db.session.commit()
    _edit_upstream(central, token, site_uuid, seats=44)

    assert pull_changes(pusher) == 0
    assert db.session.scalar(select(Site.seats).where(Site.uuid == site_uuid)) == 12
    report = pusher.push()
    assert [(u, status) for u, status, _ in report.problems] == [(site_uuid, "conflict")]


@pytest.mark.e2e
def test_the_real_command_pushes_and_pulls_with_upstream_from_the_environment(app, central):
    """`flask --app app sync push` as an operator runs it: a separate process configured only by
    environment variables (WSS_INSTANCE_PATH, DATABASE_URL, UPSTREAM_URL, UPSTREAM_TOKEN)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from app.surveys.models import ReviewEvent

    _make_sites(2)
    db.session.commit()
    env = os.environ | {
        "WSS_INSTANCE_PATH": app.instance_path,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "station-test",
        "UPSTREAM_URL": central.url,
        "UPSTREAM_TOKEN": central_token(central),
    }
    root = Path(__file__).resolve().parents[2]

    def run() -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "flask", "--app", "app", "sync", "push"]
        return subprocess.run(
            command, cwd=root, env=env, capture_output=True, text=True, timeout=120
        )

    first = run()
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Pushed: created 2; photos sent 2" in first.stdout
    site_uuid = str(uuid.UUID(int=1))
    central_app = central.app()
    with central_app.app_context():
        reviewer = User(
            email="pref@example.jp", role="reviewer", prefecture_code="30", password_hash="-"
        )
        db.session.add(reviewer)
        db.session.flush()
        site = db.session.scalar(select(Site).where(Site.uuid == site_uuid))
        change_status(site, reviewer, ReviewStatus.NEEDS_REVISION, "入口の写真をもう一枚")
        db.session.commit()
        db.engine.dispose()
    second = run()
    assert second.returncode == 0, second.stdout + second.stderr
    assert "changes pulled 1" in second.stdout
    db.session.expire_all()
    local = db.session.scalar(select(Site).where(Site.uuid == site_uuid))
    assert local.status == ReviewStatus.NEEDS_REVISION
    event = db.session.scalars(select(ReviewEvent).where(ReviewEvent.site_id == local.id)).all()[-1]
    assert event.comment == "入口の写真をもう一枚"


@pytest.mark.e2e
def test_three_tiers_station_municipality_prefecture(app, central, prefecture):
    """Hub and spoke at depth: a station pushes to its municipality's server, which pushes to
    the prefecture's with the same client and protocol (photos included); a prefectural
    reviewer's decision comes back down both tiers."""
    photos = _make_sites(3)
    station_pusher = Pusher(UpstreamHttp(central.url, central_token(central)), backoff=FAST)
    assert station_pusher.push().counts == {"created": 3}
    municipal = central.app()
    to_prefecture = UpstreamHttp(prefecture.url, central_token(prefecture))
    with municipal.app_context():
        report = Pusher(to_prefecture, backoff=FAST).push()
        assert report.counts == {"created": 3} and report.photos_sent == 3
        db.session.remove()
        db.engine.dispose()
    _assert_central_holds_exactly(prefecture, photos)

    site_uuid = str(uuid.UUID(int=3))
    with prefecture.app().app_context():
        reviewer = User(
            email="pref-review@example.jp", role="reviewer", prefecture_code="30", password_hash="-"
        )
        db.session.add(reviewer)
        db.session.flush()
        site = db.session.scalar(select(Site).where(Site.uuid == site_uuid))
        assert site.status == ReviewStatus.SUBMITTED  # asked for on the station, two tiers down
        change_status(site, reviewer, ReviewStatus.NEEDS_REVISION, "県: 駐車場の台数を追記")
        db.session.commit()
        db.engine.dispose()
    with municipal.app_context():
        assert pull_changes(Pusher(to_prefecture, backoff=FAST)) == 1
        db.session.remove()
        db.engine.dispose()
    assert pull_changes(station_pusher) == 1
    local = db.session.scalar(select(Site).where(Site.uuid == site_uuid))
    assert local.status == ReviewStatus.NEEDS_REVISION
    from app.surveys.models import ReviewEvent

    comments = db.session.scalars(
        select(ReviewEvent.comment).where(ReviewEvent.site_id == local.id)
    )
    assert "県: 駐車場の台数を追記" in list(comments)


@pytest.mark.e2e
def test_photos_already_upstream_are_never_sent_again(app, central):
    """Content-addressed photos: when the same sites go again (here all of them, as after a lost
    resume point), each photo is asked for with HEAD and none is uploaded a second time."""
    _make_sites(4)
    pusher = Pusher(UpstreamHttp(central.url, central_token(central)), backoff=FAST)
    assert pusher.push().photos_sent == 4
    db.session.execute(UpstreamState.__table__.update().values(pushed_hash=None))
    db.session.commit()
    requests: list[tuple[str, str]] = []
    original = pusher.http.request

    def recording(method, path, *args, **kwargs):  # type: ignore[no-untyped-def]
        requests.append((method, path.split("/")[3]))
        return original(method, path, *args, **kwargs)

    pusher.http.request = recording  # type: ignore[method-assign]
    report = pusher.push()
    assert report.counts == {"unchanged": 4} and report.photos_sent == 0
    assert sorted(set(requests)) == [("HEAD", "photos"), ("POST", "sync")]
    assert requests.count(("HEAD", "photos")) == 4
