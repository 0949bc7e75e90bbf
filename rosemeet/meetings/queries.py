"""Reads on meetings: who is invited, and what the views and the API share (lists, the month
calendar, attendance)."""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from rosemeet.accounts.models import Person
from rosemeet.core.time import LOCAL_TZ, local_today
from rosemeet.db import utcnow
from rosemeet.extensions import db
from rosemeet.meetings.models import (
    Attendance,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    Presence,
    QuorumBasis,
    QuorumRule,
    meeting_body,
    series_body,
)
from rosemeet.network.models import Body, Membership, Role
from rosemeet.network.queries import visible_bodies

#: what ``invitee_ids`` reads, loaded for many meetings at once
INVITEE_LOAD = (
    selectinload(Meeting.bodies).selectinload(Body.memberships),
    selectinload(Meeting.attendances),
)


def invitees(meeting: Meeting) -> list[Person]:
    """Members of the meeting's bodies (by role, on its date) and its guests, by name."""
    on = meeting.local_start.date()
    roles = set(meeting.roles)
    people: dict[int, Person] = {}
    for body in meeting.bodies:
        for membership in body.memberships:
            if membership.role in roles and membership.is_current(on):
                people[membership.person_id] = membership.person
    for attendance in meeting.attendances:
        if attendance.is_guest:
            people[attendance.person_id] = attendance.person
    return sorted(people.values(), key=lambda p: p.name.casefold())


def invitee_ids(meeting: Meeting) -> set[int]:
    """The ids of the invitees (from memberships and guest rows alone: loads no person)."""
    on = meeting.local_start.date()
    roles = set(meeting.roles)
    ids = {
        m.person_id
        for body in meeting.bodies
        for m in body.memberships
        if m.role in roles and m.is_current(on)
    }
    return ids | {a.person_id for a in meeting.attendances if a.is_guest}


def is_invitee(meeting: Meeting, person) -> bool:
    """Is this person invited to the meeting?"""
    return bool(getattr(person, "is_authenticated", True)) and getattr(
        person, "id", None
    ) in invitee_ids(meeting)


def local_day_start(day: date) -> datetime:
    """Midnight of a Brussels day, in UTC."""
    return datetime.combine(day, time(), LOCAL_TZ).astimezone(UTC)


def _load():
    return (selectinload(Meeting.bodies), selectinload(Meeting.series))


def _visible_filter(user, body_ids: list[int]):
    conditions = [
        Meeting.id.in_(
            select(meeting_body.c.meeting_id).where(meeting_body.c.body_id.in_(body_ids))
        )
    ]
    if getattr(user, "is_authenticated", False):
        conditions.append(
            Meeting.id.in_(
                select(Attendance.meeting_id).where(
                    Attendance.person_id == user.id, Attendance.is_guest.is_(True)
                )
            )
        )
    return or_(*conditions)


def visible_meetings(
    user,
    start: datetime,
    end: datetime,
    body_id: int | None = None,
) -> list[Meeting]:
    """Meetings the user may see that start in [start, end), by start; one body if asked."""
    if user is not None and getattr(user, "is_admin", False):
        body_ids = list(db.session.scalars(select(Body.id)))
    else:
        body_ids = [b.id for b in visible_bodies(user, include_archived=True)]
    query = (
        select(Meeting)
        .where(Meeting.starts_at >= start, Meeting.starts_at < end)
        .where(_visible_filter(user, body_ids))
        .options(*_load())
        .order_by(Meeting.starts_at, Meeting.id)
    )
    if body_id is not None:
        query = query.where(
            Meeting.id.in_(
                select(meeting_body.c.meeting_id).where(meeting_body.c.body_id == body_id)
            )
        )
    return list(db.session.scalars(query))


def my_meetings(person: Person, *, limit: int | None = None) -> list[Meeting]:
    """Upcoming meetings the person is invited to (through a body or as a guest)."""
    today = local_today()
    body_ids = select(Membership.body_id).where(
        Membership.person_id == person.id,
        or_(Membership.until.is_(None), Membership.until >= today),
    )
    guest_of = select(Attendance.meeting_id).where(
        Attendance.person_id == person.id, Attendance.is_guest.is_(True)
    )
    query = (
        select(Meeting)
        .where(Meeting.ends_at > utcnow())
        .where(
            or_(
                Meeting.id.in_(
                    select(meeting_body.c.meeting_id).where(meeting_body.c.body_id.in_(body_ids))
                ),
                Meeting.id.in_(guest_of),
            )
        )
        .options(
            *_load(),
            selectinload(Meeting.bodies).selectinload(Body.memberships),
            selectinload(Meeting.attendances),
        )
        .order_by(Meeting.starts_at)
    )
    rows = [m for m in db.session.scalars(query) if person.id in invitee_ids(m)]
    return rows[:limit] if limit else rows


