"""GET /api/v1/plan, GET and PATCH /api/v1/actions/{id}: shape, permissions, JSON errors."""

import pytest

from rosemeet.accounts.operations import create_api_token
from rosemeet.extensions import db
from rosemeet.network import operations as network
from rosemeet.network.models import Role
from rosemeet.plan import queries
from rosemeet.plan.models import YearStatus


@pytest.fixture
def bearer(ctx):
    def headers(person):
        _token, plain = create_api_token(person, "test")
        db.session.commit()
        return {"Authorization": f"Bearer {plain}"}

    return headers


def test_plan_in_the_issue_shape(client, bearer, make_person, imported):
    response = client.get("/api/v1/plan", headers=bearer(make_person()))
    assert response.status_code == 200
    data = response.get_json()
    assert set(data) == {"lines", "actions", "themes"}
    assert len(data["lines"]) == 2 and set(data["lines"][0]) == {"title", "children"}
    sluitend = data["lines"][1]["children"][0]
    assert sluitend["title"] == "We maken het netwerk sociale economie sluitend"
    assert len(sluitend["children"]) == 4
    assert len(data["actions"]) == 31
    action = data["actions"][0]
    assert action["path"] == [
        "Netwerking op het grondgebied stimuleren",
        "samenwerking tussen sociale economiebedrijven onderling; een geoptimaliseerde "
        "ROSE-werking",
    ]
    assert action["indicators"][0]["partners"] == [
        "SE-organisaties",
        "Lokale besturen Zuid-West-Vlaanderen",
        "VDAB",
        "andere partners",
    ]
    assert list(action["years"]) == ["2020", "2021", "2022", "2023", "2024", "2025"]
    assert data["themes"][0]["title"].startswith("Mobiliteit") and data["themes"][0]["text"]


def test_plan_needs_a_token(client, imported):
    response = client.get("/api/v1/plan")
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"
    assert client.get("/api/v1/actions/1").status_code == 401


def test_get_and_patch_an_action(client, bearer, admin, imported):
    action = queries.load_plan().actions[0]
    headers = bearer(admin)
    url = f"/api/v1/actions/{action.id}"
    assert client.get(url, headers=headers).get_json()["title"] == action.title
    response = client.patch(
        url, json={"years": {"2021": {"status": "gerealiseerd", "note": "Gedaan"}}}, headers=headers
    )
    assert response.status_code == 200
    assert response.get_json()["years"]["2021"] == {"status": "gerealiseerd", "note": "Gedaan"}
    # a status alone keeps the note
    response = client.patch(url, json={"years": {"2021": {"status": "lopend"}}}, headers=headers)
    assert response.get_json()["years"]["2021"] == {"status": "lopend", "note": "Gedaan"}
    db.session.expire_all()
    assert queries.load_action(action.id).status(2021) == YearStatus.ONGOING


@pytest.mark.parametrize(
    "body, field",
    [
        ({"years": {"2021": {"status": "klaar"}}}, "years.2021.status"),
        ({"years": {"2019": {"status": "gepland"}}}, "years.2019"),
        ({"years": {"2021": {"note": "x" * 5000}}}, "years.2021.note"),
        ({"years": {}}, "years"),
        ({"jaren": {}}, "years"),
    ],
)
def test_patch_errors_are_400_json(client, bearer, admin, imported, body, field):
    action = queries.load_plan().actions[0]
    response = client.patch(f"/api/v1/actions/{action.id}", json=body, headers=bearer(admin))
    assert response.status_code == 400
    assert field in response.get_json()["error"]["fields"]
    assert queries.load_action(action.id).years == []


def test_member_reads_secretary_of_trekker_edits(
    client, bearer, make_person, imported, plan_network
):
    member = make_person()
    secretary = make_person()
    network.save_membership(None, body=plan_network["AG"], person=member, role=Role.MEMBER)
    network.save_membership(None, body=plan_network["AG"], person=secretary, role=Role.SECRETARY)
    action = queries.load_plan().actions[0]
    patch = {"years": {"2020": {"status": "gepland", "note": "Planning"}}}
    url = f"/api/v1/actions/{action.id}"
    as_member = bearer(member)
    assert client.get(url, headers=as_member).status_code == 200
    refused = client.patch(url, json=patch, headers=as_member)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    assert client.patch(url, json=patch, headers=bearer(secretary)).status_code == 200


def test_unknown_action_is_404(client, bearer, admin, imported):
    response = client.get("/api/v1/actions/999999", headers=bearer(admin))
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    response = client.patch("/api/v1/actions/999999", json={}, headers=bearer(admin))
    assert response.status_code == 404


def test_plan_endpoints_are_documented(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "get" in paths["/plan"]
    assert {"get", "patch"} <= set(paths["/actions/{action_id}"])
