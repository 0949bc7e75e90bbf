"""One schema per resource: it checks the JSON types of a request, shapes the answer, and is
what the OpenAPI document says; list endpoints answer pages; refusals answer one way."""

from __future__ import annotations

import pytest

from rosemeet.agendas import operations as agendas
from rosemeet.extensions import db
from rosemeet.meetings.models import Meeting
from tests.api.test_hostile_input import _api_error, seed_world

NESTED = {"nested": ["x"]}


@pytest.fixture
def world(ctx):
    """The seeded network of the hostile-input tests."""
    return seed_world()


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("post", "/api/v1/meetings", {"title": NESTED, "body_ids": [2]}, "title"),
        ("patch", "/api/v1/meetings/{meeting}", {"title": NESTED}, "title"),
        ("patch", "/api/v1/meetings/{meeting}", {"location": NESTED}, "location"),
        ("post", "/api/v1/meetings/{meeting}/cancel", {"reason": NESTED}, "reason"),
        ("post", "/api/v1/organisations", {"name": NESTED, "kind": "partner"}, "name"),
        (
            "post",
            "/api/v1/bodies",
            {"name": "X", "code": "X", "kind": "adhoc", "public": "ja"},
            "public",
        ),
        ("post", "/api/v1/agenda-items/{item}/follow-ups", {"title": NESTED}, "title"),
        (
            "patch",
            "/api/v1/agenda-items/{item}",
            {"version": 1, "description": NESTED},
            "description",
        ),
        (
            "patch",
            "/api/v1/actions/{action}",
            {"years": [{"year": 2021, "note": NESTED}]},
            "years.note",
        ),
    ],
)
def test_a_json_object_is_no_text(client, world, method, path, body, field):
    """The probe's finding: an object where a text belongs was stored as "{'nested': ['x']}"."""
    path = path.format(
        meeting=world.first("meeting_id"),
        item=world.first("item_id"),
        action=world.first("action_id"),
    )
    response = client.open(path, method=method.upper(), json=body, headers=world.admin)
    error = _api_error(response, 400, field)
    assert error["code"] == "invalid"
    assert "nested" not in client.get(f"/api/v1/meetings/{world.first('meeting_id')}").text


def test_type_errors_are_told_in_the_callers_language(client, world):
    meeting = world.first("meeting_id")
    dutch = client.patch(f"/api/v1/meetings/{meeting}", json={"title": 5}, headers=world.admin)
    assert dutch.json["error"]["fields"]["title"] == ["Verwacht: een tekst."]
    english = client.patch(
        f"/api/v1/meetings/{meeting}",
        json={"title": 5},
        headers={**world.admin, "Accept-Language": "en"},
    )
    assert english.json["error"]["fields"]["title"] == ["Expected a text."]


def test_a_field_the_resource_does_not_have_is_refused_by_name(client, world):
    meeting = world.first("meeting_id")
    response = client.patch(
        f"/api/v1/meetings/{meeting}", json={"body_ids": [1], "colour": "red"}, headers=world.admin
    )
    error = _api_error(response, 400)
    assert {"body_ids", "colour"} <= set(error["fields"])


def test_a_refusal_answers_the_same_status_on_every_resource(client, world):
    """A cancelled meeting is a conflict with its state (409), whatever is asked of it."""
    meeting = world.first("meeting_id")
    first = client.post(
        f"/api/v1/meetings/{meeting}/cancel", json={"reason": "Ziek"}, headers=world.admin
    )
    assert first.status_code == 200 and first.json["status"] == "cancelled"
    again = client.post(
        f"/api/v1/meetings/{meeting}/cancel", json={"reason": "Nog eens"}, headers=world.admin
    )
    assert _api_error(again, 409, "reason")["code"] == "cancelled"
    moved = client.patch(
        f"/api/v1/meetings/{meeting}",
        json={"starts_at": "2027-03-16T10:00:00+01:00"},
        headers=world.admin,
    )
    assert _api_error(moved, 409, "starts_at")["code"] == "cancelled"
    answer = client.post(
        f"/api/v1/meetings/{meeting}/attendance",
        json={"response": "accepted"},
        headers=world.member,
    )
    assert _api_error(answer, 409, "response")["code"] == "cancelled"


