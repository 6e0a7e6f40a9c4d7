"""`flask rescore`: every site gets the score of the configured rubric, and says which one."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.review.rescore import rescore, versions
from app.scoring import DEFAULT_PATH, load_rubric
from app.surveys.models import Site
from tests.factories import scored_survey_post


@pytest.fixture
def three_sites(client, make_user, login):
    login(make_user("surveyor", "304018"))
    uuids = []
    for seats in ("10", "20", "30"):
        post = scored_survey_post(seats=seats, seats_with_outlet=seats)
        assert client.post("/surveys/new", data=post).status_code == 302
        uuids.append(post["uuid"])
    return uuids


def _tuned_rubric(tmp_path: Path) -> Path:
    """The bundled rubric with a new version string and connectivity worth more."""
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    text = text.replace('version = "jp-workation-2026.1"', 'version = "test-2026.2"', 1)
    text = text.replace(
        "[categories.connectivity]\nweight = 25", "[categories.connectivity]\nweight = 35", 1
    )
    text = text.replace(
        "[categories.workspace]\nweight = 20", "[categories.workspace]\nweight = 10", 1
    )
    path = tmp_path / "tuned.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_rescore_applies_the_new_rubric_and_records_its_version(app, three_sites, tmp_path):
    before = dict(db.session.execute(select(Site.uuid, Site.score)).all())
    tuned = load_rubric(_tuned_rubric(tmp_path))
    report = rescore(tuned)
    assert (report.scored, report.skipped) == (3, 0)
    db.session.expire_all()
    rows = db.session.execute(select(Site.uuid, Site.score, Site.rubric_version)).all()
    assert {version for _, _, version in rows} == {"test-2026.2"}
    assert any(score != before[site_uuid] for site_uuid, score, _ in rows)
    assert versions() == [("test-2026.2", 3)]


def test_stale_only_leaves_current_scores_alone(app, three_sites, tmp_path):
    db.session.execute(update(Site).where(Site.uuid == three_sites[0]).values(rubric_version="old"))
    db.session.commit()
    report = rescore(app.extensions["rubric"], stale_only=True)
    assert report.scored == 1
    assert versions() == [("jp-workation-2026.1", 3)]


def test_the_cli_reports_counts_per_version(runner, three_sites):
    result = runner.invoke(args=["rescore"])
    assert result.exit_code == 0, result.output
    assert "Rescored 3 sites with jp-workation-2026.1" in result.output
    assert "jp-workation-2026.1: 3" in result.output


def test_the_cli_rescores_with_a_changed_rubric_file(app, three_sites, tmp_path):
    """The operator's path: RUBRIC_PATH names a new rubric, `flask rescore` applies it."""
    from app import create_app

    before = dict(db.session.execute(select(Site.uuid, Site.score)).all())
    db.session.remove()
    changed = create_app(
        {
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "INSTANCE_PATH": app.instance_path,
            "SECRET_KEY": "test",
            "RUBRIC_PATH": str(_tuned_rubric(tmp_path)),
        }
    )
    with changed.app_context():  # else the CLI runs in the test app's context
        result = changed.test_cli_runner().invoke(args=["rescore", "--workers", "1"])
        db.session.remove()
    assert result.exit_code == 0, result.output
    assert "Rescored 3 sites with test-2026.2" in result.output
    assert "test-2026.2: 3" in result.output and "jp-workation-2026.1" not in result.output
    with changed.app_context():
        rows = db.session.execute(select(Site.uuid, Site.score, Site.rubric_version)).all()
        db.session.remove()
    assert {version for _, _, version in rows} == {"test-2026.2"}
    assert any(score != before[site_uuid] for site_uuid, score, _ in rows)


def test_a_site_saved_during_the_rescore_keeps_its_own_score(app, three_sites, monkeypatch):
    import app.review.rescore as module

    real_page = module._page

    def page_then_edit(*args):
        rows = real_page(*args)
        if rows:  # a save lands between the read and the write
            db.session.execute(
                update(Site).where(Site.id == rows[0][0]).values(revision=Site.revision + 1)
            )
            db.session.commit()
        return rows

    monkeypatch.setattr(module, "_page", page_then_edit)
    report = rescore(app.extensions["rubric"])
    assert (report.scored, report.skipped) == (2, 1)


def test_a_broken_rubric_file_stops_start_up_with_its_name(tmp_path):
    from app import create_app
    from app.config import ConfigError

    broken = tmp_path / "broken.toml"
    broken.write_text('version = "x"\n[categories.connectivity]\nweight = "many"\n')
    with pytest.raises(ConfigError, match="RUBRIC_PATH"):
        create_app(
            {
                "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
                "SECRET_KEY": "x",
                "CHECK_DATABASE": False,
                "RUBRIC_PATH": str(broken),
                "INSTANCE_PATH": str(tmp_path),
            }
        )


