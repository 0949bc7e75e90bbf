"""Input hygiene (security issue #16): control characters refused on input (pages and API, one
validator on every form), stripped on export; only http(s) web sites; formulas neutralised."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from rosemeet.accounts import operations as accounts
from rosemeet.accounts.models import Person
from rosemeet.agendas import operations as agendas
from rosemeet.core.forms import Form, text_error
from rosemeet.core.text import forbidden_character, spreadsheet_cell
from rosemeet.extensions import db
from rosemeet.followups.forms import FollowUpForm
from rosemeet.meetings import operations as meetings
from rosemeet.meetings.models import Meeting
from rosemeet.network import operations as network
from rosemeet.network.models import Body, Organisation, OrganisationKind, Role
from tests.conftest import brussels

REFUSED = "Gebruik geen stuurtekens (zoals een regeleinde) in dit veld."


@pytest.fixture
def bearer(ctx, admin):
    """Headers with an API token of the regisseur."""
    _token, plain = accounts.create_api_token(admin, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


# --- the rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Overleg\r\nBcc: x@y",
        "Jan\x00Peeters",
        "a\tb",
        "a\x0bb",
        "a\x7fb",
        "a\x85b",
        "a\u2028b",
        "\u202eGPJ.exe",
        "\ufeffTitel",
        "a\ud800b",
        "a\uffffb",
    ],
)
def test_a_single_line_field_refuses_control_characters(text):
    assert forbidden_character(text) is not None
    assert text_error(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "Actiegroep ROSE",
        "Café «De Kroon» \u2013 2e verdieping",
        "👩\u200d👩\u200d👧 zero\u200bwidth",
    ],
)
def test_ordinary_text_emoji_and_joiners_are_fine(text):
    assert forbidden_character(text) is None and text_error(text) is None


def test_a_multi_line_text_keeps_line_breaks_and_tabs_only():
    assert forbidden_character("Eerste\r\n\tingesprongen\n\nTweede", multiline=True) is None
    assert forbidden_character("een \u202bRTL\u202c stuk", multiline=True) is None
    for bad in ("a\x0bb", "a\rb", "a\x00b", "a\x1bb"):
        assert forbidden_character(bad, multiline=True) == bad[1]
    assert text_error(["goed", "slecht\x00"]) is not None


def test_every_form_of_the_app_derives_from_the_core_form(app):
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    forms = [c for c in subclasses(FlaskForm) if c.__module__.startswith("rosemeet.")]
    assert len(forms) > 30
    assert [c.__qualname__ for c in forms if not issubclass(c, Form)] == []


# --- finding 2: CR/LF and NUL on input ----------------------------------------------------------


def test_api_refuses_a_meeting_title_with_a_mail_header_in_it(ctx, client, bearer, make_body):
    body = make_body("Actiegroep ROSE", code="AG", default_location="W13, Kortrijk")
    db.session.commit()
    response = client.post(
        "/api/v1/meetings",
        headers=bearer,
        json={
            "title": "Overleg\r\nBcc: x@y",
            "body_ids": [body.id],
            "starts_at": "2027-03-09T14:00:00+01:00",
            "ends_at": "2027-03-09T16:00:00+01:00",
        },
    )
    assert response.status_code == 400
    assert response.json["error"]["fields"]["title"] == [REFUSED]
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0


def test_the_meeting_page_refuses_the_title_and_keeps_what_was_typed(
    ctx, client, auth, admin, make_body
):
    body = make_body("Actiegroep ROSE", code="AG", members={admin: Role.SECRETARY})
    db.session.commit()
    auth.login(admin.email)
    response = client.post(
        "/meetings/new",
        data={
            "title": "Overleg\r\nBcc: x@y",
            "day": "2027-03-09",
            "start_time": "14:00",
            "end_time": "16:00",
            "location": "W13",
            "body_ids": [str(body.id)],
            "invite_roles": [r.value for r in Role],
        },
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert REFUSED in page and "Bcc: x@y" in page
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0


def test_the_person_page_refuses_a_name_with_a_nul_and_keeps_it(ctx, client, auth, admin):
    db.session.commit()
    auth.login(admin.email)
    response = client.post(
        "/people/new", data={"name": "Jan\x00Peeters", "email": "", "organisation_id": "0"}
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert REFUSED in page and 'value="Jan' in page and "Peeters" in page
    assert db.session.scalar(select(Person).where(Person.name.like("Jan%"))) is None


def test_a_description_with_tabs_and_line_breaks_is_accepted(ctx, client, bearer):
    text = "Eerste regel\r\n\tingesprongen\r\n\r\nTweede alinea"
    response = client.post(
        "/api/v1/bodies",
        headers=bearer,
        json={
            "name": "Werkgroep RASE",
            "code": "RASE",
            "kind": "working_group",
            "description": text,
        },
    )
    assert response.status_code == 201, response.json
    body = db.session.get(Body, response.json["id"])
    assert "\tingesprongen" in body.description and "Tweede alinea" in body.description


# --- finding 8: only http(s) web sites ----------------------------------------------------------


def test_an_organisation_web_site_must_be_http(ctx, client, auth, admin, bearer):
    auth.login(admin.email)
    page = client.post(
        "/organisations/new",
        data={"name": "Scriptbedrijf", "kind": "se_company", "website": "javascript:alert(1)"},
    )
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Geef een webadres dat begint met https://" in html and "javascript:alert(1)" in html
    api = client.post(
        "/api/v1/organisations",
        headers=bearer,
        json={"name": "Scriptbedrijf", "kind": "se_company", "website": "javascript:alert(1)"},
    )
    assert api.status_code == 400 and "website" in api.json["error"]["fields"]
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 0
    fine = client.post(
        "/api/v1/organisations",
        headers=bearer,
        json={"name": "W13", "kind": "se_company", "website": "https://www.w13.be"},
    )
    assert fine.status_code == 201, fine.json


def test_a_stored_script_web_site_is_not_shown_as_a_link(ctx, client, auth, admin):
    org = network.save_organisation(
        None, name="Oud", kind=OrganisationKind.SE_COMPANY, website="javascript:alert(1)"
    )
    good = network.save_organisation(
        None, name="Goed", kind=OrganisationKind.SE_COMPANY, website="https://www.w13.be"
    )
    db.session.commit()
    auth.login(admin.email)
    html = client.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert "javascript:alert(1)" in html and 'href="javascript:' not in html
    html = client.get(f"/organisations/{good.id}").get_data(as_text=True)
    assert 'href="https://www.w13.be"' in html


# --- findings 7 and 16: exports (the HTTP tests are in tests/plan/test_export_hygiene.py) ----


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("+32 56 24 16 16", "'+32 56 24 16 16"),
        ("\uff0d1", "'\uff0d1"),
        ("\ufe661+1", "'\ufe661+1"),
        ("\u2060\u200c+1", "'\u2060\u200c+1"),
        ("  =1", "'  =1"),
        ("\tx", "'\tx"),
        ("Actie 1 = doel", "Actie 1 = doel"),
        ("e-mail: a@b", "e-mail: a@b"),
        (12, 12),
    ],
)
def test_spreadsheet_cell_neutralises_formula_starts(value, expected):
    assert spreadsheet_cell(value) == expected


def test_api_texts_without_a_form_refuse_control_characters(client, ctx, make_person, make_body):
    """The cancellation reason and an item's minutes and links go through no form."""
    secretary = make_person("Sara Secretaris")
    body = make_body("Actiegroep", code="AG", members={secretary: Role.SECRETARY})
    starts = brussels(2027, 3, 9)
    meeting = meetings.create_meeting(
        [body], starts_at=starts, ends_at=starts + timedelta(hours=2), location="W13"
    )
    item = agendas.add_item(meeting, title="Begroting")
    token = accounts.create_api_token(secretary, "t")[1]
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    minutes = client.patch(
        f"/api/v1/agenda-items/{item.id}",
        json={"version": item.version, "minutes": "Verslag\x1b[31m"},
        headers=headers,
    )
    assert minutes.status_code == 400 and "minutes" in minutes.json["error"]["fields"]
    links = client.patch(
        f"/api/v1/agenda-items/{item.id}",
        json={"version": item.version, "links": ["https://a.example.org/\r\nx"]},
        headers=headers,
    )
    assert links.status_code == 400 and "links" in links.json["error"]["fields"]
    cancel = client.post(
        f"/api/v1/meetings/{meeting.id}/cancel", json={"reason": "ziek\x00"}, headers=headers
    )
    assert cancel.status_code == 400 and "reason" in cancel.json["error"]["fields"]
    assert (
        client.get(f"/api/v1/meetings/{meeting.id}", headers=headers).json["status"] != "cancelled"
    )


def test_every_date_field_refuses_years_rosemeet_cannot_compute_with(ctx):
    form = FollowUpForm(
        formdata=MultiDict({"title": "Offerte", "due_on": "9999-12-31"}), meta={"csrf": False}
    )
    form.validate()
    assert "due_on" in form.errors
