"""Browser: the secretary adds an item linked to a plan action, reorders it with the
keyboard buttons and publishes; a member sees the published agenda."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from rosemeet.accounts import operations as accounts
from rosemeet.extensions import db
from rosemeet.meetings import operations as meetings
from rosemeet.network import operations as network
from rosemeet.network.models import BodyKind, Role
from rosemeet.plan.importer import HeadingKind
from rosemeet.plan.models import PlanAction, PlanHeading
from tests.conftest import PASSWORD, browser_login, browser_logout, brussels
from tests.plan.conftest import plan_period

pytestmark = pytest.mark.browser


login = browser_login


def test_secretary_builds_and_publishes_member_reads(app, page, live_server):
    with app.test_request_context():
        sara = accounts.create_person(name="Sara Secretaris", email="sara@rose.example.org")
        mo = accounts.create_person(name="Mo Lid", email="mo@rose.example.org")
        for person in (sara, mo):
            accounts.set_password(person, PASSWORD)
        ag = network.save_body(None, name="Actiegroep ROSE", code="AG", kind=BodyKind.ACTION_GROUP)
        network.save_membership(None, body=ag, person=sara, role=Role.SECRETARY)
        network.save_membership(None, body=ag, person=mo, role=Role.MEMBER)
        heading = PlanHeading(
            plan=plan_period(),
            key="h1",
            kind=HeadingKind.OBJECTIVE,
            number="2.1",
            title="Mobiliteit",
            level=2,
            position=1,
        )
        db.session.add_all(
            [
                heading,
                PlanAction(
                    plan=heading.plan,
                    key="a1",
                    heading=heading,
                    position=1,
                    title="Mobiliteit van doelgroepmedewerkers verbeteren",
                ),
            ]
        )
        start = brussels(2027, 3, 9)
        meeting = meetings.create_meeting(
            [ag],
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            location="W13, Kortrijk",
            notify_new=False,
        )
        db.session.commit()
        meeting_id = meeting.id
        action_id = db.session.scalar(select(PlanAction.id).where(PlanAction.key == "a1"))

    login(page, live_server, "sara@rose.example.org")
    page.goto(f"{live_server}/meetings/{meeting_id}/agenda")
    page.get_by_role("button", name="Punt toevoegen").click()
    page.get_by_label("Titel").fill("Fietsproject voor doelgroepmedewerkers")
    page.get_by_label("Geplande minuten").fill("20")
    page.get_by_label("Zoek acties op nummer of woorden").fill("mobiliteit")
    page.get_by_role("button", name="Zoeken").click()
    page.get_by_label("Mobiliteit van doelgroepmedewerkers verbeteren", exact=False).check()
    assert page.get_by_label("Titel").input_value() == "Fietsproject voor doelgroepmedewerkers"
    page.get_by_role("button", name="Bewaren").click()
    assert (
        page.locator(".item-title")
        .nth(3)
        .inner_text()
        .endswith("Fietsproject voor doelgroepmedewerkers")
    )
    page.get_by_role("button", name="Naar boven: Fietsproject voor doelgroepmedewerkers").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Fietsproject" in page.locator(".item-title").nth(2).inner_text()
    assert "Gepland: 45 van 120 minuten." in page.locator("#time-total").inner_text()
    page.get_by_role("button", name="Agenda publiceren").click()
    assert page.locator("#agenda-status").inner_text() == "Gepubliceerd"
    browser_logout(page)

    login(page, live_server, "mo@rose.example.org")
    page.goto(f"{live_server}/meetings/{meeting_id}")
    assert page.get_by_text("Fietsproject voor doelgroepmedewerkers").is_visible()
    page.get_by_role("button", name="De volledige agenda").click()
    assert page.get_by_role(
        "link", name=f"#{action_id} Mobiliteit van doelgroepmedewerkers", exact=False
    ).is_visible()
    assert page.get_by_role("button", name="Agenda publiceren").count() == 0
