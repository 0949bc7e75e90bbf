"""Meeting pages over HTTP: forms keep input, permissions hold, the calendar stays cheap."""

from __future__ import annotations

import re
from datetime import date, time

from sqlalchemy import event, func, select

from rosemeet.core.time import to_local
from rosemeet.extensions import db
from rosemeet.mail.models import MessageStatus, OutboxMessage
from rosemeet.meetings import operations as ops
from rosemeet.meetings.models import Meeting, MeetingSeries, MeetingStatus, Response
from rosemeet.network import operations as network
from rosemeet.network.models import Role
from tests.conftest import brussels
from tests.meetings.conftest import SERIES_FORM


def test_secretary_plans_a_series_and_sees_it_on_the_body_page(client, auth, team):
    db.session.commit()
    auth.login(team["admin"].email)
    response = client.post(f"/bodies/{team['ag'].id}/series/new", data=SERIES_FORM)
    assert response.status_code == 302
    assert db.session.scalar(select(MeetingSeries.rrule)) == (
        "FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU;UNTIL=20271231"
    )
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "De reeks is gepland: voorlopig 6 vergaderingen." in html
    assert "om de 2 maanden op de tweede dinsdag" in html
    assert "dinsdag 9 maart 2027, 14:00" in html
    assert "Komende vergaderingen" in html


def test_bad_series_form_keeps_input_and_explains(client, auth, team):
    db.session.commit()
    auth.login(team["admin"].email)
    data = {
        **SERIES_FORM,
        "title": "Voorjaarsoverleg",
        "preset": "yearly",
        "week": "-1",
        "weekday": "6",
        "months": ["3"],
        "start_time": "02:30",
        "end": "never",
    }
    html = client.post(f"/bodies/{team['ag'].id}/series/new", data=data).get_data(as_text=True)
    assert "Het beginuur 02:30 bestaat niet op zondag 28 maart 2027" in html
    assert 'value="Voorjaarsoverleg"' in html and 'value="02:30"' in html
    assert re.search(r'id="start_time-error"', html)

    data = {**SERIES_FORM, "preset": "custom", "rrule": "FREQ=WEEKLY;BYDAY=MO,TH", "end": "never"}
    html = client.post(f"/bodies/{team['ag'].id}/series/new", data=data).get_data(as_text=True)
    assert "meer dan 52 vergaderingen per jaar" in html
    assert 'value="FREQ=WEEKLY;BYDAY=MO,TH"' in html

    data = {**SERIES_FORM, "until": "2026-06-30"}
    html = client.post(f"/bodies/{team['ag'].id}/series/new", data=data).get_data(as_text=True)
    assert "Het einde ligt voor de eerste datum." in html
    assert db.session.scalar(select(func.count(Meeting.id))) == 0


def test_members_see_but_only_the_secretary_plans(client, auth, team, make_meeting):
    meeting = make_meeting(team["ag"])
    db.session.commit()
    auth.login(team["mia"].email)
    assert client.get(f"/bodies/{team['ag'].id}/series/new").status_code == 403
    assert client.get(f"/meetings/{meeting.id}/edit").status_code == 403
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Actiegroep ROSE" in page and "Deze vergadering wijzigen" not in page
    auth.logout()
    auth.login(team["outsider"].email)
    assert client.get(f"/meetings/{meeting.id}").status_code == 404
    auth.logout()
    assert client.get(f"/meetings/{meeting.id}").status_code == 404


def test_meetings_of_public_bodies_are_open_to_visitors(client, ctx, make_body, make_meeting):
    av = make_body("Algemene vergadering", code="AV", is_public=True)
    meeting = make_meeting(av)
    db.session.commit()
    assert "Algemene vergadering" in client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    calendar = client.get("/meetings/calendar?month=2027-03").get_data(as_text=True)
    assert "14:00 Algemene vergadering" in calendar


