"""Calendar answers read back from mail: the REPLY and COUNTER messages that Outlook, Google
Calendar, Apple Calendar and Thunderbird send (fixtures in tests/fixtures/replies) update the
attendance of the invitee who sent them, and nothing else."""

from __future__ import annotations

import base64
from email import message_from_bytes, policy
from email.message import EmailMessage
from itertools import count
from pathlib import Path

import pytest
from sqlalchemy import select

from rosemeet.extensions import db
from rosemeet.mail.models import InboundMessage, InboundStatus
from rosemeet.meetings import operations as ops
from rosemeet.meetings.models import (
    CalendarReply,
    ReplyKind,
    ReplyStatus,
    Response,
    ResponseChannel,
)
from rosemeet.meetings.replies import calendar_parts, handle_calendar_mail, pending_replies
from rosemeet.network.models import Role
from tests.meetings.conftest import brussels

FIXTURES = Path(__file__).parent.parent / "fixtures" / "replies"
#: the organiser's mailbox the answers are sent to
ORGANIZER = "ag@rose.example.org"
#: the chair's address as the network stores it
CHAIR = "chris.voorzitter@rose.example.org"
#: the chair's address as a calendar may write it
CHAIR_AS_WRITTEN = "Chris.Voorzitter@ROSE.example.org"
_keys = count(1)


def reply_mail(
    name: str,
    *,
    uid: str,
    attendee: str = CHAIR_AS_WRITTEN,
    sender: str | None = None,
    sequence: int = 0,
    delegate: str = "collega@rose.example.org",
    replace: tuple[tuple[str, str], ...] = (),
) -> EmailMessage:
    """A fixture mail with its placeholders filled in (inside base64 parts too), as the
    mailbox would hand it over: bytes parsed with the default policy."""
    values = {
        "UID": uid,
        "ATTENDEE": attendee,
        "FROM": sender or attendee,
        "SEQUENCE": str(sequence),
        "ORGANIZER": ORGANIZER,
        "DELEGATE": delegate,
    }

    def fill(text: str) -> str:
        for key, value in values.items():
            text = text.replace("{" + key + "}", value)
        for old, new in replace:
            text = text.replace(old, new)
        return text

    message = message_from_bytes(
        fill((FIXTURES / name).read_text()).encode(), policy=policy.default
    )
    for part in message.walk():
        if part.is_multipart() or part.get("Content-Transfer-Encoding", "").lower() != "base64":
            continue
        text = fill(part.get_payload(decode=True).decode())
        part.set_payload(base64.encodebytes(text.encode()).decode())
    return message_from_bytes(message.as_bytes(), policy=policy.default)


def receive(message: EmailMessage):
    """What the inbound poll does with one mail: a row for it, then the handler."""
    inbound = InboundMessage(
        message_key=f"<test-{next(_keys)}@rose.example.org>",
        sender=str(message.get("From", "")),
        subject=str(message.get("Subject", ""))[:300],
        status=InboundStatus.PROCESSED,
    )
    db.session.add(inbound)
    db.session.flush()
    return handle_calendar_mail(message, inbound)


def replies() -> list[CalendarReply]:
    return list(db.session.scalars(select(CalendarReply).order_by(CalendarReply.id)))


def attendance(meeting, person):
    db.session.expire(meeting, ["attendances"])
    return next((a for a in meeting.attendances if a.person_id == person.id), None)


def answer(meeting, person) -> Response:
    row = attendance(meeting, person)
    return row.response if row else Response.NEEDS_ACTION


@pytest.fixture
def ag(ctx, make_person, make_body):
    """The Actiegroep with a chair (who answers from their calendar) and a member."""
    chair = make_person("Chris Voorzitter", email=CHAIR)
    member = make_person("Mieke Lid", email="mieke@rose.example.org")
    body = make_body(
        "Actiegroep ROSE",
        code="AG",
        members={chair: Role.CHAIR, member: Role.MEMBER},
        mailbox=ORGANIZER,
    )
    body.chair, body.member = chair, member
    return body


@pytest.fixture
def meeting(ag, make_meeting):
    """Tuesday 9 March 2027, 14:00-16:00 in Brussels."""
    return make_meeting(ag, starts_at=brussels(2027, 3, 9), notify_new=False)


