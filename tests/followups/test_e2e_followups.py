"""End to end in Chromium: in an Actiegroep meeting the secretary adds an item linked to a
mobility action, records a decision and a follow-up to report back to the ROA; the follow-up
shows in the ROA's next agenda; closing it there shows it afgehandeld in the Actiegroep's
tracker and in the action's history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from rosemeet.accounts import operations as accounts
from rosemeet.agendas import operations as agendas
from rosemeet.extensions import db
from rosemeet.meetings import operations as meetings
from rosemeet.network import operations as network
from rosemeet.network.models import BodyKind, RelationKind, Role
from rosemeet.plan.importer import HeadingKind
from rosemeet.plan.models import PlanAction, PlanHeading
from tests.conftest import PASSWORD, brussels
from tests.plan.conftest import plan_period

pytestmark = pytest.mark.browser

SHOTS = None  # set to a folder to keep screenshots of each step


def login(page, base_url, email, name):
    page.goto(f"{base_url}/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("heading", name=f"Dag {name}")).to_be_visible()


def logout(page):
    page.get_by_role("button", name="Afmelden").click()


def _seed(app, ids):
    with app.test_request_context():
        sara = db.session.get(accounts.Person, ids["sara"])
        roel = db.session.get(accounts.Person, ids["roel"])
        for person in (sara, roel):
            accounts.set_password(person, PASSWORD)
        ag = network.save_body(None, name="Actiegroep ROSE", code="AG", kind=BodyKind.ACTION_GROUP)
        roa = network.save_body(
            None, name="Regionaal Overleg Activering", code="ROA", kind=BodyKind.COUNCIL
        )
        network.save_membership(None, body=ag, person=sara, role=Role.SECRETARY)
        network.save_membership(None, body=roa, person=roel, role=Role.SECRETARY)
        network.add_relation(roa, ag, RelationKind.REPORTS_TO)
        start = brussels(2027, 3, 9)
        ag_meeting = meetings.create_meeting(
            [ag], starts_at=start, ends_at=start + timedelta(hours=2), location="W13"
        )
        start = brussels(2027, 4, 1, 13, 30)
        roa_meeting = meetings.create_meeting(
            [roa], starts_at=start, ends_at=start + timedelta(hours=2), location="W13"
        )
        agendas.ensure_agenda(roa_meeting)
        heading = PlanHeading(
            plan=plan_period(),
            key="e2e-h",
            kind=HeadingKind.OBJECTIVE,
            number="2.1",
            title="Mobiliteit van, naar en tijdens het werk",
            level=2,
            position=1,
        )
        action = PlanAction(
            key="e2e-a",
            heading=heading,
            title="Deelfietsen voor doelgroepmedewerkers uitrollen",
            position=1,
            plan=heading.plan,
        )
        db.session.add_all([heading, action])
        db.session.commit()
        return ag_meeting.id, roa_meeting.id, action.id


def test_a_follow_up_travels_to_the_roa_and_back(page, live_server, seeded, app):
    ids = seeded(sara="Sara Secretaris", roel="Roel ROA")
    ag_id, roa_id, action_id = _seed(app, ids)

    # the Actiegroep's secretary adds an item linked to the mobility action
    login(page, live_server, "sara@rose.example.org", "Sara Secretaris")
    page.goto(f"{live_server}/meetings/{ag_id}/agenda/items/new")
    page.get_by_label("Titel").fill("Deelfietsen")
    page.get_by_label("Zoek acties op nummer of woorden").fill("deelfietsen")
    page.get_by_role("button", name="Zoeken", exact=True).click()
    page.get_by_label("Deelfietsen voor doelgroepmedewerkers uitrollen").check()
    page.get_by_role("button", name="Bewaren").click()
    with app.app_context():
        from rosemeet.agendas.models import AgendaItem

        item_id = db.session.query(AgendaItem.id).filter_by(title="Deelfietsen").scalar()
    assert item_id

    # records a decision and a follow-up to report back to the ROA
    page.goto(f"{live_server}/agenda-items/{item_id}/outcomes")
    page.get_by_role("textbox", name="Besluit").fill("We starten een proefproject deelfietsen.")
    page.get_by_role("button", name="Besluit noteren").click()
    expect(page.get_by_text("Besluit AG-2027-01 genoteerd.")).to_be_visible()
    page.get_by_text("Opvolgpunt toevoegen").first.click()  # open the details
    page.get_by_role("textbox", name="Wat").fill(
        "Vraag het ROA naar vervoer van doelgroepmedewerkers"
    )
    page.get_by_label("Terugkoppelen naar").select_option(label="Regionaal Overleg Activering")
    page.get_by_role("button", name="Opvolgpunt toevoegen").click()
    expect(page.get_by_text("Opvolgpunt genoteerd.")).to_be_visible()
    logout(page)

    # the follow-up is on the ROA's next agenda, with its origin; the ROA deals with it
    login(page, live_server, "roel@rose.example.org", "Roel ROA")
    page.goto(f"{live_server}/meetings/{roa_id}")
    carried = page.locator(".fu-carried li", has_text="Vraag het ROA naar vervoer")
    expect(carried).to_contain_text("uit Actiegroep ROSE 09/03/2027")
    carried.get_by_role("button", name="Hier afgehandeld").click()
    expect(page.get_by_text("is nu afgehandeld")).to_be_visible()
    logout(page)

    # the Actiegroep sees it afgehandeld in its tracker and in the action's history
    login(page, live_server, "sara@rose.example.org", "Sara Secretaris")
    page.goto(f"{live_server}/follow-ups")
    page.get_by_label("Status").select_option(label="afgehandeld")
    page.get_by_role("button", name="Filteren").click()
    row = page.locator("tr", has_text="Vraag het ROA naar vervoer")
    expect(row).to_contain_text("afgehandeld")
    expect(row).to_contain_text("Regionaal Overleg Activering")
    page.goto(f"{live_server}/plan/actions/{action_id}")
    history = page.locator(f"#action-history-{action_id}")
    expect(history).to_contain_text("Deelfietsen")
    expect(history).to_contain_text("AG-2027-01")
    expect(history.locator("li", has_text="Vraag het ROA")).to_contain_text("afgehandeld")