def test_move_this_meeting_and_cancel_it(client, auth, team, make_series):
    _series, meetings = make_series(team["ag"])
    march = meetings[1]
    db.session.commit()
    auth.login(team["admin"].email)
    form = {
        "title": "",
        "day": "2027-03-16",
        "start_time": "10:00",
        "end_time": "09:00",
        "location": "VDAB",
    }
    html = client.post(f"/meetings/{march.id}/edit", data=form).get_data(as_text=True)
    assert "De vergadering eindigt voor ze begint." in html and 'value="2027-03-16"' in html
    response = client.post(f"/meetings/{march.id}/edit", data={**form, "end_time": "12:00"})
    assert response.status_code == 302
    db.session.expire_all()
    assert to_local(db.session.get(Meeting, march.id).starts_at) == brussels(2027, 3, 16, 10)

    html = client.post(f"/meetings/{march.id}/cancel", data={"reason": ""}).get_data(as_text=True)
    assert "Zeg waarom de vergadering geannuleerd wordt." in html
    client.post(f"/meetings/{march.id}/cancel", data={"reason": "Te weinig punten"})
    page = client.get(f"/meetings/{march.id}").get_data(as_text=True)
    assert "Deze vergadering is geannuleerd." in page and "Te weinig punten" in page
    html = client.post(f"/meetings/{march.id}/cancel", data={"reason": "nog eens"}).get_data(
        as_text=True
    )
    assert "Deze vergadering is al geannuleerd." in html


def test_cancelling_a_meeting_moved_since_the_page_was_opened_is_refused(
    client, auth, team, make_meeting
):
    meeting = make_meeting(team["ag"], starts_at=brussels(2027, 3, 9))
    db.session.commit()
    auth.login(team["admin"].email)
    page = client.get(f"/meetings/{meeting.id}/cancel").get_data(as_text=True)
    read = re.search(r'name="version" type="hidden" value="(\d+)"', page)
    assert read, "the cancel form carries the version it was opened at"
    ops.update_meeting(meeting, location="Stadhuis Kortrijk")  # someone moves it meanwhile
    db.session.commit()
    response = client.post(
        f"/meetings/{meeting.id}/cancel", data={"reason": "Te weinig punten", "version": read[1]}
    )
    assert response.status_code == 409
    assert "Te weinig punten" in response.get_data(as_text=True)
    assert db.session.get(Meeting, meeting.id).status != MeetingStatus.CANCELLED


