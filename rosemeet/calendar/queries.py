"""Which meetings a feed holds, what their events show beyond the meeting (the published
agenda, the papers), and a cheap version stamp of it all."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import ColumnElement, Integer, String, bindparam, cast, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from rosemeet.accounts.models import Person
from rosemeet.accounts.operations import hash_token
from rosemeet.agendas.models import Agenda, AgendaItem, AgendaStatus
from rosemeet.calendar.models import FeedScope, FeedToken
from rosemeet.core.permissions import can
from rosemeet.core.time import local_today
from rosemeet.db import utcnow
from rosemeet.documents.models import Document
from rosemeet.documents.queries import document_href, meeting_papers
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
        select(
            func.max(Meeting.updated_at),
            func.count(Meeting.id),
            *_visibility(),
            *_extras_stamp(select(Meeting.id).where(scope_filter(feed), _window(since))),
        ).where(scope_filter(feed), _window(since)),
        {"feed_owner": feed.person_id, "window_start": since},
    ).one()
    if latest is not None and latest.tzinfo is None:  # SQLite's max() loses the type
        latest = datetime.fromisoformat(str(latest)).replace(tzinfo=UTC)
    changed = max(latest or feed.created_at, feed.created_at)
    owner = feed.person
    visibility.extend([owner.is_admin, owner.is_active_account, local_today()])
    seen = hashlib.sha256(repr(visibility).encode()).hexdigest()[:16]
    day = utcnow().date().isoformat()  # the window moves daily
    alarm = feed.alarm_minutes if feed.alarm_minutes is not None else "-"
    return f"{feed.id}:{changed.isoformat()}:{count}:{seen}:{day}:{alarm}", changed


def _extras_stamp(meeting_ids) -> tuple[ColumnElement[str], ...]:
    """What changes the events beyond the meetings' own rows, as strings: which agendas are
    published, the items and the documents of the meetings (count and latest change)."""
    items = AgendaItem.meeting_id.in_(meeting_ids)
    documents = or_(
        Document.meeting_id.in_(meeting_ids),
        Document.agenda_item_id.in_(select(AgendaItem.id).where(items)),
    )
    return (
        _listed(
            _text(Agenda.meeting_id),
            _text(Agenda.status),
            where=[Agenda.meeting_id.in_(meeting_ids)],
            order_by=Agenda.meeting_id,
        ),
        select(_text(func.count(AgendaItem.id)) + "/" + _text(func.max(AgendaItem.updated_at)))
        .where(items)
        .scalar_subquery(),
        select(_text(func.count(Document.id)) + "/" + _text(func.max(Document.updated_at)))
        .where(documents)
        .scalar_subquery(),
    )


@dataclass(frozen=True)
class EventExtras:
    """What a meeting's event shows beyond the meeting: its published agenda and papers."""

    #: the published agenda's item titles, in order (empty: no published agenda)
    agenda: tuple[str, ...] = ()
    #: (title, full URL) of each paper everyone invited may read, in agenda order
    papers: tuple[tuple[str, str], ...] = ()


def published_titles(meeting_ids: Iterable[int]) -> dict[int, list[str]]:
    """The item titles of the published agendas of these meetings, in order (one query)."""
    ids = list(meeting_ids)
    titles: dict[int, list[str]] = {}
    if not ids:
        return titles
    rows = db.session.execute(
        select(AgendaItem.meeting_id, AgendaItem.title)
        .join(Agenda, Agenda.meeting_id == AgendaItem.meeting_id)
        .where(AgendaItem.meeting_id.in_(ids), Agenda.status == AgendaStatus.PUBLISHED)
        .order_by(AgendaItem.meeting_id, AgendaItem.position, AgendaItem.id)
    )
    for meeting_id, title in rows:
        if meeting_id is not None:  # always: it is in ``ids``
            titles.setdefault(meeting_id, []).append(title)
    return titles


def papers_of(meeting_ids: Iterable[int]) -> dict[int, list[Document]]:
    """The papers of these meetings that everyone invited may read (all but the internal
    ones), in the order of ``documents.queries.meeting_papers``: the meeting's own, then per
    item in agenda order, then the minutes' annexes (one query)."""
    ids = list(meeting_ids)
    papers: dict[int, list[Document]] = {}
    if not ids:
        return papers
    rows = db.session.execute(
        select(Document, AgendaItem.meeting_id, AgendaItem.position, AgendaItem.id)
        .outerjoin(AgendaItem, AgendaItem.id == Document.agenda_item_id)
        .where(
            or_(
                Document.meeting_id.in_(ids),
                Document.agenda_item_id.in_(
                    select(AgendaItem.id).where(AgendaItem.meeting_id.in_(ids))
                ),
            ),
            Document.internal.is_(False),
        )
        .order_by(Document.created_at, Document.id)
    ).all()

    def place(row) -> tuple:
        document, _meeting, position, item_id = row
        if document.agenda_item_id is not None:
            return (1, position, item_id)
        return (2 if document.on_minutes else 0, 0, 0)

    for row in sorted(rows, key=place):  # a stable sort: oldest first within each place
        document, item_meeting = row[0], row[1]
        meeting_id = document.meeting_id or item_meeting
        if meeting_id is not None:  # one of them is in ``ids``
            papers.setdefault(meeting_id, []).append(document)
    return papers


def _full_href(document: Document) -> str:
    """A paper's full URL on the app's public address (like the meeting page's), or the
    address of a link."""
    href = document_href(document)
    return href if document.url is not None else current_app.config["BASE_URL"] + href


def _extras(titles: list[str], documents: Iterable[Document]) -> EventExtras:
    return EventExtras(
        agenda=tuple(titles), papers=tuple((d.title, _full_href(d)) for d in documents)
    )


def feed_extras(meetings: list[Meeting]) -> dict[int, EventExtras]:
    """The extras of a feed's meetings by meeting id, in two queries (needs a request)."""
    ids = [m.id for m in meetings]
    titles, papers = published_titles(ids), papers_of(ids)
    return {i: _extras(titles.get(i, []), papers.get(i, [])) for i in ids}


def meeting_extras(meeting: Meeting) -> EventExtras:
    """The extras of one meeting's event (its .ics download, the calendar buttons)."""
    titles = published_titles([meeting.id]).get(meeting.id, [])
    return _extras(titles, [p.document for p in meeting_papers(None, meeting)])


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
