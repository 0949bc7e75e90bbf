"""The whole loop with real components: rosemeet's own invitation (its iTIP REQUEST, as queued
for the mail server) is answered the way a calendar answers it (a REPLY built from that
REQUEST, mailed by the invitee), the mail lands in a real Dovecot, ``rosemeet fetch-replies``
reads it, and the attendance shows the answer; the same mail read twice counts once, and an
answer to an earlier time is kept apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from icalendar import Calendar, Event, vCalAddress
from sqlalchemy import select

from rosemeet.extensions import db
from rosemeet.mail.cli import fetch_replies_command
from rosemeet.mail.models import InboundMessage, OutboxMessage
from rosemeet.meetings import operations as meetings
from rosemeet.meetings.models import CalendarReply, ReplyStatus, Response, ResponseChannel
from rosemeet.network.models import BodyKind, Role
from tests.conftest import brussels


@pytest.fixture
def invited(ctx, make_person, make_body):
    """An Actiegroep meeting whose invitations were queued: Vera (VDAB, Outlook) is invited."""
    vera = make_person("Vera VDAB", email="Vera.Vandamme@vdab.example.be")
    body = make_body(
        "Actiegroep ROSE",
        code="AG",
        kind=BodyKind.ACTION_GROUP,
        members={vera: Role.MEMBER},
    )
    body.mailbox = "actiegroep@rose.example.org"
    starts = brussels(2027, 3, 9)
    meeting = meetings.create_meeting(
        [body], starts_at=starts, ends_at=starts + timedelta(hours=2), location="W13, Kortrijk"
    )
    db.session.commit()
    return meeting, vera


def invitation_of(person) -> Calendar:
    """The iTIP REQUEST rosemeet queued for ``person``."""
    message = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.to_email == person.email, OutboxMessage.calendar_method == "REQUEST")
        .order_by(OutboxMessage.id.desc())
    ).first()
    assert message is not None and message.calendar_body
    return Calendar.from_ical(message.calendar_body)


def answer_as_outlook(request: Calendar, address: str, partstat: str) -> bytes:
    """What Outlook mails back for Accept / Decline: a REPLY with the same UID and SEQUENCE
    and only the answering attendee, in a text/calendar part."""
    event = request.walk("VEVENT")[0]
    reply = Calendar()
    reply.add("prodid", "-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN")
    reply.add("version", "2.0")
    reply.add("method", "REPLY")
    answered = Event()
    for name in ("UID", "SEQUENCE", "DTSTART", "DTEND", "ORGANIZER", "SUMMARY"):
        if name in event:
            answered[name] = event[name]
    answered.add("dtstamp", datetime.now(UTC))
    attendee = vCalAddress(f"mailto:{address}")
    attendee.params["PARTSTAT"] = partstat
    answered.add("attendee", attendee)
    reply.add_component(answered)
    mail = EmailMessage()
    mail["From"] = address
    mail["To"] = str(event["ORGANIZER"]).removeprefix("mailto:")
    mail["Subject"] = f"Accepted: {event['SUMMARY']}"
    mail["Message-ID"] = make_msgid(domain="vdab.example.be")
    mail.set_content("Vera heeft geaccepteerd.")
    mail.add_alternative(reply.to_ical().decode(), subtype="calendar", params={"method": "REPLY"})
    return mail.as_bytes()


def read_mailbox(app) -> str:
    outcome = app.test_cli_runner().invoke(fetch_replies_command)
    assert outcome.exit_code == 0, outcome.output
    return outcome.output


def attendance(meeting, person):
    db.session.expire_all()
    return next(a for a in meeting.attendances if a.person_id == person.id)


def answer(meeting, person) -> Response:
    """The person's answer (no row yet: no answer)."""
    db.session.expire_all()
    row = next((a for a in meeting.attendances if a.person_id == person.id), None)
    return row.response if row else Response.NEEDS_ACTION


def test_an_accept_in_outlook_counts_once_via_the_calendar(app, mailbox, invited):
    meeting, vera = invited
    # Outlook writes the address as it likes: case does not matter
    raw = answer_as_outlook(invitation_of(vera), "vera.vandamme@VDAB.example.be", "ACCEPTED")
    mailbox.append(raw)

    assert "1 applied" in read_mailbox(app)

    row = attendance(meeting, vera)
    assert row.response is Response.ACCEPTED
    assert row.responded_via is ResponseChannel.CALENDAR
    assert "Accepted: " + meeting.display_title in " ".join(mailbox.subjects("rosemeet/verwerkt"))
    assert mailbox.subjects("INBOX") == []

    mailbox.append(raw)  # the same mail again (a crash before moving, a duplicate delivery)
    read_mailbox(app)
    assert db.session.query(InboundMessage).count() == 1
    assert db.session.query(CalendarReply).count() == 1


def test_an_answer_to_the_old_time_is_kept_apart_after_the_meeting_moved(app, mailbox, invited):
    meeting, vera = invited
    old_request = invitation_of(vera)
    meetings.update_meeting(
        meeting,
        starts_at=meeting.starts_at + timedelta(days=1),
        ends_at=meeting.ends_at + timedelta(days=1),
    )
    db.session.commit()
    mailbox.append(answer_as_outlook(old_request, vera.email, "DECLINED"))

    read_mailbox(app)

    assert answer(meeting, vera) is Response.NEEDS_ACTION
    reply = db.session.scalars(select(CalendarReply)).one()
    assert reply.status is ReplyStatus.OUTDATED and reply.partstat == "declined"


def test_a_strangers_answer_changes_nothing_and_is_listed(app, mailbox, invited):
    meeting, vera = invited
    mailbox.append(answer_as_outlook(invitation_of(vera), "iemand@elders.example", "ACCEPTED"))

    assert "1 listed as not usable" in read_mailbox(app)

    assert answer(meeting, vera) is Response.NEEDS_ACTION
    assert db.session.scalars(select(CalendarReply)).one().status is ReplyStatus.NOT_MATCHED
    assert len(mailbox.subjects("rosemeet/onbekend")) == 1


def test_a_20_mb_mail_is_listed_without_being_read(app, mailbox, invited):
    meeting, vera = invited
    raw = answer_as_outlook(invitation_of(vera), vera.email, "ACCEPTED")
    big = raw.replace(b"Vera heeft geaccepteerd.", b"x" * (20 * 1024 * 1024), 1)
    mailbox.append(big)

    assert "1 listed as not usable" in read_mailbox(app)

    assert answer(meeting, vera) is Response.NEEDS_ACTION
    listed = db.session.scalars(select(InboundMessage)).one()
    assert "10 MB" in (listed.detail or "")
    assert len(mailbox.subjects("rosemeet/onbekend")) == 1
