"""create-user and create-token."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import ApiToken, User
from app.extensions import db
from app.timeutil import utcnow


def test_create_user_with_municipality(runner):
    result = runner.invoke(
        args=[
            "create-user",
            "Tanaka@Example.jp",
            "--role",
            "surveyor",
            "--municipality",
            "304018",
            "--password",
            "s3cret-pass",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User))
    assert (user.email, user.role, user.municipality_code, user.prefecture_code) == (
        "tanaka@example.jp",
        "surveyor",
        "304018",
        "30",
    )
    assert user.check_password("s3cret-pass")


def test_create_user_generates_a_password_when_none_is_given(runner):
    result = runner.invoke(
        args=["create-user", "r@example.jp", "--role", "reviewer", "--prefecture", "20"]
    )
    assert result.exit_code == 0, result.output
    password = result.output.strip().splitlines()[-1].removeprefix("Password: ")
    assert db.session.scalar(select(User)).check_password(password)


def test_create_user_refuses_bad_input(runner):
    bad_digit = runner.invoke(
        args=["create-user", "a@example.jp", "--role", "surveyor", "--municipality", "304019"]
    )
    assert bad_digit.exit_code == 2 and "no municipality 304019" in bad_digit.output
    no_scope = runner.invoke(args=["create-user", "b@example.jp", "--role", "surveyor"])
    assert no_scope.exit_code == 2 and "needs a municipality" in no_scope.output
    bad_role = runner.invoke(args=["create-user", "c@example.jp", "--role", "boss"])
    assert bad_role.exit_code == 2
    assert db.session.scalar(select(User)) is None


def test_create_token_prints_it_last_and_stores_only_its_hash(runner, client, make_user):
    user = make_user()
    result = runner.invoke(args=["create-token", user.email, "--name", "tablet-1"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    row = db.session.scalar(select(ApiToken))
    assert row.name == "tablet-1" and token not in row.token_hash
    assert row.token_hash == ApiToken.hash_token(token)
    ok = client.get("/surveys", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200
    bad = client.get("/surveys", headers={"Authorization": "Bearer wss_wrong"})
    assert bad.status_code == 302
    row.revoked_at = utcnow()
    db.session.commit()
    revoked = client.get("/surveys", headers={"Authorization": f"Bearer {token}"})
    assert revoked.status_code == 302


def test_create_token_for_unknown_user_fails(runner):
    result = runner.invoke(args=["create-token", "ghost@example.jp"])
    assert result.exit_code == 1 and "no user" in result.output


def test_revoke_token_by_device(runner, client, make_user):
    user = make_user()
    tokens = {}
    for device in ("tablet-1", "tablet-2"):
        result = runner.invoke(args=["create-token", user.email, "--name", device])
        tokens[device] = result.output.strip().splitlines()[-1]
    result = runner.invoke(args=["revoke-token", user.email, "--name", "tablet-1"])
    assert result.exit_code == 0 and "Revoked 1 token(s)" in result.output
    lost = client.get(
        "/api/v1/sync/changes", headers={"Authorization": f"Bearer {tokens['tablet-1']}"}
    )
    kept = client.get(
        "/api/v1/sync/changes", headers={"Authorization": f"Bearer {tokens['tablet-2']}"}
    )
    assert (lost.status_code, kept.status_code) == (401, 200)