# --- answers that count -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("outlook_accept.eml", Response.ACCEPTED),
        ("google_decline.eml", Response.DECLINED),
        ("apple_tentative.eml", Response.TENTATIVE),
        ("thunderbird_accept_comment.eml", Response.ACCEPTED),
    ],
)
def test_each_calendars_answer_updates_the_attendance(ag, meeting, fixture, expected):
    handled = receive(reply_mail(fixture, uid=meeting.uid))

    assert handled is not None and handled.used
    row = attendance(meeting, ag.chair)
    assert row.response is expected
    assert row.responded_via is ResponseChannel.CALENDAR
    assert row.responded_at is not None
    # Google and Thunderbird send the same answer twice (part and invite.ics): one answer
    (reply,) = replies()
    assert (reply.status, reply.meeting_id, reply.person_id) == (
        ReplyStatus.APPLIED,
        meeting.id,
        ag.chair.id,
    )
    assert reply.attendee_email == CHAIR
    assert answer(meeting, ag.member) is Response.NEEDS_ACTION
    assert pending_replies(meeting) == []


def test_a_later_answer_replaces_an_earlier_one(ag, meeting):
    receive(reply_mail("outlook_accept.eml", uid=meeting.uid))
    assert answer(meeting, ag.chair) is Response.ACCEPTED

    receive(reply_mail("google_decline.eml", uid=meeting.uid))

    assert answer(meeting, ag.chair) is Response.DECLINED
    assert [r.status for r in replies()] == [ReplyStatus.APPLIED] * 2


def test_the_comment_is_kept_with_the_answer(ag, meeting):
    receive(reply_mail("thunderbird_accept_comment.eml", uid=meeting.uid))
    row = attendance(meeting, ag.chair)
    assert row.response_comment == "Ik kom iets later, rond 14.30 uur."
    assert replies()[0].comment == "Ik kom iets later, rond 14.30 uur."

    # Outlook's empty COMMENT ("\n") is no comment, and the later answer replaces the earlier
    receive(reply_mail("outlook_accept.eml", uid=meeting.uid))
    assert attendance(meeting, ag.chair).response_comment is None


def test_an_answer_without_method_is_read_from_an_outlook_subject(ag, meeting):
    no_method = ("METHOD:REPLY\r\n", "")
    # the ATTENDEE's own PARTSTAT wins over the subject
    mail = reply_mail(
        "outlook_accept.eml",
        uid=meeting.uid,
        replace=(no_method, ("Subject: Accepted:", "Subject: Afgewezen:")),
    )
    handled = receive(mail)
    assert handled is not None and handled.used
    assert answer(meeting, ag.chair) is Response.ACCEPTED

    # without one, the subject tells ("Voorlopig:" is Outlook's Dutch "Tentative:")
    undecided = reply_mail(
        "outlook_accept.eml",
        uid=meeting.uid,
        replace=(
            no_method,
            ("PARTSTAT=ACCEPTED", "PARTSTAT=NEEDS-ACTION"),
            ("Subject: Accepted:", "Subject: Voorlopig:"),
        ),
    )
    receive(undecided)
    assert answer(meeting, ag.chair) is Response.TENTATIVE


# --- answers kept for the secretary -----------------------------------------------------------


def test_an_answer_to_an_earlier_time_is_kept_and_flagged_not_applied(ag, meeting):
    ops.update_meeting(meeting, starts_at=brussels(2027, 3, 10), ends_at=brussels(2027, 3, 10, 16))
    assert meeting.sequence == 1

    handled = receive(reply_mail("outlook_accept.eml", uid=meeting.uid, sequence=0))

    assert handled is not None and handled.used
    assert answer(meeting, ag.chair) is Response.NEEDS_ACTION
    (reply,) = pending_replies(meeting)
    assert (reply.status, reply.sequence, reply.partstat, reply.person_id) == (
        ReplyStatus.OUTDATED,
        0,
        "accepted",
        ag.chair.id,
    )

    # the answer to the new time counts
    receive(reply_mail("outlook_accept.eml", uid=meeting.uid, sequence=1))
    assert answer(meeting, ag.chair) is Response.ACCEPTED


def test_a_proposed_new_time_is_kept_not_applied(ag, meeting):
    handled = receive(reply_mail("counter.eml", uid=meeting.uid))

    assert handled is not None and handled.used
    assert answer(meeting, ag.chair) is Response.NEEDS_ACTION
    assert meeting.starts_at == brussels(2027, 3, 9)
    (reply,) = pending_replies(meeting)
    assert reply.status is ReplyStatus.COUNTER and reply.kind is ReplyKind.COUNTER
    assert reply.proposed_starts_at == brussels(2027, 3, 9, 15)
    assert reply.proposed_ends_at == brussels(2027, 3, 9, 17)
    assert reply.comment == "Kan het een uur later?"


