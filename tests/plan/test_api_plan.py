"""GET /api/v1/plans and /api/v1/plan, GET and PATCH /api/v1/actions/{id}: shape, plans,
permissions, JSON errors."""

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
    assert set(data) == {"plan", "lines", "actions", "themes"}
    assert data["plan"] == {
        "id": queries.current_plan().id,
        "name": "Actieplan 2020-2025",
        "first_year": 2020,
        "last_year": 2025,
        "status": "current",
    }
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
    assert [y["year"] for y in action["years"]] == [2020, 2021, 2022, 2023, 2024, 2025]
    assert action["years"][0] == {"year": 2020, "status": "niet gepland", "note": ""}
    assert data["themes"][0]["title"].startswith("Mobiliteit") and data["themes"][0]["text"]


def test_plan_needs_a_token(client, imported):
    response = client.get("/api/v1/plan")
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"
    assert client.get("/api/v1/actions/1").status_code == 401


def test_get_and_patch_an_action(client, bearer, admin, imported):
    action = queries.load_plan(queries.current_plan()).actions[0]
    headers = bearer(admin)
    url = f"/api/v1/actions/{action.id}"
    assert client.get(url, headers=headers).get_json()["title"] == action.title
    years = [{"year": 2021, "status": "gerealiseerd", "note": "Gedaan"}]
    response = client.patch(url, json={"years": years}, headers=headers)
    assert response.status_code == 200
    assert response.get_json()["years"][1] == years[0]
    # a status alone keeps the note
    response = client.patch(
        url, json={"years": [{"year": 2021, "status": "lopend"}]}, headers=headers
    )
    assert response.get_json()["years"][1] == {"year": 2021, "status": "lopend", "note": "Gedaan"}
    db.session.expire_all()
    assert queries.load_action(action.id).status(2021) == YearStatus.ONGOING


def test_patch_still_takes_years_keyed_by_year(client, bearer, admin, imported):
    """The form of clients written before plans had their own span keeps working."""
    action = queries.load_plan(queries.current_plan()).actions[0]
    body = {"years": {"2022": {"status": "lopend", "note": "Gestart"}}}
    response = client.patch(f"/api/v1/actions/{action.id}", json=body, headers=bearer(admin))
    assert response.status_code == 200
    assert response.get_json()["years"][2] == {"year": 2022, "status": "lopend", "note": "Gestart"}
    bad = {"years": {"twee": {"status": "lopend"}}}
    response = client.patch(f"/api/v1/actions/{action.id}", json=bad, headers=bearer(admin))
    assert response.status_code == 400 and "years.year" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"years": [{"year": 2021, "status": "klaar"}]}, "years.status"),
        ({"years": [{"year": 2019, "status": "gepland"}]}, "years"),
        ({"years": [{"year": 1800, "status": "gepland"}]}, "years.year"),
        ({"years": [{"status": "gepland"}]}, "years.year"),
        ({"years": [{"year": 2021, "note": "x" * 5000}]}, "years.note"),
        ({"years": []}, "years"),
        ({"jaren": {}}, "years"),
    ],
)
def test_patch_errors_are_400_json(client, bearer, admin, imported, body, field):
    action = queries.load_plan(queries.current_plan()).actions[0]
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
    action = queries.load_plan(queries.current_plan()).actions[0]
    patch = {"years": [{"year": 2020, "status": "gepland", "note": "Planning"}]}
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
    assert "get" in paths["/plan"] and "get" in paths["/plans"]
    assert {"get", "patch"} <= set(paths["/actions/{action_id}"])


def test_a_year_outside_the_plan_is_400_naming_the_span(client, bearer, admin, imported):
    action = queries.load_plan(queries.current_plan()).actions[0]
    body = {"years": [{"year": 2026, "status": "gepland"}]}
    response = client.patch(f"/api/v1/actions/{action.id}", json=body, headers=bearer(admin))
    assert response.status_code == 400
    assert response.get_json()["error"]["message"] == "Geef een jaar van 2020 tot 2025."


def test_plans_listed_and_a_second_plan_by_id_with_2026_saved(
    client, bearer, admin, imported, do_import, second_plan_bytes
):
    report = do_import(second_plan_bytes)
    headers = bearer(admin)
    listed = client.get("/api/v1/plans", headers=headers).get_json()
    assert listed["total"] == 2
    assert [(p["name"], p["status"]) for p in listed["items"]] == [
        ("Actieplan 2020-2025", "current"),
        ("Actieplan 2026-2031", "draft"),
    ]
    data = client.get(f"/api/v1/plan?plan={report.plan.id}", headers=headers).get_json()
    assert data["plan"]["first_year"] == 2026 and len(data["actions"]) == 32
    action = data["actions"][0]
    assert [y["year"] for y in action["years"]] == list(range(2026, 2032))
    assert action["years"][0] == {"year": 2026, "status": "lopend", "note": ""}
    body = {"years": [{"year": 2026, "status": "gerealiseerd", "note": "3 keer vergaderd"}]}
    response = client.patch(f"/api/v1/actions/{action['id']}", json=body, headers=headers)
    assert response.status_code == 200
    assert response.get_json()["years"][0] == {"year": 2026, **body["years"][0]}
    assert client.get("/api/v1/plan?plan=999999", headers=headers).status_code == 404
    assert client.get("/api/v1/plan?plan=x", headers=headers).status_code == 400