def test_change_this_and_the_following_meetings(client, auth, team, make_series):
    _series, meetings = make_series(team["ag"])
    may = meetings[2]
    db.session.commit()
    auth.login(team["admin"].email)
    page = client.get(f"/meetings/{may.id}/following").get_data(as_text=True)
    assert 'value="2027-05-11"' in page and 'value="14:00"' in page
    response = client.post(
        f"/meetings/{may.id}/following", data={**SERIES_FORM, "start_time": "10:00"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    hours = [to_local(db.session.get(Meeting, m.id).starts_at).hour for m in meetings]
    assert hours == [14, 14, 10, 10, 10, 10]


def test_this_and_the_following_opened_before_another_change_is_refused_and_kept(
    client, auth, team, make_series
):
    series, meetings = make_series(team["ag"])
    may = meetings[2]
    db.session.commit()
    auth.login(team["admin"].email)
    page = client.get(f"/meetings/{may.id}/following").get_data(as_text=True)
    read = re.search(r'name="version" type="hidden" value="(\d+)"', page)
    assert read, "the series form carries the version it was opened at"
    ops.change_following(
        meetings[4],
        ops.SeriesSettings(  # someone else changes September on
            rrule=series.rrule,
            first_date=date(2027, 9, 1),
            start_time=time(9, 0),
            duration_minutes=60,
            location="Stadhuis Kortrijk",
        ),
    )
    db.session.commit()
    data = {**SERIES_FORM, "start_time": "10:00", "version": read[1]}
    response = client.post(f"/meetings/{may.id}/following", data=data)
    assert response.status_code == 409
    assert 'value="10:00"' in response.get_data(as_text=True)  # what was typed is still there
    db.session.expire_all()
    assert to_local(db.session.get(Meeting, may.id).starts_at).hour == 14


def test_one_off_joint_meeting_with_overlap_warning(client, auth, team, make_body, make_meeting):
    roa = make_body("ROA", code="ROA", members={team["admin"]: Role.MEMBER})
    make_meeting(roa, starts_at=brussels(2027, 5, 20, 13))
    db.session.commit()
    auth.login(team["admin"].email)
    response = client.post(
        "/meetings/new",
        data={
            "body_ids": [str(team["ag"].id), str(roa.id)],
            "title": "Jaarlijks overleg ROA en Actiegroep",
            "day": "2027-05-20",
            "start_time": "14:00",
            "end_time": "16:00",
            "location": "W13",
            "invite_roles": ["chair", "secretary", "member"],
        },
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "De vergadering is gepland." in html
    assert "Let op: dit overlapt met ROA op donderdag 20 mei 2027" in html
    assert "gezamenlijke vergadering" in html
    for body in (team["ag"], roa):
        assert "Jaarlijks overleg ROA en Actiegroep" in client.get(f"/bodies/{body.id}").get_data(
            as_text=True
        )


def test_answer_on_the_page_and_record_attendance_with_quorum(client, auth, team, make_meeting):
    from rosemeet.meetings.models import QuorumBasis

    meeting = make_meeting(team["ag"])
    ops.set_quorum_rule(team["ag"], QuorumBasis.MEMBERS, 50)
    db.session.commit()
    auth.login(team["mia"].email)
    client.post(f"/meetings/{meeting.id}/respond", data={"response": "accepted"})
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Jouw antwoord: <strong>Komt</strong>" in page
    auth.logout()
    auth.login(team["admin"].email)
    client.post(
        f"/meetings/{meeting.id}/attendance", data={f"presence-{team['mia'].id}": "present"}
    )
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Quorum AG: 1 van 2 aanwezig, 1 nodig." in page
    assert "Het quorum is bereikt." in page


def test_one_click_rsvp_link_needs_no_login(client, team, make_meeting):
    meeting = make_meeting(team["ag"])
    token = ops.rsvp_token(meeting, team["mia"])
    db.session.commit()
    # opening the link (as a mail scanner would) records nothing, it asks to confirm
    html = client.get(f"/rsvp/{token}?response=declined").get_data(as_text=True)
    assert "Bevestig je antwoord" in html and "bewaard" not in html
    row = db.session.scalar(select(Meeting).where(Meeting.id == meeting.id)).attendances
    assert [a.response for a in row if a.person_id == team["mia"].id] == []
    html = client.post(f"/rsvp/{token}", data={"response": "declined"}).get_data(as_text=True)
    assert "Bedankt, Mia Lid: je antwoord is bewaard." in html
    db.session.expire_all()
    row = db.session.get(Meeting, meeting.id).attendances
    assert [a.response for a in row if a.person_id == team["mia"].id] == [Response.DECLINED]
    client.post(f"/rsvp/{token}", data={"response": "tentative"})
    db.session.expire_all()
    (mine,) = [a for a in db.session.get(Meeting, meeting.id).attendances if not a.is_guest]
    assert mine.response is Response.TENTATIVE
    assert client.get("/rsvp/forged-token").status_code == 404


def test_my_meetings_and_home(client, auth, team, make_meeting, make_body):
    make_meeting(team["ag"], title="Actiegroep maart")
    other = make_body("LDE-fabriek", code="LDE")
    make_meeting(other, title="LDE zonder Mia")
    db.session.commit()
    auth.login(team["mia"].email)
    mine = client.get("/meetings").get_data(as_text=True)
    assert "Actiegroep maart" in mine and "LDE zonder Mia" not in mine
    home = client.get("/").get_data(as_text=True)
    assert "Mijn vergaderingen" in home and "Actiegroep maart" in home


def test_a_body_with_meetings_offers_archiving_instead_of_deleting(
    client, auth, team, make_meeting
):
    make_meeting(team["ag"])
    db.session.commit()
    auth.login(team["admin"].email)
    response = client.post(f"/bodies/{team['ag'].id}/delete", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "kan niet verwijderd worden. Archiveer het in de plaats." in html
    assert ">Archiveren</button>" in html
    assert f'action="/bodies/{team["ag"].id}/delete"' not in html


def test_month_calendar_query_count_does_not_grow_with_meetings(
    app, client, auth, team, make_body, make_meeting
):
    roa = make_body("ROA", code="ROA", members={team["mia"]: Role.MEMBER})
    make_meeting(team["ag"], starts_at=brussels(2027, 3, 2))
    db.session.commit()
    auth.login(team["mia"].email)

    def statements() -> int:
        seen = []

        def count(*_args):
            seen.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            html = client.get("/meetings/calendar?month=2027-03").get_data(as_text=True)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(seen), html

    few, html = statements()
    assert html.count('href="/meetings/') >= 1
    for day in range(3, 31):
        make_meeting(
            team["ag"], roa, starts_at=brussels(2027, 3, day, 9), invite_roles=[Role.CHAIR]
        )
    db.session.commit()
    many, html = statements()
    assert html.count("09:00 ") == 28
    assert many == few


def test_calendar_filters_on_one_body_and_marks_cancelled(
    client, auth, team, make_body, make_meeting
):
    roa = make_body("ROA", code="ROA", members={team["mia"]: Role.MEMBER})
    make_meeting(team["ag"], starts_at=brussels(2027, 3, 2), title="AG-vergadering")
    gone = make_meeting(roa, starts_at=brussels(2027, 3, 4), title="ROA-vergadering")
    ops.cancel_meeting(gone, "Ziek")
    db.session.commit()
    auth.login(team["mia"].email)
    html = client.get("/meetings/calendar?month=2027-03").get_data(as_text=True)
    assert "AG-vergadering" in html and "ROA-vergadering (geannuleerd)" in html
    html = client.get(f"/meetings/calendar?month=2027-03&body={roa.id}").get_data(as_text=True)
    assert "AG-vergadering" not in html and "ROA-vergadering" in html
    assert "maart 2027" in html


def test_outbox_rows_are_committed_with_the_change(client, auth, team, make_meeting):
    meeting = make_meeting(team["ag"])
    for message in db.session.scalars(select(OutboxMessage)):  # the invitations went out
        message.status, message.attempts = MessageStatus.SENT, 1
    db.session.commit()
    auth.login(team["admin"].email)
    client.post(f"/meetings/{meeting.id}/cancel", data={"reason": "Ziekte"})
    kinds = db.session.scalars(
        select(OutboxMessage.kind).where(OutboxMessage.key.like(f"meeting:{meeting.id}:%"))
    ).all()
    assert sorted(kinds) == ["meeting_cancel"] * 2 + ["meeting_invite"] * 2
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status is MeetingStatus.CANCELLED


def test_extend_meetings_command(app, ctx, team, make_series):
    make_series(team["ag"], rrule="FREQ=MONTHLY;BYDAY=1MO", first_date=date(2026, 12, 1))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["extend-meetings", "--today", "2027-02-01"])
    assert result.exit_code == 0, result.output
    assert "new meetings" in result.output
    assert time(14) == to_local(db.session.scalars(select(Meeting.starts_at)).first()).time()


def test_a_member_who_answered_and_left_no_longer_sees_the_closed_meeting(
    client, auth, team, make_meeting
):
    meeting = make_meeting(team["ag"])
    ops.respond(meeting, team["mia"], Response.ACCEPTED)
    network.remove_membership(
        next(m for m in team["ag"].memberships if m.person_id == team["mia"].id)
    )
    db.session.commit()
    auth.login(team["mia"].email)
    assert client.get(f"/meetings/{meeting.id}").status_code == 404
