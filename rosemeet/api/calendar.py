"""API: calendar feeds."""

from __future__ import annotations

from flask_babel import gettext as _

from rosemeet.api.base import (
    api_user,
    bp,
    errors,
    get_visible,
    invalid,
    json_body,
    read,
    require_login,
)
from rosemeet.calendar import operations as ops
from rosemeet.calendar.models import FeedScope
from rosemeet.calendar.schemas import CreatedFeed, FeedSchema
from rosemeet.network.models import Body, Organisation

#: the scopes of a feed that name one object by id
_TARGETS = {FeedScope.BODY: Body, FeedScope.ORGANISATION: Organisation}


@bp.post("/feeds")
@json_body(FeedSchema)
@bp.response(201, FeedSchema)
@errors(400, 401, 404)
def create_feed():
    """Create a calendar feed of what the caller may see; the URL is returned only once."""
    require_login()
    data = read(FeedSchema)
    scope, target = data["scope"], data.get("id")
    if scope in _TARGETS:
        if target is None:
            raise invalid("id", _("Give the id of the body or organisation."))
        get_visible(_TARGETS[scope], target)
    else:
        target = None
    feed, token = ops.create_feed(api_user(), scope, target)
    return CreatedFeed(feed, token)
