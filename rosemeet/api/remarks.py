"""API resources of the remarks on minutes sent for comments: the remarks on a meeting's
minutes, and adding one to an item."""

from __future__ import annotations

from dataclasses import dataclass

from rosemeet.agendas import remarks
from rosemeet.agendas.models import Agenda, AgendaItem, MinutesRemark, MinutesStatus
from rosemeet.agendas.remark_schemas import NEW_REMARK, MinutesRemarksSchema, RemarkSchema
from rosemeet.api.base import (
    OPTIONAL_TOKEN,
    api_user,
    bp,
    errors,
    get_visible,
    json_body,
    not_found,
    read,
    require_can,
)
from rosemeet.core.permissions import can
from rosemeet.extensions import db
from rosemeet.meetings.models import Meeting


@dataclass
class MinutesRemarks:
    """What GET .../minutes/remarks answers."""

    meeting_id: int
    minutes_status: MinutesStatus
    open: int
    items: list[MinutesRemark]


@bp.get("/meetings/<int:meeting_id>/minutes/remarks")
@bp.doc(security=OPTIONAL_TOKEN)
@bp.response(200, MinutesRemarksSchema)
@errors(401, 403, 404)
def list_minutes_remarks(meeting_id: int):
    """The remarks on a meeting's minutes and how each was handled (who reads the minutes)."""
    meeting = get_visible(Meeting, meeting_id)
    require_can("view_minutes", meeting)
    agenda = db.session.get(Agenda, meeting.id)
    rows = [r for _item, found in remarks.remarks_by_item(meeting) for r in found]
    return MinutesRemarks(
        meeting.id,
        agenda.minutes_status if agenda else MinutesStatus.DRAFT,
        sum(1 for r in rows if r.status.value == "open"),
        rows,
    )


@bp.post("/agenda-items/<int:item_id>/remarks")
@json_body(NEW_REMARK)
@bp.response(201, RemarkSchema)
@errors(400, 401, 403, 404, 409)
def add_remark(item_id: int):
    """Add a remark (optionally a proposed wording) to an item's minutes while they are sent
    for comments (invitees and members of the meeting's bodies)."""
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.meeting is None or not can(api_user(), "view_minutes", item.meeting):
        raise not_found()
    require_can("add_remark", item)
    data = read(NEW_REMARK)
    return remarks.add_remark(item, data["text"], data.get("proposed_text"), by=api_user())
