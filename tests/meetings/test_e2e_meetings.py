"""End to end in Chromium: the regisseur plans the Actiegroep's 2027 cycle, moves the March
meeting, cancels the July one, and sees it all in the month view."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from rosemeet.accounts import operations as accounts
from rosemeet.extensions import db
from rosemeet.network import operations as network
from rosemeet.network.models import BodyKind, Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def login(page, base_url, email="regisseur@rose.example.org"):
    page.goto(f"{base_url}/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("heading", name="Dag Rita Regisseur")).to_be_visible()


def test_regisseur_plans_moves_and_cancels_actiegroep_meetings(page, live_server, seeded, app):
    ids = seeded(mia="Mia Lid")
    with app.test_request_context():
        regisseur = db.session.get(accounts.Person, ids["regisseur"])
        mia = db.session.get(accounts.Person, ids["mia"])
        body = network.save_body(
            None,
            name="Actiegroep ROSE",
            code="AG",
            kind=BodyKind.ACTION_GROUP,
            default_location="W13, Doorniksesteenweg 216, 8500 Kortrijk",
        )
        network.save_membership(None, body=body, person=regisseur, role=Role.SECRETARY)
        network.save_membership(None, body=body, person=mia, role=Role.MEMBER)
        db.session.commit()
        body_id = body.id
    login(page, live_server)

    # plan the series: every 2 months on the 2nd Tuesday at 14:00, for 2027
    page.goto(f"{live_server}/bodies/{body_id}")
    page.get_by_role("button", name="Reeks plannen").click()
    page.get_by_label("Eerste datum").fill("2027-01-01")
    page.get_by_label("Beginuur").fill("14:00")
    page.get_by_label("Duur (minuten)").fill("120")
    page.get_by_label("Herhaling", exact=True).select_option(
        label="Elke maand of om de paar maanden, bv. op de 2e dinsdag of de laatste donderdag"
    )
    page.get_by_label("Om de hoeveel weken, maanden of jaren").fill("2")
    page.get_by_label("Welke week van de maand").select_option(label="tweede")
    page.get_by_label("Weekdag").select_option(label="dinsdag")
    page.get_by_label("Tot en met een datum").check()
    page.get_by_label("Laatste datum").fill("2027-12-31")
    page.get_by_role("button", name="Reeks bewaren").click()
    expect(page.get_by_text("De reeks is gepland: voorlopig 6 vergaderingen.")).to_be_visible()
    expect(page.get_by_text("om de 2 maanden op de tweede dinsdag")).to_be_visible()

    # move the March meeting from the 9th to the 16th
    page.goto(f"{live_server}/meetings/calendar?month=2027-03")
    page.get_by_role("link", name=re.compile("14:00 Actiegroep ROSE")).click()
    expect(page.get_by_role("heading", name=re.compile("Actiegroep ROSE"))).to_be_visible()
    page.get_by_role("button", name="Deze vergadering wijzigen").click()
    page.get_by_label("Datum").fill("2027-03-16")
    page.get_by_role("button", name="Bewaren").click()
    expect(
        page.get_by_text("De vergadering is gewijzigd; de genodigden krijgen bericht.")
    ).to_be_visible()
    expect(page.get_by_text("dinsdag 16 maart 2027, 14:00").first).to_be_visible()

    # cancel the July meeting with a reason
    page.goto(f"{live_server}/meetings/calendar?month=2027-07")
    page.get_by_role("link", name=re.compile("14:00 Actiegroep ROSE")).click()
    page.get_by_role("button", name="Deze vergadering annuleren").click()
    page.get_by_label("Reden").fill("Zomervakantie")
    page.get_by_role("button", name="Vergadering annuleren").click()
    expect(
        page.get_by_text("De vergadering is geannuleerd; de genodigden krijgen bericht.")
    ).to_be_visible()
    expect(page.get_by_text("Zomervakantie")).to_be_visible()

    # the month view shows it all, and is reachable with the keyboard
    page.goto(f"{live_server}/meetings/calendar?month=2027-03")
    month = page.locator("table.month")
    expect(month.get_by_role("caption")).to_have_text("maart 2027")
    day_16 = month.locator("td", has=page.locator(".day-number", has_text=re.compile(r"^16$")))
    expect(day_16.get_by_role("link")).to_have_text(re.compile("14:00 Actiegroep ROSE"))
    day_9 = month.locator("td", has=page.locator(".day-number", has_text=re.compile(r"^9$")))
    expect(day_9.get_by_role("link")).to_have_count(0)
    page.get_by_role("link", name="Volgende maand").click()
    page.get_by_role("link", name="Volgende maand").click()
    page.get_by_role("link", name="Volgende maand").click()
    page.get_by_role("link", name="Volgende maand").click()
    expect(page.locator("table.month caption")).to_have_text("juli 2027")
    cancelled = page.get_by_role("link", name=re.compile(r"Actiegroep ROSE \(geannuleerd\)"))
    expect(cancelled).to_be_visible()
    cancelled.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Deze vergadering is geannuleerd.")).to_be_visible()
