"""The API blueprint: token authentication, JSON bodies, errors, and the OpenAPI registry."""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Blueprint, g, request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from wtforms import FieldList, SelectMultipleField

from rosemeet.accounts.operations import person_for_api_token
from rosemeet.core.errors import ApiError, commit_bookkeeping
from rosemeet.core.forms import text_error
from rosemeet.core.permissions import can
from rosemeet.core.web import MAX_ID, date_range_message, in_date_range, parse_id
from rosemeet.extensions import csrf, db

logger = logging.getLogger(__name__)

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens, not cookies: no CSRF exposure

#: OpenAPI path items, filled by ``document()`` next to each endpoint
PATHS: dict[str, dict[str, Any]] = {}
#: OpenAPI component schemas
SCHEMAS: dict[str, dict[str, Any]] = {}
#: the JSON schema of each endpoint's request body (by view function name), for ``json_body``
BODY_SCHEMAS: dict[str, dict[str, Any]] = {}
#: how deep a request's JSON may nest (the deepest documented body nests three levels)
MAX_JSON_DEPTH = 32


class _Anonymous:
    """An anonymous API caller."""

    is_authenticated = False
    is_admin = False
    id = None


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


def get_visible(model: type, ident: int, action: str = "view"):
    """Load an object by id; 404 when missing or unseen, 403 when seen but not allowed."""
    obj = db.session.get(model, ident)
    if obj is None or not can(api_user(), "view", obj):
        raise ApiError(404, "not_found", _("Not found."))
    if action != "view":
        require_can(action, obj)
    return obj


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 400: ``invalid_json`` when it is no JSON object (or nests
    too deep, or holds lone surrogates), ``invalid`` with per-field messages when a field has
    another JSON type than the endpoint's documented request body gives it."""
    data = _parse_json()
    schema = BODY_SCHEMAS.get((request.endpoint or "").rpartition(".")[2])
    if schema is not None:
        errors = shape_errors(data, schema)
        if errors:
            raise ApiError(400, "invalid", _("Some fields are not valid."), errors)
    return data


def _parse_json() -> dict[str, Any]:
    """The request body as a JSON object: parsed once, bounded in depth, valid Unicode."""
    refused = ApiError(
        400, "invalid_json", _("Send a JSON object with Content-Type application/json.")
    )
    if not request.is_json:
        raise refused
    try:
        data = json.loads(request.get_data(cache=True))
    except (ValueError, RecursionError):  # RecursionError: nested thousands of levels deep
        raise refused from None
    if not isinstance(data, dict):
        raise refused
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
    return data


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


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    return SCHEMAS.get(ref.rpartition("/")[2], {}) if ref else schema


def _has_type(value: Any, kind: str) -> bool:
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool) and abs(value) <= MAX_ID
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    types = {"string": str, "boolean": bool, "array": list, "object": dict, "null": type(None)}
    return isinstance(value, types.get(kind, object))


def _expected(schema: dict[str, Any]) -> str:
    """What a value of the schema must be, as a translated message."""
    kinds = schema.get("type")
    kinds = [kinds] if isinstance(kinds, str) else list(kinds or [])
    item = _resolve(schema.get("items") or {}).get("type")
    words = {
        "string": _("a text"),
        "integer": _("a whole number"),
        "number": _("a number"),
        "boolean": _("true or false"),
        "object": _("a JSON object"),
        "null": _("null"),
        "array": {
            "integer": _("a list of whole numbers"),
            "string": _("a list of texts"),
        }.get(item, _("a list")),
    }
    return _("Expected %(what)s.", what=_(" or ").join(words.get(k, k) for k in kinds))


def shape_errors(value: Any, schema: dict[str, Any], name: str = "") -> dict[str, list[str]]:
    """Per-field messages where ``value`` has other JSON types than ``schema`` documents
    (properties it does not document are left to the endpoint)."""
    schema = _resolve(schema)
    kinds = schema.get("type")
    if kinds is None:
        return {}
    kinds = [kinds] if isinstance(kinds, str) else kinds
    if not any(_has_type(value, k) for k in kinds):
        return {name or "body": [_expected(schema)]}
    if isinstance(value, list) and "items" in schema:
        item_schema = _resolve(schema["items"])
        if any(shape_errors(item, item_schema) for item in value):
            return {name or "body": [_expected(schema)]}
    errors: dict[str, list[str]] = {}
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for key, item in value.items():
            if key in properties:
                errors.update(shape_errors(item, properties[key], f"{name}.{key}" if name else key))
    return errors


