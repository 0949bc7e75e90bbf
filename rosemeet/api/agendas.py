"""API resources of agendas: a meeting's items and full agenda, item changes with a version."""

from __future__ import annotations

from flask import jsonify

from rosemeet.accounts.models import Person
from rosemeet.agendas import operations as ops
from rosemeet.agendas import queries
from rosemeet.agendas.forms import ItemForm
from rosemeet.agendas.models import AgendaItem, ItemKind
from rosemeet.api.base import (
    SCHEMAS,
    api_user,
    bp,
    checked_text,
    document,
    error_responses,
    get_visible,
    json_body,
    list_response,
    one_response,
    path_params,
    request_body,
    require_can,
    validated_form,
)
from rosemeet.core.errors import ApiError
from rosemeet.core.permissions import can
from rosemeet.core.web import parse_id
from rosemeet.extensions import db
from rosemeet.meetings.models import Meeting

SCHEMAS["AgendaItem"] = {
    "type": "object",
    "required": ["id", "title", "kind", "position", "version"],
    "properties": {
        "id": {"type": "integer"},
        "meeting_id": {"type": ["integer", "null"]},
        "position": {"type": "integer"},
        "title": {"type": "string"},
        "description": {"type": ["string", "null"], "description": "Markdown."},
        "kind": {"type": "string", "enum": [k.value for k in ItemKind]},
        "role": {
            "type": ["string", "null"],
            "enum": ["welcome", "approve_minutes", "followups", None],
        },
        "presenter_id": {"type": ["integer", "null"]},
        "presenter": {"type": ["string", "null"]},
        "planned_minutes": {"type": ["integer", "null"]},
        "links": {"type": "array", "items": {"type": "string", "format": "uri"}},
        "action_ids": {"type": "array", "items": {"type": "integer"}},
        "source": {"type": "string"},
        "origin": {"type": ["string", "null"]},
        "minutes": {"type": ["string", "null"], "description": "Markdown."},
        "version": {
            "type": "integer",
            "description": "Increases on every save; send it back with PATCH (409 when stale).",
        },
    },
}
SCHEMAS["AgendaItemInput"] = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "description": {"type": "string"},
        "kind": {"type": "string", "enum": [k.value for k in ItemKind]},
        "presenter_id": {"type": ["integer", "null"]},
        "presenter_text": {"type": "string"},
        "planned_minutes": {"type": "integer"},
        "links": {"type": "array", "items": {"type": "string"}},
        "action_ids": {"type": "array", "items": {"type": "integer"}},
        "minutes": {"type": "string", "description": "PATCH only: the item's minutes."},
        "version": {"type": "integer", "description": "PATCH: the version you read."},
    },
}
SCHEMAS["Agenda"] = {
    "type": "object",
    "properties": {
        "meeting_id": {"type": "integer"},
        "title": {"type": "string"},
        "starts_at": {"type": "string", "format": "date-time"},
        "ends_at": {"type": "string", "format": "date-time"},
        "status": {"type": "string", "enum": ["draft", "published"]},
        "published_at": {"type": ["string", "null"], "format": "date-time"},
        "minutes_status": {"type": "string", "enum": ["draft", "for_comment", "approved"]},
        "approved_in_meeting_id": {"type": ["integer", "null"]},
        "planned_minutes": {"type": "integer"},
        "meeting_minutes": {"type": "integer"},
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/AgendaItem"}},
        "sections": {
            "type": "array",
            "items": {"type": "object"},
            "description": "Added by other domains (carried-over follow-ups, fed-back items).",
        },
    },
}


def _meeting_for(meeting_id: int, action: str = "view_agenda") -> Meeting:
    meeting = get_visible(Meeting, meeting_id)
    require_can(action, meeting)
    return meeting


def _fields(form: ItemForm, data: dict) -> dict:
    raw = data.get("action_ids") or []
    ids = [parse_id(i) for i in raw] if isinstance(raw, list) else [None]
    if None in ids:
        raise ApiError(400, "invalid", "Unknown plan action.", {"action_ids": ["unknown"]})
    actions = queries.actions_by_id(ids)
    if len(actions) != len(set(ids)):
        raise ApiError(400, "invalid", "Unknown plan action.", {"action_ids": ["unknown"]})
    presenter = None
    if data.get("presenter_id") is not None:
        number = parse_id(data["presenter_id"])
        presenter = db.session.get(Person, number) if number is not None else None
        if presenter is None:
            raise ApiError(400, "invalid", "Unknown person.", {"presenter_id": ["unknown"]})
    links = checked_text(data, "links")
    return {
        "title": form.title.data,
        "description": form.description.data,
        "kind": ItemKind(form.kind.data),
        "presenter": presenter,
        "presenter_text": form.presenter_text.data,
        "planned_minutes": form.planned_minutes.data,
        "links": links if isinstance(links, list) else (links or None),
        "actions": actions,
    }


