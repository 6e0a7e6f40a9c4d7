"""Flask CLI commands: init-db, seed-demo, create-user, create-token."""

from __future__ import annotations

import secrets

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import func, select

from app.accounts.models import ApiToken, Role, User
from app.extensions import db
from app.reference.codes import PREFECTURE_CODES, is_valid_municipality_code
from app.regions.models import Municipality
from app.regions.service import load_reference_data
from app.timeutil import utcnow


def register(app: Flask) -> None:
    from app.exports.cli import export_command
    from app.exports.worker import export_worker_command
    from app.photos.cli import photos_cli
    from app.review.cli import rescore_command
    from app.speedtest.cli import speedtest_command
    from app.station.cli import sync_cli

    for command in (
        init_db,
        seed_demo,
        create_user,
        create_token,
        revoke_token,
        sync_cli,
        rescore_command,
        export_command,
        export_worker_command,
        speedtest_command,
        photos_cli,
    ):
        app.cli.add_command(command)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the schema and load the reference data (idempotent)."""
    upgrade()
    prefectures, municipalities = load_reference_data()
    db.session.commit()
    click.echo(
        f"Schema up to date; added {prefectures} prefectures, {municipalities} municipalities."
    )


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Load demo users and sites in Wakayama and Nagano (marked as demo; idempotent)."""
    from app.demo import DEMO_PASSWORD, seed

    users, sites = seed()
    db.session.commit()
    click.echo(f"Demo data: {users} users and {sites} sites added.")
    click.echo(f"Demo logins (password {DEMO_PASSWORD}):")
    for user in db.session.scalars(select(User).where(User.email.like("%@demo.example"))):
        click.echo(f"  {user.role:9} {user.email}")


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--municipality", "municipality_code", help="6-digit municipality code.")
@click.option(
    "--prefecture", "prefecture_code", help="2-digit prefecture code (reviewers, viewers)."
)
@click.option("--password", help="Generated and printed when left out.")
@click.option("--name", "display_name", default="", help="Name shown in the app.")
def create_user(
    email: str,
    role: str,
    municipality_code: str | None,
    prefecture_code: str | None,
    password: str | None,
    display_name: str,
) -> None:
    """Create a user (or update the role, scope and password of an existing one)."""
    email = email.strip().lower()
    if "@" not in email:
        raise click.BadParameter("not an email address", param_hint="EMAIL")
    if municipality_code is not None and (
        not is_valid_municipality_code(municipality_code)
        or db.session.get(Municipality, municipality_code) is None
    ):
        raise click.BadParameter(
            f"no municipality {municipality_code}", param_hint="--municipality"
        )
    if role == Role.SURVEYOR and municipality_code is None:
        raise click.BadParameter("a surveyor needs a municipality", param_hint="--municipality")
    if prefecture_code is not None and prefecture_code not in PREFECTURE_CODES:
        raise click.BadParameter(f"no prefecture {prefecture_code}", param_hint="--prefecture")
    if role in (Role.REVIEWER, Role.VIEWER) and not (municipality_code or prefecture_code):
        raise click.BadParameter("a reviewer or viewer needs --prefecture or --municipality")
    user = db.session.scalar(select(User).where(func.lower(User.email) == email))
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    if user is None:
        user = User(email=email)
        db.session.add(user)
    user.role = role
    user.municipality_code = municipality_code
    user.prefecture_code = prefecture_code or (municipality_code[:2] if municipality_code else None)
    user.display_name = display_name or user.display_name or email.split("@")[0]
    user.set_password(password)
    db.session.commit()
    click.echo(f"User {email} ({role}) saved.")
    if generated:
        click.echo(f"Password: {password}")


@click.command("create-token")
@with_appcontext
@click.argument("email")
@click.option("--name", "device", default="device", help="Name of the device the token is for.")
def create_token(email: str, device: str) -> None:
    """Issue an API token; the token is printed once, as the last line, and stored only hashed."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no user {email}")
    row, plain = ApiToken.issue(user, device)
    db.session.add(row)
    db.session.commit()
    click.echo(f"Token for {user.email} on {device} (shown once):")
    click.echo(plain)


@click.command("revoke-token")
@click.argument("email")
@click.option("--name", "device", help="Only the token of this device (default: all of them).")
@with_appcontext
def revoke_token(email: str, device: str | None) -> None:
    """Revoke a user's API tokens (a lost tablet): they answer 401 from now on."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no user {email}")
    revoked = 0
    for token in user.tokens:
        if token.revoked_at is None and (device is None or token.name == device):
            token.revoked_at = utcnow()
            revoked += 1
    db.session.commit()
    click.echo(f"Revoked {revoked} token(s) of {user.email}.")
