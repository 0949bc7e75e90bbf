"""Browser: rosemeet on a phone (issue 15). No page is wider than the screen at 360 to 1280 px,
not even with a 200-character meeting title; the main menu folds into a "Menu" button on a
phone and sits in the header on a wide screen; the month calendar is a list of days on a
phone, its titles whole.

Set ROSEMEET_SHOTS to a folder (e.g. /tmp/shots) to keep screenshots of the main pages."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from babel.dates import format_date
from playwright.sync_api import Page, expect

from rosemeet.accounts import operations as accounts
from rosemeet.agendas import operations as agendas
from rosemeet.core.time import local_today, to_local
from rosemeet.extensions import db
from rosemeet.followups import operations as followups
from rosemeet.meetings import operations as meetings
from rosemeet.network import operations as network
from rosemeet.network.models import BodyKind, OrganisationKind, Role
from tests.conftest import browser_login, brussels
from tests.followups.conftest import make_action

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("ROSEMEET_SHOTS")  # a folder for screenshots, outside the repository
PHONE, WIDE = 390, 1280
WIDTHS = (360, PHONE, 768, WIDE)

#: a long title as secretaries write them (200 characters): whole words, all shorter than a phone
LONG_TITLE = (
    "Overleg over de samenwerking tussen de maatwerkbedrijven, de lokale besturen en de VDAB "
    "rond trajecten naar werk voor doelgroepmedewerkers in regio Kortrijk, met de evaluatie "
    "van het voorbije werkjaar"
)
#: a pasted link as title: 200 characters without a place to break
PASTED_TITLE = ("https://www.rose-zwvl.example.org/verslagen/" + "actiegroep" * 20)[:200]


@dataclass
class Site:
    """The ids the pages need (the rows are committed; the test holds no session open)."""

    body: int
    meeting: int
    month: str
    day: datetime


def _day_after_tomorrow(hour: int) -> datetime:
    """The day after tomorrow in Brussels at ``hour`` (the live server runs on the real clock,
    and the home page lists the meetings to come)."""
    day = local_today() + timedelta(days=2)
    return brussels(day.year, day.month, day.day, hour)


@pytest.fixture
def site(app, seeded) -> Site:
    """The Actiegroep with a member of a long-named organisation, two meetings on one day (a
    long title and a pasted link), an agenda item with a decision and a follow-up, and an
    action of the plan."""
    assert len(LONG_TITLE) == 200 and len(PASTED_TITLE) == 200
    ids = seeded(mia="Mia Lid")
    with app.test_request_context():
        rita = db.session.get(accounts.Person, ids["regisseur"])
        mia = db.session.get(accounts.Person, ids["mia"])
        mia.organisation = network.save_organisation(
            None,
            name="Maatwerkbedrijf Zuidwest Kringloopwinkels en Groenonderhoud",
            kind=OrganisationKind.PARTNER,
        )
        body = network.save_body(
            None, name="Actiegroep ROSE", code="AG", kind=BodyKind.ACTION_GROUP
        )
        network.save_membership(None, body=body, person=rita, role=Role.SECRETARY)
        network.save_membership(None, body=body, person=mia, role=Role.MEMBER)
        start = _day_after_tomorrow(14)
        meeting = meetings.create_meeting(
            [body],
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            title=LONG_TITLE,
            location="W13, Doorniksesteenweg 216, 8500 Kortrijk",
        )
        meetings.create_meeting(
            [body],
            starts_at=_day_after_tomorrow(17),
            ends_at=_day_after_tomorrow(18),
            title=PASTED_TITLE,
            online_url="https://meet.example.org/actiegroep",
        )
        action = make_action("Deelfietsen voor doelgroepmedewerkers uitrollen")
        item = agendas.add_item(meeting, title=LONG_TITLE, actions=[action])
        decision = followups.record_decision(item, "We starten een proefproject.", by=rita)
        followups.create_follow_up(
            item,
            decision=decision,
            title=f"Verslag bezorgen aan {PASTED_TITLE}",
            owner_person=mia,
            due_on=to_local(start).date() + timedelta(days=30),
            by=rita,
        )
        db.session.commit()
        local = to_local(start)
        # ids only: the request context's end removes the session, and the server's requests
        # write, so this test holds no transaction open
        return Site(body.id, meeting.id, f"{local.year:04d}-{local.month:02d}", local)


def _pages(site: Site) -> dict[str, str]:
    """The main pages, by a short name (for messages and screenshots)."""
    return {
        "home": "/",
        "bodies": "/bodies",
        "body": f"/bodies/{site.body}",
        "meeting": f"/meetings/{site.meeting}",
        "calendar": f"/meetings/calendar?month={site.month}",
        "follow-ups": "/follow-ups",
        "plan": "/plan",
        "profile": "/profile",
    }


def _overflow(page: Page) -> tuple[int, int]:
    """The document's width against the window's: wider means a sideways scroll."""
    return tuple(page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]"))


#: for the message of a failure: what lies past the right edge of the window, outside a box
#: that scrolls (positioned elements escape the box that scrolls unless it is positioned too)
CULPRITS = """() => [...document.querySelectorAll("body *")]
  .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
  .filter((e) => !e.parentElement.closest(
      ".table-scroll, .fu-table-wrap, .doc-table-wrap, .plan-scroll")
    || ["absolute", "fixed"].includes(getComputedStyle(e).position))
  .slice(0, 5)
  .map((e) => `${e.tagName.toLowerCase()}.${e.className}: ${e.textContent.trim().slice(0, 30)}`)"""


def _shoot(page: Page, name: str, width: int) -> None:
    if SHOTS and name in ("home", "body", "meeting", "calendar", "follow-ups", "menu"):
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)


def _log_in(page: Page, base: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 844})
    browser_login(page, base, "regisseur@rose.example.org")
    expect(page.get_by_role("heading", name="Dag Rita Regisseur")).to_be_visible()


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_is_wider_than_the_screen(page, live_server, site, width):
    _log_in(page, live_server, width)
    too_wide = {}
    for name, path in _pages(site).items():
        page.goto(f"{live_server}{path}")
        expect(page.locator("main h1").first).to_be_visible()
        document, window = _overflow(page)
        if document > window:
            too_wide[name] = (document, page.evaluate(CULPRITS))
        _shoot(page, name, width)
    page.context.clear_cookies()
    page.goto(f"{live_server}/login")
    document, window = _overflow(page)
    if document > window:
        too_wide["login"] = (document, page.evaluate(CULPRITS))
    assert too_wide == {}, f"wider than {width} px"


def test_on_a_phone_the_menu_opens_from_its_button_and_logs_out(page, live_server, site):
    _log_in(page, live_server, PHONE)
    menu = page.locator("details.nav-menu > summary")
    log_out = page.get_by_role("button", name="Afmelden")
    expect(menu).to_be_visible()
    expect(menu).to_have_text("Menu")
    expect(log_out).to_be_hidden()
    box = menu.bounding_box()
    assert box and box["height"] >= 44 and box["x"] + box["width"] <= PHONE
    menu.click()
    expect(log_out).to_be_visible()
    expect(page.get_by_role("link", name="Overlegorganen")).to_be_visible()
    _shoot(page, "menu", PHONE)
    for link in page.locator("details.nav-menu li > a").all():
        assert link.bounding_box()["height"] >= 44, link.inner_text()
    assert log_out.bounding_box()["height"] >= 44
    page.keyboard.press("Escape")  # closes it again
    expect(log_out).to_be_hidden()
    menu.click()
    log_out.click()
    expect(page.get_by_text("Je bent afgemeld.")).to_be_visible()
    expect(page.get_by_role("heading", name="Dag Rita Regisseur")).to_have_count(0)


@pytest.mark.parametrize("width", (768, WIDE))
def test_on_a_wide_screen_the_menu_is_in_the_header(page, live_server, site, width):
    _log_in(page, live_server, width)
    expect(page.get_by_role("button", name="Afmelden")).to_be_visible()
    nav = page.get_by_role("navigation", name="Hoofdmenu")
    expect(nav.get_by_role("link", name="Kalender")).to_be_visible()
    expect(page.locator("details.nav-menu > summary")).to_be_hidden()
    page.set_viewport_size({"width": PHONE, "height": 844})  # a window made narrow folds it
    expect(page.locator("details.nav-menu > summary")).to_be_visible()
    expect(page.get_by_role("button", name="Afmelden")).to_be_hidden()


WHOLE_WORDS = """(link) => {
  const broken = [];
  const walker = document.createTreeWalker(link, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest(".visually-hidden")) continue;
    for (const word of node.data.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, word.index);
      range.setEnd(node, word.index + word[0].length);
      const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      if (lines.size > 1) broken.push(word[0]);
    }
  }
  return broken;
}"""


def test_on_a_phone_the_calendar_lists_the_days_with_meetings(page, live_server, site):
    _log_in(page, live_server, PHONE)
    page.goto(f"{live_server}/meetings/calendar?month={site.month}")
    month = page.locator("table.month")
    expect(month.locator("thead")).to_be_hidden()
    days = month.locator(".day-heading")
    expect(days.filter(visible=True)).to_have_count(1)  # only the day that has meetings
    expect(days.filter(visible=True)).to_have_text(format_date(site.day.date(), "full", "nl"))
    link = page.get_by_role("link", name=re.compile(re.escape(LONG_TITLE)))
    expect(link).to_be_visible()
    assert link.evaluate(WHOLE_WORDS) == []
    content_right = page.evaluate(
        "(() => { const m = document.querySelector('main'); return m.getBoundingClientRect().right"
        " - parseFloat(getComputedStyle(m).paddingRight); })()"
    )
    box = link.bounding_box()
    assert abs(box["x"] + box["width"] - content_right) <= 1  # the list is as wide as the page
    expect(page.get_by_role("link", name=re.compile("actiegroepactiegroep"))).to_be_visible()
    assert _overflow(page)[0] <= PHONE

    page.goto(f"{live_server}/meetings/calendar?month=2099-01")
    expect(page.locator(".calendar-empty")).to_have_text("Geen vergaderingen deze maand.")

    page.set_viewport_size({"width": WIDE, "height": 900})  # the grid of weeks on a wide screen
    expect(month.locator("thead")).to_be_visible()
    expect(month.locator(".day-heading").filter(visible=True)).to_have_count(0)


READABLE = """(select) => {
  const style = getComputedStyle(select);
  const canvas = document.createElement("canvas").getContext("2d");
  canvas.font = style.font;
  const text = canvas.measureText(select.options[select.selectedIndex].text).width;
  const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return room >= text;
}"""


def test_on_a_phone_the_attendance_table_scrolls_in_its_box(page, live_server, site):
    _log_in(page, live_server, PHONE)
    page.goto(f"{live_server}/meetings/{site.meeting}")
    table = page.locator("#attendance table")
    expect(table).to_be_visible()
    assert table.evaluate("(t) => t.parentElement.classList.contains('table-scroll')")
    selects = page.get_by_role("combobox", name=re.compile("Aanwezigheid van"))
    expect(selects).to_have_count(2)
    for select in selects.all():
        expect(select).to_have_value("")  # "niet ingevuld"
        assert select.evaluate(READABLE), "the choice is cut off"
    assert _overflow(page)[0] <= PHONE
