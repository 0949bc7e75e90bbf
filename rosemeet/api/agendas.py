"""API resources of agendas: a meeting's items and full agenda, item changes with a version,
publishing, and the minutes (changed per item with a version, shared, approved)."""

from __future__ import annotations

from dataclasses import replace

from flask import request
from flask_babel import gettext as _

from rosemeet.accounts.models import Person
from rosemeet.agendas import operations as ops
from rosemeet.agendas import queries
from rosemeet.agendas.models import AgendaItem
from rosemeet.agendas.schemas import (
    ITEM_CHANGE,
    NEW_ITEM,
    AgendaItemSchema,
    AgendaSchema,
    ApprovalSchema,
    MinutesSchema,
)
from rosemeet.api.base import (
    OPTIONAL_TOKEN,
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
    require_can,
)
from rosemeet.core.errors import ApiError
from rosemeet.core.permissions import can
from rosemeet.meetings.models import Meeting


class MinutesHidden:
    """An agenda item as a caller who may not read its minutes sees it."""

    minutes = None

    def __init__(self, item: AgendaItem):
        """The item, without its minutes."""
        self._item = item

    def __getattr__(self, name: str):
        """Everything else of the item."""
        return getattr(self._item, name)


def shown(item: AgendaItem) -> AgendaItem | MinutesHidden:
    """The item, its minutes hidden unless the caller may read them."""
    if item.meeting_id is not None and can(api_user(), "view_minutes", item.meeting):
        return item
    return MinutesHidden(item)


def _meeting_for(meeting_id: int, action: str = "view_agenda") -> Meeting:
    meeting = get_visible(Meeting, meeting_id)
    require_can(action, meeting)
    return meeting


def _fields(data: dict, item: AgendaItem | None = None) -> dict:
    """The keyword arguments of ``add_item``/``update_item``: what the body gives, else what
    the item has."""
    if "action_ids" in data:
        ids = list(dict.fromkeys(data["action_ids"] or []))
        actions = queries.actions_by_id(ids)
        if len(actions) != len(ids):
            raise invalid("action_ids", _("Unknown plan action."))
    else:
        actions = list(item.actions) if item else []
    if "presenter_id" in data:
        presenter = related(Person, data["presenter_id"], "presenter_id", _("Unknown person."))
    else:
        presenter = item.presenter if item else None

    def given(name: str, current):
        return data.get(name, current)

    return {
        "title": given("title", item.title if item else None),
        "description": given("description", item.description if item else None),
        "kind": given("kind", item.kind if item else None),
        "presenter": presenter,
        "presenter_text": given("presenter_text", item.presenter_text if item else None),
        "planned_minutes": given("planned_minutes", item.planned_minutes if item else None),
        "links": given("links", item.link_list if item else None),
        "actions": actions,
    }


@bp.get("/meetings/<int:meeting_id>/agenda-items")
@bp.doc(security=OPTIONAL_TOKEN)
@listing(AgendaItemSchema)
@errors(401, 403, 404)
def list_agenda_items(query: dict, meeting_id: int):
    """List a meeting's agenda items in order (published agendas; drafts for their makers)."""
    meeting = _meeting_for(meeting_id)
    return paginate([shown(i) for i in queries.load_items(meeting.id)], query)


@bp.post("/meetings/<int:meeting_id>/agenda-items")
@json_body(NEW_ITEM)
@bp.response(201, AgendaItemSchema)
@errors(400, 401, 403, 404, 409)
def create_agenda_item(meeting_id: int):
    """Add an item at the end of a meeting's agenda (chair, secretary)."""
    meeting = _meeting_for(meeting_id, "edit_agenda")
    return shown(ops.add_item(meeting, **_fields(read(NEW_ITEM))))


@bp.patch("/agenda-items/<int:item_id>")
@json_body(ITEM_CHANGE)
@bp.response(200, AgendaItemSchema)
@errors(400, 401, 403, 404, 409)
def update_agenda_item(item_id: int):
    """Change an item and/or its minutes; a stale ``version`` answers 409 and changes nothing."""
    item = get_visible(AgendaItem, item_id)
    # Whatever the body holds, the caller must be allowed to change this item (its fields or
    # its minutes): an empty PATCH is no way to read it with more than ``view`` allows.
    if not (can(api_user(), "edit", item) or _may_edit_minutes(item)):
        require_can("edit", item)
    data = read(ITEM_CHANGE)
    version = data["version"]
    if set(data) - {"version", "minutes"}:
        require_can("edit", item)
        ops.update_item(item, version=version, **_fields(data, item))
        version = item.version
    if "minutes" in data:
        if item.meeting is not None:
            require_can("edit_minutes", item.meeting)
        ops.save_minutes(item, data["minutes"] or "", version=version, by=api_user())
    return shown(item)


