"""Invitations by e-mail (iTIP over iMIP) through a real SMTP server, checked with the
standard library's email parser and an independent iCalendar parser (vobject)."""

from datetime import UTC, timedelta

import vobject

from rosemeet.db import utcnow
from rosemeet.extensions import db
from rosemeet.mail.delivery import deliver_due
from rosemeet.meetings import operations as meetings
from rosemeet.network import operations as network
from rosemeet.network.models import Role
from tests.conftest import PASSWORD


def calendar_part(mail):
    parts = [p for p in mail.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return parts[0], vobject.readOne(parts[0].get_content())


def deliver_later():
    """Deliver what is due, also updates that wait to be coalesced."""
    return deliver_due(now=utcnow() + timedelta(minutes=10))


def test_a_new_meeting_invites_every_member_with_a_calendar_request(
    ctx, smtp_server, make_person, make_body, make_meeting
):
    chair = make_person("Chris Voorzitter", email="chris@rose.example.org")
    mia = make_person("Mia Lid", email="mia@rose.example.org", locale="nl")
    body = make_body(
        "Actiegroep ROSE",
        code="AG",
        mailbox="actiegroep@rose.example.org",
        members={chair: Role.CHAIR, mia: Role.MEMBER},
    )
    meeting = make_meeting([body], 2027, 3, 9)
    db.session.commit()
    assert deliver_due().sent == 2
    mail = next(m for m in smtp_server.messages if "mia@" in m["To"])
    assert mail["Subject"] == "Uitnodiging: Actiegroep ROSE"
    kinds = [p.get_content_type() for p in mail.walk()]
    assert {"text/plain", "text/html", "text/calendar", "application/ics"} <= set(kinds)
    html = mail.get_body(("html",)).get_content()
    assert "/rsvp/" in html and "Open de vergadering in rosemeet" in html
    part, calendar = calendar_part(mail)
    assert part.get_param("method") == "REQUEST"
    assert calendar.method.value == "REQUEST"
    event = calendar.vevent
    assert event.uid.value == meeting.uid
    assert event.organizer.value == "mailto:actiegroep@rose.example.org"
    attendees = {a.value: a.params for a in event.attendee_list}
    assert set(attendees) == {"mailto:chris@rose.example.org", "mailto:mia@rose.example.org"}
    assert attendees["mailto:chris@rose.example.org"]["ROLE"] == ["CHAIR"]
    assert all(p["RSVP"] == ["TRUE"] for p in attendees.values())
    start = event.dtstart.value
    assert (start.hour, start.astimezone(UTC).hour) == (14, 13)


def test_moving_sends_a_higher_sequence_and_several_changes_become_one(
    ctx, smtp_server, make_person, make_body, make_meeting
):
    mia = make_person("Mia Lid", email="mia@rose.example.org")
    body = make_body("Actiegroep ROSE", code="AG", members={mia: Role.MEMBER})
    meeting = make_meeting([body], 2027, 3, 9)
    db.session.commit()
    deliver_due()
    for days in (7, 8):  # moved twice within a few minutes
        meetings.update_meeting(
            meeting,
            location=meeting.location,
            starts_at=meeting.starts_at + timedelta(days=days),
            ends_at=meeting.ends_at + timedelta(days=days),
        )
        db.session.commit()
    assert deliver_due().sent == 0  # waiting for more changes
    assert deliver_later().sent == 1
    _part, calendar = calendar_part(smtp_server.messages[-1])
    assert calendar.vevent.uid.value == meeting.uid
    assert int(calendar.vevent.sequence.value) == meeting.sequence >= 2
    assert calendar.vevent.dtstart.value.day == 24  # 9 March + 15 days
    assert smtp_server.messages[-1]["Subject"] == "Gewijzigd: Actiegroep ROSE"


def test_cancelling_sends_cancel_with_the_same_uid(
    ctx, smtp_server, make_person, make_body, make_meeting
):
    mia = make_person("Mia Lid", email="mia@rose.example.org")
    body = make_body("Actiegroep ROSE", code="AG", members={mia: Role.MEMBER})
    meeting = make_meeting([body], 2027, 7, 13)
    db.session.commit()
    deliver_due()
    meetings.cancel_meeting(meeting, "Zomerreces")
    db.session.commit()
    deliver_later()
    part, calendar = calendar_part(smtp_server.messages[-1])
    assert part.get_param("method") == "CANCEL"
    assert calendar.method.value == "CANCEL"
    assert calendar.vevent.uid.value == meeting.uid
    assert calendar.vevent.status.value == "CANCELLED"


def test_a_member_who_leaves_gets_a_cancel_for_upcoming_meetings(
    ctx, smtp_server, make_person, make_body, make_meeting
):
    mia = make_person("Mia Lid", email="mia@rose.example.org")
    body = make_body("Actiegroep ROSE", code="AG", members={mia: Role.MEMBER})
    first = make_meeting([body], 2027, 3, 9)
    second = make_meeting([body], 2027, 5, 11)
    db.session.commit()
    deliver_due()
    network.remove_membership(body.memberships[0])
    db.session.commit()
    deliver_later()
    cancels = [calendar_part(m)[1] for m in smtp_server.messages[2:]]
    assert {c.vevent.uid.value for c in cancels} == {first.uid, second.uid}
    assert all(c.method.value == "CANCEL" for c in cancels)
    assert [a.value for a in cancels[0].vevent.attendee_list] == ["mailto:mia@rose.example.org"]


def test_invitees_without_address_are_skipped_and_listed(
    ctx, client, auth, smtp_server, make_person, make_body, make_meeting
):
    secretary = make_person("Sam Secretaris", password=PASSWORD)
    pieter = make_person("Pieter Peeters", email=None)
    body = make_body("ROA", code="ROA", members={secretary: Role.SECRETARY, pieter: Role.MEMBER})
    meeting = make_meeting([body], 2027, 3, 11)
    db.session.commit()
    assert deliver_due().sent == 1
    auth.login(secretary.email)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "geen e-mailadres" in page and "Pieter Peeters" in page


def test_an_update_mail_carries_the_published_agenda(ctx, make_person, make_body, make_meeting):
    from sqlalchemy import select

    from rosemeet.agendas import operations as agendas
    from rosemeet.mail.models import MessageStatus, OutboxMessage

    mia = make_person("Mia Lid", email="mia@rose.example.org")
    body = make_body("Actiegroep ROSE", code="AG", members={mia: Role.MEMBER})
    meeting = make_meeting([body], 2027, 3, 9)
    agendas.add_item(meeting, title="Mobiliteit van doelgroepmedewerkers")
    agendas.publish_agenda(meeting)
    for message in db.session.scalars(select(OutboxMessage)):  # everything so far went out
        message.status, message.attempts = MessageStatus.SENT, 1
    meetings.update_meeting(meeting, location="VDAB Kortrijk", online_url=None)
    (update,) = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "meeting_update")
    ).all()
    assert "Mobiliteit van doelgroepmedewerkers" in update.text_body
    assert "Mobiliteit van doelgroepmedewerkers" in update.html_body
