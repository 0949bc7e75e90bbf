"""API resources of follow-ups and decisions: record them on an agenda item, list and filter
them, change a follow-up's status (closing it in a meeting). The full agenda of a meeting
gets its opvolglijst and fed-back items through ``followups.queries.agenda_sections``."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _

from rosemeet.accounts.models import Person
from rosemeet.agendas import queries as agenda_queries
from rosemeet.agendas.models import AgendaItem
from rosemeet.api.base import (
    SCHEMAS,
    api_user,
    bp,
    check_date_range,
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
    require_login,
    validated_form,
)
from rosemeet.core.errors import ApiError
from rosemeet.core.time import local_today
from rosemeet.core.web import MAX_YEAR, MIN_YEAR, parse_id
from rosemeet.extensions import db
from rosemeet.followups import operations as ops
from rosemeet.followups import queries
from rosemeet.followups.forms import UNKNOWN_CHOICE, DecisionForm, FollowUpForm, StatusForm
from rosemeet.followups.models import Decision, FollowUp, FollowUpStatus
from rosemeet.meetings.models import Meeting
from rosemeet.network.models import Body, Organisation
from rosemeet.plan.models import PlanAction

_BODY_REF = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "code": {"type": "string"},
        "name": {"type": "string"},
    },
}
SCHEMAS["FollowUp"] = {
    "type": "object",
    "required": ["id", "title", "body", "status"],
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "description": {"type": ["string", "null"]},
        "body": _BODY_REF,
        "agenda_item_id": {"type": ["integer", "null"]},
        "decision_id": {"type": ["integer", "null"]},
        "decision_number": {"type": ["string", "null"]},
        "origin_meeting_id": {"type": ["integer", "null"]},
        "origin_date": {"type": ["string", "null"], "format": "date"},
        "owner_person_id": {"type": ["integer", "null"]},
        "owner_person": {"type": ["string", "null"]},
        "owner_organisation_id": {"type": ["integer", "null"]},
        "owner_organisation": {"type": ["string", "null"]},
        "due_on": {"type": ["string", "null"], "format": "date"},
        "overdue": {"type": "boolean"},
        "status": {"type": "string", "enum": [s.value for s in FollowUpStatus]},
        "report_to_body_id": {"type": ["integer", "null"]},
        "report_to_body": {"type": ["string", "null"]},
        "closed_at": {"type": ["string", "null"], "format": "date-time"},
        "closed_by": {"type": ["string", "null"]},
        "closed_in_meeting_id": {"type": ["integer", "null"]},
        "action_ids": {"type": "array", "items": {"type": "integer"}},
        "warnings": {
            "type": "array",
            "items": {"type": "string"},
            "description": "POST and PATCH: e.g. a due date in the past (not an error).",
        },
    },
}
SCHEMAS["FollowUpInput"] = {
    "type": "object",
    "required": ["title"],
    "properties": {
        "title": {"type": "string", "maxLength": 300},
        "description": {"type": "string"},
        "owner_person_id": {"type": ["integer", "null"]},
        "owner_organisation_id": {"type": ["integer", "null"]},
        "due_on": {"type": ["string", "null"], "format": "date"},
        "report_to_body_id": {"type": ["integer", "null"]},
        "decision_id": {"type": ["integer", "null"]},
        "body_id": {"type": ["integer", "null"], "description": "Joint meetings: whose list."},
        "action_ids": {"type": "array", "items": {"type": "integer"}},
    },
}
SCHEMAS["FollowUpStatusInput"] = {
    "type": "object",
    "properties": {
        "status": {"type": "string", "enum": [s.value for s in FollowUpStatus]},
        "closed_in_meeting_id": {
            "type": ["integer", "null"],
            "description": "A meeting of the owning or the report-to body (409 otherwise).",
        },
    },
}
SCHEMAS["Decision"] = {
    "type": "object",
    "required": ["id", "number", "body", "text"],
    "properties": {
        "id": {"type": "integer"},
        "number": {"type": "string", "description": "Body code, year, sequence: AG-2027-03."},
        "body": _BODY_REF,
        "year": {"type": "integer"},
        "sequence": {"type": "integer"},
        "text": {"type": "string"},
        "decided_on": {"type": "string", "format": "date"},
        "meeting_id": {"type": "integer"},
        "agenda_item_id": {"type": ["integer", "null"]},
        "action_ids": {"type": "array", "items": {"type": "integer"}},
        "follow_up_ids": {"type": "array", "items": {"type": "integer"}},
    },
}
SCHEMAS["DecisionInput"] = {
    "type": "object",
    "required": ["text"],
    "properties": {
        "text": {"type": "string"},
        "action_ids": {"type": "array", "items": {"type": "integer"}},
        "body_id": {"type": ["integer", "null"], "description": "Joint meetings: whose register."},
    },
}


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(400, "invalid", message, {field: [message]})


def _error(exc: ops.FollowUpError) -> ApiError:
    db.session.rollback()
    status = 409 if exc.code == "conflict" else 400
    fields = {exc.field: [exc.message]} if exc.field else {}
    return ApiError(status, "conflict" if status == 409 else "invalid", exc.message, fields)


def _get(model, data: dict, name: str):
    value = data.get(name)
    if value in (None, ""):
        return None
    number = parse_id(value)
    obj = db.session.get(model, number) if number is not None else None
    if obj is None:
        raise _invalid(name, str(UNKNOWN_CHOICE))
    return obj


def _actions(data: dict) -> list[PlanAction]:
    raw = data.get("action_ids") or []
    ids = {parse_id(i) for i in raw} if isinstance(raw, list) else {None}
    actions = agenda_queries.actions_by_id([i for i in ids if i is not None])
    if None in ids or len(actions) != len(ids):
        raise _invalid("action_ids", str(UNKNOWN_CHOICE))
    return actions


def _year_arg() -> int | None:
    """The year filter; 400 when it is no year rosemeet knows."""
    value = request.args.get("year")
    if value is None:
        return None
    year = parse_id(value)
    if year is None or not MIN_YEAR <= year <= MAX_YEAR:
        raise _invalid("year", _("Give a year such as 2027."))
    return year


def _overdue_arg() -> bool:
    """The overdue filter: true or false (1 or 0); 400 for anything else."""
    value = request.args.get("overdue", "false").lower()
    if value not in ("true", "false", "1", "0"):
        raise _invalid("overdue", _("Give true or false."))
    return value in ("true", "1")


@bp.post("/agenda-items/<int:item_id>/decisions")
@document(
    "/agenda-items/{item_id}/decisions",
    "post",
    parameters=path_params("item_id"),
    requestBody=request_body("DecisionInput"),
    responses={**one_response("Decision", "201"), **error_responses(400, 401, 403, 404)},
)
def create_decision(item_id: int):
    """Record a decision on an agenda item; it gets the next number of its body and year."""
    require_login()
    item = get_visible(AgendaItem, item_id, "record_outcomes")
    data = json_body()
    form = validated_form(DecisionForm, {"text": data.get("text")})
    try:
        decision = ops.record_decision(
            item, form.text.data, _actions(data), by=api_user(), body=_get(Body, data, "body_id")
        )
    except ops.FollowUpError as exc:
        raise _error(exc) from None
    db.session.commit()
    return jsonify(queries.decision_json(decision)), 201


@bp.post("/agenda-items/<int:item_id>/follow-ups")
@document(
    "/agenda-items/{item_id}/follow-ups",
    "post",
    parameters=path_params("item_id"),
    requestBody=request_body("FollowUpInput"),
    responses={**one_response("FollowUp", "201"), **error_responses(400, 401, 403, 404)},
)
def create_follow_up(item_id: int):
    """Record a follow-up on an agenda item (a past due date is a warning, not an error)."""
    require_login()
    item = get_visible(AgendaItem, item_id, "record_outcomes")
    data = json_body()
    form = validated_form(
        FollowUpForm,
        {k: data.get(k) for k in ("title", "description", "due_on") if data.get(k) is not None},
    )
    check_date_range(due_on=form.due_on.data)
    decision = _get(Decision, data, "decision_id")
    if decision is not None and decision.agenda_item_id != item.id:
        raise _invalid("decision_id", str(UNKNOWN_CHOICE))
    try:
        follow_up = ops.create_follow_up(
            item,
            title=form.title.data,
            description=form.description.data,
            decision=decision,
            owner_person=_get(Person, data, "owner_person_id"),
            owner_organisation=_get(Organisation, data, "owner_organisation_id"),
            due_on=form.due_on.data,
            report_to_body=_get(Body, data, "report_to_body_id"),
            actions=_actions(data),
            by=api_user(),
            body=_get(Body, data, "body_id"),
        )
    except ops.FollowUpError as exc:
        raise _error(exc) from None
    warning = ops.due_warning(follow_up.due_on)
    db.session.commit()
    body = queries.follow_up_json(follow_up, local_today())
    body["warnings"] = [warning] if warning else []
    return jsonify(body), 201


@bp.get("/follow-ups")
@document(
    "/follow-ups",
    "get",
    parameters=[
        *id_query("body"),
        {
            "name": "status",
            "in": "query",
            "schema": {"type": "string", "enum": [s.value for s in FollowUpStatus]},
        },
        {"name": "overdue", "in": "query", "schema": {"type": "boolean"}},
        *id_query("report_to", "owner", "action"),
    ],
    responses={**list_response("FollowUp"), **error_responses(400, 401)},
)
def list_follow_ups():
    """List the follow-ups the caller may read (all statuses unless filtered)."""
    require_login()
    status = request.args.get("status")
    if status and FollowUpStatus.parse(status) is None:
        raise _invalid("status", str(UNKNOWN_CHOICE))
    flt = queries.TrackerFilter(
        body_id=id_arg("body"),
        owner_person_id=id_arg("owner"),
        status=FollowUpStatus.parse(status),
        overdue=_overdue_arg(),
        action_id=id_arg("action"),
        report_to_id=id_arg("report_to"),
    )
    today = local_today()
    rows = queries.tracker(api_user(), flt, today)
    return jsonify(items=[queries.follow_up_json(f, today) for f in rows])


@bp.get("/follow-ups/<int:follow_up_id>")
@document(
    "/follow-ups/{follow_up_id}",
    "get",
    parameters=path_params("follow_up_id"),
    responses={**one_response("FollowUp"), **error_responses(401, 404)},
)
def get_follow_up(follow_up_id: int):
    """One follow-up."""
    require_login()
    follow_up = get_visible(FollowUp, follow_up_id)
    return jsonify(queries.follow_up_json(follow_up, local_today()))


@bp.patch("/follow-ups/<int:follow_up_id>")
@document(
    "/follow-ups/{follow_up_id}",
    "patch",
    parameters=path_params("follow_up_id"),
    requestBody=request_body("FollowUpStatusInput"),
    responses={**one_response("FollowUp"), **error_responses(400, 401, 403, 404, 409)},
)
def update_follow_up(follow_up_id: int):
    """Change a follow-up's status; closing in a meeting records who, when and where."""
    require_login()
    follow_up = get_visible(FollowUp, follow_up_id, "set_status")
    data = json_body()
    meeting = None
    if data.get("closed_in_meeting_id") not in (None, ""):
        meeting = get_visible(Meeting, _get(Meeting, data, "closed_in_meeting_id").id)
        data.setdefault("status", FollowUpStatus.DONE.value)
    form = validated_form(StatusForm, {"status": data.get("status") or follow_up.status.value})
    try:
        ops.set_status(follow_up, FollowUpStatus(form.status.data), api_user(), meeting)
    except ops.FollowUpError as exc:
        raise _error(exc) from None
    db.session.commit()
    return jsonify(queries.follow_up_json(follow_up, local_today()))


@bp.get("/decisions")
@document(
    "/decisions",
    "get",
    parameters=[
        *id_query("body"),
        {
            "name": "year",
            "in": "query",
            "schema": {"type": "integer", "minimum": MIN_YEAR, "maximum": MAX_YEAR},
        },
    ],
    responses={**list_response("Decision"), **error_responses(400, 401)},
)
def list_decisions():
    """The decision register of the bodies the caller may read (per body and year if asked)."""
    require_login()
    rows = queries.decisions(api_user(), id_arg("body"), _year_arg())
    return jsonify(items=[queries.decision_json(d) for d in rows])
