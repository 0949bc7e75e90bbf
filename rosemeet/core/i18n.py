"""Languages: Dutch (nl-BE) first, English second."""

from __future__ import annotations

from pathlib import Path

from flask import has_request_context, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

#: Languages offered in the UI, Dutch first: code -> name shown in the language menu.
LANGUAGES = {"nl": "Nederlands", "en": "English"}

#: The Babel locale of each language: Belgian Dutch, and British English (the day before the
#: month, a 24-hour clock), never US English ("1/12/27, 2:00 PM").
BABEL_LOCALES = {"nl": "nl_BE", "en": "en_GB"}

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def babel_locale(language: str | None) -> str:
    """The locale to translate and format for a person's language ("nl", "en")."""
    return BABEL_LOCALES.get(language or "nl", BABEL_LOCALES["nl"])


def translation_directories() -> list[str]:
    """Each domain keeps its catalogue in ``<domain>/translations``; Flask-Babel merges them."""
    return sorted(str(p) for p in PACKAGE_ROOT.glob("*/translations") if p.is_dir())


def select_locale() -> str:
    """The person's chosen language, else the browser's if we have it, else Dutch."""
    if not has_request_context():
        return babel_locale("nl")
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return babel_locale(current_user.locale)
    return babel_locale(request.accept_languages.best_match(list(LANGUAGES), default="nl"))


def html_lang() -> str:
    """The page language for ``<html lang>``: nl-BE or en-GB."""
    return str(get_locale() or babel_locale("nl")).replace("_", "-")


def select_timezone() -> str:
    """Pages always show Brussels time."""
    return "Europe/Brussels"


__all__ = [
    "BABEL_LOCALES",
    "LANGUAGES",
    "_l",
    "babel_locale",
    "html_lang",
    "select_locale",
    "select_timezone",
]
