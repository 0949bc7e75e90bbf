"""Browser: the secretary writes the minutes of three items in the one form: one save keeps
all three; saving one item keeps what was typed in another; a closed tab offers its text back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from rosemeet.accounts import operations as accounts
from rosemeet.agendas import operations as agendas
from rosemeet.agendas.models import AgendaItem
from rosemeet.extensions import db
from rosemeet.meetings import operations as meetings
from rosemeet.network import operations as network
from rosemeet.network.models import BodyKind, Role
from tests.conftest import PASSWORD, browser_login, brussels

pytestmark = pytest.mark.browser


login = browser_login


@pytest.fixture
def written(app, seeded):
    """A meeting of the Actiegroep with three items; Sara writes its minutes."""
    seeded()
    with app.test_request_context():
        sara = accounts.create_person(name="Sara Secretaris", email="sara@rose.example.org")
        accounts.set_password(sara, PASSWORD)
        ag = network.save_body(None, name="Actiegroep ROSE", code="AG", kind=BodyKind.ACTION_GROUP)
        network.save_membership(None, body=ag, person=sara, role=Role.SECRETARY)
        start = brussels(2027, 3, 9)
        meeting = meetings.create_meeting(
            [ag],
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            location="W13, Kortrijk",
            notify_new=False,
        )
        items = [agendas.add_item(meeting, title=t) for t in ("Begroting", "Fiets", "Varia")]
        db.session.commit()
        return meeting.id, [i.id for i in items]


def _minutes(app, item_ids):
    with app.app_context():
        db.session.expire_all()
        return [db.session.get(AgendaItem, i).minutes for i in item_ids]


def test_one_save_keeps_all_three_items(app, page, live_server, written):
    meeting_id, ids = written
    login(page, live_server, "sara@rose.example.org")
    page.goto(f"{live_server}/meetings/{meeting_id}/minutes")
    for n, item_id in enumerate(ids, 1):
        page.locator(f"#item-{item_id}-minutes").fill(f"Tekst **{n}**")
    expect(page.locator(f"#preview-{ids[0]} strong")).to_have_text("1")  # the live preview
    page.get_by_role("button", name="Alle punten bewaren").first.click()
    expect(page.locator(".flash-success")).to_contain_text("Bewaard")
    assert _minutes(app, ids) == ["Tekst **1**", "Tekst **2**", "Tekst **3**"]
    for n, item_id in enumerate(ids, 1):
        expect(page.locator(f"#item-{item_id}-minutes")).to_have_value(f"Tekst **{n}**")


def test_saving_one_item_keeps_the_other_typed_text(app, page, live_server, written):
    meeting_id, ids = written
    login(page, live_server, "sara@rose.example.org")
    page.goto(f"{live_server}/meetings/{meeting_id}/minutes")
    page.locator(f"#item-{ids[0]}-minutes").fill("Nog niet klaar")
    page.locator(f"#item-{ids[1]}-minutes").fill("Fiets besproken")
    page.locator(f"#item-{ids[1]} button[name=save_item]").click()
    expect(page.locator("#minutes-note")).to_contain_text("Bewaard")
    expect(page.locator(f"#item-{ids[0]}-minutes")).to_have_value("Nog niet klaar")
    expect(page.locator(f"#item-{ids[1]}-minutes")).to_have_value("Fiets besproken")
    assert _minutes(app, ids) == [None, "Fiets besproken", None]
    page.get_by_role("button", name="Alle punten bewaren").first.click()
    expect(page.locator(".flash-success")).to_be_visible()
    assert _minutes(app, ids) == ["Nog niet klaar", "Fiets besproken", None]


def test_a_closed_tab_offers_its_text_back(app, page, live_server, written):
    meeting_id, ids = written
    login(page, live_server, "sara@rose.example.org")
    url = f"{live_server}/meetings/{meeting_id}/minutes"
    page.goto(url)
    page.locator(f"#item-{ids[2]}-minutes").press_sequentially("Halverwege een zin")
    context = page.context
    page.close()  # mid-typing: nothing was saved
    again = context.new_page()
    again.goto(url)
    notice = again.locator(f"#draft-{ids[2]}")
    expect(notice).to_contain_text("Niet bewaarde tekst van")
    expect(notice).to_contain_text("teruggevonden")
    field = again.locator(f"#item-{ids[2]}-minutes")
    expect(field).to_have_value("")
    notice.get_by_role("button", name="Terugzetten").click()
    expect(field).to_have_value("Halverwege een zin")
    expect(notice).to_have_count(0)
    again.get_by_role("button", name="Alle punten bewaren").first.click()
    expect(again.locator(".flash-success")).to_be_visible()
    assert _minutes(app, ids)[2] == "Halverwege een zin"
    again.goto(url)
    expect(again.locator(f"#draft-{ids[2]}")).to_have_count(0)  # saved: offered no more


def test_leaving_with_unsaved_text_asks_first(page, live_server, written):
    meeting_id, ids = written
    login(page, live_server, "sara@rose.example.org")
    page.goto(f"{live_server}/meetings/{meeting_id}/minutes")
    page.locator(f"#item-{ids[0]}-minutes").press_sequentially("Nog te bewaren")
    asked = []

    def answer(dialog):
        asked.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    page.get_by_role("link", name="Versiegeschiedenis").click()
    page.wait_for_timeout(300)
    assert asked == ["beforeunload"]
    expect(page.locator(f"#item-{ids[0]}-minutes")).to_have_value("Nog te bewaren")
