"""Remarks on minutes as JSON: a remark (sent to add one, answered with how it was handled)
and the remarks on a meeting's minutes."""

from __future__ import annotations

from rosemeet.agendas.models import MinutesStatus, RemarkStatus
from rosemeet.agendas.remarks import PROPOSED_MAX, TEXT_MAX
from rosemeet.core import schemas as s


class RemarkSchema(s.Schema):
    """A remark on an agenda item's minutes, and how the secretary handled it."""

    id = s.Id(dump_only=True, required=True)
    agenda_item_id = s.Id(dump_only=True, required=True, source=lambda r: r.item_id)
    author = s.Text(
        dump_only=True, allow_none=True, source=lambda r: r.author.name if r.author else None
    )
    text = s.Text(multiline=True, required=True, blank=False, max_length=TEXT_MAX)
    proposed_text = s.Text(
        multiline=True,
        allow_none=True,
        max_length=PROPOSED_MAX,
        metadata={"description": "A proposed wording of the item's minutes (Markdown)."},
    )
    status = s.Choice(RemarkStatus, dump_only=True, required=True)
    answer = s.Text(dump_only=True, allow_none=True)
    applied_version = s.Integer(
        dump_only=True,
        allow_none=True,
        metadata={"description": "The item's version that applied the proposed wording."},
    )
    handled_by = s.Text(
        dump_only=True,
        allow_none=True,
        source=lambda r: r.handled_by.name if r.handled_by else None,
    )
    handled_at = s.Moment(dump_only=True, allow_none=True)
    created_at = s.Moment(dump_only=True, required=True)


#: the body of POST /agenda-items/{id}/remarks
NEW_REMARK = RemarkSchema(only=("text", "proposed_text"))


class MinutesRemarksSchema(s.Schema):
    """The remarks on a meeting's minutes, in agenda order, oldest first per item."""

    meeting_id = s.Id(dump_only=True, required=True)
    minutes_status = s.Choice(MinutesStatus, dump_only=True, required=True)
    open = s.Integer(
        dump_only=True, required=True, metadata={"description": "Remarks not handled yet."}
    )
    items = s.Object(RemarkSchema, many=True, dump_only=True, required=True)
