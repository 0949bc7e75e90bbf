"""Who may see and change agendas, minutes, backlogs, templates and proposals."""

from rosemeet.agendas.models import Agenda, AgendaItem, MinutesStatus, Proposal
from rosemeet.core.permissions import can, logged_in, rule
from rosemeet.extensions import db
from rosemeet.meetings.models import Meeting
from rosemeet.network.models import Body
from rosemeet.network.permissions import runs_body
from rosemeet.network.queries import current_role


def _agenda(meeting: Meeting) -> Agenda | None:
    return db.session.get(Agenda, meeting.id)


@rule(Meeting, "edit_agenda")
def edit_agenda(user, meeting) -> bool:
    """The chair and the secretary of one of its bodies make the agenda (admins always)."""
    return meeting is not None and any(runs_body(user, b) for b in meeting.bodies)


@rule(Meeting, "view_agenda")
def view_agenda(user, meeting) -> bool:
    """Who sees the meeting sees its published agenda; drafts are for those who make it."""
    if meeting is None or not can(user, "view", meeting):
        return False
    agenda = _agenda(meeting)
    return (agenda is not None and agenda.is_published) or edit_agenda(user, meeting)


@rule(Meeting, "view_minutes")
def view_minutes(user, meeting) -> bool:
    """Minutes are read once sent for comments or approved; drafts by those who write them."""
    if meeting is None or not can(user, "view", meeting):
        return False
    agenda = _agenda(meeting)
    shared = agenda is not None and agenda.minutes_status is not MinutesStatus.DRAFT
    return shared or edit_agenda(user, meeting)


@rule(Meeting, "edit_minutes")
def edit_minutes(user, meeting) -> bool:
    """The chair and the secretary write the minutes until they are approved."""
    if not edit_agenda(user, meeting):
        return False
    agenda = _agenda(meeting)
    return agenda is None or not agenda.minutes_approved


@rule(AgendaItem, "view")
def view_item(user, item) -> bool:
    """An item is seen with its agenda; a backlog item by those who run the body."""
    if item is None:
        return False
    if item.meeting is not None:
        return view_agenda(user, item.meeting)
    return runs_body(user, item.body)


@rule(AgendaItem, "edit")
def edit_item(user, item) -> bool:
    """An item is changed by those who make its agenda (or run the body of its backlog)."""
    if item is None:
        return False
    if item.meeting is not None:
        return edit_agenda(user, item.meeting)
    return runs_body(user, item.body)


@rule(Body, "propose")
def propose(user, body) -> bool:
    """Anyone logged in who sees the body may propose an item for its next meeting."""
    if body is None or not logged_in(user):
        return False
    return body.is_public or current_role(user, body) is not None


@rule(Body, "manage_agenda")
def manage_agenda(user, body) -> bool:
    """The chair and the secretary keep the body's template, backlog and proposals."""
    return runs_body(user, body)


@rule(Proposal, "view")
def view_proposal(user, proposal) -> bool:
    """The proposer and those who decide on it see a proposal."""
    if proposal is None or not logged_in(user):
        return False
    return proposal.proposer_id == user.id or runs_body(user, proposal.body)


@rule(Proposal, "decide")
def decide_proposal(user, proposal) -> bool:
    """The receiving body's chair or secretary accepts, defers or declines."""
    return proposal is not None and runs_body(user, proposal.body)