def _may_edit_minutes(item: AgendaItem) -> bool:
    return item.meeting is not None and can(api_user(), "edit_minutes", item.meeting)


@bp.get("/meetings/<int:meeting_id>/agenda")
@bp.doc(security=OPTIONAL_TOKEN)
@bp.response(200, AgendaSchema)
@errors(401, 403, 404)
def meeting_agenda(meeting_id: int):
    """The full agenda of a meeting, with the sections other domains add (follow-ups)."""
    return _full_agenda(_meeting_for(meeting_id))


def _full_agenda(meeting: Meeting) -> queries.AgendaView:
    view = queries.load_agenda(meeting)
    # MinutesHidden stands in for an AgendaItem (it reads as one, without the minutes)
    return replace(view, items=[shown(i) for i in view.items])  # type: ignore[misc]


@bp.post("/meetings/<int:meeting_id>/agenda/publish")
@bp.response(200, AgendaSchema)
@errors(400, 401, 403, 404)
def publish_agenda(meeting_id: int):
    """Publish a meeting's agenda (chair, secretary): its members see it, its invitees get it
    by mail; publishing a published agenda changes nothing."""
    meeting = _meeting_for(meeting_id, "edit_agenda")
    ops.publish_agenda(meeting)
    return _full_agenda(meeting)


# --- minutes ------------------------------------------------------------------------------------


@bp.get("/meetings/<int:meeting_id>/minutes")
@bp.doc(security=OPTIONAL_TOKEN)
@bp.response(200, MinutesSchema)
@errors(401, 403, 404)
def get_minutes(meeting_id: int):
    """A meeting's minutes per agenda item (drafts for those who write them; shared or
    approved minutes for who sees the meeting)."""
    return queries.load_agenda(_meeting_for(meeting_id, "view_minutes"))


@bp.put("/meetings/<int:meeting_id>/minutes")
@json_body(MinutesSchema)
@bp.response(200, MinutesSchema)
@errors(400, 401, 403, 404, 409)
def update_minutes(meeting_id: int):
    """Change the minutes of any of the meeting's items (chair, secretary, until approved);
    when any item's ``version`` is stale, 409 names each such ``items.<agenda_item_id>`` and
    nothing is saved."""
    meeting = _meeting_for(meeting_id, "edit_minutes")
    changes = read(MinutesSchema)["items"]
    items = {item.id: item for item in queries.load_items(meeting.id)}
    ids = [change["agenda_item_id"] for change in changes]
    if len(set(ids)) != len(ids) or not set(ids) <= set(items):
        raise invalid("items", _("Name each item of this meeting's agenda at most once."))
    stale = [i for i, c in zip(ids, changes, strict=True) if items[i].version != c["version"]]
    try:
        if not stale:
            for item_id, change in zip(ids, changes, strict=True):
                ops.save_minutes(
                    items[item_id], change["text"], version=change["version"], by=api_user()
                )
    except ops.VersionConflict as conflict:  # saved by another request meanwhile
        stale = [conflict.item_id]
    if stale:  # an answer from 400 up rolls back what was saved before the conflict
        message = _("Someone else saved these minutes in the meantime. Nothing was saved.")
        raise ApiError(409, "conflict", message, {f"items.{i}": [message] for i in stale})
    return queries.load_agenda(meeting)


@bp.post("/meetings/<int:meeting_id>/minutes/share")
@bp.response(200, MinutesSchema)
@errors(400, 401, 403, 404)
def share_minutes(meeting_id: int):
    """Send draft minutes for comments (chair, secretary): the invitees read them and get a
    mail."""
    meeting = _meeting_for(meeting_id, "edit_agenda")
    ops.send_minutes_for_comment(meeting)
    return queries.load_agenda(meeting)


@bp.post("/meetings/<int:meeting_id>/minutes/approve")
@json_body(ApprovalSchema, required=False)
@bp.response(200, MinutesSchema)
@errors(400, 401, 403, 404)
def approve_minutes(meeting_id: int):
    """Approve minutes sent for comments at a later meeting of the same body (its chair or
    secretary); they can no longer be changed."""
    meeting = _meeting_for(meeting_id, "edit_agenda")
    chosen = read(ApprovalSchema).get("in_meeting_id") if request.content_length else None
    if chosen is None:
        in_meeting = queries.next_meeting(meeting)
        if in_meeting is None:
            raise invalid("in_meeting_id", _("Plan the next meeting first: it approves them."))
    else:
        in_meeting = related(Meeting, chosen, "in_meeting_id", _("Unknown meeting."), visible=True)
    require_can("edit_agenda", in_meeting)
    ops.approve_minutes(meeting, in_meeting=in_meeting, by=api_user())
    return queries.load_agenda(meeting)
