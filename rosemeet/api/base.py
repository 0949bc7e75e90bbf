"""The API blueprint: token authentication, JSON bodies, errors, and the OpenAPI registry."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from rosemeet.accounts.operations import person_for_api_token
from rosemeet.core.errors import ApiError
from rosemeet.core.permissions import can
from rosemeet.extensions import csrf, db

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens, not cookies: no CSRF exposure

#: OpenAPI path items, filled by ``document()`` next to each endpoint
PATHS: dict[str, dict[str, Any]] = {}
#: OpenAPI component schemas
SCHEMAS: dict[str, dict[str, Any]] = {}


class _Anonymous:
    """An anonymous API caller."""

    is_authenticated = False
    is_admin = False
    id = None


@bp.before_request
def authenticate() -> None:
    """Read ``Authorization: Bearer <token>``; anonymous callers get public data only."""
    header = request.headers.get("Authorization", "")
    g.api_user = _Anonymous()
    if not header:
        return
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", _("Use the header Authorization: Bearer <token>."))
    person = person_for_api_token(token.strip())
    if person is None:
        raise ApiError(401, "unauthorized", _("The token is unknown or revoked."))
    if db.session.dirty:
        db.session.commit()  # last_used_at, at most every few minutes
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
    """The request's JSON object, or a 400."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(
            400, "invalid_json", _("Send a JSON object with Content-Type application/json.")
        )
    return data


def document(path: str, method: str, **operation: Any):
    """Describe an endpoint in the OpenAPI document (next to its code, so they stay together)."""

    def register(func):
        operation.setdefault("operationId", func.__name__)
        operation.setdefault("summary", (func.__doc__ or "").strip().splitlines()[0])
        operation.setdefault("responses", {"200": {"description": "OK"}})
        PATHS.setdefault(path, {})[method.lower()] = operation
        return func

    return register


def error_responses(*codes: int) -> dict[str, Any]:
    """OpenAPI responses for the error codes an endpoint may answer."""
    return {str(c): {"$ref": f"#/components/responses/Error{c}"} for c in codes}


def validated_form(form_class, data: dict[str, Any], choices: dict | None = None):
    """Validate JSON with the same Flask-WTF form the UI uses; 400 with per-field messages."""
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
    if not form.validate():
        raise ApiError(
            400,
            "invalid",
            _("Some fields are not valid."),
            {name: [str(m) for m in msgs] for name, msgs in form.errors.items()},
        )
    return form


# --- OpenAPI fragments shared by the endpoint notes -----------------------------------------


def _schema_ref(schema: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{schema}"}


def path_params(*names: str) -> list[dict[str, Any]]:
    """Integer path parameters."""
    return [
        {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}
        for name in names
    ]


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
