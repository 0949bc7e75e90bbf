"""Calendar answers on the meeting page: "via agenda" beside an answer from a calendar, and the
secretary's list of answers that need attention (an answer to an earlier time, a delegation, a
proposed new time, one not matched) with its buttons."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from rosemeet.extensions import db
from rosemeet.mail.models import MessageStatus, OutboxMessage
from rosemeet.meetings.models import CalendarReply, ReplyStatus, Response, ResponseChannel
from rosemeet.network.models import Role
from tests.conftest import PASSWORD, brussels
from tests.meetings.test_replies import CHAIR, ORGANIZER, receive, reply_mail

#: the section of answers that need attention ("Agenda-antwoorden die aandacht vragen")
SECTION = 'id="calendar-replies"'


@pytest.fixture
def ag(ctx, make_person, make_body):
    """The Actiegroep: a chair who answers from a calendar, a secretary, a member."""
    chair = make_person("Chris Voorzitter", email=CHAIR, password=PASSWORD)
    secretary = make_person("Sara Secretaris", password=PASSWORD)
    member = make_person("Mieke Lid", email="mieke@rose.example.org", password=PASSWORD)
    body = make_body(
        "Actiegroep ROSE",
        code="AG",
        members={chair: Role.CHAIR, secretary: Role.SECRETARY, member: Role.MEMBER},
        mailbox=ORGANIZER,
    )
    body.chair, body.secretary, body.member = chair, secretary, member
    return body


@pytest.fixture
def meeting(ag, make_meeting):
    """Tuesday 9 March 2027, 14:00-16:00 in Brussels, the invitations sent."""
    item = make_meeting(ag, starts_at=brussels(2027, 3, 9))
    for message in db.session.scalars(select(OutboxMessage)):
        message.status = MessageStatus.SENT
    db.session.flush()
    return item


def page(client, meeting) -> str:
    response = client.get(f"/meetings/{meeting.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def queued(meeting, kind: str) -> list[str]:
    """The addresses a message of ``kind`` about the meeting's current version is queued for."""
    return sorted(
        db.session.scalars(
            select(OutboxMessage.to_email).where(
                OutboxMessage.key.like(f"meeting:{meeting.id}:v{meeting.sequence}:%"),
                OutboxMessage.kind == kind,
                OutboxMessage.status == MessageStatus.PENDING,
            )
        )
    )


def test_an_answer_from_a_calendar_shows_via_agenda_and_its_comment(client, auth, ag, meeting):
    receive(
        reply_mail(
            "thunderbird_accept_comment.eml",
            uid=meeting.uid,
            replace=(("rond 14.30 uur.", "rond <b>14.30</b> uur."),),
        )
    )
    db.session.commit()
    auth.login(ag.member.email)

    html = page(client, meeting)

    assert "via agenda" in html
    assert "rond &lt;b&gt;14.30&lt;/b&gt; uur." in html
    assert "<b>14.30</b>" not in html
    assert SECTION not in html  # nothing needs attention, and a member sees no such list


def test_the_secretary_takes_a_proposed_time_in_one_click(client, auth, ag, meeting):
    receive(reply_mail("counter.eml", uid=meeting.uid))
    (counter,) = db.session.scalars(select(CalendarReply)).all()
    assert counter.status is ReplyStatus.COUNTER
    sequence = meeting.sequence
    db.session.commit()
    auth.login(ag.secretary.email)

    html = page(client, meeting)
    assert SECTION in html
    assert "dinsdag 9 maart 2027, 15:00" in html  # the proposal in Brussels time
    assert f"/replies/{counter.id}/propose" in html

    response = client.post(f"/meetings/{meeting.id}/replies/{counter.id}/propose")

    assert response.status_code == 302
    db.session.expire_all()
    assert meeting.starts_at == brussels(2027, 3, 9, 15)
    assert meeting.ends_at == brussels(2027, 3, 9, 17)
    assert meeting.sequence == sequence + 1
    invitees = sorted([ag.chair.email, ag.secretary.email, ag.member.email])
    assert queued(meeting, "meeting_update") == invitees  # the update goes to every invitee
    assert counter.handled_at is not None
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert SECTION not in html


