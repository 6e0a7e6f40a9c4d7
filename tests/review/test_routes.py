"""Review routes: who may decide, what a decision stores, and what flows back to the surveyor."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from app.extensions import db
from app.surveys.models import ReviewEvent, Site, SiteChange, SiteRevision
from tests.factories import image_bytes, scored_survey_post, survey_post


@pytest.fixture
def submitted(client, make_user, login):
    """A survey in 白浜町 (Wakayama) submitted by its surveyor; returns (site uuid, surveyor)."""
    surveyor = make_user("surveyor", "304018")
    login(surveyor)
    post = survey_post(intent="submit")
    assert client.post("/surveys/new", data=post).status_code == 302
    client.post("/logout")
    return post["uuid"], surveyor


def _site(site_uuid):
    db.session.expire_all()
    return db.session.scalar(select(Site).where(Site.uuid == site_uuid))


def _reviewer_decides_then_surveyor_signs_in(
    client, make_user, login, submitted, action, comment=""
):
    site_uuid, surveyor = submitted
    login(make_user("reviewer", None, "30"))
    assert _decide(client, site_uuid, action, comment).status_code == 303
    client.post("/logout")
    login(surveyor)
    client.get("/surveys")  # shows (and so clears) the messages of earlier requests
    return site_uuid


def _decide(client, site_uuid, action, comment="", revision=None):
    revision = _site(site_uuid).revision if revision is None else revision
    data = {"action": action, "comment": comment, "revision": str(revision)}
    return client.post(f"/surveys/{site_uuid}/review", data=data)


ROLES = [
    # (role, municipality, prefecture, may view, may decide)
    ("surveyor", "304018", None, True, False),
    ("surveyor", "302015", None, False, False),
    ("viewer", None, "30", True, False),
    ("reviewer", None, "30", True, True),
    ("reviewer", None, "20", False, False),
    ("viewer", None, "20", False, False),
    ("reviewer", None, None, False, False),  # a reviewer given no prefecture sees nothing
    ("viewer", None, None, False, False),
    ("admin", None, None, True, True),
]
# every decision, from a state it applies to (see app/review/workflow.py TRANSITIONS)
DECISIONS = [
    ("start_review", "submitted", "in_review"),
    ("approve", "in_review", "approved"),
    ("request_changes", "in_review", "needs_revision"),
    ("reject", "submitted", "rejected"),
    ("reopen", "approved", "in_review"),
]


@pytest.mark.parametrize(("role", "municipality", "prefecture", "may_view", "may_decide"), ROLES)
def test_every_role_on_every_review_route(
    client, make_user, login, submitted, role, municipality, prefecture, may_view, may_decide
):
    site_uuid, _ = submitted
    login(make_user(role, municipality, prefecture))
    page = client.get(f"/surveys/{site_uuid}")
    history = client.get(f"/surveys/{site_uuid}/history")
    assert page.status_code == history.status_code == (200 if may_view else 404)
    if may_view:
        assert (f'action="/surveys/{site_uuid}/review"' in page.text) is may_decide
    decision = _decide(client, site_uuid, "approve")
    assert decision.status_code == (303 if may_decide else (403 if may_view else 404))
    assert _site(site_uuid).status == ("approved" if may_decide else "submitted")


@pytest.mark.parametrize(("action", "before", "after"), DECISIONS)
@pytest.mark.parametrize(("role", "municipality", "prefecture", "may_view", "may_decide"), ROLES)
def test_every_role_on_every_decision(
    client,
    make_user,
    login,
    submitted,
    role,
    municipality,
    prefecture,
    may_view,
    may_decide,
    action,
    before,
    after,
):
    """Each decision the review route takes, by every role: done only by a reviewer of the
    prefecture or an admin; refused (403) to those who may see the site, hidden (404) from
    those who may not; nothing stored when refused."""
    site_uuid, _ = submitted
    site = _site(site_uuid)
    site.status = before
    db.session.commit()
    events = db.session.query(ReviewEvent).count()
    login(make_user(role, municipality, prefecture))
    response = _decide(client, site_uuid, action, "理由を書きました")
    assert response.status_code == (303 if may_decide else (403 if may_view else 404))
    assert _site(site_uuid).status == (after if may_decide else before)
    assert db.session.query(ReviewEvent).count() == events + (1 if may_decide else 0)


def test_signed_out_users_are_sent_to_sign_in(client, submitted):
    site_uuid, _ = submitted
    for response in (
        client.get(f"/surveys/{site_uuid}/history"),
        _decide(client, site_uuid, "approve"),
    ):
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_send_back_reaches_the_surveyor_and_a_resubmission_re_enters_review(
    client, make_user, login, submitted
):
    site_uuid, surveyor = submitted
    reviewer = make_user("reviewer", None, "30")
    login(reviewer)
    assert _decide(client, site_uuid, "start_review").status_code == 303
    sent_back = _decide(client, site_uuid, "request_changes", "外観の写真を追加してください")
    assert sent_back.status_code == 303
    site = _site(site_uuid)
    assert site.status == "needs_revision"
    feed = db.session.scalars(select(SiteChange).where(SiteChange.kind == "status")).all()
    assert [(c.status, c.comment) for c in feed][-1] == (
        "needs_revision",
        "外観の写真を追加してください",
    )
    client.post("/logout")
    login(surveyor)
    page = client.get(f"/surveys/{site_uuid}")
    assert "外観の写真を追加してください" in page.text and 'id="review-comment"' in page.text
    post = survey_post(uuid=site_uuid, intent="submit", base_revision=str(site.revision))
    assert client.post(f"/surveys/{site_uuid}/edit", data=post).status_code == 302
    assert _site(site_uuid).status == "submitted"
    client.post("/logout")
    login(reviewer)
    assert _decide(client, site_uuid, "approve").status_code == 303
    events = db.session.scalars(select(ReviewEvent).order_by(ReviewEvent.id)).all()
    assert [(e.from_status, e.to_status) for e in events] == [
        ("draft", "submitted"),
        ("submitted", "in_review"),
        ("in_review", "needs_revision"),
        ("needs_revision", "submitted"),
        ("submitted", "approved"),
    ]


def test_a_change_to_an_approved_survey_sends_it_back_for_review(
    client, make_user, login, submitted
):
    """An approval covers the content the reviewer saw; new content needs a new look."""
    site_uuid = _reviewer_decides_then_surveyor_signs_in(
        client, make_user, login, submitted, "approve"
    )
    post = survey_post(uuid=site_uuid, name="改装後の拠点", intent="draft", base_revision="1")
    saved = client.post(f"/surveys/{site_uuid}/edit", data=post, follow_redirects=True)
    assert "再審査に回しました" in saved.text
    site = _site(site_uuid)
    assert site.status == "submitted" and site.revision == 2
    events = db.session.scalars(select(ReviewEvent).order_by(ReviewEvent.id)).all()
    assert [(e.from_status, e.to_status) for e in events][-1] == ("approved", "submitted")
    feed = db.session.scalars(select(SiteChange).order_by(SiteChange.id)).all()
    assert [(c.kind, c.status) for c in feed][-2:] == [
        ("revision", "approved"),
        ("status", "submitted"),
    ]


def test_submitting_a_rejected_survey_says_it_was_not_submitted(
    client, make_user, login, submitted
):
    site_uuid = _reviewer_decides_then_surveyor_signs_in(
        client, make_user, login, submitted, "reject", "対象外の施設です"
    )
    post = survey_post(uuid=site_uuid, name="再調査", intent="submit", base_revision="1")
    page = client.post(f"/surveys/{site_uuid}/edit", data=post, follow_redirects=True)
    assert "提出はしていません" in page.text and "審査に提出しました" not in page.text
    assert _site(site_uuid).status == "rejected" and _site(site_uuid).name == "再調査"


def test_submitting_a_survey_already_waiting_for_review_says_so(
    client, make_user, login, submitted
):
    site_uuid, surveyor = submitted
    login(surveyor)
    client.get("/surveys")  # shows (and so clears) the messages of earlier requests
    post = survey_post(uuid=site_uuid, seats="30", intent="submit", base_revision="1")
    page = client.post(f"/surveys/{site_uuid}/edit", data=post, follow_redirects=True)
    assert "すでに審査待ちです" in page.text and "審査に提出しました" not in page.text
    events = db.session.scalars(select(ReviewEvent)).all()
    assert [(e.from_status, e.to_status) for e in events] == [("draft", "submitted")]


def test_a_send_back_without_a_comment_is_refused_with_a_field_message(
    client, make_user, login, submitted
):
    site_uuid, _ = submitted
    login(make_user("reviewer", None, "30"))
    response = _decide(client, site_uuid, "request_changes", "  ")
    assert response.status_code == 422 and 'id="comment-errors"' in response.text
    assert _site(site_uuid).status == "submitted"


def test_an_impossible_decision_is_refused(client, make_user, login, submitted):
    site_uuid, _ = submitted
    login(make_user("reviewer", None, "30"))
    assert _decide(client, site_uuid, "reopen", "もう一度").status_code == 409
    assert _decide(client, site_uuid, "fly").status_code == 422
    assert _site(site_uuid).status == "submitted"


def test_a_decision_on_a_revision_that_changed_meanwhile_is_not_applied(
    client, make_user, login, submitted
):
    site_uuid, _ = submitted
    login(make_user("reviewer", None, "30"))
    seen = _site(site_uuid).revision
    site = _site(site_uuid)
    site.revision = seen + 1  # the surveyor saved a new revision after the reviewer loaded it
    db.session.commit()
    response = _decide(client, site_uuid, "approve", revision=seen)
    assert response.status_code == 303
    assert _site(site_uuid).status == "submitted"


def test_history_shows_field_level_changes_between_revisions(client, make_user, login):
    surveyor = make_user("surveyor", "304018")
    login(surveyor)
    post = survey_post()
    client.post("/surveys/new", data=post)
    site = _site(post["uuid"])
    edit = post | {"seats": "42", "base_revision": str(site.revision)}
    client.post(f"/surveys/{post['uuid']}/edit", data=edit)
    page = client.get(f"/surveys/{post['uuid']}/history")
    assert page.status_code == 200
    assert 'id="revision-2"' in page.text
    revision_2 = page.text.split('id="revision-2"')[1].split("</article>")[0]
    assert "42" in revision_2 and post["seats"] in revision_2


def test_history_says_who_changed_what_and_when_in_japan_time(client, make_user, login):
    """The audit trail names the person and the Japan time of every revision and decision."""
    from app.timeutil import to_jst

    first, second = make_user("surveyor", "304018"), make_user("surveyor", "304018")
    first.display_name, second.display_name = "白浜 一郎", "白浜 二郎"
    reviewer = make_user("reviewer", None, "30")
    reviewer.display_name = "県 審査子"
    db.session.commit()
    login(first)
    post = survey_post(intent="submit")
    client.post("/surveys/new", data=post)
    client.post("/logout")
    login(second)
    site = _site(post["uuid"])
    edit = post | {"seats": "42", "base_revision": str(site.revision)}
    assert client.post(f"/surveys/{post['uuid']}/edit", data=edit).status_code == 302
    client.post("/logout")
    login(reviewer)
    assert _decide(client, post["uuid"], "reject", "対象外の施設です").status_code == 303
    page = client.get(f"/surveys/{post['uuid']}/history").text

    revisions = db.session.scalars(
        select(SiteRevision)
        .join(Site)
        .where(Site.uuid == post["uuid"])
        .order_by(SiteRevision.revision)
    ).all()
    for revision, name in zip(revisions, ("白浜 一郎", "白浜 二郎"), strict=True):
        heading = page.split(f'id="revision-{revision.revision}"')[1].split("</h3>")[0]
        assert name in heading
        assert to_jst(revision.created_at).strftime("%Y-%m-%d %H:%M") in heading
    event = db.session.scalars(select(ReviewEvent).where(ReviewEvent.to_status == "rejected")).one()
    row = page.split("<tbody>")[1].split("</tbody>")[0]
    assert "県 審査子" in row and "対象外の施設です" in row
    assert to_jst(event.created_at).strftime("%Y-%m-%d %H:%M") in row
    assert to_jst(event.created_at).utcoffset().total_seconds() == 9 * 3600


def test_the_score_is_stored_with_its_rubric_version_and_explained_on_the_page(
    client, make_user, login
):
    login(make_user("surveyor", "304018"))
    post = survey_post()
    client.post("/surveys/new", data=post)
    site = _site(post["uuid"])
    assert site.rubric_version == "jp-workation-2026.1"
    assert site.tier in {"ready", "nearly", "invest", "insufficient"}
    assert site.score is not None and 0 <= site.score <= 100
    page = client.get(f"/surveys/{post['uuid']}").text
    assert 'id="score"' in page and "G1" in page and "jp-workation-2026.1" in page


def _approve_warning(page: str) -> str:
    if 'class="notice approve-warning"' not in page:
        return ""
    return page.split('class="notice approve-warning"')[1].split("</div>")[0]


def test_the_reviewer_is_warned_before_approving_a_site_that_is_not_ready(client, make_user, login):
    surveyor, reviewer = make_user("surveyor", "304018"), make_user("reviewer", None, "30")
    login(surveyor)
    sites = {
        "ready": scored_survey_post(intent="submit"),
        "open_wifi": scored_survey_post(intent="submit", wifi_security="open"),
        "sparse": survey_post(intent="submit"),  # few rubric fields: insufficient data
    }
    for post in sites.values():
        assert client.post("/surveys/new", data=post).status_code == 302
    client.post("/logout")
    login(reviewer)
    english = {"Accept-Language": "en"}
    pages = {k: client.get(f"/surveys/{p['uuid']}", headers=english).text for k, p in sites.items()}
    assert _site(sites["sparse"]["uuid"]).tier == "insufficient"
    assert _approve_warning(pages["ready"]) == ""
    assert "G2 encrypted Wi-Fi: failed" in _approve_warning(pages["open_wifi"])
    assert "Readiness cannot be judged yet" in _approve_warning(pages["sparse"])
    japanese = client.get(f"/surveys/{sites['open_wifi']['uuid']}").text
    assert "G2 暗号化されたWi-Fi: 不合格" in _approve_warning(japanese)
    # the verdict (score, gates, why) comes before the decision on it
    assert japanese.index('id="score"') < japanese.index('id="review"')
    # the warning informs, it does not block: the reviewer may still approve
    assert _decide(client, sites["open_wifi"]["uuid"], "approve").status_code == 303
    assert _site(sites["open_wifi"]["uuid"]).status == "approved"
    approved = client.get(f"/surveys/{sites['open_wifi']['uuid']}", headers=english).text
    assert _approve_warning(approved) == ""  # nothing left to approve


def test_history_shows_values_as_people_read_them(client, make_user, login):
    login(make_user("surveyor", "304018"))
    post = survey_post(**{"measurements-0-measured_at": "2026-11-20T01:30:00+00:00"})
    client.post("/surveys/new", data=post)
    site = _site(post["uuid"])
    edit = post | {
        "base_revision": str(site.revision),
        "measurements-0-uuid": site.measurements[0].uuid,
        "measurements-0-download_mbps": "98.5",
        "wifi_client_isolation": "no",
        "wifi_security": "wpa2",
        "amenities": ["wifi", "aed", "shower"],
        "transport_options": ["taxi"],
        "coverage-0-rsrp_dbm": "-101",
        "surveyed_on": "2026-11-21",
    }
    assert client.post(f"/surveys/{post['uuid']}/edit", data=edit).status_code == 302
    page = client.get(f"/surveys/{post['uuid']}/history").text
    revision_2 = page.split('id="revision-2"')[1].split("</article>")[0]
    rows = {
        row.split("</th>")[0].split(">")[-1]: row.split("</th>")[1]
        for row in revision_2.split('<th scope="row">')[1:]
    }
    isolation = rows["Wi-Fi端末間の通信遮断"]
    assert isolation.index("はい") < isolation.index("いいえ")  # before, after
    assert "WPA2" in rows["Wi-Fiの暗号化方式"]
    assert "シャワー" in rows["設備・サービス"] and "shower" not in rows["設備・サービス"]
    assert "タクシー" in rows["二次交通"] and "taxi" not in rows["二次交通"]
    assert "2026年11月21日" in rows["調査日"]
    runs = rows["速度測定"]
    assert "2026-11-20 10:30" in runs  # 01:30 UTC shown in Japan time
    assert "下り速度 98.5 Mbps" in runs and "下り速度 120.5 Mbps" in runs and "手入力" in runs
    assert "-101 dBm" in rows["携帯電話の電波状況"] and "ドコモ" in rows["携帯電話の電波状況"]
    for raw in ("True", "False", "[", "{", "measured_at", "+00:00"):
        assert raw not in revision_2, raw


def test_history_lists_photo_changes_by_count_and_caption(client, make_user, login):
    login(make_user("surveyor", "304018"))
    post = survey_post()
    client.post("/surveys/new", data=post)
    edit = post | {
        "base_revision": "1",
        "photo_caption": "<b>入口</b>",
        "photo_files": (io.BytesIO(image_bytes("JPEG")), "door.jpg"),
    }
    response = client.post(
        f"/surveys/{post['uuid']}/edit", data=edit, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    page = client.get(f"/surveys/{post['uuid']}/history").text
    revision_2 = page.split('id="revision-2"')[1].split("</article>")[0]
    assert '<th scope="row">写真</th>' in revision_2
    assert "写真 1枚<br>&lt;b&gt;入口&lt;/b&gt;" in revision_2
    assert "\\u" not in revision_2


def test_the_score_breakdown_names_coded_answers_by_their_labels(client, make_user, login):
    login(make_user("surveyor", "304018"))
    post = scored_survey_post(hazard_zone="inside_with_plan", wifi_security="open")
    client.post("/surveys/new", data=post)
    page = client.get(f"/surveys/{post['uuid']}").text
    score = page[page.index('id="score"') :]
    assert "ビジネス → 1点" in score
    assert "区域内(避難計画の掲示あり) → 1点" in score
    assert "あり (レンタカー・タクシー)" in score
    assert "Wi-Fi「オープン(パスワードなし)」は暗号化が不十分" in score
    for code in ("business →", "inside_with_plan", "rental_car", "Wi-Fi open"):
        assert code not in score, code
    english = client.get(f"/surveys/{post['uuid']}", headers={"Accept-Language": "en"}).text
    assert "Business → 1 point" in english and "present (Rental car, Taxi)" in english


def test_history_reads_odd_stored_revisions_without_failing(client, make_user, login):
    """Revisions are stored as they came (older ones with nulls); the trail shows whatever is
    there as text instead of failing on a value of an unexpected type."""
    login(make_user("surveyor", "304018"))
    post = survey_post()
    client.post("/surveys/new", data=post)
    site = _site(post["uuid"])
    odd = {
        "wifi_security": ["wpa2"],
        "amenities": [{"x": 1}, "aed", 7],
        "measurements": 3,
        "coverage": [{"carrier": ["docomo"], "technology": {"g": 5}, "placement": 1}, "x"],
        "photos": {"sha256": "0" * 64},
        "surveyed_on": "2026-13-01",
        "seats": "many",
        "wifi_client_isolation": None,
    }
    db.session.add(SiteRevision(site_id=site.id, revision=2, content_hash="0" * 64, document=odd))
    db.session.commit()
    page = client.get(f"/surveys/{post['uuid']}/history")
    assert page.status_code == 200
    revision_2 = page.text.split('id="revision-2"')[1].split("</article>")[0]
    assert "2026-13-01" in revision_2 and "many" in revision_2


def test_the_edit_page_shows_the_comment_the_surveyor_is_fixing(
    client, make_user, login, submitted
):
    site_uuid = _reviewer_decides_then_surveyor_signs_in(
        client, make_user, login, submitted, "start_review"
    )
    client.post("/logout")
    login(make_user("reviewer", None, "30"))
    assert (
        _decide(
            client, site_uuid, "request_changes", "駐車場の台数を\n追記してください"
        ).status_code
        == 303
    )
    client.post("/logout")
    login(submitted[1])
    page = client.get(f"/surveys/{site_uuid}/edit").text
    comment = page.split('id="review-comment"')[1].split("</div>")[0]
    assert "駐車場の台数を\n追記してください" in comment


def test_a_send_back_through_the_route_reaches_the_surveyors_device_feed(
    client, make_user, login, submitted
):
    """The whole way back: a reviewer sends back on the site page, the surveyor's device reads
    it from GET /api/v1/sync/changes (its own token), and the resubmission appears there too."""
    from app.accounts.models import ApiToken

    site_uuid, surveyor = submitted
    row, plain = ApiToken.issue(surveyor, "tablet")
    db.session.add(row)
    db.session.commit()
    device = {"Authorization": f"Bearer {plain}"}
    start = client.get("/api/v1/sync/changes?since=0", headers=device).get_json()["next"]

    login(make_user("reviewer", None, "30"))
    sent_back = _decide(client, site_uuid, "request_changes", "外観の写真を追加してください")
    assert sent_back.status_code == 303
    client.post("/logout")
    feed = client.get(f"/api/v1/sync/changes?since={start}", headers=device).get_json()
    mine = [c for c in feed["changes"] if c["uuid"] == site_uuid]
    assert [(c["kind"], c["status"], c["comment"]) for c in mine] == [
        ("status", "needs_revision", "外観の写真を追加してください")
    ]

    document = client.get(f"/api/v1/sites/{site_uuid}", headers=device).get_json()
    document["seats"] = 30
    document["status"] = "submitted"
    base = {"If-Match": f'"{document["revision"]}"'}
    put = client.put(f"/api/v1/sites/{site_uuid}", json=document, headers=device | base)
    assert put.status_code == 200, {k: v for k, v in put.get_json().items() if k != "current"}
    later = client.get(f"/api/v1/sync/changes?since={feed['next']}", headers=device).get_json()
    statuses = [c["status"] for c in later["changes"] if c["uuid"] == site_uuid]
    assert statuses[-1] == "submitted" and _site(site_uuid).status == "submitted"
