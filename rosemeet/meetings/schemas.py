"""Meetings as JSON: series, meetings (with their attendance and quorum when asked one by one,
with the overlaps a change causes when saved), attendance and cancellation. Times are ISO 8601
with the meeting's local offset (Europe/Brussels)."""

from __future__ import annotations

import marshmallow as ma
from flask import g
from flask_babel import lazy_gettext as _l

from rosemeet.accounts.schemas import PersonSchema
from rosemeet.core import schemas as s
from rosemeet.meetings import queries, recurrence
from rosemeet.meetings.forms import API_MESSAGES
from rosemeet.meetings.models import MeetingStatus, Presence, Response, ResponseChannel
from rosemeet.network.models import Role


def _known_zone(name: str) -> None:
    """Refuse a time zone that is no IANA name."""
    try:
        recurrence._zone(name)
    except recurrence.RecurrenceError as exc:
        raise ma.ValidationError(str(exc)) from None


def _some_roles(roles: list) -> None:
    if not roles:
        raise ma.ValidationError(str(_l("Choose at least one role.")))


def _zone_field() -> s.Text:
    return s.Text(
        max_length=64,
        validate=_known_zone,
        load_default=recurrence.DEFAULT_TZ,
        metadata={"description": "An IANA time zone.", "default": recurrence.DEFAULT_TZ},
    )


def _after_end_field() -> s.Flag:
    return s.Flag(
        load_only=True,
        load_default=False,
        metadata={
            "description": "Confirms a meeting after the planned end of one of its bodies (an "
            "ad-hoc group); without it such a meeting is refused (400, code after_end)."
        },
    )


def _roles_field() -> s.List:
    return s.List(
        s.Choice(Role),
        load_only=True,
        validate=_some_roles,
        metadata={"description": "Invite the members with these roles (all unless given)."},
    )


#: "required" of a meeting's start and end
_NEED_TIME = {"required": API_MESSAGES["need_time"]}


class OverlapSchema(s.Schema):
    """A meeting that overlaps another one in time and shares invitees with it (a warning)."""

    meeting_id = s.Id(dump_only=True, required=True, source=lambda o: o.meeting.id)
    overlaps_meeting_id = s.Id(dump_only=True, required=True, source=lambda o: o.other.id)
    shared_invitees = s.List(s.Text(), dump_only=True, required=True, source=lambda o: o.shared)


class MeetingSchema(s.Schema):
    """One meeting (of a series, or planned once; two or more bodies make it a joint one)."""

    id = s.Id(dump_only=True, required=True)
    uid = s.Text(dump_only=True, required=True, metadata={"description": "Stable iCalendar UID."})
    title = s.Text(
        max_length=200,
        source=lambda m: m.display_title,
        metadata={"description": "Left empty: the names of its bodies."},
    )
    body_ids = s.Ids(required=True, source=lambda m: [b.id for b in m.bodies])
    starts_at = s.Moment(
        required=True,
        source=lambda m: m.local_start,
        error_messages=_NEED_TIME,
        metadata={"description": "ISO 8601 with the offset; answered with the local offset."},
    )
    ends_at = s.Moment(required=True, source=lambda m: m.local_end, error_messages=_NEED_TIME)
    timezone = _zone_field()
    status = s.Choice(MeetingStatus, dump_only=True, required=True)
    cancel_reason = s.Text(dump_only=True, allow_none=True)
    location = s.Text(max_length=300, allow_none=True)
    online_url = s.Url(max_length=500, allow_none=True)
    series_id = s.Id(dump_only=True, allow_none=True)
    sequence = s.Integer(dump_only=True, metadata={"description": "iCalendar SEQUENCE."})
    updated_at = s.Moment(dump_only=True)
    invite_roles = _roles_field()
    guest_ids = s.Ids(
        load_only=True, metadata={"description": "People invited besides the members."}
    )
    after_end = _after_end_field()


