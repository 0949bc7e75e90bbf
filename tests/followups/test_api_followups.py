"""API: decisions and follow-ups on an item, listing and filters, closing, the agenda."""

from __future__ import annotations

from datetime import timedelta

from rosemeet.accounts import operations as accounts
from rosemeet.agendas import operations as agendas
from rosemeet.extensions import db
from rosemeet.followups import operations as ops
from tests.followups.conftest import TODAY


def _headers(person):
    _token, plain = accounts.create_api_token(person, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


def test_record_a_decision_and_a_follow_up(rose, make_item, client):
    item = make_item(rose.ag_march, actions=[rose.action])
    headers = _headers(rose.secretary)
    response = client.post(
        f"/api/v1/agenda-items/{item.id}/decisions",
        json={"text": "Proefproject fietsen.", "action_ids": [rose.action.id]},
        headers=headers,
    )
    assert response.status_code == 201, response.json
    assert response.json["number"] == "AG-2027-01"
    assert response.json["action_ids"] == [rose.action.id]
    response = client.post(
        f"/api/v1/agenda-items/{item.id}/follow-ups",
        json={
            "title": "Vraag het ROA",
            "owner_person_id": rose.member.id,
            "owner_organisation_id": None,
            "due_on": (TODAY - timedelta(days=2)).isoformat(),
            "report_to_body_id": rose.roa.id,
            "action_ids": [rose.action.id],
        },
        headers=headers,
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "open" and body["report_to_body_id"] == rose.roa.id
    assert body["owner_organisation"] == "Intercommunale W13"
    assert body["warnings"] and "24 nov 2026" in body["warnings"][0]


def test_bad_input_is_answered_per_field(rose, make_item, client):
    item = make_item(rose.ag_march)
    headers = _headers(rose.secretary)
    empty = client.post(
        f"/api/v1/agenda-items/{item.id}/decisions", json={"text": ""}, headers=headers
    )
    assert empty.status_code == 400 and "text" in empty.json["error"]["fields"]
    unknown = client.post(
        f"/api/v1/agenda-items/{item.id}/follow-ups",
        json={"title": "x", "report_to_body_id": 99999},
        headers=headers,
    )
    assert unknown.status_code == 400
    assert "report_to_body_id" in unknown.json["error"]["fields"]
    member = _headers(rose.member)
    forbidden = client.post(
        f"/api/v1/agenda-items/{item.id}/decisions", json={"text": "x"}, headers=member
    )
    assert forbidden.status_code in (403, 404)
    assert client.get("/api/v1/follow-ups").status_code == 401


def test_list_filter_and_close_in_the_report_to_body(rose, make_follow_up, client, during):
    referred = make_follow_up(
        rose.ag_march, "Vervoer", report_to_body=rose.roa, due_on=TODAY - timedelta(days=1)
    )
    make_follow_up(rose.ag_march, "Intern", due_on=TODAY + timedelta(days=30))
    headers = _headers(rose.roa_secretary)
    listed = client.get(f"/api/v1/follow-ups?report_to={rose.roa.id}", headers=headers).json
    assert [f["title"] for f in listed["items"]] == ["Vervoer"]
    overdue = client.get("/api/v1/follow-ups?overdue=1", headers=_headers(rose.secretary)).json
    assert [f["title"] for f in overdue["items"]] == ["Vervoer"]

    wrong = client.patch(
        f"/api/v1/follow-ups/{referred.id}",
        json={"status": "afgehandeld", "closed_in_meeting_id": rose.ag_may.id},
        headers=headers,
    )
    assert wrong.status_code in (404, 409)  # the ROA secretary does not see the AG meeting
    admin_like = _headers(rose.secretary)
    refused = client.patch(
        f"/api/v1/follow-ups/{referred.id}",
        json={"closed_in_meeting_id": rose.lde_april.id},
        headers=admin_like,
    )
    assert refused.status_code in (404, 409)
    during(rose.roa_april)
    closed = client.patch(
        f"/api/v1/follow-ups/{referred.id}",
        json={
            "status": "afgehandeld",
            "closed_in_meeting_id": rose.roa_april.id,
            "resolution": "Het ROA vraagt **De Lijn** om een extra lijn.",
        },
        headers=headers,
    )
    assert closed.status_code == 200, closed.json
    assert closed.json["closed_in_meeting_id"] == rose.roa_april.id
    assert closed.json["closed_in_meeting"]["bodies"][0]["code"] == "ROA"
    assert closed.json["resolution"] == "Het ROA vraagt **De Lijn** om een extra lijn."
    assert closed.json["closed_by"] == "Roel ROA"
    origin = client.get(
        f"/api/v1/follow-ups?body={rose.ag.id}&status=afgehandeld", headers=admin_like
    ).json
    assert [f["title"] for f in origin["items"]] == ["Vervoer"]


def test_a_409_names_the_reason(rose, make_follow_up, client, admin):
    follow_up = make_follow_up(rose.ag_march, "Vervoer", report_to_body=rose.roa)
    response = client.patch(
        f"/api/v1/follow-ups/{follow_up.id}",
        json={"status": "afgehandeld", "closed_in_meeting_id": rose.lde_april.id},
        headers=_headers(admin),
    )
    assert response.status_code == 409
    assert "closed_in_meeting_id" in response.json["error"]["fields"]


def test_the_register_per_body_and_year(rose, make_item, client):
    ops.record_decision(make_item(rose.ag_march), "Eerste.")
    ops.record_decision(make_item(rose.roa_april), "Van het ROA.")
    headers = _headers(rose.secretary)
    listed = client.get(f"/api/v1/decisions?body={rose.ag.id}&year=2027", headers=headers).json
    assert [d["number"] for d in listed["items"]] == ["AG-2027-01"]
    assert client.get("/api/v1/decisions?year=2026", headers=headers).json["items"] == []


def test_the_full_agenda_has_the_opvolglijst_with_its_origin(rose, make_follow_up, client):
    make_follow_up(rose.ag_march, "Vervoer", report_to_body=rose.roa)
    agendas.ensure_agenda(rose.roa_april)
    agendas.publish_agenda(rose.roa_april)
    response = client.get(
        f"/api/v1/meetings/{rose.roa_april.id}/agenda", headers=_headers(rose.roa_secretary)
    )
    sections = {s["key"]: s for s in response.json["sections"]}
    (carried,) = sections["follow_ups"]["items"]
    assert carried["title"] == "Vervoer" and carried["referred"] is True
    assert carried["origin"] == "Actiegroep ROSE 9 mrt 2027"
