"""An answer travels back (issue 17): closing a referral records what was answered, in a
meeting that has begun; the raising body's next meeting shows it once, under "Afgehandeld
sinds de vorige vergadering", and lists what it referred that still waits elsewhere."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rosemeet.accounts import operations as accounts
from rosemeet.agendas import operations as agendas
from rosemeet.extensions import db
from rosemeet.followups import operations as ops
from rosemeet.followups import queries
from rosemeet.followups.models import FollowUpStatus
from tests.conftest import brussels
from tests.followups.conftest import make_meeting_at

ANSWER = "Het ROA vraagt **De Lijn** een extra rit om 7u."


def _headers(person):
    _token, plain = accounts.create_api_token(person, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


def _sections(meeting, viewer):
    return {s["key"]: s for s in queries.agenda_sections(meeting, viewer)}


# --- operations ------------------------------------------------------------------------------


def test_closing_a_referral_needs_an_answer(rose, make_follow_up, during):
    referred = make_follow_up(rose.ag_march, "Vervoer", report_to_body=rose.roa)
    during(rose.roa_april)
    for blank in (None, "", "  \n "):
        with pytest.raises(ops.FollowUpError) as refused:
            ops.set_status(
                referred, FollowUpStatus.DONE, rose.roa_secretary, rose.roa_april, resolution=blank
            )
        assert refused.value.field == "resolution"
        assert "Actiegroep ROSE" in refused.value.message
    assert referred.status is FollowUpStatus.OPEN and referred.closed_at is None
    # a follow-up that reports back to nobody may close without one
    own = make_follow_up(rose.ag_march, "Intern")
    ops.set_status(own, FollowUpStatus.DROPPED, rose.secretary)
    assert own.status is FollowUpStatus.DROPPED and own.resolution is None
    ops.set_status(
        referred, FollowUpStatus.DONE, rose.roa_secretary, rose.roa_april, resolution=ANSWER
    )
    assert referred.resolution == ANSWER


def test_closing_in_a_meeting_still_to_come_is_refused(rose, make_follow_up, during):
    follow_up = make_follow_up(rose.ag_march, "Vervoer", report_to_body=rose.roa)
    during(rose.roa_april, minutes=-60)  # an hour before the ROA meets
    with pytest.raises(ops.FollowUpError) as refused:
        ops.set_status(
            follow_up, FollowUpStatus.DONE, rose.roa_secretary, rose.roa_april, resolution="Ja."
        )
    assert refused.value.field == "closed_in_meeting_id" and refused.value.status == 400
    assert "1 apr 2027" in refused.value.message
    assert follow_up.is_open
    # the choice list offers only meetings that have begun, the latest first
    during(rose.ag_may)
    assert queries.closing_meetings(follow_up) == [rose.ag_may, rose.roa_april, rose.ag_march]


def test_the_answer_shows_once_at_the_next_meeting_of_the_raising_body(
    rose, make_follow_up, during
):
    referred = make_follow_up(rose.ag_march, "Vervoer", report_to_body=rose.roa)
    waiting = make_follow_up(rose.ag_march, "Nog bij het ROA", report_to_body=rose.roa)
    own = make_follow_up(rose.ag_march, "Intern")
    during(rose.roa_april)
    ops.set_status(
        referred, FollowUpStatus.DONE, rose.roa_secretary, rose.roa_april, resolution=ANSWER
    )

    may = queries.follow_up_sections(rose.ag_may, rose.secretary)
    assert may.handled == [referred]
    assert [w.follow_up for w in may.waiting] == [waiting]
    assert may.waiting[0].next_meeting == rose.roa_june  # where it waits, and when next
    assert [r.follow_up for r in may.carried] == [own]  # each follow-up listed once
    # only there: not at the meeting before, not at the one after
    assert queries.follow_up_sections(rose.ag_march, rose.secretary).handled == []
    later = make_meeting_at(rose.ag, brussels(2027, 7, 6))
    assert queries.follow_up_sections(later, rose.secretary).handled == []
    # the ROA's own meeting keeps it in its opvolglijst (closed there), not as "handled"
    roa = queries.follow_up_sections(rose.roa_april, rose.roa_secretary)
    assert [r.follow_up for r in roa.carried] == [referred, waiting] and roa.handled == []
    # the agenda JSON has both sections, with the answer, the meeting and the time
    sections = _sections(rose.ag_may, rose.secretary)
    (handled,) = sections["handled_since_previous"]["items"]
    assert handled["resolution"] == ANSWER
    assert handled["closed_in_meeting"]["id"] == rose.roa_april.id
    assert handled["closed_at"].startswith("2027-04-01")
    (open_item,) = sections["referred_open"]["items"]
    assert open_item["waiting_in"]["body"]["code"] == "ROA"
    assert [i["title"] for i in sections["follow_ups"]["items"]] == ["Intern"]
    # someone who reads neither body sees nothing of it
    assert _sections(rose.ag_may, rose.outsider)["handled_since_previous"]["items"] == []


def test_a_body_without_an_earlier_meeting_sees_all_it_had_closed(
    rose, make_follow_up, make_body, during
):
    follow_up = make_follow_up(rose.ag_march, "Vervoer", report_to_body=rose.roa)
    during(rose.roa_april)
    ops.set_status(follow_up, FollowUpStatus.DONE, rose.roa_secretary, resolution="Ja.")
    first = make_meeting_at(rose.ag, brussels(2027, 1, 12))  # before the AG's first meeting
    assert queries.handled_since_previous(first, None) == []  # it was closed after this one
    assert queries.handled_since_previous(rose.ag_may, None) == [follow_up]


# --- pages -----------------------------------------------------------------------------------


def test_the_status_form_keeps_the_typed_answer_when_refused(
    rose, make_follow_up, client, auth, during
):
    follow_up = make_follow_up(rose.ag_march, "Vervoer", report_to_body=rose.roa)
    db.session.commit()
    during(rose.roa_april, minutes=-120)
    auth.login(rose.roa_secretary.email)
    response = client.post(
        f"/follow-ups/{follow_up.id}/status",
        data={
            "status": "afgehandeld",
            "closed_in_meeting_id": rose.roa_april.id,
            "resolution": "Een *getypt* antwoord",
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Een *getypt* antwoord</textarea>" in html
    assert "nog niet begonnen" in html
    # without an answer, the refusal names the field
    during(rose.roa_april)
    response = client.post(
        f"/follow-ups/{follow_up.id}/status",
        data={"status": "afgehandeld", "closed_in_meeting_id": rose.roa_april.id},
    )
    assert response.status_code == 400
    assert "Schrijf wat er beslist of geantwoord werd" in response.get_data(as_text=True)
    db.session.refresh(follow_up)
    assert follow_up.is_open


def test_the_answer_is_on_the_follow_up_page_the_tracker_and_the_next_agenda(
    rose, make_follow_up, client, auth, during
):
    follow_up = make_follow_up(rose.ag_march, "Vervoer", report_to_body=rose.roa)
    db.session.commit()
    during(rose.roa_april)
    auth.login(rose.roa_secretary.email)
    response = client.post(
        f"/follow-ups/{follow_up.id}/status",
        data={
            "status": "afgehandeld",
            "closed_in_meeting_id": rose.roa_april.id,
            "resolution": ANSWER,
        },
    )
    assert response.status_code == 302
    auth.logout()
    auth.login(rose.secretary.email)
    page = client.get(f"/follow-ups/{follow_up.id}").get_data(as_text=True)
    assert "<strong>De Lijn</strong>" in page  # rendered Markdown
    assert "Antwoord" in page and "1 apr 2027" in page
    tracker = client.get("/follow-ups?status=afgehandeld").get_data(as_text=True)
    assert "De Lijn een extra rit" in tracker and "**" not in tracker
    referrals = client.get("/follow-ups/referrals").get_data(as_text=True)
    assert "De Lijn een extra rit" in referrals
    agendas.ensure_agenda(rose.ag_may)
    agendas.publish_agenda(rose.ag_may)
    db.session.commit()
    meeting = client.get(f"/meetings/{rose.ag_may.id}").get_data(as_text=True)
    assert "Afgehandeld sinds de vorige vergadering" in meeting
    handled = meeting.split('id="handled-since-previous"')[1]
    assert "Vervoer" in handled and "<strong>De Lijn</strong>" in handled
    assert meeting.count(f'href="/follow-ups/{follow_up.id}"') == 1  # once


# --- API -------------------------------------------------------------------------------------


def test_patch_takes_a_resolution_and_refuses_with_400(rose, make_follow_up, client, during):
    follow_up = make_follow_up(rose.ag_march, "Vervoer", report_to_body=rose.roa)
    headers = _headers(rose.roa_secretary)
    url = f"/api/v1/follow-ups/{follow_up.id}"
    early = client.patch(
        url, json={"closed_in_meeting_id": rose.roa_april.id, "resolution": "Ja."}, headers=headers
    )
    assert early.status_code == 400
    assert "closed_in_meeting_id" in early.json["error"]["fields"]
    during(rose.roa_april)
    missing = client.patch(url, json={"closed_in_meeting_id": rose.roa_april.id}, headers=headers)
    assert missing.status_code == 400
    assert list(missing.json["error"]["fields"]) == ["resolution"]
    closed = client.patch(
        url, json={"closed_in_meeting_id": rose.roa_april.id, "resolution": ANSWER}, headers=headers
    )
    assert closed.status_code == 200, closed.json
    assert (closed.json["status"], closed.json["resolution"]) == ("afgehandeld", ANSWER)
    # correcting the answer keeps the meeting and when it was closed
    fixed = client.patch(url, json={"resolution": "Beter antwoord."}, headers=headers)
    assert fixed.status_code == 200, fixed.json
    assert fixed.json["resolution"] == "Beter antwoord."
    assert fixed.json["closed_in_meeting_id"] == rose.roa_april.id
    assert fixed.json["closed_at"] == closed.json["closed_at"]
    reopened = client.patch(url, json={"status": "open"}, headers=headers)
    assert reopened.json["resolution"] is None and reopened.json["closed_in_meeting"] is None


def test_the_agenda_json_has_the_handled_section(rose, make_follow_up, client, during):
    follow_up = make_follow_up(rose.ag_march, "Vervoer", report_to_body=rose.roa)
    during(rose.roa_april)
    ops.set_status(
        follow_up, FollowUpStatus.DONE, rose.roa_secretary, rose.roa_april, resolution=ANSWER
    )
    agendas.ensure_agenda(rose.ag_may)
    agendas.publish_agenda(rose.ag_may)
    response = client.get(
        f"/api/v1/meetings/{rose.ag_may.id}/agenda", headers=_headers(rose.secretary)
    )
    assert response.status_code == 200, response.json
    sections = {s["key"]: s for s in response.json["sections"]}
    assert sections["handled_since_previous"]["title"] == "Afgehandeld sinds de vorige vergadering"
    (item,) = sections["handled_since_previous"]["items"]
    assert (item["id"], item["resolution"]) == (follow_up.id, ANSWER)
    assert item["closed_in_meeting"]["bodies"][0]["name"] == "Regionaal Overleg Activering"
    assert sections["referred_open"]["items"] == []


def test_a_joint_meeting_names_the_register_of_its_decisions(rose, make_item, client, auth):
    from rosemeet.meetings import operations as meetings

    start = brussels(2027, 4, 20, 14)
    joint = meetings.create_meeting(
        [rose.ag, rose.roa], starts_at=start, ends_at=start + timedelta(hours=2), location="W13"
    )
    item = make_item(joint, "Gezamenlijk")
    decision = ops.record_decision(item, "Samen beslist.", body=rose.ag)
    single = ops.record_decision(make_item(rose.ag_march), "Alleen AG.")
    db.session.commit()
    auth.login(rose.secretary.email)
    register = client.get("/decisions").get_data(as_text=True)
    assert f"{decision.number} (besluitenregister Actiegroep ROSE)" in register
    assert f"{single.number} (besluitenregister" not in register
    outcomes = client.get(f"/agenda-items/{item.id}/outcomes").get_data(as_text=True)
    assert f"{decision.number} (besluitenregister Actiegroep ROSE)" in outcomes
    agendas.ensure_agenda(joint)
    agendas.publish_agenda(joint)
    db.session.commit()
    agenda = client.get(f"/meetings/{joint.id}/agenda").get_data(as_text=True)
    assert f"{decision.number} (besluitenregister Actiegroep ROSE)" in agenda


def test_the_answer_is_searchable(rose, make_follow_up, during):
    from rosemeet.followups import search

    follow_up = make_follow_up(rose.ag_march, "Vervoer", report_to_body=rose.roa)
    during(rose.roa_april)
    ops.set_status(
        follow_up, FollowUpStatus.DONE, rose.roa_secretary, resolution="Busmaatschappij akkoord"
    )
    db.session.flush()
    assert [h.obj.id for h in search.search(rose.secretary, "busmaatschappij")] == [follow_up.id]
