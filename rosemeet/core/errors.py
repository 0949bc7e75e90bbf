"""Error pages and JSON errors: generic, translated, never a stack trace."""

from __future__ import annotations

import contextlib
import logging
import re
from typing import Any

from flask import (
    Flask,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError

from rosemeet.db import db_read, without_waiting
from rosemeet.extensions import db

logger = logging.getLogger(__name__)

#: SQLite result codes (their names' start) of a database that takes no writes now
_SQLITE_UNAVAILABLE = ("SQLITE_FULL", "SQLITE_READONLY", "SQLITE_IOERR", "SQLITE_CANTOPEN")
_SQLITE_BUSY = ("SQLITE_BUSY", "SQLITE_LOCKED")
#: PostgreSQL SQLSTATEs of the same: disk full, out of resources, read-only transaction
#: (a standby, default_transaction_read_only), I/O error; busy: lock not available, deadlock
_PG_UNAVAILABLE = frozenset({"53100", "53000", "25006", "58030"})
_PG_BUSY = frozenset({"55P03", "40P01"})
#: the drivers' messages for them, for drivers that give no code
_UNAVAILABLE_WORDS = (
    "database or disk is full",
    "readonly database",
    "disk i/o error",
    "could not extend file",
    "no space left on device",
    "read-only transaction",
)
_BUSY_WORDS = ("database is locked", "database table is locked")
#: submitted fields never shown back on the "could not save" page
_UNSHOWN_FIELD = re.compile(
    r"csrf|passw|secret|token|^(?:current|confirm)$|(?:^|[-_])(?:version|id)$", re.I
)


#: the HTTP status of a refusal, by its code (any other code is 400: the input was refused)
REFUSAL_STATUS = {"forbidden": 403, "not_found": 404, "conflict": 409, "cancelled": 409}


class Refused(ValueError):
    """The one error type of an operation that refuses a change: a translated ``message``,
    the ``field`` it belongs to (None: the whole form), a machine ``code``, and the HTTP
    ``status`` pages and the API answer with (400, 403, 404 or 409; by default from the code).
    Each domain's error class (``MeetingError``, ``AgendaError``, ...) is a subclass."""

    #: the status of this class's refusals when the code does not say one
    status_default = 400

    def __init__(
        self,
        message: str,
        field: str | None = None,
        code: str = "invalid",
        status: int | None = None,
    ):
        super().__init__(str(message))
        self.message = str(message)
        self.field = field
        self.code = code
        self.status = status or REFUSAL_STATUS.get(code, self.status_default)


class ApiError(Exception):
    """An error answered as ``{"error": {"code", "message", "fields"}}`` with an HTTP status."""

    def __init__(
        self, status: int, code: str, message: str, fields: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}


def json_error(
    status: int, code: str, message: str, fields: dict[str, Any] | None = None
) -> tuple[Response, int]:
    """A JSON error response in the API's shape."""
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    return jsonify(body), status


def wants_json() -> bool:
    """API paths always answer JSON."""
    return request.path.startswith("/api/")


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        401: _("Please log in first."),
        403: _("You may not do this."),
        404: _("This page does not exist, or you may not see it."),
        405: _("This method is not allowed here."),
        409: _("This conflicts with the current state."),
        413: _("The file is too large."),
        429: _("Too many attempts. Wait a few minutes and try again."),
        500: _("Something went wrong on our side. The error has been logged."),
    }


def handle_http_error(error: HTTPException) -> ResponseReturnValue:
    """Render an HTTP error as JSON (API) or as a generic page."""
    status = error.code or 500
    message = _messages().get(status, error.name)
    if wants_json():
        return json_error(status, error.name.lower().replace(" ", "_"), message)
    if status == 401:
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    return render_template("errors/error.html", status=status, message=message), status


def handle_csrf_error(error: CSRFError) -> ResponseReturnValue:
    """A stale or missing CSRF token: explain and let the person try again."""
    message = _("The form expired or was sent twice. Reload the page and try again.")
    if wants_json():
        return json_error(400, "csrf", message)
    return render_template("errors/error.html", status=400, message=message), 400


def handle_refused(error: Refused) -> ResponseReturnValue:
    """An operation's refusal that no view caught: its message with its status (400, 403, 404,
    409 or 429), never a 500; the API's JSON error shape on API paths. What the request changed
    is rolled back first (the page reads the database), and nothing it flashed as done stands."""
    logger.info("refused on %s %s: %s", request.method, request.path, error.code)
    db.session.rollback()
    forget_flashes()
    if wants_json():
        fields = {error.field: [error.message]} if error.field else {}
        return json_error(error.status, error.code, error.message, fields)
    page = render_template("errors/error.html", status=error.status, message=error.message)
    return page, error.status


def forget_flashes() -> None:
    """Drop what the view flashed before it failed: nothing of the request is saved, so a
    "saved" message would be wrong, on the error page or on the next one."""
    session.pop("_flashes", None)


def handle_api_error(error: ApiError) -> ResponseReturnValue:
    """Answer an ApiError in the JSON error shape."""
    return json_error(error.status, error.code, error.message, error.fields)


def handle_undecodable(error: UnicodeError) -> ResponseReturnValue:
    """A query string whose bytes are no UTF-8 (werkzeug decodes it strictly when the view
    reads it) is the client's error: 400. Any other UnicodeError is a bug: the last resort."""
    try:
        request.query_string.decode()
    except UnicodeDecodeError:
        logger.warning("query string of %s %s is no UTF-8", request.method, request.path)
        return handle_http_error(BadRequest())
    return handle_unexpected(error)


