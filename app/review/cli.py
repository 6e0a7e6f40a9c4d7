"""`flask --app app rescore`: rescore stored sites with the configured rubric."""

from __future__ import annotations

import gc
import os
import time

import click
from flask import current_app

from app.review.rescore import rescore, versions

DEFAULT_WORKERS = min(os.cpu_count() or 1, 4)


@click.command("rescore")
@click.option("--stale", is_flag=True, help="Only sites scored with another rubric version.")
@click.option(
    "--workers",
    type=click.IntRange(1, 32),
    default=DEFAULT_WORKERS,
    show_default=True,
    help="Worker processes on PostgreSQL (SQLite: always one).",
)
def rescore_command(stale: bool, workers: int) -> None:
    """Rescore every site (or the stale ones) with the rubric in RUBRIC_PATH."""
    rubric = current_app.extensions["rubric"]
    gc.collect()
    gc.freeze()  # what lives now outlives the rescore: the collector need not walk it meanwhile
    try:
        started = time.perf_counter()
        report = rescore(
            rubric,
            stale_only=stale,
            progress=lambda n: click.echo(f"  {n:,} scored"),
            workers=workers,
        )
        seconds = time.perf_counter() - started
    finally:
        gc.unfreeze()
    click.echo(
        f"Rescored {report.scored:,} sites with {rubric.version} in {seconds:.1f} s"
        + (f" ({report.unchanged:,} unchanged, not rewritten)" if report.unchanged else "")
        + (f" ({report.skipped} changed meanwhile, kept their own score)" if report.skipped else "")
    )
    for version, count in versions():
        click.echo(f"  {version or '(not scored)'}: {count:,}")