def test_an_admin_sees_which_version_scored_which_sites(client, make_user, login, three_sites):
    db.session.execute(update(Site).where(Site.uuid == three_sites[0]).values(rubric_version="old"))
    db.session.commit()
    client.post("/logout")
    login(make_user("admin", None, None))
    page = client.get("/surveys").text
    assert "rubric-versions" in page and "?rubric=old" in page
    filtered = client.get("/surveys", query_string={"rubric": "old"}).text
    assert filtered.count('<td class="name">') == 1
    client.post("/logout")
    login(make_user("reviewer", None, "30"))
    assert "rubric-versions" not in client.get("/surveys").text


def _stored(columns=("score", "tier", "rubric_version", "score_summary", "scored_at")):
    db.session.expire_all()
    rows = db.session.execute(select(Site.uuid, *[getattr(Site, c) for c in columns]))
    return {row[0]: tuple(row[1:]) for row in rows}


def test_rescoring_gives_exactly_what_the_saves_stored(app, three_sites, tmp_path):
    """After a changed rubric and back, every stored column is what saving the site wrote."""
    saved = _stored(("score", "tier", "rubric_version", "score_summary"))
    assert rescore(load_rubric(_tuned_rubric(tmp_path))).unchanged == 0
    assert _stored(("score", "tier", "rubric_version", "score_summary")) != saved
    report = rescore(app.extensions["rubric"])
    assert (report.scored, report.unchanged, report.skipped) == (3, 0, 0)
    assert _stored(("score", "tier", "rubric_version", "score_summary")) == saved


def test_an_unchanged_score_is_not_rewritten(app, three_sites, tmp_path):
    before = _stored()
    report = rescore(app.extensions["rubric"])
    assert (report.scored, report.unchanged, report.skipped) == (3, 3, 0)
    assert _stored() == before  # scored_at too: nothing was written
    db.session.execute(update(Site).where(Site.uuid == three_sites[1]).values(score=0.0))
    db.session.commit()
    report = rescore(app.extensions["rubric"])
    assert (report.scored, report.unchanged) == (3, 2)
    after = _stored()
    assert after[three_sites[1]][:4] == before[three_sites[1]][:4]
    assert after[three_sites[1]][4] != before[three_sites[1]][4]  # rewritten, scored now
    assert {k: v for k, v in after.items() if k != three_sites[1]} == {
        k: v for k, v in before.items() if k != three_sites[1]
    }


def test_a_new_rubric_version_alone_is_written(app, three_sites, tmp_path):
    """Same weights, new version string: the scores are equal, the version still changes."""
    text = DEFAULT_PATH.read_text(encoding="utf-8").replace(
        'version = "jp-workation-2026.1"', 'version = "renamed-2026.1"', 1
    )
    (tmp_path / "renamed.toml").write_text(text, encoding="utf-8")
    before = _stored(("score", "tier"))
    report = rescore(load_rubric(tmp_path / "renamed.toml"))
    assert (report.scored, report.unchanged) == (3, 0)
    assert _stored(("score", "tier")) == before
    assert versions() == [("renamed-2026.1", 3)]


def test_several_worker_processes_store_the_same_as_one(app, three_sites, tmp_path, monkeypatch):
    import app.review.rescore as module

    if db.engine.dialect.name != "postgresql":
        pytest.skip("worker processes are used on PostgreSQL only")
    tuned = load_rubric(_tuned_rubric(tmp_path))
    assert rescore(tuned).scored == 3
    one = _stored(("score", "tier", "rubric_version", "score_summary"))
    assert rescore(app.extensions["rubric"]).scored == 3
    monkeypatch.setattr(module, "CHUNK", 1)  # a task per site: every worker gets some
    seen = []
    report = rescore(tuned, workers=2, progress=seen.append)
    assert (report.scored, report.unchanged, report.skipped) == (3, 0, 0)
    assert _stored(("score", "tier", "rubric_version", "score_summary")) == one
    assert seen and seen[-1] == 3
    assert rescore(tuned, workers=2).unchanged == 3


def test_the_cli_takes_a_worker_count(runner, three_sites):
    result = runner.invoke(args=["rescore", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert "Rescored 3 sites with jp-workation-2026.1" in result.output
    assert "3 unchanged" in result.output


def test_the_scoring_input_scores_as_the_whole_document(app, three_sites, tmp_path):
    from app.review.rescore import _page
    from app.scoring import score_site
    from app.surveys.documents import site_document

    for rubric in (load_rubric(), load_rubric(_tuned_rubric(tmp_path))):
        pages = _page(0, False, rubric)
        assert len(pages) == 3
        for site_id, _revision, values in pages:
            whole = site_document(db.session.get(Site, site_id))
            assert values["measurements"] and values["coverage"]
            expected = score_site(whole, rubric).to_dict()
            assert score_site(values, rubric).to_dict() == expected
