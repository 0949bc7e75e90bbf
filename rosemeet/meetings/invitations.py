"""The calendar part of invitation e-mails (iTIP over iMIP): REQUEST or CANCEL per invitee."""

from __future__ import annotations

from datetime import timedelta
from email.utils import parseaddr

from flask import current_app, url_for

from rosemeet.core import ical

#: changes to a meeting queued within this time become one update
UPDATE_COALESCE_DELAY = timedelta(minutes=3)

_ROLE_RANK = {"chair": 0, "secretary": 1, "member": 2, "observer": 3}


def organizer_of(meeting, default_sender: str) -> tuple[str, str]:
    """The organiser: the mailbox of the meeting's first body that has one, else the sender."""
    for body in meeting.bodies:
        if body.mailbox:
            return body.name, body.mailbox
    name, email = parseaddr(default_sender)
    first = meeting.bodies[0].name if meeting.bodies else name
    return first or "rosemeet", email


def meeting_details(meeting, description: str = "") -> ical.EventDetails:
    """URL, organiser and description of a meeting's event."""
    name, email = organizer_of(meeting, current_app.config["MAIL_FROM"])
    url = current_app.config["BASE_URL"] + url_for("meetings.meeting", meeting_id=meeting.id)
    return ical.EventDetails(
        url=url, organizer_name=name, organizer_email=email, description=description
    )


def attendees_of(meeting, people) -> list[ical.Attendee]:
    """The invitees with an address, with their strongest role and their answer."""
    on = meeting.local_start.date()
    responses = {a.person_id: a.response.value for a in meeting.attendances}
    strongest: dict[int, str] = {}  # one pass over the memberships, not one per person
    for body in meeting.bodies:
        for m in body.memberships:
            if m.is_current(on):
                held = strongest.get(m.person_id)
                if held is None or _ROLE_RANK[m.role.value] < _ROLE_RANK[held]:
                    strongest[m.person_id] = m.role.value
    return [
        ical.Attendee(
            person.name,
            person.email,
            strongest.get(person.id, "member"),
            responses.get(person.id, "needs_action"),
        )
        for person in people
        if person.email
    ]


def coalesce_key(meeting, person) -> str:
    """Messages about one meeting for one person that wait together become one."""
    return f"meeting:{meeting.id}:person:{person.id}"


#: a REQUEST lists every invitee up to this many (a calendar then shows who else comes); for a
#: bigger meeting it lists the recipient alone, so that N invitations cost N, not N squared
LISTED_ATTENDEES = 50


class CalendarParts:
    """The calendar parts of one meeting's invitations to ``people`` (its invitees), made once
    for all of them: the organiser, the attendees with their roles and, for a meeting of at
    most LISTED_ATTENDEES, the one REQUEST that lists them all."""

    def __init__(self, meeting, people, description: str = "") -> None:
        self.meeting = meeting
        self.details = meeting_details(meeting, description)
        self.listed = attendees_of(meeting, people)
        self.by_email = {attendee.email: attendee for attendee in self.listed}
        self._everyone: str | None = None

    def _one(self, person) -> list[ical.Attendee]:
        found = self.by_email.get(person.email)
        return [found] if found is not None else attendees_of(self.meeting, [person])

    def options(self, person, what: str) -> dict:
        """Options for ``mail.operations.enqueue``: the calendar part, its method, coalescing.
        ``what`` is "invite", "update" or "cancel" (a CANCEL lists only the person: also one
        who is no longer invited)."""
        method = "CANCEL" if what == "cancel" else "REQUEST"
        if method == "REQUEST" and len(self.listed) <= LISTED_ATTENDEES:
            if self._everyone is None:
                self._everyone = ical.invitation(method, self.meeting, self.details, self.listed)
            body = self._everyone
        else:
            body = ical.invitation(method, self.meeting, self.details, self._one(person))
        return {
            "calendar_body": body,
            "calendar_method": method,
            "coalesce_key": coalesce_key(self.meeting, person),
            "delay": UPDATE_COALESCE_DELAY if what == "update" else None,
        }


def message_options(meeting, person, what: str, people, description: str = "") -> dict:
    """``CalendarParts(meeting, people, description).options(person, what)``, for one mail."""
    return CalendarParts(meeting, people, description).options(person, what)


def cancellation_options(meetings, person) -> dict:
    """Options for ``mail.operations.enqueue`` of one mail that cancels several meetings for
    one person: a single CANCEL with an event per meeting, not coalesced with anything."""
    events = [(meeting, meeting_details(meeting)) for meeting in meetings]
    listed = attendees_of(meetings[0], [person])
    return {
        "calendar_body": ical.cancellations(events, listed[0]),
        "calendar_method": "CANCEL",
    }
