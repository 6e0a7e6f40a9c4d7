"""Japanese first, English second: every UI string has a Japanese translation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def _extract(tmp_path: Path) -> set[str]:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"),
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        timeout=120,
    )
    with pot.open("rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


def test_every_message_in_the_code_has_a_japanese_translation(tmp_path):
    wanted = _extract(tmp_path)
    with (ROOT / "app/translations/ja/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id and m.string and "fuzzy" not in m.flags
    }
    missing = sorted(wanted - translated)
    assert not missing, f"untranslated (run the update in README): {missing[:20]}"
    assert len(wanted) > 150


def test_pages_are_japanese_by_default_and_english_on_request(client, make_user, login):
    login(make_user())
    ja = client.get("/surveys/new").get_data(as_text=True)
    assert '<html lang="ja">' in ja and "下書き保存" in ja
    en = client.get("/surveys/new", headers={"Accept-Language": "en-US,en;q=0.9"})
    html = en.get_data(as_text=True)
    assert '<html lang="en">' in html and "Save as draft" in html and "下書き保存" not in html


def test_amenity_labels_follow_the_language(client, make_user, login):
    login(make_user())
    assert "授乳室" in client.get("/surveys/new").get_data(as_text=True)
    en = client.get("/surveys/new", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Nursing room" in en


def test_dates_and_times_in_japan_time(client, make_user, login):
    from sqlalchemy import select

    from app.extensions import db
    from app.surveys.models import Site
    from tests.factories import survey_post

    login(make_user())
    client.post("/surveys/new", data=survey_post())
    site = db.session.scalar(select(Site))
    html = client.get(f"/surveys/{site.uuid}").get_data(as_text=True)
    assert "2026年11月20日" in html
    from app.timeutil import to_jst

    assert to_jst(site.updated_at).strftime("%Y-%m-%d %H:%M") in html


def test_coordinates_are_shown_with_six_decimals(client, make_user, login):
    from sqlalchemy import select

    from app.extensions import db
    from app.surveys.models import Site
    from tests.factories import survey_post

    login(make_user())
    client.post("/surveys/new", data=survey_post(latitude="33.6781234", longitude="135.348"))
    site = db.session.scalar(select(Site))
    html = client.get(f"/surveys/{site.uuid}").get_data(as_text=True)
    assert "33.678123°" in html and "135.348000°" in html
