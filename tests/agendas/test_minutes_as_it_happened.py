"""Minutes take the meeting as it happened: the attendance and quorum at the top, and per item
its decisions and follow-ups, recorded from the minutes page itself."""

from __future__ import annotations

from datetime import date

import pytest
from flask import render_template_string
from flask_login import login_user

from rosemeet.agendas import operations as ops
from rosemeet.extensions import db
from rosemeet.followups import operations as followups
from rosemeet.followups.models import Decision, FollowUp
from rosemeet.meetings import operations as meetings
from rosemeet.meetings.models import Presence, QuorumBasis
from tests.conftest import brussels


@pytest.fixture
def meeting(rose, make_meeting):
    m = make_meeting(rose.ag, starts_at=brussels(2027, 1, 12))
    m.test_item = ops.add_item(m, title="Deelfietsen")
    return m


def _slot(app, user, slot: str, **context) -> str:
    """What the minutes page shows in one of its slots, for this user."""
    with app.test_request_context("/"):
        login_user(user)
        return render_template_string(
            "{{ template_hook(slot, **context) }}", slot=slot, context=context
        )


def test_the_top_of_the_minutes_shows_who_was_there_and_the_quorum(app, rose, meeting):
    meetings.set_quorum_rule(rose.ag, QuorumBasis.MEMBERS, 50)
    html = _slot(app, rose.member, "minutes-top", meeting=meeting)
    assert "De aanwezigheid is nog niet genoteerd." in html
    assert "Quorum AG" in html

    meetings.record_presence(meeting, rose.secretary, Presence.PRESENT)
    meetings.record_presence(meeting, rose.member, Presence.EXCUSED)
    html = _slot(app, rose.member, "minutes-top", meeting=meeting)

    groups = {
        part.split('">', 1)[0]: part.split('">', 1)[1].split("</dd>", 1)[0]
        for part in html.split('data-presence="')[1:]
    }
    assert "Sara Secretaris" in groups["present"] and "Mo Lid" not in groups["present"]
    assert "Mo Lid" in groups["excused"]
    assert groups["absent"] == "—"
    assert "Aanwezig (1)" in html and "Verontschuldigd (1)" in html and "Afwezig (0)" in html
    assert "Quorum AG: 1 van 2 aanwezig, 1 nodig." in html and "Het quorum is bereikt." in html


def test_each_item_shows_its_decisions_and_follow_ups(app, rose, meeting):
    item = meeting.test_item
    decision = followups.record_decision(item, "Proefproject deelfietsen.", by=rose.secretary)
    followups.create_follow_up(
        item,
        title="Offerte opvragen",
        decision=decision,
        owner_person=rose.member,
        due_on=date(2027, 2, 1),
        report_to_body=rose.av,
        by=rose.secretary,
    )
    html = _slot(app, rose.member, "minutes-item", item=item, meeting=meeting, editor=False)
    assert decision.number in html and "Proefproject deelfietsen." in html
    assert "Offerte opvragen" in html and "Mo Lid" in html
    assert "1 feb 2027" in html and "Algemene vergadering" in html
    assert 'action="/agenda-items/' not in html  # a member gets no forms

    forms = _slot(app, rose.secretary, "minutes-item", item=item, meeting=meeting, editor=True)
    assert f'action="/agenda-items/{item.id}/decisions"' in forms
    assert f'action="/agenda-items/{item.id}/follow-ups"' in forms
    assert f'value="/meetings/{meeting.id}/minutes#item-{item.id}"' in forms
    assert f'id="item-{item.id}-decision-text"' in forms  # ids of its own on the page


def test_approved_minutes_show_the_outcomes_without_forms(app, rose, meeting, make_meeting):
    item = meeting.test_item
    followups.record_decision(item, "Proefproject deelfietsen.", by=rose.secretary)
    ops.send_minutes_for_comment(meeting)
    ops.approve_minutes(
        meeting, in_meeting=make_meeting(rose.ag, starts_at=brussels(2027, 3, 9)), by=rose.secretary
    )
    html = _slot(app, rose.secretary, "minutes-item", item=item, meeting=meeting, editor=False)
    assert "Proefproject deelfietsen." in html and 'action="/agenda-items/' not in html


