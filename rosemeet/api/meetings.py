"""API resources of meetings: series, meetings, cancellation, attendance."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from flask import url_for
from flask_babel import gettext as _

from rosemeet.accounts.models import Person
from rosemeet.api.base import (
    OPTIONAL_TOKEN,
    Query,
    api_user,
    bp,
    errors,
    get_visible,
    invalid,
    json_body,
    listing,
    paginate,
    read,
    related,
    related_all,
    require_can,
    require_login,
)
from rosemeet.core import schemas as s
from rosemeet.core.errors import ApiError
from rosemeet.core.time import local_today
from rosemeet.meetings import operations as ops
from rosemeet.meetings import queries
from rosemeet.meetings.forms import API_MESSAGES
from rosemeet.meetings.models import Meeting
from rosemeet.meetings.schemas import (
    MEETING_CHANGE,
    AttendanceSchema,
    CancellationSchema,
    MeetingDetailsSchema,
    MeetingSchema,
    SavedMeetingSchema,
    SeriesSchema,
)
from rosemeet.network.models import Body


class MeetingsQuery(Query):
    """The filters of the meeting list."""

    body = s.Id(strict=False, metadata={"description": "Only this body's meetings."})
    start = s.Day(data_key="from", metadata={"description": "From this day (30 days ago)."})
    end = s.Day(data_key="to", metadata={"description": "To this day, inclusive (a year on)."})


def _guests(ids) -> list[Person] | None:
    """The people ``guest_ids`` names (None when left out)."""
    if ids is None:
        return None
    return related_all(Person, ids, "guest_ids", API_MESSAGES["unknown_person"])


def _planned(data: dict) -> dict:
    """What a series and a one-off meeting are both planned with."""
    return {
        "timezone": data["timezone"],
        "location": data.get("location"),
        "online_url": data.get("online_url"),
        "title": data.get("title"),
        "invite_roles": data.get("invite_roles"),
        "guests": _guests(data.get("guest_ids")),
    }


@contextmanager
def _asking_after_end() -> Iterator[None]:
    """An AfterEnd refusal as the API says it: 400, code ``after_end``, under ``after_end``,
    with how to confirm or to extend the end date instead."""
    try:
        yield
    except ops.AfterEnd as exc:
        message = _(
            '%(refusal)s Send "after_end": true to plan it anyway, or extend the planned end '
            "date of the body first.",
            refusal=exc.message,
        )
        raise ApiError(400, "after_end", message, {"after_end": [message]}) from None


def _bodies(ids) -> list[Body]:
    """The bodies ``body_ids`` names, each of which the caller may plan meetings of."""
    bodies = related_all(Body, ids, "body_ids", _("Unknown body."), visible=True)
    for body in bodies:
        require_can("plan_meetings", body)
    return bodies


@bp.post("/bodies/<int:body_id>/series")
@json_body(SeriesSchema)
@bp.response(201, SeriesSchema)
@errors(400, 401, 403, 404)
def create_series(body_id: int):
    """Plan a series for a body (RRULE, first date, wall-clock time) and generate its meetings."""
    require_login()
    body = get_visible(Body, body_id, "plan_meetings")
    data = read(SeriesSchema)
    joint = [b for b in _bodies(data.get("body_ids")) if b.id != body.id]
    settings = ops.SeriesSettings(
        rrule=data["rrule"],
        first_date=data["starts_on"],
        start_time=data["start_time"],
        duration_minutes=data["duration_minutes"],
        **_planned(data),
    )
    with _asking_after_end():
        series, _meetings = ops.create_series([body, *joint], settings, after_end=data["after_end"])
    return series


@bp.get("/meetings")
@bp.doc(security=OPTIONAL_TOKEN)
@listing(MeetingSchema, MeetingsQuery)
@errors(404)
def list_meetings(query: dict):
    """List the meetings the caller may see, from a date to a date (inclusive, Brussels days),
    by start."""
    start = query.get("start") or local_today() - timedelta(days=30)
    end = query.get("end") or start + timedelta(days=365)
    if end < start:
        raise invalid("to", API_MESSAGES["to_before_from"])
    if (end - start).days > 3 * 366:
        raise invalid("to", API_MESSAGES["too_long"])
    if query.get("body") is not None:
        get_visible(Body, query["body"])
    meetings = queries.visible_meetings(
        api_user(),
        queries.local_day_start(start),
        queries.local_day_start(end + timedelta(days=1)),
        query.get("body"),
    )
    return paginate(meetings, query)


@bp.post("/meetings")
@json_body(MeetingSchema)
@bp.response(201, SavedMeetingSchema)
@errors(400, 401, 403)
def create_meeting():
    """Plan a one-off meeting; two or more body_ids make it a joint meeting."""
    require_login()
    data = read(MeetingSchema)
    bodies = _bodies(data["body_ids"])
    with _asking_after_end():
        meeting = ops.create_meeting(
            bodies,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            after_end=data["after_end"],
            **_planned(data),
        )
    return meeting, {"Location": url_for("api.get_meeting", meeting_id=meeting.id)}


@bp.get("/meetings/<int:meeting_id>")
@bp.doc(security=OPTIONAL_TOKEN)
@bp.response(200, MeetingDetailsSchema)
@errors(404)
def get_meeting(meeting_id: int):
    """One meeting, with its attendance and quorum."""
    get_visible(Meeting, meeting_id)
    return queries.load_meeting(meeting_id)


@bp.patch("/meetings/<int:meeting_id>")
@json_body(MEETING_CHANGE)
@bp.response(200, SavedMeetingSchema)
@errors(400, 401, 403, 404, 409)
def update_meeting(meeting_id: int):
    """Move this meeting (starts_at, ends_at), change its place, title or guests (guest_ids
    replaces them; leave it out to keep them). Its bodies, invited roles and time zone stay."""
    meeting = get_visible(Meeting, meeting_id, "edit")
    data = read(MEETING_CHANGE)
    starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
    if starts_at is not None and ends_at is None:
        ends_at = starts_at + (meeting.ends_at - meeting.starts_at)
    guests = _guests(data.get("guest_ids"))
    with _asking_after_end():
        ops.update_meeting(
            meeting,
            starts_at=starts_at,
            ends_at=ends_at,
            location=data.get("location", ops.KEEP),
            online_url=data.get("online_url", ops.KEEP),
            title=data.get("title"),
            guests=guests,
            after_end=data.get("after_end", False),
        )
    return meeting


@bp.post("/meetings/<int:meeting_id>/cancel")
@json_body(CancellationSchema)
@bp.response(200, MeetingSchema)
@errors(400, 401, 403, 404, 409)
def cancel_meeting(meeting_id: int):
    """Cancel one meeting with a reason (it stays, marked cancelled)."""
    meeting = get_visible(Meeting, meeting_id, "cancel")
    ops.cancel_meeting(meeting, read(CancellationSchema)["reason"])
    return meeting


@bp.post("/meetings/<int:meeting_id>/attendance")
@json_body(AttendanceSchema)
@bp.response(200, AttendanceSchema)
@errors(400, 401, 403, 404, 409)
def attendance(meeting_id: int):
    """Answer the invitation (response) or, as secretary, record a presence (person_id)."""
    require_login()
    meeting = get_visible(Meeting, meeting_id)
    data = read(AttendanceSchema)
    if data.get("person_id") is not None:
        require_can("record_attendance", meeting)
        person = related(Person, data["person_id"], "person_id", API_MESSAGES["unknown_person"])
        row = ops.record_presence(meeting, person, data.get("presence"))
    elif data.get("response") is None:
        raise invalid("response", API_MESSAGES["need_response"])
    else:
        row = ops.respond(meeting, api_user(), data["response"])
    return queries.Invitee(row.person, row, row.is_guest)
