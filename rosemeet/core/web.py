"""Small helpers shared by the views and the API: ids, dates, redirects, request contexts."""

from __future__ import annotations

import os
from contextlib import AbstractContextManager, nullcontext
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, has_request_context, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter, Map

from rosemeet.extensions import db

#: the largest id (and whole number) the database holds: ids, years and counts are INTEGER
#: columns, signed 32-bit on PostgreSQL (SQLite would take 64 bits)
MAX_ID = 2**31 - 1
#: the years of the dates people may enter (every date field, URL parameter and JSON date): far
#: enough for the network's history and plans, and far from ``date.max``, so that adding a
#: horizon or a time zone offset cannot overflow; ``ROSEMEET_MIN_YEAR`` / ``ROSEMEET_MAX_YEAR``
#: change them when the process starts
MIN_YEAR = int(os.environ.get("ROSEMEET_MIN_YEAR") or 1990)
MAX_YEAR = int(os.environ.get("ROSEMEET_MAX_YEAR") or 2100)


def digits_at_most(limit: int) -> str:
    """A regular expression for the numbers from 0 to ``limit`` written in digits (so that a
    route refuses a larger one while matching, whatever the method: 404, never 405)."""
    digits = str(limit)
    if len(digits) == 1:
        return f"[0-{digits}]"
    options = [rf"\d{{1,{len(digits) - 1}}}"]
    for index, digit in enumerate(digits):
        lowest = 1 if index == 0 else 0
        if int(digit) > lowest:
            rest = len(digits) - index - 1
            options.append(rf"{digits[:index]}[{lowest}-{int(digit) - 1}]\d{{{rest}}}")
    options.append(digits)
    return "(?:" + "|".join(options) + ")"


class App(Flask):
    """The Flask app with one commit point (as Indico's request handler): the view calls
    operations, which only flush; when it returns an answer below 400 the request's
    transaction is committed once, otherwise it is rolled back. An exception from the view
    (or from the commit) reaches the error handlers and the session is rolled back. A view
    that catches an operation's ``Refused`` runs the operation in ``core.forms.attempt`` (a
    savepoint), so that what it changed before refusing is undone and the rest stands."""

    def dispatch_request(self) -> Response:
        response = self.make_response(super().dispatch_request())
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: a whole number the database can hold, else 404."""

    regex = digits_at_most(MAX_ID)

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = None,
        signed: bool = False,
    ) -> None:
        """An integer converter whose ``max`` defaults to the largest database id."""
        super().__init__(map, fixed_digits, min, MAX_ID if max is None else max, signed)


def safe_next(default: str) -> str:
    """The ``next`` parameter when it is a path on this site, else ``default``."""
    target = request.values.get("next", "")
    if "\\" in target:  # browsers read "/\\evil.example" as "//evil.example"
        return default
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return default


def client_ip() -> str:
    """The client's address as seen by the WSGI server (set ProxyFix behind a proxy)."""
    return request.remote_addr or "unknown"


def outside_request_context() -> AbstractContextManager[Any]:
    """A request context on BASE_URL when there is none (CLI, scheduler), so that
    ``url_for`` works in mail templates; a no-op inside a request."""
    if has_request_context():
        return nullcontext()
    return current_app.test_request_context(base_url=current_app.config["BASE_URL"])


def parse_id(value: object) -> int | None:
    """A whole number written in ASCII digits ("12") that fits the database, else None
    ("²", "-1", "x", None, True, "99999999999999999999")."""
    if isinstance(value, bool):
        return None
    text = str(value) if value is not None else ""
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(MAX_ID))):
        return None
    number = int(text)
    return number if number <= MAX_ID else None


def date_range_message() -> str:
    """What to tell someone whose date lies outside the years rosemeet accepts."""
    message: str = _(
        "Give a date between the years %(first)d and %(last)d.", first=MIN_YEAR, last=MAX_YEAR
    )
    return message


def in_date_range(value: date | datetime | None) -> bool:
    """Whether a date or time entered by someone lies in the years rosemeet accepts
    (None counts as fine: the field was left empty)."""
    return value is None or MIN_YEAR <= value.year <= MAX_YEAR
