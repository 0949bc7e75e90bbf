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
    result = []
    for person in people:
        if not person.email:
            continue
        roles = [
            m.role.value
            for body in meeting.bodies
            for m in body.memberships
            if m.person_id == person.id and m.is_current(on)
        ]
        role = min(roles, key=_ROLE_RANK.__getitem__) if roles else "member"
        result.append(
            ical.Attendee(person.name, person.email, role, responses.get(person.id, "needs_action"))
        )
    return result


def coalesce_key(meeting, person) -> str:
    """Messages about one meeting for one person that wait together become one."""
    return f"meeting:{meeting.id}:person:{person.id}"


def message_options(meeting, person, what: str, people, description: str = "") -> dict:
    """Options for ``mail.operations.enqueue``: the calendar part, its method, coalescing.

    ``what`` is "invite", "update" or "cancel"; ``people`` are the meeting's invitees (a
    person who is no longer invited gets a CANCEL that lists only them).
    """
    method = "CANCEL" if what == "cancel" else "REQUEST"
    listed = attendees_of(meeting, people if method == "REQUEST" else [person])
    return {
        "calendar_body": ical.invitation(
            method, meeting, meeting_details(meeting, description), listed
        ),
        "calendar_method": method,
        "coalesce_key": coalesce_key(meeting, person),
        "delay": UPDATE_COALESCE_DELAY if what == "update" else None,
    }


def cancellation_options(meetings, person) -> dict:
    """Options for ``mail.operations.enqueue`` of one mail that cancels several meetings for
    one person: a single CANCEL with an event per meeting, not coalesced with anything."""
    events = [(meeting, meeting_details(meeting)) for meeting in meetings]
    listed = attendees_of(meetings[0], [person])
    return {
        "calendar_body": ical.cancellations(events, listed[0]),
        "calendar_method": "CANCEL",
    }
