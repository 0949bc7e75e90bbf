"""The API blueprint: token authentication, JSON bodies read through the resource schemas,
one mapping of errors to the JSON error shape, pagination, and what the document says of them.

An endpoint documents its body with ``@json_body(<schema>)`` and reads it with
``read(<schema>)`` once it has checked the caller and the path (so a 401, 403 or 404 comes
before a 400); a list endpoint reads its query string with ``@listing(<schema>, <filters>)``;
``@bp.response(<status>, <schema>)`` writes the answer. The schema of the resource
(``rosemeet/<domain>/schemas.py``) checks the JSON types and the text rules, then the handler
calls the domain operation with the loaded values. A ``Refused`` from the operation, an
``ApiError`` and a refused body all answer ``{"error": {"code", "message", "fields"}}``; the
request is committed once, by the app, when the answer is below 400.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import flask_smorest
from flask import g, request
from flask_babel import gettext as _
from sqlalchemy import Select
from webargs.flaskparser import FlaskParser

from rosemeet.accounts.operations import person_for_api_token
from rosemeet.core import pagination as pages
from rosemeet.core import schemas as s
from rosemeet.core.errors import ApiError, Refused, commit_bookkeeping, json_error
from rosemeet.core.pagination import MAX_PER_PAGE, PER_PAGE, Page
from rosemeet.core.permissions import can
from rosemeet.extensions import csrf, db

logger = logging.getLogger(__name__)

#: where the API lives
PREFIX = "/api/v1"
#: how deep a request's JSON may nest (the deepest documented body nests three levels)
MAX_JSON_DEPTH = 32
#: list endpoints: the page size when none is asked, and the largest one (a larger is a 400)
#: the security of an endpoint that answers without a token too (public data only)
OPTIONAL_TOKEN: list[dict[str, list[str]]] = [{}, {"bearer": []}]


class _Anonymous:
    """An anonymous API caller."""

    is_authenticated = False
    is_admin = False
    id = None


def _depth_checked(data: Any) -> None:
    """400 for JSON that nests too deep or holds text that is no valid Unicode."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            _check_unicode(value)
        elif isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise ApiError(400, "invalid_json", _("The JSON nests too deep."))
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str):
                    _check_unicode(key)
                stack.append((item, depth + 1))


def _check_unicode(text: str) -> None:
    """400 for text that is no valid Unicode (a lone surrogate such as \\ud800 in JSON)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ApiError(
            400,
            "invalid_json",
            _("The JSON holds a lone surrogate (such as \\ud800): send valid Unicode text."),
        ) from None


def field_messages(messages: Any, name: str = "") -> dict[str, list[str]]:
    """marshmallow's nested error messages as ``{"field": [...], "years.2021.note": [...]}``:
    an error of a list's item or of a whole object belongs to the list or object."""
    if not isinstance(messages, dict):
        texts = messages if isinstance(messages, list) else [messages]
        return {name or "body": [str(text) for text in texts]}
    found: dict[str, list[str]] = {}
    for key, value in messages.items():
        if isinstance(key, int) or key == "_schema":
            inner = field_messages(value, name)
        else:
            inner = field_messages(value, f"{name}.{key}" if name else str(key))
        for field, texts in inner.items():
            found.setdefault(field, []).extend(t for t in texts if t not in found.get(field, []))
    return found


class JsonParser(FlaskParser):
    """webargs as the API reads requests: a JSON body parsed once and bounded (else
    ``invalid_json``), and a refused field a 400 ``invalid`` that names it."""

    DEFAULT_VALIDATION_STATUS = 400

    def load_json(self, req, schema) -> dict[str, Any]:
        """The request body as a JSON object: parsed once, bounded in depth, valid Unicode."""
        refused = ApiError(
            400, "invalid_json", _("Send a JSON object with Content-Type application/json.")
        )
        if not req.is_json:
            raise refused
        try:
            data = json.loads(req.get_data(cache=True))
        except (ValueError, RecursionError):  # RecursionError: nested thousands of levels deep
            raise refused from None
        if not isinstance(data, dict):
            raise refused
        _depth_checked(data)
        return data

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        """A body or query string the schema refuses: 400 with a message per field."""
        messages = error.messages
        if isinstance(messages, dict) and set(messages) <= {"json", "query"}:
            messages = {k: v for location in messages.values() for k, v in location.items()}
        raise ApiError(400, "invalid", _("Some fields are not valid."), field_messages(messages))


class Blueprint(flask_smorest.Blueprint):
    """A flask-smorest blueprint that reads requests with ``JsonParser``."""

    ARGUMENTS_PARSER = JsonParser()


bp = Blueprint("api", __name__, url_prefix=PREFIX)
csrf.exempt(bp)  # bearer tokens, not cookies: no CSRF exposure


@bp.before_request
def authenticate() -> None:
    """Read ``Authorization: Bearer <token>``; anonymous callers get public data only, and
    may not write (401 before anything is looked up)."""
    header = request.headers.get("Authorization", "")
    g.api_user = _Anonymous()
    if not header:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            raise ApiError(401, "unauthorized", _("A valid API token is required."))
        return
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", _("Use the header Authorization: Bearer <token>."))
    person = person_for_api_token(token.strip())
    if person is None:
        raise ApiError(401, "unauthorized", _("The token is unknown or revoked."))
    if db.session.dirty:  # last_used_at, at most every few minutes
        commit_bookkeeping("API token use")
    g.api_user = person


@bp.errorhandler(Refused)
def refused(error: Refused):
    """An operation's refusal: its status, code and message, under its field if it has one
    (the request's transaction is rolled back, as for every answer from 400)."""
    fields = {error.field: [error.message]} if error.field else {}
    return json_error(error.status, error.code, error.message, fields)


