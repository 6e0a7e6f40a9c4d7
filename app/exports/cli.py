"""`flask --app app export`: the dashboard's exports from the command line."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.accounts.models import Role, User
from app.accounts.scope import Scope
from app.exports.jobs_service import filter_in_scope
from app.exports.service import ExportRequest, write_export
from app.extensions import db
from app.surveys.filters import SiteFilter
from app.timeutil import utcnow
from forms.exports import ExportForm

CLI_FORMATS = {
    ("xlsx", "utf-8"): "xlsx",
    ("csv", "utf-8"): "csv-utf8",
    ("csv", "cp932"): "csv-sjis",
}


@click.command("export")
@click.argument("kind", type=click.Choice(["xlsx", "csv", "geojson"]))
@click.option(
    "--encoding",
    type=click.Choice(["utf-8", "cp932"]),
    default="utf-8",
    help="CSV only: UTF-8 with BOM (default) or Shift_JIS (cp932).",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--prefecture", default="", help="Prefecture code, e.g. 30.")
@click.option("--municipality", default="", help="Municipality code (6 digits).")
@click.option("--status", default="", help="Review status, e.g. approved.")
@click.option("--tier", default="", help="ready, nearly, invest or insufficient.")
@click.option("--from", "surveyed_from", default="", help="Surveyed on or after (YYYY-MM-DD).")
@click.option("--to", "surveyed_to", default="", help="Surveyed on or before (YYYY-MM-DD).")
@click.option("--q", default="", help="Part of the site's name.")
@click.option("--user", "email", default="", help="Export only what this user may view.")
@click.option("--base-url", default="", help="Central server URL for the URL column.")
@with_appcontext
def export_command(
    kind: str, encoding: str, output: Path, email: str, base_url: str, **filters: str
) -> None:
    """Write sites to an XLSX, CSV (UTF-8 with BOM, or --encoding cp932) or GeoJSON file."""
    if kind != "csv" and encoding != "utf-8":
        raise click.UsageError("--encoding: only for csv")
    fmt = CLI_FORMATS.get((kind, encoding), kind)
    names = {"surveyed_from": "from", "surveyed_to": "to"}
    formdata = MultiDict({"format": fmt} | {names.get(k, k): v for k, v in filters.items()})
    form = ExportForm(formdata=formdata, meta={"csrf": False})
    # the form's messages are translated lazily: validating needs a (request) locale
    with current_app.test_request_context(headers={"Accept-Language": "en"}):
        if not form.validate():
            errors = form.errors.items()
            raise click.UsageError("; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in errors))
    scope, created_by, contact = _who(email)
    if not filter_in_scope(scope, form):
        raise click.UsageError(f"--user: {email} may not view the chosen area")
    request = ExportRequest(
        fmt, scope, SiteFilter.parse(form.filter_args()), created_by, utcnow(),
        base_url or current_app.config.get("EXPORT_SITE_URL_BASE")
        or current_app.config.get("UPSTREAM_URL") or "", contact,
    )  # fmt: skip
    partial = output.with_name(output.name + ".part")
    with partial.open("wb") as out:
        stats = write_export(out, request)
    os.replace(partial, output)
    message = f"Wrote {stats.sites} sites to {output}"
    if fmt == "csv-sjis":
        message += f" ({stats.replaced_chars} characters not in Shift_JIS replaced by 〓)"
    click.echo(message)


def _who(email: str) -> tuple[Scope, str, str]:
    """Scope, author and contact of the export: a user's, or the whole database's."""
    if not email:
        return Scope(Role.ADMIN, None, None), f"flask export ({getpass.getuser()})", ""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        raise click.UsageError(f"--user: no active user {email!r}")
    return Scope.of(user), user.display_name or user.email, user.email
