"""Agendas as JSON: agenda items (sent to add or change one, answered with its minutes to who
may read them), a meeting's full agenda with the sections other domains add, and its minutes
(read, changed per item with a version, approved)."""

from __future__ import annotations

from rosemeet.agendas.models import AgendaStatus, ItemKind, ItemRole, ItemSource, MinutesStatus
from rosemeet.agendas.queries import agenda_sections
from rosemeet.core import schemas as s


class AgendaItemSchema(s.Schema):
    """An item of a meeting's agenda (or of a body's backlog)."""

    id = s.Id(dump_only=True, required=True)
    meeting_id = s.Id(dump_only=True, allow_none=True)
    position = s.Integer(dump_only=True, required=True)
    title = s.Text(required=True, blank=False, max_length=300)
    description = s.Text(
        multiline=True, max_length=20000, allow_none=True, metadata={"description": "Markdown."}
    )
    kind = s.Choice(ItemKind, load_default=ItemKind.DISCUSSION)
    role = s.Choice(ItemRole, dump_only=True, allow_none=True)
    presenter_id = s.Id(allow_none=True)
    presenter = s.Text(
        dump_only=True, allow_none=True, source=lambda item: item.presenter_name or None
    )
    presenter_text = s.Text(
        load_only=True, max_length=200, allow_none=True, metadata={"description": "Or a name."}
    )
    planned_minutes = s.Integer(low=0, high=24 * 60, allow_none=True)
    links = s.List(s.Url(max_length=500), source=lambda item: item.link_list)
    action_ids = s.Ids(source=lambda item: [a.id for a in item.actions])
    source = s.Choice(ItemSource, dump_only=True, required=True)
    origin = s.Text(dump_only=True, allow_none=True, source=lambda item: item.origin_text)
    minutes = s.Text(
        multiline=True,
        max_length=100000,
        allow_none=True,
        metadata={"description": "Markdown; null for who may not read them. Sent: PATCH only."},
    )
    version = s.Integer(
        low=1,
        required=True,
        metadata={
            "description": "Increases on every save; send the one you read (409 when stale)."
        },
    )


#: the body of POST .../agenda-items: a new item (no minutes, no version yet)
NEW_ITEM = AgendaItemSchema(exclude=("minutes", "version"))
#: the body of PATCH /agenda-items/{id}: the version read, and what changes
ITEM_CHANGE = AgendaItemSchema(partial=tuple(set(AgendaItemSchema._declared_fields) - {"version"}))


class AgendaSchema(s.Schema):
    """The full agenda of a meeting: its items and the sections other domains add (the
    carried-over follow-ups, the fed-back items)."""

    meeting_id = s.Id(dump_only=True, required=True, source=lambda view: view.meeting.id)
    title = s.Text(dump_only=True, required=True, source=lambda view: view.meeting.display_title)
    starts_at = s.Moment(
        dump_only=True, required=True, source=lambda view: view.meeting.local_start
    )
    ends_at = s.Moment(dump_only=True, required=True, source=lambda view: view.meeting.local_end)
    status = s.Choice(AgendaStatus, dump_only=True, required=True)
    published_at = s.Moment(
        dump_only=True,
        allow_none=True,
        source=lambda view: view.agenda.published_at if view.agenda else None,
    )
    minutes_status = s.Choice(MinutesStatus, dump_only=True, required=True)
    approved_in_meeting_id = s.Id(
        dump_only=True,
        allow_none=True,
        source=lambda view: view.agenda.approved_in_meeting_id if view.agenda else None,
    )
    planned_minutes = s.Integer(dump_only=True, required=True)
    meeting_minutes = s.Integer(dump_only=True, required=True)
    items = s.Object(AgendaItemSchema, many=True, dump_only=True, required=True)
    sections = s.List(
        s.Mapping(),
        dump_only=True,
        required=True,
        source=lambda view: agenda_sections(view.meeting),
        metadata={
            "description": "Added by other domains: each has a ``key`` (a code), a ``title`` "
            "and its ``items``."
        },
    )


class MinutesItemSchema(s.Schema):
    """The minutes of one agenda item, with the version to send back when changing them."""

    agenda_item_id = s.Id(required=True, source=lambda item: item.id)
    title = s.Text(dump_only=True, required=True)
    text = s.Text(
        multiline=True,
        max_length=100000,
        required=True,
        source=lambda item: item.minutes or "",
        metadata={"description": "Markdown; empty text clears them."},
    )
    version = s.Integer(
        low=1,
        required=True,
        metadata={"description": "The item's version you read (409 when stale)."},
    )


class MinutesSchema(s.Schema):
    """A meeting's minutes: where they stand and the text per agenda item."""

    state = s.Choice(
        MinutesStatus,
        dump_only=True,
        required=True,
        source=lambda view: view.minutes_status,
        metadata={"description": "draft, for_comment (shared for comments) or approved."},
    )
    items = s.Object(
        MinutesItemSchema,
        many=True,
        required=True,
        metadata={"description": "Per agenda item; sent: any of them, each at most once."},
    )


class ApprovalSchema(s.Schema):
    """The approval of a meeting's minutes shared for comments."""

    in_meeting_id = s.Id(
        metadata={
            "description": "The later meeting of the same body that approves them (default: "
            "the body's next meeting)."
        },
    )
