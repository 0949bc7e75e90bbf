"""Dutch first: every message of every domain has a Dutch translation."""

import pytest

from rosemeet.core import catalogs


@pytest.mark.parametrize("domain", catalogs.domains())
def test_every_message_has_a_dutch_translation(domain):
    assert catalogs.missing(domain) == {}


def test_pages_are_dutch_by_default_and_english_on_request(client):
    assert "Aanmelden" in client.get("/login").get_data(as_text=True)
    english = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Log in" in english and "Aanmelden" not in english


def test_a_person_who_chose_english_sees_english(ctx, client, auth, make_person, app):
    from rosemeet.extensions import db

    person = make_person(password="correct horse battery", locale="en")
    db.session.commit()
    auth.login(person.email)
    html = client.get("/", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "Bodies" in html and "Overlegorganen" not in html
