"""Language and time zone: Japanese first, English second, always Japan time."""

from __future__ import annotations

from flask import current_app, request

LANG_COOKIE = "lang"


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or languages[0]


def select_timezone() -> str:
    return "Asia/Tokyo"
