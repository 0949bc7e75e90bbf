"""Managing series and meetings: ending a series (or deleting it with its future meetings)
with one combined mail per invitee through a real SMTP server and a page that shows what
will be cancelled first; reinstating a cancelled meeting; writing to all invitees; duplicating
a meeting; and the refusals that change nothing."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import vobject
from sqlalchemy import select

from rosemeet.db import utcnow
from rosemeet.extensions import db
from rosemeet.mail.delivery import deliver_due
from rosemeet.mail.models import MessageStatus, OutboxMessage
from rosemeet.meetings import invitations
from rosemeet.meetings import operations as ops
from rosemeet.meetings.models import Meeting, MeetingStatus, Presence
from rosemeet.network.models import Role
from tests.conftest import PASSWORD, brussels
from tests.meetings.conftest import TODAY


@pytest.fixture
def lde(ctx, make_person, make_body):
    """The LDE-fabriek: a secretary, a member who reads English, a member without e-mail."""
    people = {
        "secretary": make_person(
            "Sara Secretaris", email="sara@rose.example.org", password=PASSWORD
        ),
        "member": make_person(
            "Mark Member", email="mark@rose.example.org", locale="en", password=PASSWORD
        ),
        "silent": make_person("Stille Steven", email=None),
    }
    body = make_body(
        "LDE-fabriek",
        code="LDE",
        members={
            people["secretary"]: Role.SECRETARY,
            people["member"]: Role.MEMBER,
            people["silent"]: Role.MEMBER,
        },
    )
    body.people = people
    return body


def messages(kind: str) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
    return list(db.session.scalars(query))


def sent_out() -> None:
    """The invitations went out, so ending the series has something to take back."""
    for message in db.session.scalars(select(OutboxMessage)):
        message.status, message.attempts = MessageStatus.SENT, 1
    db.session.flush()


def monthly(make_series, body):
    """A monthly series on the first Thursday, January to December 2027: 12 meetings."""
    return make_series(body, rrule="FREQ=MONTHLY;BYDAY=1TH;UNTIL=20271231")


def test_ending_a_series_cancels_the_meetings_from_that_date_and_keeps_the_earlier(
    lde, make_series
):
    series, meetings = monthly(make_series, lde)
    assert len(meetings) == 12
    cancelled = ops.end_series(series, date(2027, 5, 1), "De fabriek gaat op in de Actiegroep.")
    assert [m.local_start.date().month for m in cancelled] == [5, 6, 7, 8, 9, 10, 11, 12]
    assert {m.status for m in meetings[:4]} == {MeetingStatus.SCHEDULED}
    assert {m.status for m in meetings[4:]} == {MeetingStatus.CANCELLED}
    assert {m.cancel_reason for m in meetings[4:]} == {"De fabriek gaat op in de Actiegroep."}
    assert {m.sequence for m in meetings[4:]} == {1}
    # the rule stops before the date: the horizon never brings the meetings back
    assert ops.extend_series(series, TODAY + timedelta(days=400)) == []
    scheduled = db.session.scalars(
        select(Meeting).where(
            Meeting.series_id == series.id, Meeting.status == MeetingStatus.SCHEDULED
        )
    ).all()
    assert len(scheduled) == 4


def test_each_invitee_gets_one_mail_that_cancels_all_the_meetings(lde, make_series, smtp_server):
    series, meetings = monthly(make_series, lde)
    sent_out()
    ops.end_series(series, date(2027, 5, 1), "De fabriek stopt.")
    queued = messages("meeting_cancel")
    # Sara and Mark, one mail each; Steven has no address
    assert sorted(m.to_email for m in queued) == ["mark@rose.example.org", "sara@rose.example.org"]
    db.session.commit()
    assert deliver_due(now=utcnow() + timedelta(minutes=10)).sent == 2
    mails = {mail["To"].split("<")[-1].rstrip(">"): mail for mail in smtp_server.messages}
    sara = mails["sara@rose.example.org"]
    assert sara["Subject"] == "Geannuleerd: 8 vergaderingen van LDE-fabriek"
    text = sara.get_body(preferencelist=("plain",)).get_content()
    assert "Deze 8 vergaderingen gaan niet door:" in text
    assert "donderdag 6 mei 2027, 14:00-16:00" in text
    assert "donderdag 2 december 2027, 14:00-16:00" in text
    assert "De fabriek stopt." in text
    parts = [p for p in sara.walk() if p.get_content_type() == "text/calendar"]
    assert parts and parts[0].get_param("method") == "CANCEL"
    calendar = vobject.readOne(parts[0].get_content())
    assert calendar.method.value == "CANCEL"
    events = calendar.contents["vevent"]
    assert sorted(e.uid.value for e in events) == sorted(m.uid for m in meetings[4:])
    assert {e.sequence.value for e in events} == {"1"}
    assert {e.status.value for e in events} == {"CANCELLED"}
    assert {a.value for e in events for a in e.contents["attendee"]} == {
        "mailto:sara@rose.example.org"
    }
    mark = mails["mark@rose.example.org"]
    assert mark["Subject"] == "Cancelled: 8 meetings of LDE-fabriek"
    assert (
        "These 8 meetings are cancelled:" in mark.get_body(preferencelist=("plain",)).get_content()
    )


def test_invitations_that_never_left_are_withdrawn_instead_of_cancelled(lde, make_series):
    series, _meetings = monthly(make_series, lde)
    waiting = len(messages("meeting_invite"))
    assert waiting == 24  # 12 meetings, 2 people with an address
    ops.end_series(series, date(2027, 5, 1), "Vergissing")
    assert len(messages("meeting_invite")) == 8  # January to April stay
    assert messages("meeting_cancel") == []


def test_deleting_a_series_from_its_next_meeting_cancels_all_upcoming(
    lde, make_series, client, auth
):
    series, _meetings = monthly(make_series, lde)
    sent_out()
    db.session.commit()
    auth.login(lde.people["secretary"].email)
    page = client.get(f"/series/{series.id}/end")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="2027-01-07"' in html  # the next meeting is proposed
    assert "12 vergaderingen gaan niet door" in html
    preview = client.post(
        f"/series/{series.id}/end",
        data={"from_date": "2027-09-01", "reason": "", "preview": "1", "version": series.version},
    )
    assert preview.status_code == 200
    assert "4 vergaderingen gaan niet door" in preview.get_data(as_text=True)
    assert messages("meeting_cancel") == []  # a preview saves nothing
    done = client.post(
        f"/series/{series.id}/end",
        data={"from_date": "2027-01-07", "reason": "Opgeheven", "version": series.version},
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert {m.status for m in db.session.scalars(select(Meeting))} == {MeetingStatus.CANCELLED}
    assert len(messages("meeting_cancel")) == 2


@pytest.mark.parametrize(
    ("from_date", "reason", "field_message"),
    [
        (date(2027, 5, 1), "  ", "Zeg waarom de reeks stopt."),
        (TODAY - timedelta(days=1), "Stop", "kies vandaag of een latere datum"),
        (date(2028, 2, 1), "Stop", "geen vergaderingen op of na dinsdag 1 februari 2028"),
    ],
)
def test_an_end_that_cannot_be_is_refused_and_changes_nothing(
    lde, make_series, from_date, reason, field_message
):
    series, meetings = monthly(make_series, lde)
    rule = series.rrule
    with pytest.raises(ops.MeetingError) as refused:
        ops.end_series(series, from_date, reason)
    assert field_message in str(refused.value.message)
    assert series.rrule == rule
    assert {m.status for m in meetings} == {MeetingStatus.SCHEDULED}


def test_the_end_form_keeps_what_was_typed_when_refused(lde, make_series, client, auth):
    series, _meetings = monthly(make_series, lde)
    db.session.commit()
    auth.login(lde.people["secretary"].email)
    answer = client.post(
        f"/series/{series.id}/end",
        data={"from_date": "2025-01-01", "reason": "Wij stoppen", "version": series.version},
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "Wij stoppen" in html and 'value="2025-01-01"' in html
    assert 'aria-invalid="true"' in html


def test_only_who_runs_the_body_can_end_its_series(lde, make_series, client, auth):
    series, _meetings = monthly(make_series, lde)
    db.session.commit()
    auth.login(lde.people["member"].email)
    assert client.get(f"/series/{series.id}/end").status_code in (403, 404)
    answer = client.post(
        f"/series/{series.id}/end", data={"from_date": "2027-05-01", "reason": "Weg ermee"}
    )
    assert answer.status_code in (403, 404)


# --- reinstate --------------------------------------------------------------------------------


def test_a_cancelled_meeting_is_reinstated_with_a_new_invitation(lde, make_meeting):
    meeting = make_meeting(lde)
    sent_out()
    ops.cancel_meeting(meeting, "Zaal niet vrij")
    sent_out()
    ops.reinstate_meeting(meeting)
    assert meeting.status is MeetingStatus.SCHEDULED and meeting.cancel_reason is None
    assert meeting.sequence == 2
    again = [m for m in messages("meeting_invite") if m.key.endswith(":v2:" + str(m.person_id))]
    assert sorted(m.to_email for m in again) == ["mark@rose.example.org", "sara@rose.example.org"]
    assert all(
        "METHOD:REQUEST" in m.calendar_body and "SEQUENCE:2" in m.calendar_body for m in again
    )


def test_reinstating_what_is_not_cancelled_or_is_over_is_refused(lde, make_meeting, time_machine):
    meeting = make_meeting(lde)
    with pytest.raises(ops.MeetingError, match="niet geannuleerd"):
        ops.reinstate_meeting(meeting)
    ops.cancel_meeting(meeting, "Zaal niet vrij")
    time_machine.move_to(meeting.ends_at + timedelta(hours=1), tick=False)
    with pytest.raises(ops.MeetingError, match="voorbij"):
        ops.reinstate_meeting(meeting)
    assert meeting.is_cancelled


def test_a_cancelled_meeting_takes_no_attendance(lde, make_meeting, client, auth):
    meeting = make_meeting(lde)
    ops.cancel_meeting(meeting, "Zaal niet vrij")
    with pytest.raises(ops.MeetingError):
        ops.record_presence(meeting, lde.people["member"], Presence.PRESENT)
    db.session.commit()
    auth.login(lde.people["secretary"].email)
    html = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Deze vergadering terugzetten" in html
    assert "De aanwezigheid opslaan" not in html and "<select" not in html
    answer = client.post(f"/meetings/{meeting.id}/reinstate", follow_redirects=True)
    assert "De vergadering gaat weer door" in answer.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status is MeetingStatus.SCHEDULED


# --- a message to the invitees, a duplicate ---------------------------------------------------


def test_the_secretary_writes_to_all_invitees_once(lde, make_meeting, client, auth, smtp_server):
    meeting = make_meeting(lde, title="Werkbezoek Mariasteen")
    sent_out()
    db.session.commit()
    auth.login(lde.people["secretary"].email)
    page = client.get(f"/meetings/{meeting.id}/mail").get_data(as_text=True)
    assert "Stille Steven" in page  # has no address: listed as not reached
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)
    form = {"token": token, "subject": "Andere zaal", "text": "We zitten in **zaal 2**."}
    first = client.post(f"/meetings/{meeting.id}/mail", data=form)
    again = client.post(f"/meetings/{meeting.id}/mail", data=form)  # sent twice by mistake
    assert first.status_code == again.status_code == 302
    notes = messages("meeting_note")
    assert sorted(m.to_email for m in notes) == ["mark@rose.example.org", "sara@rose.example.org"]
    assert deliver_due().sent == 2
    mails = {mail["To"].split("<")[-1].rstrip(">"): mail for mail in smtp_server.messages}
    mark = mails["mark@rose.example.org"]
    assert mark["Subject"] == "Werkbezoek Mariasteen: Andere zaal"
    assert "Sara Secretaris writes to everyone invited to Werkbezoek Mariasteen:" in (
        mark.get_body(preferencelist=("plain",)).get_content()
    )
    assert "<strong>zaal 2</strong>" in mark.get_body(preferencelist=("html",)).get_content()


def test_an_empty_message_is_refused_and_keeps_the_subject(lde, make_meeting, client, auth):
    meeting = make_meeting(lde)
    db.session.commit()
    auth.login(lde.people["secretary"].email)
    answer = client.post(
        f"/meetings/{meeting.id}/mail", data={"token": "t1", "subject": "Zaal", "text": "  "}
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "Schrijf het bericht." in html
    assert 'value="Zaal"' in html
    assert messages("meeting_note") == []
    auth.logout()
    auth.login(lde.people["member"].email)
    assert client.get(f"/meetings/{meeting.id}/mail").status_code in (403, 404)


def test_duplicating_a_meeting_opens_the_form_with_its_details(lde, make_meeting, client, auth):
    meeting = make_meeting(
        lde, title="Intervisie", starts_at=brussels(2027, 3, 9, 9, 30), minutes=90
    )
    db.session.commit()
    auth.login(lde.people["secretary"].email)
    html = client.get(f"/meetings/new?copy={meeting.id}").get_data(as_text=True)
    assert "Een kopie van Intervisie van 9 mrt 2027" in html
    assert re.search(r'id="title"[^>]*value="Intervisie"', html)
    assert re.search(r'id="start_time"[^>]*value="09:30"', html)
    assert re.search(r'id="end_time"[^>]*value="11:00"', html)
    assert re.search(r'id="location"[^>]*value="W13, Kortrijk"', html)
    assert re.search(rf'<option selected value="{lde.id}">|<option value="{lde.id}" selected', html)
    assert (
        re.search(r'id="day"[^>]*value=""', html)
        or 'id="day" name="day" required type="date">' in html
    )


def test_a_big_meeting_lists_each_recipient_alone_so_invitations_stay_linear(
    make_person, make_body, make_meeting
):
    people = [make_person(f"Lid {n:02d}") for n in range(invitations.LISTED_ATTENDEES + 1)]
    forum = make_body("Lerend netwerk", members=dict.fromkeys(people, Role.MEMBER))
    meeting = make_meeting(forum)
    queued = {m.to_email: m.calendar_body for m in messages("meeting_invite")}
    assert len(queued) == len(people)
    for person in people[:3]:
        attendees = re.findall(r"^ATTENDEE[^\n]*(?:\n [^\n]*)*", queued[person.email], re.M)
        assert len(attendees) == 1 and person.email in attendees[0].replace("\r\n ", "")
    small = make_body("Kern", members={people[0]: Role.CHAIR, people[1]: Role.MEMBER})
    everyone = invitations.CalendarParts(make_meeting(small), people[:2])
    assert everyone.options(people[0], "invite")["calendar_body"].count("ATTENDEE") == 2
    assert meeting.id