#: the body of PATCH /meetings/{id}: what a meeting's change may give (bodies, roles and time
#: zone stay; guest_ids replaces the guests, left out they stay)
MEETING_CHANGE = MeetingSchema(partial=True, exclude=("body_ids", "invite_roles", "timezone"))


class SavedMeetingSchema(MeetingSchema):
    """A meeting just planned or changed, with the meetings it overlaps (warnings)."""

    warnings = s.Object(
        OverlapSchema, many=True, dump_only=True, source=lambda m: queries.find_overlaps([m])
    )


class AttendanceSchema(s.Schema):
    """An invitee's answer and presence. Sent: your own ``response``, or (the secretary) a
    ``person_id`` with a ``presence``; answered: the invitee's row."""

    person = s.Object(PersonSchema, dump_only=True, required=True)
    person_id = s.Id(load_only=True, metadata={"description": "Secretary: whose presence."})
    guest = s.Flag(dump_only=True, required=True, source=lambda row: row.is_guest)
    response = s.Choice(
        Response,
        source=lambda row: row.attendance.response if row.attendance else Response.NEEDS_ACTION,
    )
    presence = s.Choice(
        Presence,
        allow_none=True,
        source=lambda row: row.attendance.presence if row.attendance else None,
    )
    responded_via = s.Choice(
        ResponseChannel,
        dump_only=True,
        allow_none=True,
        source=lambda row: row.attendance.responded_via if row.attendance else None,
        metadata={"description": "Where the answer was given: web, link or calendar."},
    )


class QuorumSchema(s.Schema):
    """Whether a body's quorum was reached at a meeting."""

    body_id = s.Id(dump_only=True, required=True, source=lambda q: q.body.id)
    needed = s.Integer(dump_only=True, required=True)
    present = s.Integer(dump_only=True, required=True)
    reached = s.Flag(dump_only=True, required=True)


def shown_attendance(meeting) -> list:
    """The attendance rows for a caller with a token; none for an anonymous caller (a public
    meeting shows nobody's name or answer to visitors). The API keeps its caller in
    ``g.api_user``."""
    caller = g.get("api_user")
    if caller is not None and not caller.is_authenticated:
        return []
    return queries.attendance_rows(meeting)


class MeetingDetailsSchema(MeetingSchema):
    """One meeting with its invitees' attendance (empty for anonymous callers) and its
    bodies' quorum."""

    attendance = s.Object(
        AttendanceSchema, many=True, dump_only=True, required=True, source=shown_attendance
    )
    quorum = s.Object(
        QuorumSchema, many=True, dump_only=True, required=True, source=queries.quorum_results
    )


class CancellationSchema(s.Schema):
    """Why a meeting is cancelled."""

    reason = s.Text(multiline=True, max_length=2000, required=True)


class SeriesSchema(s.Schema):
    """A series: an RRULE from a first date at a wall-clock time, and the meetings it made
    (up to the horizon)."""

    id = s.Id(dump_only=True, required=True)
    rrule = s.Text(
        required=True,
        max_length=300,
        metadata={"examples": ["FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU"]},
    )
    starts_on = s.Day(required=True, source=lambda series: series.first_date)
    start_time = s.Clock(required=True, metadata={"examples": ["14:00"]})
    duration_minutes = s.Integer(required=True, low=1, high=24 * 60)
    timezone = _zone_field()
    title = s.Text(max_length=200, allow_none=True)
    location = s.Text(max_length=300, allow_none=True)
    online_url = s.Url(max_length=500, allow_none=True)
    invite_roles = _roles_field()
    guest_ids = s.Ids(load_only=True, metadata={"description": "People invited besides."})
    after_end = _after_end_field()
    body_ids = s.Ids(
        source=lambda series: [b.id for b in series.bodies],
        metadata={"description": "Sent: the other bodies of a joint series; answered: all."},
    )
    meetings = s.Object(
        MeetingSchema, many=True, dump_only=True, source=lambda series: series.meetings
    )
    warnings = s.Object(
        OverlapSchema,
        many=True,
        dump_only=True,
        source=lambda series: queries.find_overlaps(list(series.meetings)),
    )
