"""API resources of follow-ups and decisions: record them on an agenda item, list and filter
them, change a follow-up's status (closing it in a meeting, with what was answered). The full
agenda of a meeting gets its opvolglijst, the follow-ups dealt with since the previous meeting
and the fed-back items through ``followups.queries.agenda_sections``."""

from __future__ import annotations

from rosemeet.accounts.models import Person
from rosemeet.agendas import queries as agenda_queries
from rosemeet.agendas.models import AgendaItem
from rosemeet.api.base import (
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
    require_login,
)
from rosemeet.core import schemas as s
from rosemeet.core.time import local_today
from rosemeet.core.web import MAX_YEAR, MIN_YEAR
from rosemeet.followups import operations as ops
from rosemeet.followups import queries
from rosemeet.followups.forms import UNKNOWN_CHOICE
from rosemeet.followups.models import Decision, FollowUp, FollowUpStatus
from rosemeet.followups.schemas import (
    FOLLOW_UP_STATUS,
    NEW_FOLLOW_UP,
    DecisionSchema,
    FollowUpSchema,
)
from rosemeet.meetings.models import Meeting
from rosemeet.network.models import Body, Organisation
from rosemeet.plan.models import PlanAction


class CreatedFollowUpSchema(FollowUpSchema):
    """A follow-up just recorded, with its warnings (a due date in the past: no error)."""

    warnings = s.List(
        s.Text(),
        dump_only=True,
        required=True,
        source=lambda f: [w for w in [ops.due_warning(f.due_on)] if w],
    )


class FollowUpsQuery(Query):
    """The filters of the follow-up list (the tracker)."""

    body = s.Id(strict=False, metadata={"description": "Owned by or reported back to it."})
    status = s.Choice(FollowUpStatus)
    overdue = s.Flag(load_default=False)
    report_to = s.Id(strict=False)
    owner = s.Id(strict=False, metadata={"description": "The owning person."})
    action = s.Id(strict=False, metadata={"description": "Linked to this plan action."})


class DecisionsQuery(Query):
    """The filters of the decision register."""

    body = s.Id(strict=False)
    year = s.Integer(strict=False, low=MIN_YEAR, high=MAX_YEAR)


def _get(model: type, data: dict, name: str):
    """The object ``data[name]`` names (None when left out or null)."""
    return related(model, data.get(name), name, UNKNOWN_CHOICE)


def _actions(data: dict) -> list[PlanAction]:
    ids = list(dict.fromkeys(data.get("action_ids") or []))
    actions = agenda_queries.actions_by_id(ids)
    if len(actions) != len(ids):
        raise invalid("action_ids", UNKNOWN_CHOICE)
    return actions


@bp.post("/agenda-items/<int:item_id>/decisions")
@json_body(DecisionSchema)
@bp.response(201, DecisionSchema)
@errors(400, 401, 403, 404, 409)
def create_decision(item_id: int):
    """Record a decision on an agenda item; it gets the next number of its body and year."""
    require_login()
    item = get_visible(AgendaItem, item_id, "record_outcomes")
    data = read(DecisionSchema)
    return ops.record_decision(
        item, data["text"], _actions(data), by=api_user(), body=_get(Body, data, "body_id")
    )


@bp.post("/agenda-items/<int:item_id>/follow-ups")
@json_body(NEW_FOLLOW_UP)
@bp.response(201, CreatedFollowUpSchema)
@errors(400, 401, 403, 404, 409)
def create_follow_up(item_id: int):
    """Record a follow-up on an agenda item (a past due date is a warning, not an error)."""
    require_login()
    item = get_visible(AgendaItem, item_id, "record_outcomes")
    data = read(NEW_FOLLOW_UP)
    decision = _get(Decision, data, "decision_id")
    if decision is not None and decision.agenda_item_id != item.id:
        raise invalid("decision_id", UNKNOWN_CHOICE)
    return ops.create_follow_up(
        item,
        title=data["title"],
        description=data.get("description"),
        decision=decision,
        owner_person=_get(Person, data, "owner_person_id"),
        owner_organisation=_get(Organisation, data, "owner_organisation_id"),
        due_on=data.get("due_on"),
        report_to_body=_get(Body, data, "report_to_body_id"),
        actions=_actions(data),
        by=api_user(),
        body=_get(Body, data, "body_id"),
    )


@bp.get("/follow-ups")
@listing(FollowUpSchema, FollowUpsQuery)
@errors(401)
def list_follow_ups(query: dict):
    """List the follow-ups the caller may read (all statuses unless filtered), overdue first,
    then by due date."""
    require_login()
    flt = queries.TrackerFilter(
        body_id=query.get("body"),
        owner_person_id=query.get("owner"),
        status=query.get("status"),
        overdue=query["overdue"],
        action_id=query.get("action"),
        report_to_id=query.get("report_to"),
    )
    return paginate(queries.tracker(api_user(), flt, local_today()), query)


@bp.get("/follow-ups/<int:follow_up_id>")
@bp.response(200, FollowUpSchema)
@errors(401, 404)
def get_follow_up(follow_up_id: int):
    """One follow-up."""
    require_login()
    return get_visible(FollowUp, follow_up_id)


@bp.patch("/follow-ups/<int:follow_up_id>")
@json_body(FOLLOW_UP_STATUS)
@bp.response(200, FollowUpSchema)
@errors(400, 401, 403, 404, 409)
def update_follow_up(follow_up_id: int):
    """Change a follow-up's status; closing in a meeting (done unless told) records who,
    when, where and what was answered (``resolution``, required for a follow-up with a
    report-to body). The meeting must have started. Saving a closed status again without a
    meeting keeps the meeting it was closed in."""
    require_login()
    follow_up = get_visible(FollowUp, follow_up_id, "set_status")
    data = read(FOLLOW_UP_STATUS)
    meeting = None
    if data.get("closed_in_meeting_id") is not None:
        meeting = get_visible(Meeting, _get(Meeting, data, "closed_in_meeting_id").id)
        data.setdefault("status", FollowUpStatus.DONE)
    status = data.get("status") or follow_up.status
    if "closed_in_meeting_id" not in data and not status.is_open and not follow_up.is_open:
        meeting = follow_up.closed_in_meeting  # correcting the answer of a closed follow-up
    resolution = (data["resolution"] or "") if "resolution" in data else None
    return ops.set_status(follow_up, status, api_user(), meeting, resolution=resolution)


@bp.get("/decisions")
@listing(DecisionSchema, DecisionsQuery)
@errors(401)
def list_decisions(query: dict):
    """The decision register of the bodies the caller may read (per body and year if asked),
    newest first."""
    require_login()
    return paginate(queries.decisions(api_user(), query.get("body"), query.get("year")), query)
