"""API resources of agendas: a meeting's items and full agenda, item changes with a version."""

from __future__ import annotations

from dataclasses import replace

from flask_babel import gettext as _

from rosemeet.accounts.models import Person
from rosemeet.agendas import operations as ops
from rosemeet.agendas import queries
from rosemeet.agendas.models import AgendaItem
from rosemeet.agendas.schemas import ITEM_CHANGE, NEW_ITEM, AgendaItemSchema, AgendaSchema
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
    view = queries.load_agenda(_meeting_for(meeting_id))
    # MinutesHidden stands in for an AgendaItem (it reads as one, without the minutes)
    return replace(view, items=[shown(i) for i in view.items])  # type: ignore[misc]
