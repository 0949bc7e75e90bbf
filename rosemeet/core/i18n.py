"""Languages: Dutch (nl-BE) first, English second."""

from __future__ import annotations

from pathlib import Path

from flask import has_request_context, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

#: Languages offered in the UI, Dutch first: code -> name shown in the language menu.
LANGUAGES = {"nl": "Nederlands", "en": "English"}

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def translation_directories() -> list[str]:
    """Each domain keeps its catalogue in ``<domain>/translations``; Flask-Babel merges them."""
    return sorted(str(p) for p in PACKAGE_ROOT.glob("*/translations") if p.is_dir())


def select_locale() -> str:
    """The person's chosen language, else the browser's if we have it, else Dutch."""
    if not has_request_context():
        return "nl"
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        locale: str = current_user.locale
        return locale
    return request.accept_languages.best_match(list(LANGUAGES), default="nl") or "nl"


def html_lang() -> str:
    """The page language for ``<html lang>``: nl-BE or en."""
    locale = str(get_locale() or "nl")
    return "nl-BE" if locale == "nl" else locale.replace("_", "-")


def select_timezone() -> str:
    """Pages always show Brussels time."""
    return "Europe/Brussels"


__all__ = ["LANGUAGES", "_l", "html_lang", "select_locale", "select_timezone"]
