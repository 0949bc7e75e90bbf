"""Feed tokens: create (shown once), choose the reminder, revoke, regenerate."""

from __future__ import annotations

import logging
import secrets

from flask_babel import gettext as _

from rosemeet.accounts.models import Person
from rosemeet.accounts.operations import hash_token
from rosemeet.calendar.models import FeedScope, FeedToken
from rosemeet.core.errors import Refused
from rosemeet.core.permissions import can
from rosemeet.db import utcnow
from rosemeet.extensions import db
from rosemeet.network.models import Body, Organisation

logger = logging.getLogger(__name__)

#: the reminders a feed may carry, in minutes before each meeting (none is also fine)
ALARM_MINUTES = (15, 60, 1440, 2880)


class FeedError(Refused):
    """A refused feed (message translated)."""


def feed_target(scope: FeedScope, target_id: int | None):
    """The body or organisation a feed is about (None for person and public feeds)."""
    if scope is FeedScope.BODY:
        return db.session.get(Body, target_id or 0)
    if scope is FeedScope.ORGANISATION:
        return db.session.get(Organisation, target_id or 0)
    return None


def default_name(person: Person, scope: FeedScope, target) -> str:
    """What the calendar is called in the calendar application."""
    if scope is FeedScope.PERSON:
        return _("ROSE: meetings of %(name)s", name=person.name)
    if scope is FeedScope.PUBLIC:
        return _("ROSE: public meetings")
    return f"ROSE: {target.name}"


def _checked_alarm(minutes: int | None) -> int | None:
    if minutes is not None and minutes not in ALARM_MINUTES:
        raise FeedError(_("Choose one of the reminders in the list."), "alarm")
    return minutes


def set_alarm(feed: FeedToken, minutes: int | None) -> None:
    """Give every event of the feed a reminder this many minutes before (None: none)."""
    feed.alarm_minutes = _checked_alarm(minutes)
    db.session.flush()
    logger.info("feed %s reminder set to %s minutes", feed.id, minutes)


def create_feed(
    person: Person,
    scope: FeedScope,
    target_id: int | None = None,
    alarm_minutes: int | None = None,
) -> tuple[FeedToken, str]:
    """Make a feed of what ``person`` may see, with an optional reminder before each meeting;
    returns the row and the token (shown once)."""
    alarm_minutes = _checked_alarm(alarm_minutes)
    target = feed_target(scope, target_id)
    if scope in (FeedScope.BODY, FeedScope.ORGANISATION) and (
        target is None or not can(person, "view", target)
    ):
        raise FeedError(_("This body or organisation does not exist, or you may not see it."))
    plain = secrets.token_urlsafe(32)  # 256 random bits
    feed = FeedToken(
        person=person,
        scope=scope,
        target_id=target.id if target is not None else None,
        name=default_name(person, scope, target),
        token_hash=hash_token(plain),
        alarm_minutes=alarm_minutes,
    )
    db.session.add(feed)
    db.session.flush()
    logger.info("feed %s (%s) created for person %s", feed.id, scope.value, person.id)
    return feed, plain


def revoke_feed(feed: FeedToken) -> None:
    """Revoke: the URL answers 404 from now on."""
    feed.revoked_at = feed.revoked_at or utcnow()
    db.session.flush()


def regenerate_feed(feed: FeedToken) -> tuple[FeedToken, str]:
    """Revoke a feed and make a new one with the same scope and reminder (a new URL)."""
    revoke_feed(feed)
    return create_feed(feed.person, feed.scope, feed.target_id, feed.alarm_minutes)
