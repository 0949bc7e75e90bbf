"""API resources of meetings: series, meetings, cancellation, attendance."""

from __future__ import annotations

from datetime import date, timedelta

from flask import jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from rosemeet.accounts.models import Person
from rosemeet.api.base import (
    SCHEMAS,
    api_user,
    bp,
    check_date_range,
    checked_text,
    document,
    error_responses,
    get_visible,
    id_arg,
    id_query,
    json_body,
    list_response,
    one_response,
    path_params,
    request_body,
    require_can,
    require_login,
    validated_form,
)
from rosemeet.core.enums import select_choices
from rosemeet.core.errors import ApiError
from rosemeet.core.permissions import can
from rosemeet.core.time import local_today
from rosemeet.extensions import db
from rosemeet.meetings import operations as ops
from rosemeet.meetings import queries
from rosemeet.meetings.forms import API_MESSAGES, AttendanceApiForm, MeetingApiForm, SeriesForm
from rosemeet.meetings.models import Meeting, MeetingSeries, MeetingStatus, Presence, Response
from rosemeet.meetings.recurrence import Preset, RecurrenceError
from rosemeet.network.models import Body, Role

_ROLE_VALUES = [r.value for r in Role]

SCHEMAS["Meeting"] = {
    "type": "object",
    "required": ["id", "uid", "body_ids", "starts_at", "ends_at", "status"],
    "properties": {
        "id": {"type": "integer"},
        "uid": {"type": "string", "description": "Stable iCalendar UID."},
        "title": {"type": "string"},
        "body_ids": {"type": "array", "items": {"type": "integer"}},
        "starts_at": {
            "type": "string",
            "format": "date-time",
            "description": "ISO 8601 with the local (Brussels) offset.",
        },
        "ends_at": {"type": "string", "format": "date-time"},
        "timezone": {"type": "string"},
        "status": {"type": "string", "enum": [s.value for s in MeetingStatus]},
        "cancel_reason": {"type": ["string", "null"]},
        "location": {"type": ["string", "null"]},
        "online_url": {"type": ["string", "null"]},
        "series_id": {"type": ["integer", "null"]},
        "sequence": {"type": "integer", "description": "iCalendar SEQUENCE."},
        "updated_at": {"type": "string", "format": "date-time"},
    },
}
SCHEMAS["MeetingInput"] = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "body_ids": {"type": "array", "items": {"type": "integer"}},
        "starts_at": {"type": "string", "format": "date-time"},
        "ends_at": {"type": "string", "format": "date-time"},
        "timezone": {"type": "string", "default": "Europe/Brussels"},
        "location": {"type": "string"},
        "online_url": {"type": "string"},
        "invite_roles": {"type": "array", "items": {"type": "string", "enum": _ROLE_VALUES}},
        "guest_ids": {"type": "array", "items": {"type": "integer"}},
    },
}
SCHEMAS["SeriesInput"] = {
    "type": "object",
    "required": ["rrule", "starts_on", "start_time", "duration_minutes"],
    "properties": {
        "rrule": {"type": "string", "examples": ["FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU"]},
        "starts_on": {"type": "string", "format": "date"},
        "start_time": {"type": "string", "examples": ["14:00"]},
        "duration_minutes": {"type": "integer"},
        "timezone": {"type": "string", "default": "Europe/Brussels"},
        "title": {"type": "string"},
        "location": {"type": "string"},
        "online_url": {"type": "string"},
        "invite_roles": {"type": "array", "items": {"type": "string", "enum": _ROLE_VALUES}},
        "guest_ids": {"type": "array", "items": {"type": "integer"}},
        "body_ids": {
            "type": "array",
            "items": {"type": "integer"},
            "description": "Other bodies of a joint series.",
        },
    },
}
SCHEMAS["Series"] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "rrule": {"type": "string"},
        "starts_on": {"type": "string", "format": "date"},
        "start_time": {"type": "string"},
        "duration_minutes": {"type": "integer"},
        "timezone": {"type": "string"},
        "location": {"type": ["string", "null"]},
        "online_url": {"type": ["string", "null"]},
        "body_ids": {"type": "array", "items": {"type": "integer"}},
        "meetings": {"type": "array", "items": {"$ref": "#/components/schemas/Meeting"}},
        "warnings": {"type": "array", "items": {"type": "string"}},
    },
}
SCHEMAS["AttendanceInput"] = {
    "type": "object",
    "description": "Either your own response, or (secretary) a person_id with a presence.",
    "properties": {
        "response": {"type": "string", "enum": [r.value for r in Response]},
        "person_id": {"type": "integer"},
        "presence": {"type": ["string", "null"], "enum": [*(p.value for p in Presence), None]},
    },
}
SCHEMAS["Attendance"] = {
    "type": "object",
    "properties": {
        "person": {
            "type": "object",
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        },
        "guest": {"type": "boolean"},
        "response": {"type": "string", "enum": [r.value for r in Response]},
        "presence": {"type": ["string", "null"]},
    },
}


