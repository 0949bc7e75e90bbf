"""API: calendar feeds."""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _

from rosemeet.api.base import (
    SCHEMAS,
    api_user,
    bp,
    document,
    error_responses,
    json_body,
    one_response,
    request_body,
    require_login,
)
from rosemeet.calendar import operations as ops
from rosemeet.calendar.models import FeedScope
from rosemeet.calendar.views import feed_urls
from rosemeet.core.errors import ApiError
from rosemeet.extensions import db

SCHEMAS["FeedRequest"] = {
    "type": "object",
    "required": ["scope"],
    "properties": {
        "scope": {"type": "string", "enum": [s.value for s in FeedScope]},
        "id": {"type": ["integer", "null"], "description": "body or organisation id"},
    },
}
SCHEMAS["Feed"] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "scope": {"type": "string"},
        "url": {"type": "string", "format": "uri"},
        "webcal_url": {"type": "string"},
    },
}


@bp.post("/feeds")
@document(
    "/feeds",
    "post",
    requestBody=request_body("FeedRequest"),
    responses={**one_response("Feed", "201"), **error_responses(400, 401, 404)},
)
def create_feed():
    """Create a calendar feed of what the caller may see; the URL is returned only once."""
    require_login()
    data = json_body()
    scope = FeedScope.parse(data.get("scope"))
    if scope is None:
        message = _("Choose a scope: person, body, organisation or public.")
        raise ApiError(400, "invalid", message, {"scope": [message]})
    target = data.get("id")
    if scope in (FeedScope.BODY, FeedScope.ORGANISATION) and not isinstance(target, int):
        message = _("Give the id of the body or organisation.")
        raise ApiError(400, "invalid", message, {"id": [message]})
    try:
        feed, token = ops.create_feed(api_user(), scope, target)
    except ops.FeedError as exc:
        raise ApiError(404, "not_found", str(exc)) from None
    db.session.commit()
    return jsonify(id=feed.id, name=feed.name, scope=scope.value, **feed_urls(token)), 201
