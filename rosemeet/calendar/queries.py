"""Which meetings a feed holds, and a cheap version stamp of them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import selectinload

from rosemeet.accounts.models import Person
from rosemeet.calendar.models import FeedScope, FeedToken
from rosemeet.core.permissions import can
from rosemeet.db import utcnow
from rosemeet.extensions import db
from rosemeet.meetings.models import Attendance, Meeting, meeting_body
from rosemeet.meetings.operations import invitee_ids
from rosemeet.network.models import Body, Membership

#: feeds hold the meetings of the last twelve months and all future ones
PAST_WINDOW = timedelta(days=365)


def _of_bodies(body_ids) -> ColumnElement[bool]:
    return Meeting.id.in_(
        select(meeting_body.c.meeting_id).where(meeting_body.c.body_id.in_(body_ids))
    )


def scope_filter(feed: FeedToken) -> ColumnElement[bool]:
    """The SQL condition for the meetings that may be in this feed (before permissions)."""
    if feed.scope is FeedScope.BODY:
        return _of_bodies([feed.target_id])
    if feed.scope is FeedScope.PUBLIC:
        return _of_bodies(select(Body.id).where(Body.is_public.is_(True)))
    if feed.scope is FeedScope.ORGANISATION:
        people = select(Person.id).where(Person.organisation_id == feed.target_id)
        return _of_bodies(select(Membership.body_id).where(Membership.person_id.in_(people)))
    guest_of = select(Attendance.meeting_id).where(Attendance.person_id == feed.person_id)
    bodies = select(Membership.body_id).where(Membership.person_id == feed.person_id)
    return or_(_of_bodies(bodies), Meeting.id.in_(guest_of))


def _window() -> ColumnElement[bool]:
    return Meeting.ends_at >= utcnow() - PAST_WINDOW


def version_stamp(feed: FeedToken) -> tuple[str, datetime]:
    """A stamp that changes whenever the feed's content may change, and the time of the
    latest change: one small aggregate query."""
    memberships = (
        select(func.count(Membership.id) + func.coalesce(func.max(Membership.id), 0))
        .where(Membership.person_id == feed.person_id)
        .scalar_subquery()
    )
    latest, count, seats = db.session.execute(
        select(func.max(Meeting.updated_at), func.count(Meeting.id), memberships).where(
            scope_filter(feed), _window()
        )
    ).one()
    if latest is not None and latest.tzinfo is None:  # SQLite's max() loses the type
        latest = datetime.fromisoformat(str(latest)).replace(tzinfo=UTC)
    changed = max(latest or feed.created_at, feed.created_at)
    day = utcnow().date().isoformat()  # the window moves daily
    return f"{feed.id}:{changed.isoformat()}:{count}:{seats}:{day}", changed


def feed_meetings(feed: FeedToken) -> list[Meeting]:
    """The meetings of a feed that its owner may see, by start."""
    rows = db.session.scalars(
        select(Meeting)
        .where(scope_filter(feed), _window())
        .options(
            selectinload(Meeting.bodies).selectinload(Body.memberships),
            selectinload(Meeting.attendances),
        )
        .order_by(Meeting.starts_at)
    ).all()
    owner = feed.person
    visible = [m for m in rows if can(owner, "view", m)]
    if feed.scope is FeedScope.PERSON:
        visible = [m for m in visible if owner.id in invitee_ids(m)]
    return visible


def target_still_visible(feed: FeedToken) -> bool:
    """A body feed dies with its owner's right to see the body."""
    if feed.scope is not FeedScope.BODY:
        return True
    body = db.session.get(Body, feed.target_id)
    return body is not None and can(feed.person, "view", body)