def test_a_decision_and_a_follow_up_added_on_the_minutes_page_return_to_it(
    client, auth, rose, meeting
):
    item = meeting.test_item
    db.session.commit()
    back = f"/meetings/{meeting.id}/minutes#item-{item.id}"
    auth.login(rose.secretary.email)

    answer = client.post(
        f"/agenda-items/{item.id}/decisions",
        data={"text": "Proefproject deelfietsen.", "body_id": rose.ag.id, "next": back},
    )
    assert answer.status_code == 302 and answer.headers["Location"].endswith(back)
    decision = db.session.query(Decision).one()
    assert decision.text == "Proefproject deelfietsen." and decision.agenda_item_id == item.id

    answer = client.post(
        f"/agenda-items/{item.id}/follow-ups",
        data={
            "title": "Offerte opvragen",
            "owner_person_id": rose.member.id,
            "due_on": "2027-02-01",
            "report_to_body_id": rose.av.id,
            "next": back,
        },
    )
    assert answer.status_code == 302 and answer.headers["Location"].endswith(back)
    follow_up = db.session.query(FollowUp).one()
    assert (follow_up.owner_person_id, follow_up.due_on) == (rose.member.id, date(2027, 2, 1))

    # somewhere else than this site: back to the item's outcomes page
    answer = client.post(
        f"/agenda-items/{item.id}/decisions",
        data={"text": "Nog een besluit.", "next": "//evil.example/x"},
    )
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/agenda-items/{item.id}/outcomes#decisions")


def test_a_refused_outcome_from_the_minutes_page_keeps_what_was_typed(client, auth, rose, meeting):
    item = meeting.test_item
    db.session.commit()
    back = f"/meetings/{meeting.id}/minutes#item-{item.id}"
    auth.login(rose.secretary.email)
    answer = client.post(
        f"/agenda-items/{item.id}/follow-ups",
        data={"title": "Offerte opvragen", "owner_person_id": "999999", "next": back},
    )
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "Offerte opvragen" in page and 'class="field-error"' in page
    answer = client.post(f"/agenda-items/{item.id}/decisions", data={"text": "x\x1b", "next": back})
    assert answer.status_code == 400 and 'class="field-error"' in answer.get_data(as_text=True)
    assert db.session.query(FollowUp).count() == 0 and db.session.query(Decision).count() == 0


def test_the_minutes_page_shows_attendance_outcomes_and_takes_a_decision(
    client, auth, rose, meeting
):
    item = meeting.test_item
    meetings.record_presence(meeting, rose.secretary, Presence.PRESENT)
    meetings.record_presence(meeting, rose.member, Presence.ABSENT)
    followups.create_follow_up(
        item, title="Offerte opvragen", owner_person=rose.member, by=rose.secretary
    )
    db.session.commit()
    auth.login(rose.secretary.email)
    page = client.get(f"/meetings/{meeting.id}/minutes").get_data(as_text=True)
    assert 'id="minutes-attendance"' in page and "Afwezig (1)" in page
    article = page.split(f'id="item-{item.id}"', 1)[1]
    assert "Offerte opvragen" in article
    assert f'action="/agenda-items/{item.id}/decisions"' in article

    back = f"/meetings/{meeting.id}/minutes#item-{item.id}"
    answer = client.post(
        f"/agenda-items/{item.id}/decisions",
        data={"text": "Proefproject deelfietsen.", "body_id": rose.ag.id, "next": back},
    )
    assert answer.headers["Location"].endswith(back)
    page = client.get(f"/meetings/{meeting.id}/minutes").get_data(as_text=True)
    number = db.session.query(Decision).one().number
    assert number in page.split(f'id="item-{item.id}"', 1)[1]


def test_on_the_minutes_page_for_comments_a_member_finds_the_remark_form(
    client, auth, rose, meeting
):
    item = meeting.test_item
    auth.login(rose.member.email)
    db.session.commit()
    assert client.get(f"/meetings/{meeting.id}/minutes").status_code in (403, 404)  # a draft
    ops.send_minutes_for_comment(meeting)
    db.session.commit()
    page = client.get(f"/meetings/{meeting.id}/minutes").get_data(as_text=True)
    assert f'action="/agenda-items/{item.id}/remarks"' in page
    assert f'action="/agenda-items/{item.id}/decisions"' not in page  # a member records none
