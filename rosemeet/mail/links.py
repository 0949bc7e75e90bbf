"""Secret links in e-mails (reset, invitation, one-click answers), made when a message is sent.

An outbox row never holds a token, so neither the admin mail page nor a backup can be used
to take over an account or answer for someone. The domain that queues a message renders
``placeholder(name)`` (``[[link:name]]``) where a secret link goes and names a link kind
with its arguments (``link_kind="rsvp"``, ``link_args={"meeting": 4, "person": 9}``: ids,
never a token). When delivery builds the e-mail it asks the kind's link maker for fresh URLs
and fills them in (``fill``); pages show the message with ``[link]`` instead (``mask``).

Registry: the domain that owns a kind of link writes its maker in its operations module, next
to the token code it wraps, and its ``setup(app)`` registers it on the app with
``register_link_maker`` (as it registers its reminder kinds), so importing a module registers
nothing. create_app runs every setup in every process (web, scheduler, CLI), so the makers are
there before anything is delivered; a kind without a maker fails its messages with a reason
instead of sending a dead link.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping

from flask import Flask, current_app

#: ``maker(**link_args) -> {placeholder name: absolute URL}``; raises LinkUnavailable
LinkMaker = Callable[..., dict[str, str]]

#: where an app keeps its link makers: kind -> maker
REGISTRY = "rosemeet_link_makers"

#: where a secret link goes in a stored body
PLACEHOLDER = re.compile(r"\[\[link:(?P<name>[a-z_]{1,40})\]\]")
#: what pages show instead of a secret link
MASK = "[link]"
#: a secret link written out in full (rows queued before links were made at send time)
_SECRET_URL = re.compile(
    r"(?:https?://[^\s\"'<>/]+)?/(?:password/reset|invitation|rsvp|feeds)/[^\s\"'<>]+"
)


class LinkUnavailable(Exception):
    """The link can no longer be made (person gone, link expired, meeting over): the message
    would be useless or misleading, so it is failed with this reason instead of being sent."""


def register_link_maker(app: Flask, maker: LinkMaker, *kinds: str) -> None:
    """Let ``maker`` make the links of these kinds on this app (a domain's setup calls this)."""
    makers: dict[str, LinkMaker] = app.extensions.setdefault(REGISTRY, {})
    for kind in kinds:
        if kind in makers:
            raise ValueError(f"link kind {kind!r} is registered twice")
        makers[kind] = maker


def placeholder(name: str) -> str:
    """The stored stand-in for the secret link ``name``."""
    if not re.fullmatch(r"[a-z_]{1,40}", name):
        raise ValueError(f"bad link name {name!r}")
    return f"[[link:{name}]]"


def placeholders(*names: str) -> dict[str, str]:
    """``{name: placeholder(name)}`` for a template context."""
    return {name: placeholder(name) for name in names}


def make_links(kind: str, args: Mapping | None) -> dict[str, str]:
    """The fresh URLs of a message's secret links."""
    maker = current_app.extensions.get(REGISTRY, {}).get(kind)
    if maker is None:
        raise LinkUnavailable(f"no link maker for {kind!r}")
    return maker(**(args or {}))


def fill(text: str | None, urls: Mapping[str, str], *, as_html: bool = False) -> str | None:
    """``text`` with each known placeholder replaced by its URL (escaped in HTML)."""
    if not text:
        return text

    def url(match: re.Match) -> str:
        value = urls.get(match["name"])
        if value is None:
            return match[0]
        return html.escape(value) if as_html else value

    return PLACEHOLDER.sub(url, text)


def mask(text: str | None) -> str:
    """``text`` as pages may show it: placeholders and any secret URL become ``[link]``."""
    if not text:
        return text or ""
    return _SECRET_URL.sub(MASK, PLACEHOLDER.sub(MASK, text))
