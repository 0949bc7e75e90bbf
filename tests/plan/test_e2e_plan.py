"""End to end in Chromium: the regisseur imports the plan, records 2021 for one action, and
sees the progress matrix change."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.plan.conftest import REAL_FILE

pytestmark = pytest.mark.browser


def test_regisseur_imports_the_plan_and_marks_an_action_realised(page, live_server, seeded):
    seeded()
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mailadres").fill("regisseur@rose.example.org")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()

    page.get_by_role("link", name="Actieplan", exact=True).click()
    expect(page.get_by_text("Het actieplan is nog niet geïmporteerd.")).to_be_visible()
    page.get_by_role("link", name="Actieplan importeren").click()
    page.get_by_label("Bestand met het actieplan").set_input_files(str(REAL_FILE))
    page.get_by_role("button", name="Wijzigingen tonen").click()
    expect(page.get_by_text(re.compile(r"52 nieuw, 0 gewijzigd"))).to_be_visible()
    page.get_by_role("button", name="Importeren").click()
    expect(page.get_by_text(re.compile("Het actieplan is geïmporteerd"))).to_be_visible()

    page.get_by_role("link", name="Actieplan", exact=True).click()
    expect(page.get_by_text("31 van 31 acties getoond.")).to_be_visible()
    page.get_by_role("link", name="Voortgangsoverzicht").click()
    matrix = page.locator("#matrix")
    expect(matrix.locator('td[data-status="gerealiseerd"]')).to_have_count(0)

    matrix.get_by_role("link", name="De algemene ROSE vergadering organiseren.").click()
    page.get_by_label("Status in 2021").select_option(label="gerealiseerd")
    page.get_by_label("Notitie voor 2021").fill("Drie algemene vergaderingen gehouden.")
    page.get_by_role("button", name="Jaren bewaren").click()
    expect(page.get_by_text("Bewaard: 2021.")).to_be_visible()

    page.get_by_role("link", name="Actieplan", exact=True).first.click()
    page.get_by_role("link", name="Voortgangsoverzicht").click()
    row = page.locator("#matrix tr", has_text="De algemene ROSE vergadering organiseren.")
    cells = row.locator("td")
    expect(cells.nth(1)).to_have_text("gerealiseerd")
    expect(cells.nth(1)).to_have_attribute("class", re.compile("status-done"))
    expect(cells.nth(0)).to_have_text("niet gepland")
    expect(page.locator('#matrix td[data-status="gerealiseerd"]')).to_have_count(1)
