"""`flask photos prune`: remove photos no site uses, after a grace period."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup

from app.photos.prune import prune_photos
from app.photos.uploads import photo_store

photos_cli = AppGroup("photos", help="Photo maintenance.")


@photos_cli.command("prune")
@click.option(
    "--older-than",
    "days",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    help="Keep unused photos younger than this many days.",
)
@click.option("--dry-run", is_flag=True, help="Only count what would be removed.")
def prune_command(days: int, dry_run: bool) -> None:
    """Remove photos that no site shows and no revision names, older than --older-than days
    (uploads whose survey never came, photos held by a survey form that was never saved)."""
    report = prune_photos(photo_store(), timedelta(days=days), dry_run=dry_run)
    if dry_run:
        click.echo(f"{report.photos} unused photos older than {days} days would be removed.")
    else:
        mb = report.bytes_freed / 1_000_000
        click.echo(f"Removed {report.photos} unused photos ({mb:.1f} MB).")
