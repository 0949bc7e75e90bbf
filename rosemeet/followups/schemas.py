"""Follow-ups and decisions as JSON: a follow-up (recorded on an agenda item, its status
changed later) and a decision of the register."""

from __future__ import annotations

from rosemeet.core import schemas as s
from rosemeet.core.time import local_today
from rosemeet.followups.models import FollowUpStatus
from rosemeet.network.schemas import BodyRefSchema

#: the longest resolution (the form and the API)
RESOLUTION_MAX = 10000


def _name(person_or_org) -> str | None:
    return person_or_org.name if person_or_org is not None else None


class ClosingMeetingSchema(s.Schema):
    """The meeting a follow-up was dealt with in: which one, of which bodies, when."""

    id = s.Id(dump_only=True, required=True)
    title = s.Text(dump_only=True, required=True, source=lambda m: m.display_title)
    starts_at = s.Moment(dump_only=True, required=True, source=lambda m: m.local_start)
    bodies = s.Object(BodyRefSchema, many=True, dump_only=True, required=True)


class FollowUpSchema(s.Schema):
    """A follow-up (opvolgpunt): what must be done, by whom, by when, for which body."""

    id = s.Id(dump_only=True, required=True)
    title = s.Text(required=True, blank=False, max_length=300)
    description = s.Text(multiline=True, max_length=5000, allow_none=True)
    body = s.Object(BodyRefSchema, dump_only=True, required=True)
    body_id = s.Id(
        load_only=True, allow_none=True, metadata={"description": "Joint meetings: whose list."}
    )
    agenda_item_id = s.Id(dump_only=True, allow_none=True)
    decision_id = s.Id(allow_none=True)
    decision_number = s.Text(
        dump_only=True, allow_none=True, source=lambda f: f.decision.number if f.decision else None
    )
    origin_meeting_id = s.Id(dump_only=True, allow_none=True)
    origin_date = s.Day(dump_only=True, allow_none=True)
    owner_person_id = s.Id(allow_none=True)
    owner_person = s.Text(dump_only=True, allow_none=True, source=lambda f: _name(f.owner_person))
    owner_organisation_id = s.Id(allow_none=True)
    owner_organisation = s.Text(
        dump_only=True, allow_none=True, source=lambda f: _name(f.owner_organisation)
    )
    due_on = s.Day(allow_none=True)
    overdue = s.Flag(dump_only=True, required=True, source=lambda f: f.is_overdue(local_today()))
    status = s.Choice(FollowUpStatus, required=True)
    report_to_body_id = s.Id(allow_none=True)
    report_to_body = s.Text(
        dump_only=True, allow_none=True, source=lambda f: _name(f.report_to_body)
    )
    closed_at = s.Moment(dump_only=True, allow_none=True)
    closed_by = s.Text(dump_only=True, allow_none=True, source=lambda f: _name(f.closed_by))
    closed_in_meeting_id = s.Id(
        allow_none=True,
        metadata={
            "description": "A meeting of the owning or the report-to body (409 otherwise) "
            "that has started (400 for one still to come)."
        },
    )
    closed_in_meeting = s.Object(ClosingMeetingSchema, dump_only=True, allow_none=True)
    resolution = s.Text(
        multiline=True,
        max_length=RESOLUTION_MAX,
        allow_none=True,
        metadata={
            "description": "Closing: what was decided or answered (Markdown); required when "
            "a follow-up with a report-to body is closed (400). Reopening clears it."
        },
    )
    action_ids = s.Ids(source=lambda f: [a.id for a in f.actions])


#: the body of POST .../follow-ups: a new follow-up (it starts open)
NEW_FOLLOW_UP = FollowUpSchema(exclude=("status", "closed_in_meeting_id", "resolution"))
#: the body of PATCH /follow-ups/{id}: a new status, or where it was dealt with (then done)
FOLLOW_UP_STATUS = FollowUpSchema(
    only=("status", "closed_in_meeting_id", "resolution"), partial=True
)


class DecisionSchema(s.Schema):
    """A decision of the register, numbered per body and year (AG-2027-03)."""

    id = s.Id(dump_only=True, required=True)
    number = s.Text(dump_only=True, required=True, metadata={"description": "AG-2027-03."})
    body = s.Object(BodyRefSchema, dump_only=True, required=True)
    body_id = s.Id(
        load_only=True, allow_none=True, metadata={"description": "Joint meetings: whose register."}
    )
    year = s.Integer(dump_only=True, required=True)
    sequence = s.Integer(dump_only=True, required=True)
    text = s.Text(required=True, blank=False, multiline=True, max_length=5000)
    decided_on = s.Day(dump_only=True, required=True)
    meeting_id = s.Id(dump_only=True, required=True)
    agenda_item_id = s.Id(dump_only=True, allow_none=True)
    action_ids = s.Ids(source=lambda d: [a.id for a in d.actions])
    follow_up_ids = s.Ids(dump_only=True, source=lambda d: [f.id for f in d.follow_ups])
