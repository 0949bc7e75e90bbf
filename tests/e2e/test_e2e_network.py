"""End to end in Chromium: the regisseur sets up an ad-hoc working group."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def login(page, base_url, email="regisseur@rose.example.org"):
    page.goto(f"{base_url}/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("heading", name="Dag Rita Regisseur")).to_be_visible()


def test_regisseur_creates_an_adhoc_group_and_adds_a_member(page, live_server, seeded, tmp_path):
    seeded(lotte="Lotte Lambrecht")
    login(page, live_server)

    page.get_by_role("link", name="Overlegorganen").click()
    page.get_by_role("button", name="Overlegorgaan toevoegen").click()
    page.get_by_label("Naam").fill("Werkgroep re-integratie")
    page.get_by_label("Korte code").fill("RLZ")
    page.get_by_label("Soort").select_option(label="Ad-hocwerkgroep")
    page.get_by_label("Startdatum").fill("2027-01-01")
    page.get_by_label("Geplande einddatum").fill("2026-06-30")  # a mistake first
    page.get_by_role("button", name="Bewaren").click()
    expect(page.get_by_text("Het geplande einde ligt voor de start.")).to_be_visible()
    expect(page.get_by_label("Naam")).to_have_value("Werkgroep re-integratie")
    page.get_by_label("Geplande einddatum").fill("2027-06-30")
    page.get_by_role("button", name="Bewaren").click()

    expect(page.get_by_role("heading", name=re.compile("Werkgroep re-integratie"))).to_be_visible()
    expect(page.get_by_text("van 1 jan 2027 tot 30 jun 2027")).to_be_visible()

    page.get_by_text("Lid toevoegen", exact=True).first.click()  # opens the <details>
    page.get_by_label("Persoon").select_option(label="Lotte Lambrecht")
    page.get_by_label("Rol").select_option(label="Voorzitter")
    page.get_by_role("button", name="Lid toevoegen").click()

    expect(page.get_by_text("Lotte Lambrecht is toegevoegd.")).to_be_visible()
    members = page.locator("#members table")
    expect(
        members.get_by_role("row", name=re.compile("Lotte Lambrecht.*Voorzitter"))
    ).to_be_visible()
    page.screenshot(path=str(tmp_path / "body.png"), full_page=True)
