"""Error pages and JSON errors: generic, translated, never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError

from rosemeet.extensions import db

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """An error answered as ``{"error": {"code", "message", "fields"}}`` with an HTTP status."""

    def __init__(self, status: int, code: str, message: str, fields: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}


def json_error(status: int, code: str, message: str, fields: dict | None = None):
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


def handle_http_error(error: HTTPException):
    """Render an HTTP error as JSON (API) or as a generic page."""
    status = error.code or 500
    message = _messages().get(status, error.name)
    if wants_json():
        return json_error(status, error.name.lower().replace(" ", "_"), message)
    if status == 401:
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    return render_template("errors/error.html", status=status, message=message), status


def handle_csrf_error(error: CSRFError):
    """A stale or missing CSRF token: explain and let the person try again."""
    message = _("The form expired or was sent twice. Reload the page and try again.")
    if wants_json():
        return json_error(400, "csrf", message)
    return render_template("errors/error.html", status=400, message=message), 400


def handle_api_error(error: ApiError):
    """Answer an ApiError in the JSON error shape."""
    return json_error(error.status, error.code, error.message, error.fields)


def handle_undecodable(error: UnicodeError):
    """A query string whose bytes are no UTF-8 (werkzeug decodes it strictly when the view
    reads it) is the client's error: 400. Any other UnicodeError is a bug: the last resort."""
    try:
        request.query_string.decode()
    except UnicodeDecodeError:
        logger.warning("query string of %s %s is no UTF-8", request.method, request.path)
        return handle_http_error(BadRequest())
    return handle_unexpected(error)


def handle_unexpected(error: Exception):
    """The last resort: log the exception with its traceback and answer a generic 500 (the
    JSON error shape on the API, the error page elsewhere) that shows no details."""
    if isinstance(error, HTTPException):
        return handle_http_error(error)
    logger.exception("unhandled error on %s %s", request.method, request.path)
    try:
        db.session.rollback()  # a failed statement leaves the transaction unusable for the page
    except Exception:  # the database itself may be what failed
        logger.exception("rollback after the unhandled error failed")
    return handle_http_error(InternalServerError())


def register_errorhandlers(app: Flask) -> None:
    """Install the handlers on the app."""
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(ApiError, handle_api_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(UnicodeError, handle_undecodable)
    app.register_error_handler(Exception, handle_unexpected)
