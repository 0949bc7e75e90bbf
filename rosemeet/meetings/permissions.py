"""Who may see and plan meetings, answer invitations and record attendance."""

from rosemeet.core.permissions import RuleEntry, can
from rosemeet.meetings.models import Meeting, MeetingSeries
from rosemeet.network.models import Body, RelationKind
from rosemeet.network.permissions import runs_body
from rosemeet.network.queries import current_role


def plan_meetings(user, body) -> bool:
    """The chair and the secretary plan the meetings of their body (admins always)."""
    return body is not None and not body.is_archived and runs_body(user, body)


def set_quorum(user, body) -> bool:
    """The chair and the secretary set their body's quorum rule."""
    return body is not None and runs_body(user, body)


def sees_meeting(user, meeting) -> bool:
    """Meetings of public bodies are open to all; others to members of a body and guests
    (not to the bodies it reports back to: see ``view_meeting``). Lists of meetings (feeds)
    use this rule."""
    if meeting is None:
        return True
    if any(b.is_public or current_role(user, b) is not None for b in meeting.bodies):
        return True
    user_id = getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None
    return user_id is not None and any(
        a.person_id == user_id and a.is_guest for a in meeting.attendances
    )


def receiving_reader(user, meeting) -> bool:
    """Is the user now a member of a body (not archived) that one of the meeting's bodies
    reports back to (RelationKind.REPORTS_TO), e.g. of the Actiegroep for an ROA meeting?"""
    if meeting is None or not getattr(user, "is_authenticated", False):
        return False
    return any(
        relation.kind is RelationKind.REPORTS_TO
        and not relation.target.is_archived
        and current_role(user, relation.target) is not None
        for body in meeting.bodies
        for relation in body.outgoing_relations
    )


def view_meeting(user, meeting) -> bool:
    """Who ``sees_meeting``; and the members of the bodies it reports back to, once the
    meeting shares something with them (the rule ``view_reported`` of a higher domain: the
    agendas share a published agenda and approved minutes). Otherwise it stays unseen (404)."""
    if sees_meeting(user, meeting):
        return True
    return receiving_reader(user, meeting) and can(user, "view_reported", meeting)


def manage_meeting(user, meeting) -> bool:
    """The chair or the secretary of one of its bodies moves, cancels and takes attendance;
    for a series (the same ``bodies``), changes and ends it."""
    return meeting is not None and any(runs_body(user, b) for b in meeting.bodies)


#: this domain's rules for ``can``, registered on the app by its ``setup``
RULES: list[RuleEntry] = [
    (Body, ("plan_meetings",), plan_meetings),
    (Body, ("set_quorum",), set_quorum),
    (Meeting, ("view",), view_meeting),
    (Meeting, ("edit", "cancel", "record_attendance"), manage_meeting),
    (MeetingSeries, ("edit",), manage_meeting),
]