def api_user():
    """The person behind the current API request (or an anonymous caller)."""
    return g.api_user


def require_login() -> None:
    """401 unless a valid token was given."""
    if not api_user().is_authenticated:
        raise ApiError(401, "unauthorized", _("A valid API token is required."))


def require_can(action: str, obj: Any = None) -> None:
    """401 for anonymous callers, 403 for others, unless allowed."""
    if not can(api_user(), action, obj):
        require_login()
        raise ApiError(403, "forbidden", _("You may not do this."))


def json_body(schema: Any, *, required: bool = True) -> Callable:
    """Document ``schema`` as the endpoint's JSON body (``required=False``: it may be left
    out). The endpoint reads it with ``read(schema)`` after its checks of the caller and of the
    path, so that a 401, 403 or 404 comes before a 400 for the body."""
    content = {"application/json": {"schema": schema}}
    return bp.doc(requestBody={"required": required, "content": content})


def read(schema: Any) -> dict[str, Any]:
    """The request's JSON body loaded with ``schema`` (a 400 naming each refused field)."""
    return bp.ARGUMENTS_PARSER.parse(schema, request, location="json")


def not_found() -> ApiError:
    """The 404 of an object that does not exist or that the caller may not see."""
    return ApiError(404, "not_found", _("Not found."))


def get_visible(model: type, ident: int, action: str = "view"):
    """Load an object by id; 404 when missing or unseen, 403 when seen but not allowed."""
    obj = db.session.get(model, ident)
    if obj is None or not can(api_user(), "view", obj):
        raise not_found()
    if action != "view":
        require_can(action, obj)
    return obj


def invalid(field: str, message: str) -> ApiError:
    """A 400 for one field of the request."""
    return ApiError(400, "invalid", str(message), {field: [str(message)]})


def related(model: type, ident: int | None, field: str, message: str, *, visible: bool = False):
    """The object a body names by id (None stays None); 400 naming the field when there is
    none (or, ``visible``, when the caller may not see it)."""
    if ident is None:
        return None
    obj = db.session.get(model, ident)
    if obj is None or (visible and not can(api_user(), "view", obj)):
        raise invalid(field, message)
    return obj


def related_all(
    model: type, idents: Iterable[int] | None, field: str, message: str, *, visible: bool = False
) -> list:
    """The objects a body names by a list of ids, in its order, each once (see ``related``)."""
    return [
        related(model, ident, field, message, visible=visible)
        for ident in dict.fromkeys(idents or [])
    ]


# --- pagination ---------------------------------------------------------------------------------


class Query(s.Schema):
    """The base of a query string's schema: parameters it does not know are left alone."""

    class Meta:
        unknown = "exclude"


class PageQuery(Query):
    """``?page=`` (from 1) and ``?per_page=`` (at most MAX_PER_PAGE) of a list endpoint."""

    page = s.Integer(
        strict=False, low=1, load_default=1, metadata={"description": "The page, from 1."}
    )
    per_page = s.Integer(
        strict=False,
        low=1,
        high=MAX_PER_PAGE,
        load_default=PER_PAGE,
        metadata={
            "description": f"Items per page: {PER_PAGE} unless asked, at most {MAX_PER_PAGE} "
            "(more answers 400)."
        },
    )


def paginate(rows: Select[Any] | Sequence[Any], query: dict[str, Any]) -> Page:
    """The page of ``rows`` (a query or a list, in a stable order) the query string asks for."""
    return pages.paginate(rows, query["page"], query["per_page"])


_PAGES: dict[type, type] = {}


def page_of(schema: type) -> type:
    """The schema of one page of a list of ``schema`` (``<Name>Page`` in the document)."""
    if schema not in _PAGES:
        name = schema.__name__.removesuffix("Schema")
        _PAGES[schema] = type(
            f"{name}PageSchema",
            (s.Schema,),
            {
                "__doc__": f"One page of {name} objects.",
                "items": s.List(s.Object(schema), required=True),
                "page": s.Integer(required=True, metadata={"description": "This page, from 1."}),
                "per_page": s.Integer(required=True, metadata={"description": "Its size."}),
                "total": s.Integer(
                    required=True, metadata={"description": "How many there are in all."}
                ),
            },
        )
    return _PAGES[schema]


def listing(schema: type, filters: type | None = None) -> Callable:
    """Decorate a list endpoint: its query string (its ``filters`` and the page) is loaded
    and passed as one dict, and it returns one ``Page`` of ``schema``."""
    query = PageQuery if filters is None else type(filters.__name__, (filters, PageQuery), {})

    def decorate(func: Callable) -> Callable:
        return bp.arguments(query, location="query")(bp.response(200, page_of(schema))(func))

    return decorate


# --- what the document says of errors ---------------------------------------------------------


class ErrorBodySchema(s.Schema):
    """What went wrong."""

    code = s.Text(required=True, metadata={"description": "A machine code: invalid, conflict…"})
    message = s.Text(required=True, metadata={"description": "In the caller's language."})
    # a field named like Schema.fields: marshmallow takes declared fields off the class
    fields = s.Mapping(  # type: ignore[assignment]
        keys=s.Text(),
        values=s.List(s.Text()),
        required=True,
        metadata={"description": "Messages per field of the request (dotted when nested)."},
    )


class ErrorSchema(s.Schema):
    """Every error of the API."""

    error = s.Object(ErrorBodySchema, required=True)


#: HTTP statuses by the name of their documented response (flask-smorest's names)
_RESPONSES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    409: "CONFLICT",
}


def errors(*statuses: int) -> Callable:
    """Document the error answers an endpoint may give."""

    def decorate(func: Callable) -> Callable:
        for status in statuses:
            func = bp.alt_response(status, response=_RESPONSES[status])(func)
        return func

    return decorate
