"""/sw.js, /manifest.webmanifest, /offline and /offline/token; the records panel's field labels."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from flask import Blueprint, current_app, jsonify, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from app.offline.shell import SHELL_PAGES, shell_files, shell_version

bp = Blueprint("offline", __name__, template_folder="templates")
MAX_CHOICES = 40  # a choice list longer than this is shown by its value


@bp.app_template_global()
def offline_field_labels() -> dict[str, Any]:
    """Labels of the survey's fields and choices, for comparing two versions of a survey in
    the records panel (static/js/records.js) on pages without the form (the offline page)."""
    return _field_labels(str(get_locale()))


@cache
def _field_labels(locale: str) -> dict[str, Any]:
    from app.templating import carrier_label
    from forms.catalog import CARRIERS
    from forms.document import NESTED_FIELDS
    from forms.survey import SurveyFields

    def describe(form: Any) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
        labels: dict[str, str] = {}
        choices: dict[str, dict[str, str]] = {}
        for field in form:
            if field.type in ("HiddenField", "FieldList", "CSRFTokenField"):
                continue
            labels[field.name] = str(field.label.text)
            options = getattr(field, "choices", None)
            if options and len(options) <= MAX_CHOICES:
                choices[field.name] = {str(v): str(t) for v, t in options if v not in ("", None)}
        return labels, choices

    labels, choices = describe(SurveyFields(meta={"csrf": False}))
    labels |= {
        "measurements": _("Speed runs"),
        "coverage": _("Mobile coverage"),
        "photos": _("Photos"),
    }
    nested = {}
    for name, subform in NESTED_FIELDS.items():
        sub_labels, sub_choices = describe(subform(meta={"csrf": False}))
        nested[name] = {"labels": sub_labels, "choices": sub_choices}
    nested["coverage"]["choices"]["carrier"] = {code: carrier_label(code) for code in CARRIERS}
    return {"labels": labels, "choices": choices, "nested": nested}


@bp.get("/sw.js")
def service_worker() -> Any:
    """The service worker, served from the root so that its scope is the whole app."""
    shell = [url_for("static", filename=name) for name in shell_files()]
    shell.append(url_for("offline.manifest"))
    body = render_template(
        "offline/sw.js",
        version=shell_version(),
        shell=json.dumps(shell),
        pages=json.dumps(list(SHELL_PAGES)),
        offline_page=json.dumps(url_for("offline.offline_page")),
        logout=json.dumps(url_for("auth.logout")),
    )
    response = current_app.response_class(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/manifest.webmanifest")
def manifest() -> Any:
    icon = "img/{}".format
    manifest = {
        "name": _("Workation Site Survey"),
        "short_name": _("Site Survey"),
        "description": _("Record candidate workation sites on site, with or without signal."),
        "id": "/",
        "start_url": url_for("surveys.index"),
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "background_color": "#f3f4f6",
        "theme_color": "#10304f",
        "icons": [
            {
                "src": url_for("static", filename=icon("icon.svg")),
                "sizes": "any",
                "type": "image/svg+xml",
            },
            {
                "src": url_for("static", filename=icon("icon-192.png")),
                "sizes": "192x192",
                "type": "image/png",
            },
            {
                "src": url_for("static", filename=icon("icon-512.png")),
                "sizes": "512x512",
                "type": "image/png",
            },
            {
                "src": url_for("static", filename=icon("icon-maskable-512.png")),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = current_app.response_class(
        json.dumps(manifest, ensure_ascii=False), mimetype="application/manifest+json"
    )
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/offline")
def offline_page() -> Any:
    """What a navigation shows offline when that page was never saved on the tablet."""
    return render_template("offline/offline.html")


@bp.get("/offline/token")
def token() -> Any:
    """A fresh CSRF token for the signed-in session (a cached page may carry a stale one).

    Always 200, so that a tablet asking while signed out logs no error: `signed_in` says.
    """
    if current_user.is_authenticated:
        response = jsonify(signed_in=True, csrf_token=generate_csrf(), user=current_user.get_id())
    else:
        response = jsonify(signed_in=False, csrf_token=None, user=None)
    response.headers["Cache-Control"] = "no-store"
    return response