def _error(exc: ops.AgendaError):
    db.session.rollback()
    status = 409 if exc.code in ("conflict", "approved", "state", "cancelled") else 400
    fields = {exc.field: [exc.message]} if exc.field else {}
    return ApiError(status, exc.code if status == 409 else "invalid", exc.message, fields)


@bp.get("/meetings/<int:meeting_id>/agenda-items")
@document(
    "/meetings/{meeting_id}/agenda-items",
    "get",
    parameters=path_params("meeting_id"),
    security=[{}, {"bearer": []}],
    responses={
        **list_response("AgendaItem"),
        **error_responses(401, 403, 404),
    },
)
def list_agenda_items(meeting_id: int):
    """List a meeting's agenda items in order (published agendas; drafts for their makers)."""
    meeting = _meeting_for(meeting_id)
    minutes = can(api_user(), "view_minutes", meeting)
    return jsonify(items=[queries.item_json(i, minutes) for i in queries.load_items(meeting.id)])


@bp.post("/meetings/<int:meeting_id>/agenda-items")
@document(
    "/meetings/{meeting_id}/agenda-items",
    "post",
    parameters=path_params("meeting_id"),
    requestBody=request_body("AgendaItemInput"),
    responses={**one_response("AgendaItem", "201"), **error_responses(400, 401, 403, 404)},
)
def create_agenda_item(meeting_id: int):
    """Add an item at the end of a meeting's agenda (chair, secretary)."""
    meeting = _meeting_for(meeting_id, "edit_agenda")
    data = json_body()
    form = validated_form(ItemForm, {k: v for k, v in data.items() if k not in ("links",)})
    try:
        item = ops.add_item(meeting, **_fields(form, data))
    except ops.AgendaError as exc:
        raise _error(exc) from None
    db.session.commit()
    return jsonify(queries.item_json(item, _may_read_minutes(item))), 201


@bp.patch("/agenda-items/<int:item_id>")
@document(
    "/agenda-items/{item_id}",
    "patch",
    parameters=path_params("item_id"),
    requestBody=request_body("AgendaItemInput"),
    responses={**one_response("AgendaItem"), **error_responses(400, 401, 403, 404, 409)},
)
def update_agenda_item(item_id: int):
    """Change an item and/or its minutes; a stale ``version`` answers 409 and changes nothing."""
    item = get_visible(AgendaItem, item_id)
    # Whatever the body holds, the caller must be allowed to change this item (its fields or
    # its minutes): an empty PATCH is no way to read it with more than ``view`` allows.
    if not (can(api_user(), "edit", item) or _may_edit_minutes(item)):
        require_can("edit", item)
    data = json_body()
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ApiError(400, "invalid", "Send the version you read.", {"version": ["required"]})
    editable = {k for k in data if k not in ("version", "minutes")}
    try:
        if editable:
            require_can("edit", item)
            merged = {**queries.item_json(item), **data}
            merged["presenter_text"] = data.get("presenter_text", item.presenter_text)
            form = validated_form(
                ItemForm,
                {
                    k: merged.get(k)
                    for k in ("title", "description", "kind", "presenter_text", "planned_minutes")
                },
            )
            ops.update_item(item, version=version, **_fields(form, merged))
            version = item.version
        if "minutes" in data:
            if item.meeting is None:
                raise ApiError(400, "invalid", "A backlog item has no minutes.")
            require_can("edit_minutes", item.meeting)
            minutes = checked_text(data, "minutes", multiline=True)
            ops.save_minutes(item, str(minutes or ""), version=version, by=api_user())
    except ops.AgendaError as exc:
        raise _error(exc) from None
    db.session.commit()
    return jsonify(queries.item_json(item, _may_read_minutes(item)))


def _may_edit_minutes(item: AgendaItem) -> bool:
    return item.meeting is not None and can(api_user(), "edit_minutes", item.meeting)


def _may_read_minutes(item: AgendaItem) -> bool:
    return item.meeting is not None and can(api_user(), "view_minutes", item.meeting)


@bp.get("/meetings/<int:meeting_id>/agenda")
@document(
    "/meetings/{meeting_id}/agenda",
    "get",
    parameters=path_params("meeting_id"),
    security=[{}, {"bearer": []}],
    responses={**one_response("Agenda"), **error_responses(401, 403, 404)},
)
def meeting_agenda(meeting_id: int):
    """The full agenda of a meeting, with the sections other domains add (follow-ups)."""
    meeting = _meeting_for(meeting_id)
    minutes = can(api_user(), "view_minutes", meeting)
    return jsonify(queries.agenda_json(queries.load_agenda(meeting), minutes))
