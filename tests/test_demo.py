"""Demo data: realistic, marked, loadable twice without duplicates."""

from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import User
from app.demo import DEMO_PASSWORD, DEMO_SITES
from app.extensions import db
from app.surveys.models import Site


def test_seed_demo_twice(runner, client):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "surveyor@demo.example" in first.output and DEMO_PASSWORD in first.output
    second = runner.invoke(args=["seed-demo"])
    assert "0 users and 0 sites added" in second.output
    sites = db.session.scalars(select(Site)).all()
    assert len(sites) == len(DEMO_SITES)
    assert all(s.is_demo and s.name.startswith("【デモ】") for s in sites)
    prefectures = {s.prefecture_code for s in sites}
    assert prefectures == {"30", "20"}  # Wakayama and Nagano
    assert db.session.scalar(select(func.count()).select_from(User)) == 5


def test_demo_surveyor_can_sign_in_and_see_their_sites(runner, client):
    runner.invoke(args=["seed-demo"])
    response = client.post(
        "/login", data={"email": "surveyor@demo.example", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    listing = client.get("/surveys").get_data(as_text=True)
    assert "白浜町ITビジネスオフィス" in listing and "白馬村" not in listing
