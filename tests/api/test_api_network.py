"""The JSON API base: tokens, errors, OpenAPI, organisations and bodies."""

import pytest

from rosemeet.accounts.operations import create_api_token
from rosemeet.extensions import db
from rosemeet.network.models import Role


@pytest.fixture
def bearer(ctx, make_person):
    """``bearer(person)`` -> headers with a fresh API token of that person."""

    def headers(person):
        _token, plain = create_api_token(person, "test")
        db.session.commit()
        return {"Authorization": f"Bearer {plain}"}

    return headers


def test_without_token_only_public_bodies_are_listed(ctx, client, make_body):
    make_body("ROSE algemene vergadering", code="AV", is_public=True)
    make_body("ROA", code="ROA")
    db.session.commit()
    response = client.get("/api/v1/bodies")
    assert [b["code"] for b in response.json["items"]] == ["AV"]


def test_bad_or_revoked_tokens_get_401_json(ctx, client):
    response = client.get("/api/v1/organisations", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    response = client.get("/api/v1/organisations", headers={"Authorization": "Basic abc"})
    assert response.status_code == 401


def test_organisations_need_a_token(ctx, client):
    response = client.get("/api/v1/organisations")
    assert response.status_code == 401 and response.is_json


def test_admin_creates_a_body_and_gets_it_back(ctx, client, bearer, admin):
    headers = bearer(admin)
    response = client.post(
        "/api/v1/bodies",
        headers=headers,
        json={
            "name": "Werkgroep RASE",
            "code": "RASE",
            "kind": "adhoc",
            "public": False,
            "starts_on": "2019-01-15",
            "ends_on": "2020-12-31",
        },
    )
    assert response.status_code == 201
    body = response.json
    assert body["code"] == "RASE" and body["ends_on"] == "2020-12-31" and body["public"] is False
    fetched = client.get(response.headers["Location"], headers=headers).json
    assert fetched == body


def test_invalid_body_gets_400_with_fields(ctx, client, bearer, admin):
    response = client.post(
        "/api/v1/bodies",
        headers=bearer(admin),
        json={
            "name": "",
            "code": "bad code!",
            "kind": "nonsense",
            "starts_on": "2020-01-01",
            "ends_on": "2019-01-01",
        },
    )
    assert response.status_code == 400
    fields = response.json["error"]["fields"]
    assert {"name", "code", "kind", "ends_on"} <= set(fields)


def test_duplicate_gets_409_and_non_json_gets_400(ctx, client, bearer, admin, make_body):
    make_body("Actiegroep ROSE", code="AG")
    headers = bearer(admin)
    response = client.post(
        "/api/v1/bodies",
        headers=headers,
        json={"name": "Other", "code": "AG", "kind": "action_group"},
    )
    assert response.status_code == 409 and response.json["error"]["fields"]["code"]
    response = client.post("/api/v1/bodies", headers=headers, data="name=x")
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_json"


def test_members_cannot_create_but_can_read(ctx, client, bearer, make_person, make_body):
    member = make_person("Mia")
    body = make_body("Actiegroep ROSE", code="AG", members={member: Role.MEMBER})
    headers = bearer(member)
    response = client.post(
        "/api/v1/organisations", headers=headers, json={"name": "X", "kind": "partner"}
    )
    assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"
    members = client.get(f"/api/v1/bodies/{body.id}/members", headers=headers).json["items"]
    assert [(m["person"]["name"], m["role"]) for m in members] == [("Mia", "member")]
    assert "email" not in str(members)


def test_closed_body_is_404_for_outsiders(ctx, client, bearer, make_person, make_body):
    body = make_body(code="ROA")
    headers = bearer(make_person())
    assert client.get(f"/api/v1/bodies/{body.id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/bodies/{body.id}/members", headers=headers).status_code == 404


def test_admin_creates_an_organisation_with_aliases(ctx, client, bearer, admin):
    response = client.post(
        "/api/v1/organisations",
        headers=bearer(admin),
        json={
            "name": "Lokale besturen",
            "abbreviation": "LB",
            "kind": "local_government",
            "aliases": ["Lokale besturen (LB)"],
        },
    )
    assert response.status_code == 201
    assert response.json["aliases"] == ["Lokale besturen (LB)"]


def test_openapi_describes_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": "/api/v1"}]
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    described = {(path, method) for path, item in document["paths"].items() for method in item}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith("api-docs."):
            continue
        path = rule.rule.removeprefix("/api/v1")
        for name in rule.arguments:
            path = path.replace(f"<int:{name}>", f"{{{name}}}").replace(f"<{name}>", f"{{{name}}}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in described, f"{method} {path} is not documented"