def body_meetings(body: Body, *, upcoming: bool, limit: int = 12) -> list[Meeting]:
    """The body's next meetings (soonest first) or its past ones (latest first)."""
    now = utcnow()
    query = (
        select(Meeting)
        .where(
            Meeting.id.in_(
                select(meeting_body.c.meeting_id).where(meeting_body.c.body_id == body.id)
            )
        )
        .options(*_load())
        .limit(limit)
    )
    if upcoming:
        query = query.where(Meeting.ends_at > now).order_by(Meeting.starts_at)
    else:
        query = query.where(Meeting.ends_at <= now).order_by(Meeting.starts_at.desc())
    return list(db.session.scalars(query))


def body_series(body: Body) -> list[MeetingSeries]:
    """The series that plan meetings for the body, newest first."""
    return list(
        db.session.scalars(
            select(MeetingSeries)
            .where(
                MeetingSeries.id.in_(
                    select(series_body.c.series_id).where(series_body.c.body_id == body.id)
                )
            )
            .options(selectinload(MeetingSeries.bodies))
            .order_by(MeetingSeries.first_date.desc())
        )
    )


def _still_to_come(series: MeetingSeries, day: date):
    return select(Meeting).where(
        Meeting.series_id == series.id,
        Meeting.occurrence_date >= day,
        Meeting.status == MeetingStatus.SCHEDULED,
        Meeting.starts_at > utcnow(),
    )


def series_meetings_from(series: MeetingSeries, day: date) -> list[Meeting]:
    """The series' meetings on or after ``day`` that are still to come (what ending the series
    there cancels), in order, with their bodies and what ``invitees`` reads."""
    return list(
        db.session.scalars(
            _still_to_come(series, day).options(*INVITEE_LOAD).order_by(Meeting.starts_at)
        )
    )


def next_meeting_date(series: MeetingSeries) -> date | None:
    """The date of the series' next meeting that still takes place."""
    return db.session.scalar(
        _still_to_come(series, local_today())
        .with_only_columns(Meeting.occurrence_date)
        .order_by(Meeting.starts_at)
        .limit(1)
    )


@dataclass
class Day:
    """One cell of the month calendar."""

    date: date
    in_month: bool
    meetings: list[Meeting]


def month_weeks(year: int, month: int, meetings: list[Meeting]) -> list[list[Day]]:
    """The month as weeks (Monday first) of days with their meetings (local dates)."""
    by_day: dict[date, list[Meeting]] = {}
    for meeting in meetings:
        by_day.setdefault(meeting.local_start.date(), []).append(meeting)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    return [[Day(d, d.month == month, by_day.get(d, [])) for d in week] for week in weeks]


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """The UTC bounds of the weeks shown for a month (from its first Monday row)."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    return local_day_start(weeks[0][0]), local_day_start(weeks[-1][-1] + timedelta(days=1))


@dataclass
class Invitee:
    """A row of the attendance table."""

    person: Person
    attendance: Attendance | None
    is_guest: bool


def attendance_rows(meeting: Meeting) -> list[Invitee]:
    """Every invitee with their answer and presence, by name."""
    by_person = {a.person_id: a for a in meeting.attendances}
    return [
        Invitee(p, by_person.get(p.id), bool(by_person.get(p.id) and by_person[p.id].is_guest))
        for p in invitees(meeting)
    ]


def load_meeting(meeting_id: int) -> Meeting:
    """A meeting that exists (the caller checked) with what its page shows."""
    return db.session.execute(
        select(Meeting)
        .where(Meeting.id == meeting_id)
        .options(
            selectinload(Meeting.bodies)
            .selectinload(Body.memberships)
            .selectinload(Membership.person)
            .selectinload(Person.organisation),
            selectinload(Meeting.attendances)
            .selectinload(Attendance.person)
            .selectinload(Person.organisation),
            selectinload(Meeting.series),
        )
    ).scalar_one()


#: Roles that count for a quorum (observers do not).
QUORUM_ROLES = {Role.CHAIR, Role.SECRETARY, Role.MEMBER}


@dataclass
class Overlap:
    """A meeting that overlaps another one with shared invitees."""

    meeting: Meeting
    other: Meeting
    shared: list[str]


def find_overlaps(meetings: list[Meeting]) -> list[Overlap]:
    """Scheduled meetings that overlap these ones in time and share invitees with them."""
    active = [m for m in meetings if not m.is_cancelled]
    if not active:
        return []
    own = {m.id for m in meetings}
    overlapping_one = or_(
        *(and_(Meeting.starts_at < m.ends_at, Meeting.ends_at > m.starts_at) for m in active)
    )
    others = db.session.scalars(
        select(Meeting)
        .where(
            Meeting.status == MeetingStatus.SCHEDULED,
            overlapping_one,
            Meeting.id.not_in(own),
        )
        .options(*INVITEE_LOAD)
        .order_by(Meeting.starts_at)
    ).all()
    found = []
    for meeting in active:
        people = None
        for other in others:
            if other.starts_at < meeting.ends_at and other.ends_at > meeting.starts_at:
                people = people if people is not None else {p.id: p for p in invitees(meeting)}
                shared = [people[i].name for i in invitee_ids(other) if i in people]
                if shared:
                    found.append(Overlap(meeting, other, sorted(shared)))
    return found


def rsvp_serializer() -> URLSafeSerializer:
    """The signer of the answer links (``rsvp_token`` makes them, ``load_rsvp_token`` reads)."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="rosemeet-rsvp")