def meeting_json(meeting: Meeting, *, details: bool = False) -> dict:
    """A meeting as the API shows it: times in ISO 8601 with the local offset."""
    data = {
        "id": meeting.id,
        "uid": meeting.uid,
        "title": meeting.display_title,
        "body_ids": [b.id for b in meeting.bodies],
        "starts_at": meeting.local_start.isoformat(),
        "ends_at": meeting.local_end.isoformat(),
        "timezone": meeting.timezone,
        "status": meeting.status.value,
        "cancel_reason": meeting.cancel_reason,
        "location": meeting.location,
        "online_url": meeting.online_url,
        "series_id": meeting.series_id,
        "sequence": meeting.sequence,
        "updated_at": meeting.updated_at.isoformat(),
    }
    if details:
        data["attendance"] = [
            {
                "person": {"id": row.person.id, "name": row.person.name},
                "guest": row.is_guest,
                "response": (
                    row.attendance.response if row.attendance else Response.NEEDS_ACTION
                ).value,
                "presence": row.attendance.presence.value
                if row.attendance and row.attendance.presence
                else None,
            }
            for row in queries.attendance_rows(meeting)
        ]
        data["quorum"] = [
            {"body_id": q.body.id, "needed": q.needed, "present": q.present, "reached": q.reached}
            for q in ops.quorum_results(meeting)
        ]
    return data


def series_json(series: MeetingSeries) -> dict:
    """A series as the API shows it."""
    return {
        "id": series.id,
        "rrule": series.rrule,
        "starts_on": series.first_date.isoformat(),
        "start_time": series.start_time.strftime("%H:%M"),
        "duration_minutes": series.duration_minutes,
        "timezone": series.timezone,
        "location": series.location,
        "online_url": series.online_url,
        "body_ids": [b.id for b in series.bodies],
    }


def _warnings(meetings: list[Meeting]) -> list[dict]:
    return [
        {"meeting_id": o.meeting.id, "overlaps_meeting_id": o.other.id, "shared_invitees": o.shared}
        for o in ops.find_overlaps(meetings)
    ]


def _error(exc: ops.MeetingError) -> ApiError:
    db.session.rollback()
    status = 409 if isinstance(exc, ops.MeetingConflict) else 400  # saved by someone else
    return ApiError(status, exc.code, exc.message, {exc.field or "meeting": [exc.message]})


def _invalid(field: str, key: str) -> ApiError:
    message = str(API_MESSAGES[key])
    return ApiError(400, "invalid", message, {field: [message]})


def _people(ids) -> list[Person]:
    people = [db.session.get(Person, i) for i in ids or []]
    if any(p is None for p in people):
        raise _invalid("guest_ids", "unknown_person")
    return people


@bp.post("/bodies/<int:body_id>/series")
@document(
    "/bodies/{body_id}/series",
    "post",
    parameters=path_params("body_id"),
    requestBody=request_body("SeriesInput"),
    responses={**one_response("Series", "201"), **error_responses(400, 401, 403, 404)},
)
def create_series(body_id: int):
    """Plan a series for a body (RRULE, first date, wall-clock time) and generate its meetings."""
    require_login()
    body = get_visible(Body, body_id)
    require_can("plan_meetings", body)
    data = json_body()
    data.setdefault("preset", Preset.CUSTOM.value)
    data.setdefault("timezone", "Europe/Brussels")
    data.setdefault("invite_roles", _ROLE_VALUES)
    bodies = [b for b in db.session.scalars(select(Body)) if b.id != body.id]
    form = validated_form(
        SeriesForm,
        data,
        choices={
            "body_ids": select_choices((b.id, b.name) for b in bodies),
            "guest_ids": select_choices((p, p) for p in data.get("guest_ids") or []),
        },
    )
    check_date_range(starts_on=form.starts_on.data, until=form.until.data)
    joint = [db.session.get(Body, i) for i in form.body_ids.data or []]
    for other in joint:
        require_can("plan_meetings", other)
    try:
        rule = form.build_rrule()
        settings = ops.SeriesSettings(
            rrule=rule,
            first_date=form.starts_on.data,
            start_time=form.start_time.data,
            duration_minutes=form.duration_minutes.data,
            timezone=form.timezone.data.strip(),
            location=form.location.data,
            online_url=form.online_url.data,
            title=form.title.data,
            invite_roles=[Role(r) for r in form.invite_roles.data],
            guests=_people(form.guest_ids.data),
        )
        series, meetings = ops.create_series([body, *joint], settings)
    except RecurrenceError as exc:
        raise _error(ops.from_recurrence(exc)) from None
    except ops.MeetingError as exc:
        raise _error(exc) from None
    warnings = _warnings(meetings)
    db.session.commit()
    result = series_json(series)
    result["meetings"] = [meeting_json(m) for m in meetings]
    result["warnings"] = warnings
    return jsonify(result), 201


