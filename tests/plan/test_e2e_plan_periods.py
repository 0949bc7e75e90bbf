"""End to end in Chromium: with the 2020-2025 plan in place, the regisseur imports the
2026-2031 file as a new plan, confirms that an action continues the old one, fills 2026 and
sees it in the yearly report 2026."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from rosemeet.extensions import db
from rosemeet.plan import queries
from rosemeet.plan.importer import parse
from rosemeet.plan.operations import apply_import
from tests.conftest import PASSWORD
from tests.plan.conftest import REAL_FILE

pytestmark = pytest.mark.browser

#: the next plan's file (years 2026 .. 2031)
NEXT_FILE = Path(__file__).resolve().parent / "data" / "actieplan-rose-2026-2031.tsv"
#: where the phone-sized screenshot of the action page goes
SCREENSHOT = Path("/tmp/p2-action-390.png")  # noqa: S108 (a fixed name to look at afterwards)
AV = "De algemene ROSE vergadering organiseren."


def test_regisseur_imports_the_next_plan_continues_an_action_and_reports_2026(
    page, live_server, seeded, app
):
    seeded()
    with app.test_request_context():
        apply_import(parse(REAL_FILE.read_bytes(), queries.known_names()))
        db.session.commit()
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mailadres").fill("regisseur@rose.example.org")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()

    page.get_by_role("link", name="Actieplan", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Actieplan 2020-2025")
    page.get_by_role("link", name="Actieplan importeren").click()
    page.get_by_label("Bestand met het actieplan").set_input_files(str(NEXT_FILE))
    page.get_by_role("button", name="Wijzigingen tonen").click()
    expect(page.get_by_text("Het bestand maakt het plan Actieplan 2026-2031 aan.")).to_be_visible()
    expect(page.get_by_label("Naam van het nieuwe plan")).to_have_value("Actieplan 2026-2031")
    page.get_by_role("button", name="Importeren").click()
    expect(page.get_by_text(re.compile("Het actieplan is geïmporteerd"))).to_be_visible()

    page.get_by_role("link", name="Actieplan", exact=True).first.click()
    switcher = page.get_by_label("Plan", exact=True)
    option = switcher.locator("option", has_text="Actieplan 2026-2031")
    switcher.select_option(option.get_attribute("value"))
    page.get_by_role("button", name="Tonen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Actieplan 2026-2031")
    page.get_by_role("link", name=AV).click()

    continuity = page.locator("#continuity")
    expect(continuity).to_contain_text(
        "Voorgesteld: deze actie zet de actie voort van Actieplan 2020-2025"
    )
    continuity.get_by_role("button", name="Voortzetting bevestigen").click()
    expect(page.get_by_text(re.compile("Bevestigd: deze actie zet"))).to_be_visible()
    grid = page.locator(".plan-year-grid")
    expect(grid.get_by_role("rowheader", name="2020", exact=True)).to_be_visible()
    expect(grid.get_by_role("rowheader", name="2026", exact=True)).to_be_visible()

    page.get_by_label("Status in 2026").select_option(label="gerealiseerd")
    page.get_by_label("Notitie voor 2026").fill("Drie algemene vergaderingen gehouden.")
    page.get_by_role("button", name="Jaren bewaren").click()
    expect(page.get_by_text("Bewaard: 2026.")).to_be_visible()

    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    width = page.evaluate("document.querySelector('main').scrollWidth")
    assert width <= 390, f"the action page's content is wider than a phone ({width} px)"
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="Actieplan 2026-2031").first.click()
    page.get_by_role("link", name="Jaarverslag 2026").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Actieplan: jaarverslag 2026")
    row = page.locator("tr", has_text=AV)
    expect(row).to_contain_text("gerealiseerd")
    expect(row).to_contain_text("Drie algemene vergaderingen gehouden.")