def load_rsvp_token(token: str, *, allow_ended: bool = False) -> tuple[Meeting, Person] | None:
    """The meeting and invitee a token names, if it is genuine, the person still invited and
    the meeting not over (``allow_ended`` finds it anyway, to say that it is over)."""
    try:
        data = rsvp_serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    meeting = db.session.get(Meeting, data.get("m"))
    person = db.session.get(Person, data.get("p"))
    if meeting is None or person is None or person.id not in invitee_ids(meeting):
        return None
    if meeting.ends_at <= utcnow() and not allow_ended:
        return None  # an answer link stops working once the meeting has ended
    return meeting, person


@dataclass
class QuorumResult:
    """Whether a body's quorum was reached at a meeting."""

    body: Body
    rule: QuorumRule
    total: int
    needed: int
    present: int
    #: whether any presence was recorded for the meeting yet
    recorded: bool = True

    @property
    def reached(self) -> bool:
        return self.present >= self.needed


def _unit(person: Person, basis: QuorumBasis):
    """What counts once for a quorum: the person, or their organisation."""
    if basis is QuorumBasis.ORGANISATIONS and person.organisation_id is not None:
        return ("organisation", person.organisation_id)
    return ("person", person.id)


def quorum_results(meeting: Meeting) -> list[QuorumResult]:
    """Per body with a quorum rule: how many count, how many are needed, how many were there."""
    rules = {
        r.body_id: r
        for r in db.session.scalars(
            select(QuorumRule).where(QuorumRule.body_id.in_([b.id for b in meeting.bodies]))
        )
    }
    present = {a.person_id for a in meeting.attendances if a.presence is Presence.PRESENT}
    recorded = any(a.presence is not None for a in meeting.attendances)
    on = meeting.local_start.date()
    results = []
    for body in meeting.bodies:
        rule = rules.get(body.id)
        if rule is None:
            continue
        seats = [
            m.person
            for m in body.memberships
            if m.role in QUORUM_ROLES and m.is_current(on) and m.role in meeting.roles
        ]
        units = {_unit(p, rule.basis) for p in seats}
        there = {_unit(p, rule.basis) for p in seats if p.id in present}
        needed = max(1, math.ceil(len(units) * rule.percent / 100))
        results.append(QuorumResult(body, rule, len(units), needed, len(there), recorded))
    return results


def held_meetings_per_year(body_ids: list[int], years: list[int]) -> dict[tuple[int, int], int]:
    """(body id, year) -> meetings of the body held that year (local time): not cancelled,
    started before now; the plan's cadence (registered as its meeting counter)."""
    counts: dict[tuple[int, int], int] = {}
    if not body_ids or not years:
        return counts
    start = local_day_start(date(min(years), 1, 1))
    end = min(local_day_start(date(max(years) + 1, 1, 1)), utcnow())
    rows = db.session.execute(
        select(meeting_body.c.body_id, Meeting.starts_at)
        .join(Meeting, Meeting.id == meeting_body.c.meeting_id)
        .where(
            meeting_body.c.body_id.in_(body_ids),
            Meeting.status != MeetingStatus.CANCELLED,
            Meeting.starts_at >= start,
            Meeting.starts_at < end,
        )
    )
    for body_id, starts_at in rows:
        year = starts_at.astimezone(LOCAL_TZ).year
        if year in years:
            counts[body_id, year] = counts.get((body_id, year), 0) + 1
    return counts


def attendance_groups(meeting: Meeting) -> dict[Presence, list[Person]]:
    """The invitees per recorded presence (present, excused, absent), by name."""
    groups: dict[Presence, list[Person]] = {p: [] for p in Presence}
    for row in attendance_rows(meeting):
        if row.attendance is not None and row.attendance.presence is not None:
            groups[row.attendance.presence].append(row.person)
    return groups


def minutes_attendance(meeting: Meeting) -> dict:
    """What the top of the minutes shows ("minutes-top" slot): the groups, whether any
    presence is recorded, and the quorum per body."""
    groups = attendance_groups(meeting)
    return {
        "groups": groups,
        "recorded": any(groups.values()),
        "quorum": quorum_results(meeting),
    }