def _date_arg(name: str) -> date | None:
    text = request.args.get(name)
    if text is None:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise _invalid(name, "date") from None
    check_date_range(**{name: day})
    return day


@bp.get("/meetings")
@document(
    "/meetings",
    "get",
    security=[{}, {"bearer": []}],
    parameters=[
        *id_query("body"),
        {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}},
        {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"}},
    ],
    responses={
        **list_response("Meeting"),
        **error_responses(400, 404),
    },
)
def list_meetings():
    """List the meetings the caller may see, from a date to a date (inclusive, Brussels days)."""
    start = _date_arg("from") or local_today() - timedelta(days=30)
    end = _date_arg("to") or start + timedelta(days=365)
    if end < start:
        raise _invalid("to", "to_before_from")
    if (end - start).days > 3 * 366:
        raise _invalid("to", "too_long")
    body_id = id_arg("body")
    if body_id is not None:
        get_visible(Body, body_id)
    meetings = queries.visible_meetings(
        api_user(),
        queries.local_day_start(start),
        queries.local_day_start(end + timedelta(days=1)),
        body_id,
    )
    return jsonify(items=[meeting_json(m) for m in meetings])


@bp.post("/meetings")
@document(
    "/meetings",
    "post",
    requestBody=request_body("MeetingInput"),
    responses={**one_response("Meeting", "201"), **error_responses(400, 401, 403)},
)
def create_meeting():
    """Plan a one-off meeting; two or more body_ids make it a joint meeting."""
    require_login()
    data = json_body()
    form = validated_form(
        MeetingApiForm,
        data,
        choices={
            "body_ids": select_choices((i, i) for i in data.get("body_ids") or []),
            "guest_ids": select_choices((i, i) for i in data.get("guest_ids") or []),
        },
    )
    bodies = [db.session.get(Body, i) for i in form.body_ids.data or []]
    if any(b is None or not can(api_user(), "view", b) for b in bodies):
        message = _("Unknown body.")
        raise ApiError(400, "invalid", message, {"body_ids": [message]})
    for body in bodies:
        require_can("plan_meetings", body)
    fields = {}
    if not bodies:
        fields["body_ids"] = [str(API_MESSAGES["need_body"])]
    for name in ("starts_at", "ends_at"):
        if getattr(form, name).parsed is None:
            fields[name] = [str(API_MESSAGES["need_time"])]
    if fields:
        raise ApiError(400, "invalid", str(API_MESSAGES["invalid"]), fields)
    check_date_range(starts_at=form.starts_at.parsed, ends_at=form.ends_at.parsed)
    try:
        meeting = ops.create_meeting(
            bodies,
            starts_at=form.starts_at.parsed,
            ends_at=form.ends_at.parsed,
            timezone=form.timezone.data or "Europe/Brussels",
            location=form.location.data,
            online_url=form.online_url.data,
            title=form.title.data,
            invite_roles=[Role(r) for r in form.invite_roles.data] or None,
            guests=_people(form.guest_ids.data),
        )
    except ops.MeetingError as exc:
        raise _error(exc) from None
    warnings = _warnings([meeting])
    db.session.commit()
    response = jsonify({**meeting_json(meeting), "warnings": warnings})
    response.headers["Location"] = url_for("api.get_meeting", meeting_id=meeting.id)
    return response, 201


