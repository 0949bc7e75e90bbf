"""End to end in Chromium, the whole loop between the Actiegroep and the ROA: in an
Actiegroep meeting the secretary adds an item linked to a mobility action, records a decision
and a follow-up referred to the ROA; the ROA's secretary closes it in an ROA meeting with an
answer and has the ROA minutes approved at the next ROA meeting; the Actiegroep's chair sees
the answer on the next Actiegroep agenda and reads the ROA minutes from the feedback item; the
tracker and the action's history show it afgehandeld."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from babel.dates import format_date
from playwright.sync_api import expect

from rosemeet.accounts import operations as accounts
from rosemeet.agendas import operations as agendas
from rosemeet.core.time import to_local
from rosemeet.extensions import db
from rosemeet.meetings import operations as meetings
from rosemeet.network import operations as network
from rosemeet.network.models import BodyKind, RelationKind, Role
from rosemeet.plan.importer import HeadingKind
from rosemeet.plan.models import PlanAction, PlanHeading
from tests.conftest import PASSWORD, browser_logout
from tests.plan.conftest import plan_period

pytestmark = pytest.mark.browser

SHOTS = None  # set to a folder to keep screenshots of each step


def login(page, base_url, email, name):
    page.goto(f"{base_url}/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("heading", name=f"Dag {name}")).to_be_visible()


def _at(days: float) -> datetime:
    """A whole hour ``days`` from now (the live server runs on the real clock)."""
    return (datetime.now(UTC) + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)


def _dutch_day(value: datetime) -> str:
    """A day as the Dutch pages show it: Babel's medium date ("9 mrt 2027"); the meetings
    here are relative to the real clock, so the text cannot be written out."""
    return format_date(value.date(), "medium", locale="nl")


def _seed(app, ids):
    """The Actiegroep (Sara secretary, Chris chair) met two weeks ago and meets in three;
    the ROA (Roel secretary), which reports back to it, met three hours ago and meets next
    week. Returns the meetings' ids and the mobility action's."""
    with app.test_request_context():
        sara = db.session.get(accounts.Person, ids["sara"])
        roel = db.session.get(accounts.Person, ids["roel"])
        chris = db.session.get(accounts.Person, ids["chris"])
        for person in (sara, roel, chris):
            accounts.set_password(person, PASSWORD)
        ag = network.save_body(None, name="Actiegroep ROSE", code="AG", kind=BodyKind.ACTION_GROUP)
        roa = network.save_body(
            None, name="Regionaal Overleg Activering", code="ROA", kind=BodyKind.COUNCIL
        )
        network.save_membership(None, body=ag, person=sara, role=Role.SECRETARY)
        network.save_membership(None, body=ag, person=chris, role=Role.CHAIR)
        network.save_membership(None, body=roa, person=roel, role=Role.SECRETARY)
        network.add_relation(roa, ag, RelationKind.REPORTS_TO)
        made = {}
        for key, bodies, days in (
            ("ag", [ag], -14),
            ("roa", [roa], -0.125),
            ("roa_next", [roa], 7),
            ("ag_next", [ag], 21),
        ):
            start = _at(days)
            made[key] = meetings.create_meeting(
                bodies, starts_at=start, ends_at=start + timedelta(hours=2), location="W13"
            )
            agendas.ensure_agenda(made[key])
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
        return (
            {key: m.id for key, m in made.items()},
            to_local(made["ag"].starts_at),
            action.id,
        )


def test_a_referral_travels_to_the_roa_and_its_answer_comes_back(page, live_server, seeded, app):
    ids = seeded(sara="Sara Secretaris", roel="Roel ROA", chris="Chris Voorzitter")
    meeting_ids, ag_start, action_id = _seed(app, ids)
    ag_id, roa_id = meeting_ids["ag"], meeting_ids["roa"]
    number = f"AG-{ag_start.year}-01"
    page.on("dialog", lambda dialog: dialog.accept())  # "send for comments?" asks first

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
    expect(page.get_by_text(f"Besluit {number} genoteerd.")).to_be_visible()
    page.get_by_text("Opvolgpunt toevoegen").first.click()  # open the details
    page.get_by_role("textbox", name="Wat").fill(
        "Vraag het ROA naar vervoer van doelgroepmedewerkers"
    )
    page.get_by_label("Terugkoppelen naar").select_option(label="Regionaal Overleg Activering")
    page.get_by_role("button", name="Opvolgpunt toevoegen").click()
    expect(page.get_by_text("Opvolgpunt genoteerd.")).to_be_visible()
    browser_logout(page)

    # the follow-up is on the ROA's agenda, with its origin; the ROA answers it there
    login(page, live_server, "roel@rose.example.org", "Roel ROA")
    page.goto(f"{live_server}/meetings/{roa_id}")
    carried = page.locator(".fu-carried li", has_text="Vraag het ROA naar vervoer")
    expect(carried).to_contain_text(f"uit Actiegroep ROSE {_dutch_day(ag_start)}")
    carried.get_by_role("button", name="Hier afgehandeld").click()
    # an answer is required when closing a referral: the browser asks for it first
    expect(page.get_by_text("is nu afgehandeld")).not_to_be_visible()
    carried.get_by_label("Antwoord").fill("Het ROA regelt **vervoer** met De Lijn.")
    carried.get_by_role("button", name="Hier afgehandeld").click()
    expect(page.get_by_text("is nu afgehandeld")).to_be_visible()

    # the ROA minutes go out for comments and are approved at the next ROA meeting
    page.goto(f"{live_server}/meetings/{roa_id}/minutes")
    page.get_by_role("button", name="Ter opmerking versturen").click()
    page.goto(f"{live_server}/meetings/{meeting_ids['roa_next']}/agenda")
    page.get_by_role("button", name="Dit verslag goedkeuren").click()
    expect(page.locator(".approval")).to_contain_text("Goedgekeurd")
    browser_logout(page)

    # the Actiegroep's chair sees the answer on the next Actiegroep agenda ...
    login(page, live_server, "chris@rose.example.org", "Chris Voorzitter")
    page.goto(f"{live_server}/meetings/{meeting_ids['ag_next']}/agenda")
    handled = page.locator("#handled-since-previous")
    expect(handled).to_contain_text("Vraag het ROA naar vervoer van doelgroepmedewerkers")
    expect(handled.locator(".fu-answer strong")).to_have_text("vervoer")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/loop-ag-next.png", full_page=True)
    # ... and reads the ROA minutes from the feedback item waiting in the backlog
    feedback = page.locator("#backlog li", has_text="Terugkoppeling ROA")
    expect(feedback).to_contain_text("Vraag het ROA naar vervoer")  # the referral it handled
    expect(feedback).to_contain_text("vervoer met De Lijn")  # with its answer
    feedback.get_by_role("link", name="Lees het goedgekeurde verslag").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Verslag")
    expect(page.locator("main")).to_contain_text("Goedgekeurd")
    browser_logout(page)

    # the Actiegroep sees it afgehandeld in its tracker and in the action's history
    login(page, live_server, "sara@rose.example.org", "Sara Secretaris")
    page.goto(f"{live_server}/follow-ups")
    page.get_by_label("Status").select_option(label="afgehandeld")
    page.get_by_role("button", name="Filteren").click()
    row = page.locator("tr", has_text="Vraag het ROA naar vervoer")
    expect(row).to_contain_text("afgehandeld")
    expect(row).to_contain_text("Regionaal Overleg Activering")
    expect(row).to_contain_text("Het ROA regelt")
    page.goto(f"{live_server}/plan/actions/{action_id}")
    history = page.locator(f"#action-history-{action_id}")
    expect(history).to_contain_text("Deelfietsen")
    expect(history).to_contain_text(number)
    expect(history.locator("li", has_text="Vraag het ROA")).to_contain_text("afgehandeld")
