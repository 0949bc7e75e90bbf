"""Who may read and record decisions and follow-ups, and who may change a follow-up's status.

The chair and the secretary of a body (and admins) record decisions and follow-ups on
its agenda items; owners update the status of their own follow-ups; members read their
bodies' (public bodies: everyone logged in). A follow-up that reports back to another body
is read, and dealt with, by that body's members too.

``followups.queries.readable_follow_ups`` is the same follow-up rule as an SQL condition, for
the lists; keep the two together.
"""

from rosemeet.agendas.models import AgendaItem
from rosemeet.core.permissions import RuleEntry, logged_in
from rosemeet.followups.closing import can_close
from rosemeet.followups.models import Decision, FollowUp
from rosemeet.followups.queries import item_bodies
from rosemeet.meetings.models import Meeting
from rosemeet.network.models import Body
from rosemeet.network.permissions import runs_body
from rosemeet.network.queries import current_role


def _reads(user, body: Body | None) -> bool:
    return (
        body is not None
        and logged_in(user)
        and (body.is_public or current_role(user, body) is not None)
    )


def record_outcomes(user, item) -> bool:
    """The chair and the secretary of the item's body record its decisions and follow-ups."""
    return item is not None and any(runs_body(user, b) for b in item_bodies(item))


def record_in_meeting(user, meeting) -> bool:
    """... and deal with the opvolglijst of their body's meetings."""
    return meeting is not None and any(runs_body(user, b) for b in meeting.bodies)


def view_decision(user, decision) -> bool:
    """Decisions are read with their body's register."""
    return decision is not None and _reads(user, decision.body)


def _member(user, body: Body | None) -> bool:
    return body is not None and logged_in(user) and current_role(user, body) is not None


def view_follow_up(user, follow_up) -> bool:
    """Its owner reads it, so do those who read the owning body's follow-ups (its members;
    everyone logged in for a public body) and the members of the body it reports back to.

    Reporting back to a public body does not make a closed body's follow-up public: a closed
    body's work is read within the body unless the body itself publishes it, and sending a
    follow-up to the AV asks the AV's members to deal with it, not every visitor of the AV's
    agenda. So the report-to body counts for its members only, public or not."""
    if follow_up is None or not logged_in(user):
        return False
    if follow_up.owner_person_id == user.id:
        return True
    return _reads(user, follow_up.body) or _member(user, follow_up.report_to_body)


def edit_follow_up(user, follow_up) -> bool:
    """The chair and the secretary of the owning body change what it says."""
    return follow_up is not None and runs_body(user, follow_up.body)


def set_status(user, follow_up) -> bool:
    """Owners update the status of their own follow-ups; the chair and the secretary of the
    owning body and of the body it reports back to deal with it."""
    if follow_up is None or not logged_in(user):
        return False
    return (
        follow_up.owner_person_id == user.id
        or runs_body(user, follow_up.body)
        or runs_body(user, follow_up.report_to_body)
    )


def close_group(user, body) -> bool:
    """The chair and the secretary of an active ad-hoc group close it ("Werkgroep afronden")."""
    return body is not None and can_close(body) and runs_body(user, body)


def search_and_track(user, _obj) -> bool:
    """Logged-in people search and use the tracker (they see only what they may read)."""
    return logged_in(user)


#: this domain's rules for ``can``, registered on the app by its ``setup``
RULES: list[RuleEntry] = [
    (AgendaItem, ("record_outcomes",), record_outcomes),
    (Meeting, ("record_outcomes",), record_in_meeting),
    (Decision, ("view",), view_decision),
    (FollowUp, ("view",), view_follow_up),
    (FollowUp, ("edit",), edit_follow_up),
    (FollowUp, ("set_status",), set_status),
    (Body, ("close_group",), close_group),
    (None, ("search", "track_follow_ups"), search_and_track),
]