@bp.get("/meetings/<int:meeting_id>")
@document(
    "/meetings/{meeting_id}",
    "get",
    security=[{}, {"bearer": []}],
    parameters=path_params("meeting_id"),
    responses={**one_response("Meeting"), **error_responses(404)},
)
def get_meeting(meeting_id: int):
    """One meeting, with its attendance and quorum."""
    get_visible(Meeting, meeting_id)
    return jsonify(meeting_json(queries.load_meeting(meeting_id), details=True))


@bp.patch("/meetings/<int:meeting_id>")
@document(
    "/meetings/{meeting_id}",
    "patch",
    parameters=path_params("meeting_id"),
    requestBody=request_body("MeetingInput"),
    responses={**one_response("Meeting"), **error_responses(400, 401, 403, 404, 409)},
)
def update_meeting(meeting_id: int):
    """Move this meeting (starts_at, ends_at), change its place, title or guests (guest_ids
    replaces them; leave it out to keep them). Its bodies and invited roles stay."""
    meeting = get_visible(Meeting, meeting_id, "edit")
    data = json_body()
    form = validated_form(
        MeetingApiForm,
        {k: v for k, v in data.items() if k not in ("body_ids", "invite_roles")},
        choices={"guest_ids": select_choices((i, i) for i in data.get("guest_ids") or [])},
    )
    starts_at = form.starts_at.parsed if "starts_at" in data else None
    ends_at = form.ends_at.parsed if "ends_at" in data else None
    check_date_range(starts_at=starts_at, ends_at=ends_at)
    if starts_at is not None and ends_at is None:
        ends_at = starts_at + (meeting.ends_at - meeting.starts_at)
    try:
        ops.update_meeting(
            meeting,
            starts_at=starts_at,
            ends_at=ends_at,
            location=form.location.data if "location" in data else ops.KEEP,
            online_url=form.online_url.data if "online_url" in data else ops.KEEP,
            title=form.title.data if "title" in data else None,
            guests=_people(form.guest_ids.data) if "guest_ids" in data else None,
        )
    except ops.MeetingError as exc:
        raise _error(exc) from None
    warnings = _warnings([meeting]) if starts_at or ends_at else []
    db.session.commit()
    return jsonify({**meeting_json(meeting), "warnings": warnings})


@bp.post("/meetings/<int:meeting_id>/cancel")
@document(
    "/meetings/{meeting_id}/cancel",
    "post",
    parameters=path_params("meeting_id"),
    requestBody={
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["reason"],
                    "properties": {"reason": {"type": "string"}},
                }
            }
        },
    },
    responses={**one_response("Meeting"), **error_responses(400, 401, 403, 404, 409)},
)
def cancel_meeting(meeting_id: int):
    """Cancel one meeting with a reason (it stays, marked cancelled)."""
    meeting = get_visible(Meeting, meeting_id, "cancel")
    data = json_body()
    try:
        ops.cancel_meeting(meeting, str(checked_text(data, "reason", multiline=True) or ""))
    except ops.MeetingError as exc:
        raise _error(exc) from None
    db.session.commit()
    return jsonify(meeting_json(meeting))


@bp.post("/meetings/<int:meeting_id>/attendance")
@document(
    "/meetings/{meeting_id}/attendance",
    "post",
    parameters=path_params("meeting_id"),
    requestBody=request_body("AttendanceInput"),
    responses={**one_response("Attendance"), **error_responses(400, 401, 403, 404)},
)
def attendance(meeting_id: int):
    """Answer the invitation (response) or, as secretary, record a presence (person_id)."""
    require_login()
    meeting = get_visible(Meeting, meeting_id)
    form = validated_form(AttendanceApiForm, json_body())
    try:
        if form.person_id.data is not None:
            require_can("record_attendance", meeting)
            person = db.session.get(Person, form.person_id.data)
            if person is None:
                raise _invalid("person_id", "unknown_person")
            row = ops.record_presence(meeting, person, Presence.parse(form.presence.data))
        else:
            response = Response.parse(form.response.data)
            if response is None:
                raise _invalid("response", "need_response")
            row = ops.respond(meeting, api_user(), response)
    except ops.MeetingError as exc:
        if exc.code == "forbidden":
            db.session.rollback()
            raise ApiError(403, "forbidden", exc.message) from None
        raise _error(exc) from None
    db.session.commit()
    return jsonify(
        person={"id": row.person.id, "name": row.person.name},
        guest=row.is_guest,
        response=row.response.value,
        presence=row.presence.value if row.presence else None,
    )
