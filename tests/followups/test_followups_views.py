"""Pages: recording outcomes on an item, closing from the opvolglijst, the tracker, the
register, the action history, inert HTML, kept input, and query budgets."""

from __future__ import annotations

from datetime import date, timedelta

from rosemeet.agendas import operations as agendas
from rosemeet.extensions import db
from rosemeet.followups import operations as ops
from rosemeet.followups import queries
from rosemeet.followups.models import Decision, FollowUp, FollowUpStatus
from tests.followups.conftest import TODAY

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_the_secretary_records_a_decision_and_a_follow_up_on_an_item(rose, make_item, client, auth):
    item = make_item(rose.ag_march, actions=[rose.action])
    db.session.commit()
    auth.login(rose.secretary.email)
    response = client.post(
        f"/agenda-items/{item.id}/decisions",
        data={"text": "We starten met fietsen.", "action_ids": [rose.action.id]},
    )
    assert response.status_code == 302
    decision = db.session.query(Decision).one()
    assert decision.number == "AG-2027-01" and decision.actions == [rose.action]
    response = client.post(
        f"/agenda-items/{item.id}/follow-ups",
        data={
            "title": "Vraag het ROA",
            "owner_person_id": rose.member.id,
            "due_on": (TODAY - timedelta(days=1)).isoformat(),
            "report_to_body_id": rose.roa.id,
            "decision_id": decision.id,
        },
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "Opvolgpunt genoteerd." in html
    assert "De datum 25 nov 2026 ligt in het verleden." in html  # a warning, not an error
    follow_up = db.session.query(FollowUp).one()
    assert (follow_up.decision, follow_up.report_to_body) == (decision, rose.roa)


def test_members_may_not_record_outcomes(rose, make_item, client, auth):
    item = make_item(rose.ag_march)
    db.session.commit()
    auth.login(rose.member.email)
    assert client.post(f"/agenda-items/{item.id}/decisions", data={"text": "x"}).status_code in (
        403,
        404,
    )
    assert db.session.query(Decision).count() == 0


def test_script_payloads_stay_inert_and_the_form_keeps_what_was_typed(
    rose, make_item, client, auth
):
    item = make_item(rose.ag_march)
    db.session.commit()
    auth.login(rose.secretary.email)
    client.post(f"/agenda-items/{item.id}/decisions", data={"text": SCRIPT})
    client.post(f"/agenda-items/{item.id}/follow-ups", data={"title": SCRIPT})
    for url in (f"/agenda-items/{item.id}/outcomes", "/follow-ups", "/decisions"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;" in html
    # an unknown report-to body: refused next to the field, the typed title kept
    response = client.post(
        f"/agenda-items/{item.id}/follow-ups",
        data={"title": "Wat ik typte", "report_to_body_id": 99999},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Kies uit de lijst." in html and 'value="Wat ik typte"' in html


def test_closing_from_the_report_to_body_s_opvolglijst(rose, make_follow_up, client, auth, during):
    follow_up = make_follow_up(rose.ag_march, "Vervoer", report_to_body=rose.roa)
    db.session.commit()
    during(rose.roa_april)
    auth.login(rose.roa_secretary.email)
    response = client.post(
        f"/meetings/{rose.roa_april.id}/follow-ups/{follow_up.id}/close",
        data={"status": "afgehandeld", "resolution": "De Lijn rijdt vanaf mei."},
    )
    assert response.status_code == 302
    db.session.refresh(follow_up)
    assert follow_up.status is FollowUpStatus.DONE
    assert follow_up.closed_in_meeting == rose.roa_april
    assert follow_up.closed_by == rose.roa_secretary
    # the Actiegroep's secretary sees it afgehandeld in the tracker
    auth.logout()
    auth.login(rose.secretary.email)
    html = client.get(f"/follow-ups?body={rose.ag.id}&status=afgehandeld").get_data(as_text=True)
    assert "Vervoer" in html and "afgehandeld" in html
    assert "Regionaal Overleg Activering" in html
    assert "De Lijn rijdt vanaf mei." in html  # the answer, in short


def test_closing_in_a_meeting_of_an_unrelated_body_shows_the_reason(
    rose, make_follow_up, client, auth, admin
):
    follow_up = make_follow_up(rose.ag_march, "Vervoer", report_to_body=rose.roa)
    db.session.commit()
    auth.login(admin.email)
    response = client.post(
        f"/follow-ups/{follow_up.id}/status",
        data={"status": "afgehandeld", "closed_in_meeting_id": rose.lde_april.id},
    )
    assert response.status_code == 400
    assert "Deze vergadering is niet van" in response.get_data(as_text=True)
    db.session.refresh(follow_up)
    assert follow_up.status is FollowUpStatus.OPEN


def test_owners_update_their_own_follow_up_status(rose, make_follow_up, client, auth):
    follow_up = make_follow_up(rose.ag_march, owner_person=rose.member)
    other = make_follow_up(rose.ag_march, "Van iemand anders")
    db.session.commit()
    auth.login(rose.member.email)
    assert (
        client.post(f"/follow-ups/{follow_up.id}/status", data={"status": "lopend"}).status_code
        == 302
    )
    assert (
        client.post(f"/follow-ups/{other.id}/status", data={"status": "lopend"}).status_code == 403
    )
    db.session.refresh(follow_up)
    db.session.refresh(other)
    assert (follow_up.status, other.status) == (FollowUpStatus.ONGOING, FollowUpStatus.OPEN)
    assert "Offerte fietsen opvragen" in client.get("/follow-ups/mine").get_data(as_text=True)


def test_outsiders_see_nothing(rose, make_follow_up, client, auth):
    follow_up = make_follow_up(rose.ag_march, "Geheim")
    db.session.commit()
    auth.login(rose.outsider.email)
    assert client.get(f"/follow-ups/{follow_up.id}").status_code == 404
    assert "Geheim" not in client.get("/follow-ups").get_data(as_text=True)


def test_the_action_history_lists_items_decisions_and_follow_ups_in_time_order(
    rose, make_item, make_follow_up, ctx
):
    first = make_item(rose.ag_march, "Fietsen", actions=[rose.action])
    decision = ops.record_decision(first, "Proefproject fietsen.", [rose.action])
    follow_up = make_follow_up(
        rose.ag_march, "Offerte", item=first, actions=[rose.action], report_to_body=rose.roa
    )
    later = make_item(rose.roa_april, "Fietsen in het ROA", actions=[rose.action])
    agendas.ensure_agenda(rose.roa_april)
    agendas.publish_agenda(rose.roa_april)
    agendas.ensure_agenda(rose.ag_march)
    agendas.publish_agenda(rose.ag_march)
    history = queries.action_history(rose.member, rose.action)
    assert [(e.kind, e.obj) for e in history] == [
        ("item", first),
        ("decision", decision),
        ("follow_up", follow_up),
        ("item", later),
    ]
    assert queries.action_history(rose.outsider, rose.action) == []


def test_the_register_and_the_action_page(rose, make_item, client, auth):
    item = make_item(rose.ag_march, actions=[rose.action])
    ops.record_decision(item, "Proefproject fietsen.", [rose.action])
    db.session.commit()
    auth.login(rose.member.email)
    html = client.get(f"/decisions?body={rose.ag.id}&year=2027").get_data(as_text=True)
    assert "AG-2027-01" in html and "Proefproject fietsen." in html
    assert "AG-2027-01" not in client.get("/decisions?year=2028").get_data(as_text=True)


def _many(rose, make_follow_up, count):
    for n in range(count):
        make_follow_up(
            rose.ag_march,
            f"Punt {n}",
            owner_person=rose.member,
            due_on=date(2027, 4, 1),
            report_to_body=rose.roa,
            actions=[rose.action],
        )
    db.session.commit()


def test_the_tracker_and_the_opvolglijst_keep_to_a_query_budget(
    rose, make_follow_up, make_item, client, auth, count_queries
):
    item = make_item(rose.ag_march)
    agendas.ensure_agenda(rose.roa_april)
    agendas.publish_agenda(rose.roa_april)
    auth.login(rose.roa_secretary.email)
    counts = []
    for extra in (2, 12):
        _many(rose, lambda *a, **k: make_follow_up(*a, item=item, **k), extra)
        with count_queries() as tracker:
            assert client.get("/follow-ups").status_code == 200
        with count_queries() as meeting:
            html = client.get(f"/meetings/{rose.roa_april.id}").get_data(as_text=True)
        with count_queries() as api:
            queries.meeting_follow_ups(rose.roa_april, rose.roa_secretary)
        assert "Punt 1" in html
        counts.append((tracker.count, meeting.count, api.count))
    assert counts[0] == counts[1], counts
    assert counts[0][2] <= 12
