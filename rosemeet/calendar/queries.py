"""Which meetings a feed holds, and a cheap version stamp of them."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import ColumnElement, Integer, String, bindparam, cast, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from rosemeet.accounts.models import Person
from rosemeet.accounts.operations import hash_token
from rosemeet.calendar.models import FeedScope, FeedToken
from rosemeet.core.permissions import can
from rosemeet.core.time import local_today
from rosemeet.db import utcnow
from rosemeet.extensions import db
from rosemeet.meetings.models import Attendance, Meeting, meeting_body
from rosemeet.meetings.permissions import sees_meeting
from rosemeet.meetings.queries import invitee_ids
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


def _window(since: datetime | None = None) -> ColumnElement[bool]:
    return Meeting.ends_at >= (since or utcnow() - PAST_WINDOW)


def _listed(*columns, where=(), order_by=None):
    """A scalar subquery that lists rows as one string: a changed set of rows gives a
    changed string (the order is asked for, but only a cache miss depends on it)."""
    row = columns[0]
    for column in columns[1:]:
        row = row + "/" + column
    rows = select(row.label("row")).where(*where).order_by(order_by).subquery()
    return select(func.aggregate_strings(rows.c.row, ",")).scalar_subquery()


def _text(column) -> ColumnElement[str]:
    return func.coalesce(cast(column, String), "-")


#: the bound values of ``_visibility()``: the feed's owner and the start of its window
_OWNER = bindparam("feed_owner", type_=Integer)
_SINCE = bindparam("window_start", type_=Meeting.__table__.c.ends_at.type)


@cache
def _visibility() -> tuple[ColumnElement[str], ...]:
    """What decides which of a feed's meetings its owner may see, as listed strings: the
    owner's memberships (body, role, period), the owner's guest seats in the window, and
    which bodies are public or archived. Built once (bound to ``_OWNER`` and ``_SINCE``):
    building it costs more than running it."""
    seats = _listed(
        _text(Membership.id),
        _text(Membership.body_id),
        _text(Membership.role),
        _text(Membership.since),
        _text(Membership.until),
        where=[Membership.person_id == _OWNER],
        order_by=Membership.id,
    )
    guest_of = _listed(
        _text(Attendance.meeting_id),
        where=[
            Attendance.person_id == _OWNER,
            Attendance.is_guest.is_(True),
            Attendance.meeting_id.in_(select(Meeting.id).where(Meeting.ends_at >= _SINCE)),
        ],
        order_by=Attendance.meeting_id,
    )
    bodies = _listed(
        _text(Body.id),
        _text(Body.is_public),
        _text(Body.archived_at.is_not(None)),
        where=[or_(Body.is_public.is_(True), Body.archived_at.is_not(None))],
        order_by=Body.id,
    )
    return seats, guest_of, bodies


def version_stamp(feed: FeedToken) -> tuple[str, datetime]:
    """A stamp that changes whenever the feed's content may change, and the time of the
    latest change to its meetings: one small aggregate query.

    Besides the meetings it holds what decides what the owner may see (memberships, guest
    seats, public and archived bodies, the owner's admin and active flags) and the day."""
    since = utcnow() - PAST_WINDOW
    latest, count, *visibility = db.session.execute(
        select(func.max(Meeting.updated_at), func.count(Meeting.id), *_visibility()).where(
            scope_filter(feed), _window(since)
        ),
        {"feed_owner": feed.person_id, "window_start": since},
    ).one()
    if latest is not None and latest.tzinfo is None:  # SQLite's max() loses the type
        latest = datetime.fromisoformat(str(latest)).replace(tzinfo=UTC)
    changed = max(latest or feed.created_at, feed.created_at)
    owner = feed.person
    visibility.extend([owner.is_admin, owner.is_active_account, local_today()])
    seen = hashlib.sha256(repr(visibility).encode()).hexdigest()[:16]
    day = utcnow().date().isoformat()  # the window moves daily
    return f"{feed.id}:{changed.isoformat()}:{count}:{seen}:{day}", changed


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
    # the meeting's own rule, not the wider one of the page: a feed does not carry the ROA's
    # meetings to the Actiegroep's members (they read its published records, see
    # ``meetings.permissions.receiving_reader``)
    visible = [m for m in rows if owner.is_admin or sees_meeting(owner, m)]
    if feed.scope is FeedScope.PERSON:
        visible = [m for m in visible if owner.id in invitee_ids(m)]
    return visible


def target_still_visible(feed: FeedToken) -> bool:
    """A body feed dies with its owner's right to see the body."""
    if feed.scope is not FeedScope.BODY:
        return True
    body = db.session.get(Body, feed.target_id)
    return body is not None and can(feed.person, "view", body)


def find_feed(plain: str) -> FeedToken | None:
    """The active feed of a token, if any."""
    feed = db.session.scalar(
        select(FeedToken)
        .where(FeedToken.token_hash == hash_token(plain))
        .options(joinedload(FeedToken.person))
    )
    if feed is None or not feed.is_active or not feed.person.is_active_account:
        return None
    return feed
