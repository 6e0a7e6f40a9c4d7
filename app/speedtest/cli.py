"""`flask --app app speedtest`: measure this device's connection with speedtest-cli."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from app.extensions import db
from app.scoring.connectivity import summarize_runs
from app.speedtest.plan import TOKYO, Plan
from app.speedtest.record import RecordError, measurement_entry, site_location, store_run
from app.speedtest.runner import RunSettings, SpeedResult, SpeedtestFailed, run_speedtest
from app.surveys.documents import site_document
from app.surveys.models import Site


def server_url() -> str:
    config = current_app.config
    return str(
        config.get("SPEEDTEST_SERVER_URL") or config.get("UPSTREAM_URL") or "http://127.0.0.1:5000"
    )


def settings_from_config(server: str | None, public: bool | None, site: str | None) -> RunSettings:
    config = current_app.config
    use_public = bool(config["SPEEDTEST_USE_PUBLIC"]) if public is None else public
    return RunSettings(
        server_url=server or server_url(),
        use_public=use_public and server is None,  # --server names the server to measure against
        public_timeout_s=float(config["SPEEDTEST_PUBLIC_TIMEOUT"]),
        timeout_s=float(config["SPEEDTEST_TIMEOUT"]),
        plan=make_plan(float(config["SPEEDTEST_SECONDS"])),
        lat_lon=(site_location(site) if site else None) or TOKYO,
    )


def make_plan(seconds: float) -> Plan:
    return Plan(seconds=seconds)


@click.command("speedtest")
@click.option("--site", "site_uuid", help="Store the run on this site (UUID) as a new speed run.")
@click.option("--server", help="This product's server to measure against (skips speedtest.net).")
@click.option("--where", "where_on_site", default="", help='Where on the site, e.g. "2F booth".')
@click.option("--user", "email", help="Save as this user (default: the site's surveyor).")
@click.option(
    "--public/--no-public", default=None, help="Try the public Ookla network first (config)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@with_appcontext
def speedtest_command(
    site_uuid: str | None,
    server: str | None,
    where_on_site: str,
    email: str | None,
    public: bool | None,
    as_json: bool,
) -> None:
    """Measure download, upload and latency from this device with speedtest-cli."""
    try:
        settings = settings_from_config(server, public, site_uuid)
        result = run_speedtest(settings, log=lambda message: click.echo(message, err=True))
    except (SpeedtestFailed, RecordError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps(result.as_dict(), ensure_ascii=False) if as_json else _summary(result))
    if site_uuid is None:
        return
    try:
        stored = store_run(site_uuid, measurement_entry(result, where_on_site), email)
    except RecordError as exc:
        raise click.ClickException(f"not stored: {exc}") from exc
    site = db.session.scalar(select(Site).where(Site.uuid == site_uuid))
    medians = summarize_runs(site_document(site)["measurements"]) if site else None
    click.echo(f"Stored on site {site_uuid}: revision {stored.revision} ({stored.status.value}).")
    if medians is not None:
        click.echo(
            f"Site median of {medians.run_count} runs: download {medians.download_mbps} Mbps, "
            f"upload {medians.upload_mbps} Mbps, latency {medians.latency_ms} ms"
        )


def _summary(result: SpeedResult) -> str:
    jitter = "" if result.jitter_ms is None else f", jitter {result.jitter_ms} ms"
    return (
        f"Download {result.download_mbps} Mbps, upload {result.upload_mbps} Mbps "
        f"(counted by the {result.upload_counted_by}), latency {result.latency_ms} ms{jitter}\n"
        f"Server {result.server}; {result.bytes_moved:,} bytes in {result.duration_s} s; "
        f"{result.tool_version}; goodput (payload bits/s)"
    )
