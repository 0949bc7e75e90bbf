"""End to end in Chromium: subscribe to my meetings and fetch the feed like a calendar app."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from rosemeet.accounts.models import Person
from rosemeet.extensions import db
from rosemeet.meetings import operations as meetings
from rosemeet.network import operations as network
from rosemeet.network.models import BodyKind, Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
BRUSSELS = ZoneInfo("Europe/Brussels")
YEAR = date.today().year + 1  # a March meeting next year: in the future, in winter time


def test_member_subscribes_and_the_feed_serves_the_meeting(app, page, live_server, seeded):
    ids = seeded()
    with app.test_request_context():
        rita = db.session.get(Person, ids["regisseur"])
        body = network.save_body(
            None,
            name="Actiegroep ROSE",
            code="AG",
            kind=BodyKind.ACTION_GROUP,
            default_location="W13, Kortrijk",
        )
        network.save_membership(None, body=body, person=rita, role=Role.SECRETARY)
        meeting = meetings.create_meeting(
            [body],
            starts_at=datetime(YEAR, 3, 9, 14, tzinfo=BRUSSELS),
            ends_at=datetime(YEAR, 3, 9, 16, tzinfo=BRUSSELS),
        )
        uid = meeting.uid
        db.session.commit()

    page.goto(f"{live_server}/login")
    page.get_by_label("E-mailadres").fill("regisseur@rose.example.org")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Aanmelden").click()
    page.get_by_role("link", name="Mijn profiel").click()
    page.get_by_role("link", name="Mijn kalenderadressen beheren").click()
    expect(page.get_by_role("heading", name="Kalenderabonnementen")).to_be_visible()
    expect(page.get_by_text("Abonneren of downloaden?")).to_be_visible()

    page.get_by_label("Abonneren op").select_option(label="Al mijn vergaderingen")
    page.get_by_role("button", name="Adres maken").click()
    expect(page.get_by_role("heading", name="Je nieuwe kalenderadres")).to_be_visible()
    webcal = page.get_by_test_id("feed-webcal").input_value()
    https = page.get_by_test_id("feed-url").input_value()
    assert webcal.startswith("webcal://127.0.0.1:") and https.startswith("http://127.0.0.1:")
    expect(page.get_by_role("button", name="Abonneren (webcal)")).to_have_attribute("href", webcal)

    response = page.request.get(https)  # what a calendar application does
    assert response.status == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    text = response.text()
    assert "BEGIN:VCALENDAR" in text and uid in text
    assert f"DTSTART;TZID=Europe/Brussels:{YEAR}0309T140000" in text
    again = page.request.get(https, headers={"If-None-Match": response.headers["etag"]})
    assert again.status == 304