def handle_unexpected(error: Exception) -> ResponseReturnValue:
    """The last resort: log the exception with its traceback and answer a generic 500 (the
    JSON error shape on the API, the error page elsewhere) that shows no details."""
    if isinstance(error, HTTPException):
        return handle_http_error(error)
    logger.exception("unhandled error on %s %s", request.method, request.path)
    try:
        db.session.rollback()  # a failed statement leaves the transaction unusable for the page
    except Exception:  # the database itself may be what failed
        logger.exception("rollback after the unhandled error failed")
    forget_flashes()
    return handle_http_error(InternalServerError())


def commit_bookkeeping(what: str) -> None:
    """Commit a read request's bookkeeping (when a token was last used) if the database takes
    it at once; never worth a wait: busy or read-only, it is recorded next time."""
    try:
        with without_waiting():  # SQLite: skip it while another connection writes
            db.session.commit()
    except DBAPIError as exc:
        if storage_problem(exc) is None:
            raise
        db.session.rollback()
        logger.info("%s not recorded now: %s", what, exc.orig)


def storage_problem(error: DBAPIError) -> str | None:
    """What kind of trouble a database error is: "unavailable" when the database takes no
    writes (disk full, read-only file or server, I/O error), "busy" when the lock did not come
    in time, None for any other error."""
    orig = error.orig
    name = getattr(orig, "sqlite_errorname", None) or ""
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    words = str(orig).lower()
    if name.startswith(_SQLITE_BUSY) or state in _PG_BUSY or any(w in words for w in _BUSY_WORDS):
        return "busy"
    if (
        name.startswith(_SQLITE_UNAVAILABLE)
        or state in _PG_UNAVAILABLE
        or any(w in words for w in _UNAVAILABLE_WORDS)
    ):
        return "unavailable"
    return None


def kept_fields() -> list[tuple[str, str]]:
    """The text of the submitted form as (field, value), to show back when it could not be
    saved: no password, token or CSRF field, no version or id, nothing empty."""
    try:
        items = list(request.form.items(multi=True))
    except Exception:  # an unreadable body: there is nothing to show back
        return []
    return [
        (name.rpartition("-")[2] or name, value)
        for name, value in items
        if value.strip() and not _UNSHOWN_FIELD.search(name)
    ]


def handle_database_error(error: DBAPIError) -> ResponseReturnValue:
    """A database that takes no writes now (full disk, read-only) or stayed locked: 503 with
    the typed text shown back, so nothing is lost; any other database error is the last
    resort's."""
    problem = storage_problem(error)
    if problem is None:
        return handle_unexpected(error)
    # the driver's message only: the SQL parameters may hold what was typed, or secrets
    logger.error("database %s on %s %s: %s", problem, request.method, request.path, error.orig)
    with contextlib.suppress(Exception):  # the database itself may be what failed
        db.session.rollback()
    forget_flashes()
    busy = problem == "busy"
    headers = {"Retry-After": "5"} if busy else {}
    fields = kept_fields()
    try:  # the page only reads (the person's language, the menu): no write lock for it
        with db_read():
            texts = _storage_texts(busy)
            if wants_json():
                return _storage_json(busy, texts, headers)
            page = render_template(
                "errors/storage.html", status=503, message=texts[0], busy=busy, fields=fields
            )
    except Exception:  # reading fails too (no connection at all): keep the text, plainly
        logger.warning("the storage error page is shown without the layout", exc_info=True)
        with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "nl")):
            texts = _storage_texts(busy)
        if wants_json():
            return _storage_json(busy, texts, headers)
        page = _bare_storage_page(texts, fields)
    return page, 503, headers


def _storage_texts(busy: bool) -> tuple[str, str]:
    """What the "could not save" answer says: what happened, where the text is."""
    if busy:
        return _("The database is busy right now: nothing was saved."), _(
            "Your text is below; copy it."
        )
    return _("Could not save: the database accepts nothing right now."), _(
        "Your text is below; copy it."
    )


def _storage_json(
    busy: bool, texts: tuple[str, str], headers: dict[str, str]
) -> tuple[Response, int, dict[str, str]]:
    """The API's 503: ``storage_unavailable`` or ``database_busy``."""
    response, status = json_error(503, "database_busy" if busy else "storage_unavailable", texts[0])
    return response, status, headers


def _bare_storage_page(texts: tuple[str, str], fields: list[tuple[str, str]]) -> str:
    """The "could not save" page without the layout (which reads the database)."""
    kept = "".join(
        f"<p><label>{escape(name)}<br><textarea readonly rows=12 cols=80>{escape(value)}"
        "</textarea></label></p>"
        for name, value in fields
    )
    said = f"<p>{escape(texts[1])}</p>" if fields else ""
    return (
        "<!doctype html><meta charset=utf-8><title>503</title><h1>503</h1>"
        f"<p>{escape(texts[0])}</p>{said}{kept}"
    )


def register_errorhandlers(app: Flask) -> None:
    """Install the handlers on the app."""
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(DBAPIError, handle_database_error)
    app.register_error_handler(ApiError, handle_api_error)
    app.register_error_handler(Refused, handle_refused)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(UnicodeError, handle_undecodable)
    app.register_error_handler(Exception, handle_unexpected)
