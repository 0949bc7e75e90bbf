"""Network pages over HTTP: forms keep what was typed, permissions hold on the server."""

from sqlalchemy import select

from rosemeet.extensions import db
from rosemeet.network.models import Body, Membership, Role
from tests.conftest import PASSWORD


def test_admin_creates_an_adhoc_group(ctx, client, auth, admin):
    db.session.commit()
    auth.login(admin.email)
    response = client.post(
        "/bodies/new",
        data={
            "name": "Werkgroep re-integratie",
            "code": "RLZ",
            "kind": "adhoc",
            "starts_on": "2027-01-01",
            "ends_on": "2027-12-31",
            "description": "Langdurig zieken",
        },
    )
    assert response.status_code == 302
    body = db.session.scalar(select(Body).where(Body.code == "RLZ"))
    assert body.name == "Werkgroep re-integratie" and body.ends_on.year == 2027
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Werkgroep re-integratie" in page and "Ad-hocwerkgroep" in page


def test_bad_body_form_keeps_input_and_explains(ctx, client, auth, admin, make_body):
    make_body("Actiegroep ROSE", code="AG")
    db.session.commit()
    auth.login(admin.email)
    response = client.post(
        "/bodies/new",
        data={
            "name": "Nieuwe werkgroep",
            "code": "AG",
            "kind": "adhoc",
            "starts_on": "2027-06-01",
            "ends_on": "2027-01-01",
            "description": "Mijn tekst",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Het geplande einde ligt voor de start." in html
    assert 'value="Nieuwe werkgroep"' in html and "Mijn tekst" in html
    response = client.post(
        "/bodies/new",
        data={
            "name": "Nieuwe werkgroep",
            "code": "ag",
            "kind": "adhoc",
            "description": "Mijn tekst",
        },
    )
    assert "Er bestaat al een overlegorgaan met deze code." in response.get_data(as_text=True)
    assert db.session.scalar(select(Body).where(Body.name == "Nieuwe werkgroep")) is None


def test_secretary_adds_a_member_but_a_member_cannot(ctx, client, auth, make_person, make_body):
    secretary = make_person("Sam", password=PASSWORD)
    member = make_person("Mia", password=PASSWORD)
    newcomer = make_person("Nina")
    body = make_body(members={secretary: Role.SECRETARY, member: Role.MEMBER})
    db.session.commit()
    auth.login(member.email)
    data = {"person_id": newcomer.id, "role": "member"}
    assert client.post(f"/bodies/{body.id}/members", data=data).status_code == 403
    auth.logout()
    auth.login(secretary.email)
    response = client.post(f"/bodies/{body.id}/members", data=data)
    assert response.status_code == 302
    assert "Nina" in client.get(f"/bodies/{body.id}").get_data(as_text=True)
    response = client.post(f"/bodies/{body.id}/members", data=data)
    assert response.status_code == 400
    assert "Nina is al lid" in response.get_data(as_text=True)
    count = db.session.scalars(select(Membership).where(Membership.body_id == body.id)).all()
    assert len(count) == 3


def test_closed_bodies_are_hidden_from_visitors(ctx, client, make_body):
    closed = make_body("Regionaal Overleg Activering", code="ROA")
    public = make_body("ROSE algemene vergadering", code="AV", is_public=True)
    db.session.commit()
    assert client.get(f"/bodies/{closed.id}").status_code == 404
    listing = client.get("/bodies").get_data(as_text=True)
    assert "ROSE algemene vergadering" in listing and "Regionaal Overleg" not in listing
    assert client.get(f"/bodies/{public.id}").status_code == 200


def test_only_admins_manage_organisations(ctx, client, auth, make_person, admin):
    member = make_person(password=PASSWORD)
    db.session.commit()
    auth.login(member.email)
    assert client.get("/organisations/new").status_code == 403
    auth.logout()
    auth.login(admin.email)
    response = client.post(
        "/organisations/new",
        data={
            "name": "Lokale besturen",
            "abbreviation": "LB",
            "kind": "local_government",
            "aliases": "Lokale besturen (LB)\nLB-netwerk",
        },
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Lokale besturen (LB)" in page and "LB-netwerk" in page


def test_admin_relates_bodies_and_both_pages_show_it(ctx, client, auth, admin, make_body):
    ag = make_body("Actiegroep ROSE", code="AG")
    av = make_body("ROSE algemene vergadering", code="AV")
    db.session.commit()
    auth.login(admin.email)
    client.post(f"/bodies/{ag.id}/relations", data={"kind": "prepares", "target_body_id": av.id})
    assert "bereidt de agenda voor van" in client.get(f"/bodies/{ag.id}").get_data(as_text=True)
    assert "agenda voorbereid door" in client.get(f"/bodies/{av.id}").get_data(as_text=True)


def test_admin_adds_a_person_and_invites_them(ctx, client, auth, admin, make_organisation):
    org = make_organisation("STAM vzw")
    db.session.commit()
    auth.login(admin.email)
    response = client.post(
        "/people/new",
        data={
            "name": "Lotte Lambrecht",
            "email": "lotte@rose.example.org",
            "organisation_id": org.id,
            "send_invitation": "y",
        },
    )
    assert response.status_code == 302
    people = client.get("/people").get_data(as_text=True)
    assert "Lotte Lambrecht" in people and "uitgenodigd" in people
    response = client.post(
        "/people/new",
        data={"name": "Lotte Twee", "email": "LOTTE@rose.example.org", "organisation_id": 0},
    )
    assert "Er bestaat al iemand met dit e-mailadres." in response.get_data(as_text=True)
    assert 'value="Lotte Twee"' in response.get_data(as_text=True)