def document(path: str, method: str, **operation: Any):
    """Describe an endpoint in the OpenAPI document (next to its code, so they stay together)."""

    def register(func):
        operation.setdefault("operationId", func.__name__)
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body is not None:
            BODY_SCHEMAS[func.__name__] = body["schema"]
        operation.setdefault("summary", (func.__doc__ or "").strip().splitlines()[0])
        operation.setdefault("responses", {"200": {"description": "OK"}})
        PATHS.setdefault(path, {})[method.lower()] = operation
        return func

    return register


def error_responses(*codes: int) -> dict[str, Any]:
    """OpenAPI responses for the error codes an endpoint may answer."""
    return {str(c): {"$ref": f"#/components/responses/Error{c}"} for c in codes}


def checked_text(data: dict[str, Any], name: str, *, multiline: bool = False):
    """A text field of a JSON body that no form validates, refused (400) when it holds control
    characters, as every form field is."""
    value = data.get(name)
    message = text_error(value, multiline=multiline)
    if message:
        raise ApiError(400, "invalid", message, {name: [message]})
    return value


def validated_form(form_class, data: dict[str, Any], choices: dict | None = None):
    """Validate JSON with the same Flask-WTF form the UI uses; 400 with per-field messages
    (also for a single value where the field takes a list, and a list where it takes one)."""
    flat = MultiDict()
    for key, value in data.items():
        if isinstance(value, bool):
            flat[key] = "y" if value else ""
        elif isinstance(value, list):
            flat.setlist(key, [str(v) for v in value])
        elif value is not None:
            flat[key] = str(value)
    form = form_class(formdata=flat, meta={"csrf": False})
    for name, options in (choices or {}).items():
        getattr(form, name).choices = options
    errors = _shape_of_fields(form, data)
    if errors or not form.validate():
        fields = {name: [str(m) for m in msgs] for name, msgs in form.errors.items()}
        raise ApiError(400, "invalid", _("Some fields are not valid."), {**fields, **errors})
    return form


def _shape_of_fields(form, data: dict[str, Any]) -> dict[str, list[str]]:
    """Fields sent as a list where the form takes one value, or the other way round."""
    errors = {}
    for name, value in data.items():
        field = form._fields.get(name)
        if field is None or value is None:
            continue
        many = isinstance(field, SelectMultipleField | FieldList)
        if many and not (isinstance(value, list) and all(_is_scalar(v) for v in value)):
            errors[name] = [_("Send a list of values.")]
        elif not many and not _is_scalar(value):
            errors[name] = [_("Send one value, not a list or an object.")]
    return errors


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


def check_date_range(**values) -> None:
    """400 naming each date or time (``name=value``) that lies outside the years rosemeet
    accepts (None is fine: the field was left out)."""
    message = date_range_message()
    wrong = {name: [message] for name, value in values.items() if not in_date_range(value)}
    if wrong:
        raise ApiError(400, "invalid", _("Some fields are not valid."), wrong)


# --- OpenAPI fragments shared by the endpoint notes -----------------------------------------


def _schema_ref(schema: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{schema}"}


#: the schema of an id: what the routes and ``parse_id`` accept (and what the database holds)
ID_SCHEMA = {"type": "integer", "format": "int32", "minimum": 1, "maximum": MAX_ID}


def path_params(*names: str) -> list[dict[str, Any]]:
    """Id path parameters."""
    return [{"name": name, "in": "path", "required": True, "schema": ID_SCHEMA} for name in names]


def id_query(*names: str) -> list[dict[str, Any]]:
    """Optional id filters in the query string."""
    return [{"name": name, "in": "query", "schema": ID_SCHEMA} for name in names]


def id_arg(name: str) -> int | None:
    """An id filter from the query string; None when absent, 400 when it is no id."""
    value = request.args.get(name)
    if value is None:
        return None
    number = parse_id(value)
    if not number:
        message = _("Give the id of an existing object (a whole number from 1).")
        raise ApiError(400, "invalid", message, {name: [message]})
    return number


def one_response(schema: str, status: str = "200") -> dict[str, Any]:
    """A response with one object of a component schema."""
    content = {"application/json": {"schema": _schema_ref(schema)}}
    return {status: {"description": "OK", "content": content}}


def list_response(schema: str) -> dict[str, Any]:
    """A 200 response ``{"items": [...]}`` of a component schema."""
    items = {"type": "array", "items": _schema_ref(schema)}
    content = {"application/json": {"schema": {"type": "object", "properties": {"items": items}}}}
    return {"200": {"description": "OK", "content": content}}


def request_body(schema: str) -> dict[str, Any]:
    """A required JSON request body of a component schema."""
    return {"required": True, "content": {"application/json": {"schema": _schema_ref(schema)}}}
