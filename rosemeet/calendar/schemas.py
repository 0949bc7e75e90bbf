"""Calendar feeds as JSON: what a client asks for (a scope, and the body or organisation) and
the feed it gets, with its addresses (shown this once: only the token's hash is kept)."""

from __future__ import annotations

from dataclasses import dataclass

from rosemeet.calendar.models import FeedScope, FeedToken
from rosemeet.calendar.views import feed_urls
from rosemeet.core import schemas as s


@dataclass
class CreatedFeed:
    """A feed just made, with its token."""

    feed: FeedToken
    token: str


class FeedSchema(s.Schema):
    """A calendar feed of what its owner may see."""

    id = s.Id(
        allow_none=True,
        source=lambda new: new.feed.id,
        metadata={
            "description": "Sent: the body or organisation (those scopes); answered: the feed."
        },
    )
    name = s.Text(dump_only=True, required=True, source=lambda new: new.feed.name)
    scope = s.Choice(FeedScope, required=True, source=lambda new: new.feed.scope)
    url = s.Url(dump_only=True, required=True, source=lambda new: feed_urls(new.token)["url"])
    webcal_url = s.Text(
        dump_only=True, required=True, source=lambda new: feed_urls(new.token)["webcal_url"]
    )
