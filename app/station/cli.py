"""`flask sync push` / `flask sync pull`: the station's side of the protocol."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.station.pull import pull_changes
from app.station.push import Pusher, UpstreamRefused, UpstreamUnavailable
from app.station.transport import UpstreamHttp

sync_cli = AppGroup("sync", help="Exchange surveys with the upstream server (UPSTREAM_URL).")


def _pusher() -> Pusher:
    http: UpstreamHttp | None = current_app.extensions.get("upstream")
    if http is None:
        raise click.ClickException("UPSTREAM_URL and UPSTREAM_TOKEN are not set")
    if not http.token:
        raise click.ClickException(
            "UPSTREAM_TOKEN is not set: make one on the upstream server with"
            " `flask create-token EMAIL` and set it here"
        )
    return Pusher(http, log=lambda message: click.echo(message, err=True))


@sync_cli.command("push")
@click.option("--no-pull", is_flag=True, help="Only send; do not fetch reviewers' changes.")
def push_command(no_pull: bool) -> None:
    """Send local surveys and photos upstream, then pull review status and comments."""
    pusher = _pusher()
    try:
        report = pusher.push()
        pulled = 0 if no_pull else pull_changes(pusher)
    except UpstreamRefused as exc:  # running again will not help: the message says what will
        raise click.ClickException(str(exc)) from exc
    except UpstreamUnavailable as exc:
        raise click.ClickException(
            f"{exc} (what was accepted so far is recorded; run again)"
        ) from exc
    counts = ", ".join(f"{k} {v}" for k, v in sorted(report.counts.items())) or "nothing to send"
    click.echo(f"Pushed: {counts}; photos sent {report.photos_sent}; changes pulled {pulled}.")
    for site_uuid, status, errors in report.problems:
        click.echo(f"  {status}: {site_uuid} {_errors_text(errors)}")
    if report.problems:  # a script or cron job must see that not everything landed
        raise SystemExit(PARTIAL_EXIT)


PARTIAL_EXIT = 3  # pushed, but some sites were refused (invalid) or in conflict


def _errors_text(errors: object) -> str:
    """{"field": ["message", ...]} as 'field: message; ...' (not a Python repr)."""
    if not isinstance(errors, dict):
        return str(errors or "")
    parts = []
    for name, messages in errors.items():
        listed = messages if isinstance(messages, list) else [messages]
        parts.append(f"{name or 'site'}: {' '.join(map(str, listed))}")
    return "; ".join(parts)


@sync_cli.command("pull")
def pull_command() -> None:
    """Fetch review status and comments from upstream."""
    try:
        pulled = pull_changes(_pusher())
    except UpstreamUnavailable as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Changes pulled: {pulled}.")