def test_an_answer_to_an_earlier_time_is_applied_only_when_the_secretary_says_so(
    client, auth, ag, meeting, make_meeting
):
    meeting.sequence = 2  # moved twice since the chair's calendar had it
    receive(reply_mail("outlook_accept.eml", uid=meeting.uid, sequence=1))
    (outdated,) = db.session.scalars(select(CalendarReply)).all()
    assert outdated.status is ReplyStatus.OUTDATED
    db.session.commit()
    auth.login(ag.secretary.email)
    assert SECTION in page(client, meeting)

    client.post(f"/meetings/{meeting.id}/replies/{outdated.id}/apply")

    db.session.expire_all()
    chair = next(a for a in meeting.attendances if a.person_id == ag.chair.id)
    assert (chair.response, chair.responded_via) == (Response.ACCEPTED, ResponseChannel.CALENDAR)
    assert outdated.handled_at is not None
    # a second click finds it dealt with: nothing changes, no error
    again = client.post(f"/meetings/{meeting.id}/replies/{outdated.id}/apply")
    assert again.status_code == 302


def test_a_delegate_is_added_as_guest_only_where_the_body_allows_delegates(
    client, auth, ag, meeting
):
    receive(reply_mail("delegated.eml", uid=meeting.uid))
    (delegated,) = db.session.scalars(select(CalendarReply)).all()
    assert delegated.status is ReplyStatus.DELEGATED
    db.session.commit()
    auth.login(ag.secretary.email)

    html = page(client, meeting)
    assert "collega@rose.example.org" in html
    assert f"/replies/{delegated.id}/add-guest" not in html  # listed only
    refused = client.post(f"/meetings/{meeting.id}/replies/{delegated.id}/add-guest")
    assert refused.status_code == 302
    db.session.expire_all()
    assert delegated.handled_at is None

    ag.delegates_allowed = True
    db.session.commit()
    client.post(f"/meetings/{meeting.id}/replies/{delegated.id}/add-guest")

    db.session.expire_all()
    guests = [a.person.email for a in meeting.attendances if a.is_guest]
    assert guests == ["collega@rose.example.org"]
    assert delegated.handled_at is not None
    assert queued(meeting, "meeting_invite") == ["collega@rose.example.org"]


def test_set_aside_takes_an_answer_off_the_list(client, auth, ag, meeting):
    receive(reply_mail("outlook_accept.eml", uid=meeting.uid, sender="iemand@elders.example"))
    (stranger,) = db.session.scalars(select(CalendarReply)).all()
    assert stranger.status is ReplyStatus.NOT_MATCHED
    db.session.commit()
    auth.login(ag.secretary.email)
    assert SECTION in page(client, meeting)

    client.post(f"/meetings/{meeting.id}/replies/{stranger.id}/set-aside")

    assert SECTION not in page(client, meeting)


def test_a_member_may_not_deal_with_answers_and_hostile_ids_find_nothing(
    client, auth, ag, meeting, make_meeting, make_body
):
    receive(reply_mail("counter.eml", uid=meeting.uid))
    (counter,) = db.session.scalars(select(CalendarReply)).all()
    other_body = make_body("Andere groep", code="AND", members={ag.secretary: Role.SECRETARY})
    other = make_meeting(other_body, starts_at=brussels(2027, 4, 6), notify_new=False)
    db.session.commit()
    auth.login(ag.member.email)

    assert SECTION not in page(client, meeting)
    for action in ("propose", "set-aside", "apply", "add-guest"):
        response = client.post(f"/meetings/{meeting.id}/replies/{counter.id}/{action}")
        assert response.status_code == 403
    db.session.expire_all()
    assert counter.handled_at is None and meeting.starts_at == brussels(2027, 3, 9)

    auth.logout()
    auth.login(ag.secretary.email)
    for url in (
        f"/meetings/{other.id}/replies/{counter.id}/propose",  # another meeting's answer
        f"/meetings/{meeting.id}/replies/999999/propose",
        f"/meetings/{meeting.id}/replies/{counter.id}/delete",
        f"/meetings/{meeting.id}/replies/-1/propose",
        f"/meetings/{meeting.id}/replies/99999999999999999999999/propose",
        f"/meetings/99999999999999999999999/replies/{counter.id}/propose",
        f"/meetings/{meeting.id}/replies/abc/propose",
    ):
        assert client.post(url).status_code == 404, url
    db.session.expire_all()
    assert counter.handled_at is None