def test_the_detail_of_a_meeting_is_what_the_document_describes(client, world):
    meeting = world.first("meeting_id")
    document = client.get("/api/v1/openapi.json").json
    answer = document["paths"]["/meetings/{meeting_id}"]["get"]["responses"]["200"]
    name = answer["content"]["application/json"]["schema"]["$ref"].rpartition("/")[2]
    properties = document["components"]["schemas"][name]["properties"]
    detail = client.get(f"/api/v1/meetings/{meeting}", headers=world.admin).json
    assert {"attendance", "quorum"} <= set(properties)
    assert set(detail) <= set(properties)
    assert detail["attendance"] and set(detail["attendance"][0]) == {
        "person",
        "guest",
        "response",
        "responded_via",
        "presence",
    }


def test_patch_meeting_guests_are_documented_and_kept(client, world):
    document = client.get("/api/v1/openapi.json").json
    body = document["paths"]["/meetings/{meeting_id}"]["patch"]["requestBody"]
    name = body["content"]["application/json"]["schema"]["$ref"].rpartition("/")[2]
    properties = document["components"]["schemas"][name]["properties"]
    assert "guest_ids" in properties and "body_ids" not in properties
    meeting = world.first("meeting_id")
    guest = world.ids["person_id"][0]
    response = client.patch(
        f"/api/v1/meetings/{meeting}", json={"guest_ids": [guest]}, headers=world.admin
    )
    assert response.status_code == 200, response.json
    assert db.session.get(Meeting, meeting).attendances[-1].person_id == guest


def test_lists_answer_pages_in_a_stable_order(client, world):
    everything = client.get("/api/v1/organisations?per_page=200", headers=world.admin).json
    assert everything["page"] == 1 and everything["per_page"] == 200
    assert everything["total"] == len(everything["items"]) == 2
    names = [o["name"] for o in everything["items"]]
    paged = []
    for page in (1, 2):
        answer = client.get(f"/api/v1/organisations?per_page=1&page={page}", headers=world.admin)
        assert answer.json["total"] == 2 and answer.json["per_page"] == 1
        paged += [o["name"] for o in answer.json["items"]]
    assert paged == names == sorted(names)
    beyond = client.get("/api/v1/organisations?page=3&per_page=1", headers=world.admin).json
    assert beyond["items"] == [] and beyond["total"] == 2
    default = client.get("/api/v1/bodies", headers=world.admin).json
    assert default["per_page"] == 50 and default["total"] == 3


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/organisations",
        "/api/v1/bodies",
        "/api/v1/meetings",
        "/api/v1/follow-ups",
        "/api/v1/decisions",
    ],
)
@pytest.mark.parametrize(("query", "field"), [("per_page=201", "per_page"), ("page=0", "page")])
def test_a_page_beyond_the_limits_is_a_400(client, world, path, query, field):
    response = client.get(f"{path}?{query}", headers=world.admin)
    _api_error(response, 400, field)


def test_every_list_endpoint_is_documented_as_pages(client):
    document = client.get("/api/v1/openapi.json").json
    lists = 0
    for item in document["paths"].values():
        get = item.get("get", {})
        names = {p["name"] for p in get.get("parameters", [])}
        if "per_page" not in names:
            continue
        lists += 1
        ref = get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        page = document["components"]["schemas"][ref.rpartition("/")[2]]
        assert set(page["required"]) == {"items", "page", "per_page", "total"}
        per_page = next(p for p in get["parameters"] if p["name"] == "per_page")
        assert per_page["schema"]["maximum"] == 200
    assert lists == 15  # with GET /plans (issue 11) and the 7 document lists (issue 13)


def test_section_titles_are_translated_labels(client, world):
    meeting = db.session.get(Meeting, world.first("meeting_id"))
    agendas.publish_agenda(meeting)
    db.session.commit()
    url = f"/api/v1/meetings/{meeting.id}/agenda"
    sections = client.get(url, headers={**world.admin, "Accept-Language": "en"}).json["sections"]
    assert {s["key"]: s["title"] for s in sections}["follow_ups"] == "Follow-up list"
    sections = client.get(url, headers=world.admin).json["sections"]
    assert {s["key"]: s["title"] for s in sections}["follow_ups"] == "Opvolglijst"
