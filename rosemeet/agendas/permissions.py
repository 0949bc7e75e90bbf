"""Who may see and change agendas, minutes, backlogs, templates and proposals."""

from rosemeet.agendas.models import Agenda, AgendaItem, MinutesRemark, MinutesStatus, Proposal
from rosemeet.core.permissions import RuleEntry, can, logged_in
from rosemeet.extensions import db
from rosemeet.meetings.models import Meeting
from rosemeet.meetings.permissions import sees_meeting
from rosemeet.meetings.queries import is_invitee
from rosemeet.network.models import Body
from rosemeet.network.permissions import runs_body
from rosemeet.network.queries import current_role


def _agenda(meeting: Meeting) -> Agenda | None:
    return db.session.get(Agenda, meeting.id)


def edit_agenda(user, meeting) -> bool:
    """The chair and the secretary of one of its bodies make the agenda (admins always)."""
    return meeting is not None and any(runs_body(user, b) for b in meeting.bodies)


def view_agenda(user, meeting) -> bool:
    """Who sees the meeting sees its published agenda; drafts are for those who make it."""
    if meeting is None or not can(user, "view", meeting):
        return False
    agenda = _agenda(meeting)
    return (agenda is not None and agenda.is_published) or edit_agenda(user, meeting)


def view_minutes(user, meeting) -> bool:
    """Minutes are read once sent for comments or approved; drafts by those who write them.
    The members of a body the meeting reports back to read approved minutes only."""
    if meeting is None or not can(user, "view", meeting):
        return False
    agenda = _agenda(meeting)
    if not sees_meeting(user, meeting):  # a reader of the body it reports back to
        return agenda is not None and agenda.minutes_approved
    shared = agenda is not None and agenda.minutes_status is not MinutesStatus.DRAFT
    return shared or edit_agenda(user, meeting)


def view_reported(_user, meeting) -> bool:
    """What a meeting shares with the bodies it reports back to (``meetings.view_meeting``
    lets their members see it only then): its published agenda and its approved minutes."""
    agenda = None if meeting is None else _agenda(meeting)
    return agenda is not None and (agenda.is_published or agenda.minutes_approved)


def edit_minutes(user, meeting) -> bool:
    """The chair and the secretary write the minutes until they are approved."""
    if not edit_agenda(user, meeting):
        return False
    agenda = _agenda(meeting)
    return agenda is None or not agenda.minutes_approved


def view_item(user, item) -> bool:
    """An item is seen with its agenda; a backlog item by those who run the body. The members
    of a body the meeting reports back to see its items (their decisions and follow-ups) once
    the minutes are approved too."""
    if item is None:
        return False
    if item.meeting is not None:
        if not view_agenda(user, item.meeting):
            return False
        if sees_meeting(user, item.meeting):
            return True
        agenda = _agenda(item.meeting)
        return agenda is not None and agenda.minutes_approved
    return runs_body(user, item.body)


def edit_item(user, item) -> bool:
    """An item is changed by those who make its agenda (or run the body of its backlog)."""
    if item is None:
        return False
    if item.meeting is not None:
        return edit_agenda(user, item.meeting)
    return runs_body(user, item.body)


def propose(user, body) -> bool:
    """Anyone logged in who sees the body may propose an item for its next meeting."""
    if body is None or not logged_in(user):
        return False
    return body.is_public or current_role(user, body) is not None


def manage_agenda(user, body) -> bool:
    """The chair and the secretary keep the body's template, backlog and proposals."""
    return runs_body(user, body)


def view_proposal(user, proposal) -> bool:
    """The proposer and those who decide on it see a proposal."""
    if proposal is None or not logged_in(user):
        return False
    return proposal.proposer_id == user.id or runs_body(user, proposal.body)


def decide_proposal(user, proposal) -> bool:
    """The receiving body's chair or secretary accepts, defers or declines."""
    return proposal is not None and runs_body(user, proposal.body)


# --- remarks on minutes sent for comments ---------------------------------------------------


def _minutes_status(meeting: Meeting | None) -> MinutesStatus | None:
    agenda = None if meeting is None else db.session.get(Agenda, meeting.id)
    return None if agenda is None else agenda.minutes_status


def add_remark_rule(user, item) -> bool:
    """Invitees of the meeting and members of its bodies add remarks while the minutes are
    sent for comments."""
    if item is None or item.meeting is None or not logged_in(user):
        return False
    meeting = item.meeting
    if _minutes_status(meeting) is not MinutesStatus.FOR_COMMENT:
        return False
    if not can(user, "view_minutes", meeting):
        return False
    return is_invitee(meeting, user) or any(
        current_role(user, b) is not None for b in meeting.bodies
    )


def handle_remark_rule(user, item) -> bool:
    """Those who write the minutes (chair, secretary) accept or answer the remarks."""
    return item is not None and item.meeting is not None and can(user, "edit_minutes", item.meeting)


def view_remark(user, remark) -> bool:
    """A remark is read with the minutes it is about."""
    return (
        remark is not None
        and remark.item.meeting is not None
        and can(user, "view_minutes", remark.item.meeting)
    )


def handle_rule(user, remark) -> bool:
    """A remark is handled by those who may handle the remarks of its item."""
    return remark is not None and handle_remark_rule(user, remark.item)


#: this domain's rules for ``can``, registered on the app by its ``setup``
RULES: list[RuleEntry] = [
    (Meeting, ("edit_agenda",), edit_agenda),
    (Meeting, ("view_agenda",), view_agenda),
    (Meeting, ("view_minutes",), view_minutes),
    (Meeting, ("view_reported",), view_reported),
    (Meeting, ("edit_minutes",), edit_minutes),
    (AgendaItem, ("view",), view_item),
    (AgendaItem, ("edit",), edit_item),
    (Body, ("propose",), propose),
    (Body, ("manage_agenda",), manage_agenda),
    (Proposal, ("view",), view_proposal),
    (Proposal, ("decide",), decide_proposal),
    (AgendaItem, ("add_remark",), add_remark_rule),
    (AgendaItem, ("handle_remark",), handle_remark_rule),
    (MinutesRemark, ("view",), view_remark),
    (MinutesRemark, ("handle",), handle_rule),
]
