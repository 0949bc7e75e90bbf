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


def test_no_message_is_translated_two_ways():
    """Flask-Babel merges the catalogues: one id with two translations would show either."""
    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for domain in catalogs.domains():
        path = catalogs.po_path(domain, "nl")
        if not path.exists():
            continue
        for message in catalogs.read_catalog(path, "nl"):
            if not message.id or not isinstance(message.id, str) or not message.string:
                continue
            if message.id in seen and seen[message.id][1] != message.string:
                clashes.append((message.id, seen[message.id], (domain, message.string)))
            seen.setdefault(message.id, (domain, message.string))
    assert clashes == []