def test_a_delegation_is_listed_with_the_delegate(ag, meeting):
    handled = receive(reply_mail("delegated.eml", uid=meeting.uid))

    assert handled is not None and handled.used
    assert answer(meeting, ag.chair) is Response.NEEDS_ACTION
    (reply,) = pending_replies(meeting)
    assert reply.status is ReplyStatus.DELEGATED
    assert (reply.attendee_email, reply.delegated_to) == (CHAIR, "collega@rose.example.org")


def test_the_secretary_sees_what_needs_a_person_newest_first(ag, meeting, time_machine):
    receive(reply_mail("counter.eml", uid=meeting.uid))
    time_machine.shift(60)
    receive(reply_mail("delegated.eml", uid=meeting.uid))
    time_machine.shift(60)
    receive(reply_mail("thunderbird_accept_comment.eml", uid=meeting.uid))

    counter, delegated, _applied = replies()
    assert pending_replies(meeting) == [delegated, counter]
    counter.handled_at = counter.created_at
    assert pending_replies(meeting) == [delegated]


# --- answers that change nothing --------------------------------------------------------------


def test_an_answer_from_a_stranger_changes_nothing(ag, meeting, make_person):
    make_person("Buitenstaander", email="stranger@example.org")
    stranger = reply_mail("outlook_accept.eml", uid=meeting.uid, attendee="stranger@example.org")
    handled = receive(stranger)

    assert handled is not None and not handled.used
    assert "stranger@example.org" in handled.detail
    assert all(a.response is Response.NEEDS_ACTION for a in meeting.attendances)
    (reply,) = pending_replies(meeting)
    assert reply.status is ReplyStatus.NOT_MATCHED and reply.person_id is None


def test_an_answer_sent_from_another_address_changes_nothing(ag, meeting):
    handled = receive(
        reply_mail("google_decline.eml", uid=meeting.uid, sender="forger@example.org")
    )

    assert handled is not None and not handled.used
    assert "forger@example.org" in handled.detail
    assert answer(meeting, ag.chair) is Response.NEEDS_ACTION
    (reply,) = pending_replies(meeting)
    assert reply.status is ReplyStatus.NOT_MATCHED


def test_an_answer_for_a_cancelled_meeting_changes_nothing(ag, meeting):
    ops.cancel_meeting(meeting, "Te weinig agendapunten")

    handled = receive(reply_mail("outlook_accept.eml", uid=meeting.uid))

    assert handled is not None and not handled.used
    assert answer(meeting, ag.chair) is Response.NEEDS_ACTION
    (reply,) = replies()
    assert (reply.status, reply.meeting_id) == (ReplyStatus.CANCELLED, meeting.id)


def test_an_answer_for_an_unknown_meeting_changes_nothing(ag, meeting):
    handled = receive(reply_mail("apple_tentative.eml", uid="nonexistent@elsewhere"))

    assert handled is not None and not handled.used
    assert "nonexistent@elsewhere" in handled.detail
    assert answer(meeting, ag.chair) is Response.NEEDS_ACTION
    (reply,) = replies()
    assert (reply.status, reply.meeting_id, reply.uid) == (
        ReplyStatus.UNKNOWN_MEETING,
        None,
        "nonexistent@elsewhere",
    )


def test_a_mail_without_calendar_part_is_not_for_the_calendar(ag, meeting):
    mail = EmailMessage()
    mail["From"] = CHAIR
    mail["Subject"] = "Accepted: Actiegroep ROSE"
    mail.set_content("Ik kom!")
    assert calendar_parts(mail) == []
    assert receive(mail) is None
    assert replies() == []


def test_a_garbage_or_request_calendar_part_is_not_usable(ag, meeting):
    garbage = EmailMessage()
    garbage["From"] = CHAIR
    garbage["Subject"] = "Accepted: Actiegroep ROSE"
    garbage.set_content("this is not\r\nan iCalendar object", subtype="calendar")
    handled = receive(garbage)
    assert handled is not None and not handled.used

    request = reply_mail(
        "apple_tentative.eml", uid=meeting.uid, replace=(("METHOD:REPLY", "METHOD:REQUEST"),)
    )
    handled = receive(request)
    assert handled is not None and not handled.used
    assert replies() == []
    assert answer(meeting, ag.chair) is Response.NEEDS_ACTION
