"""Accessibility checked by a tool, not by eye (issue 15): axe-core runs in Chromium on every
main page, for a visitor, a member and the regisseur (admin), at a desktop's and a phone's
width, on the demo network with meetings that have published agendas, minutes, decisions,
follow-ups and documents, and the imported action plan. A page passes with no violation of
impact "serious" or "critical"; the failure lists each rule with its help and the first
elements it found, so that a developer can fix it.

What axe does not check is checked here on every page too: every id is unique (axe dropped
its duplicate-id rule, but a label's ``for`` and ``aria-describedby`` reach only the first
element of an id), ``aria-invalid`` is only ever "true" (a field without errors has none) and
at most one element asks for the focus. Forms shown again with errors are checked the same
way: their invalid fields say so, and the first of them has the focus.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from sqlalchemy import select

from rosemeet.accounts.models import Person
from rosemeet.agendas import operations as agendas
from rosemeet.agendas.models import AgendaItem
from rosemeet.core.time import local_today
from rosemeet.demo import DEMO_PASSWORD, load_demo
from rosemeet.documents import operations as documents
from rosemeet.documents.models import Document, TargetKind
from rosemeet.documents.queries import Target
from rosemeet.extensions import db
from rosemeet.followups import operations as followups
from rosemeet.followups.models import FollowUp
from rosemeet.meetings import queries as meetings
from rosemeet.network.models import Body
from rosemeet.plan import queries as plan_queries
from rosemeet.plan.models import PlanAction
from tests.conftest import browser_login

pytestmark = [
    pytest.mark.browser,
    # the markup does not depend on the database: the sweep runs once, on SQLite (make test)
    pytest.mark.skipif(
        os.environ.get("ROSEMEET_TEST_DATABASE_URL", "").startswith("postgresql"),
        reason="the pages' markup is the same on PostgreSQL; swept on SQLite",
    ),
]

#: the impacts that fail a page (axe also reports "moderate" and "minor")
FAILING_IMPACTS = frozenset({"serious", "critical"})

AXE = Axe()

#: a phone's viewport (each page is checked at the desktop's 1280 px and at this width)
PHONE = {"width": 390, "height": 844}

#: the demo logins (rosemeet.demo): the regisseur and a member of the Actiegroep, the
#: algemene vergadering (public) and the AZ-fabriek
ADMIN = "regisseur@rose.example.org"
MEMBER = "lid@rose.example.org"


@pytest.fixture(autouse=True)
def csrf(app):
    """The pages as served: with their CSRF tokens (the other tests switch them off), which
    are fields with an id too."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@dataclass(frozen=True)
class Site:
    """The ids of what the pages show."""

    av: int  # the ROSE algemene vergadering, a public body
    ag: int  # the Actiegroep (closed)
    av_past: int  # its last meeting: agenda published, minutes approved
    av_next: int  # its next meeting: agenda published, minutes approved the last ones
    ag_past: int  # the Actiegroep's last meeting: minutes sent for comments
    follow_up: int
    document: int
    plan: int
    action: int


def _seed(app) -> Site:
    """The demo network (with its plan, meetings, follow-ups and papers), plus the minutes and
    published agendas of the last and next meetings of the AV and the Actiegroep."""
    with app.test_request_context():
        load_demo()
        rita = db.session.scalar(select(Person).where(Person.email == ADMIN))
        bodies = {b.code: b for b in db.session.scalars(select(Body))}
        av, ag = bodies["AV"], bodies["AG"]
        av_past = meetings.body_meetings(av, upcoming=False, limit=1)[0]
        av_next = meetings.body_meetings(av, upcoming=True, limit=1)[0]
        ag_past = meetings.body_meetings(ag, upcoming=False, limit=1)[0]

        item = agendas.add_item(
            av_past,
            title="Jaarverslag van de Actiegroep",
            description="De Actiegroep stelt haar werking van dit jaar voor.",
        )
        decision = followups.record_decision(item, "De AV keurt het jaarverslag goed.", by=rita)
        followups.create_follow_up(
            item,
            title="Jaarverslag op de website zetten",
            decision=decision,
            owner_person=rita,
            due_on=local_today() + timedelta(days=14),
            by=rita,
        )
        documents.attach_link(
            Target(TargetKind.AGENDA_ITEM, item),
            url="https://www.rose.example.org/jaarverslag",
            title="Jaarverslag (website)",
            by=rita,
        )
        for meeting in (av_past, ag_past):
            agendas.publish_agenda(meeting)
            rows = db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id))
            for row in rows:
                agendas.save_minutes(row, f"Besproken: {row.title}.", version=row.version, by=rita)
            agendas.send_minutes_for_comment(meeting)
        agendas.approve_minutes(av_past, in_meeting=av_next, by=rita)
        agendas.publish_agenda(av_next)
        plan = plan_queries.current_plan()
        assert plan is not None
        plan.published = True
        follow_up = db.session.scalar(select(FollowUp).where(FollowUp.title.like("Offertes%")))
        document = db.session.scalar(select(Document).where(Document.title == "Nota deelfietsen"))
        action = db.session.scalar(select(PlanAction).order_by(PlanAction.id))
        db.session.commit()
        site = Site(
            av=av.id,
            ag=ag.id,
            av_past=av_past.id,
            av_next=av_next.id,
            ag_past=ag_past.id,
            follow_up=follow_up.id,
            document=document.id,
            plan=plan.id,
            action=action.id,
        )
        db.session.remove()  # the server's requests write: this test holds no transaction open
    return site


#: page -> (its address for the site, the roles that see it)
ANYONE = ("anonymous", "member", "admin")
LOGGED_IN = ("member", "admin")
PAGES: dict[str, tuple[Callable[[Site], str], tuple[str, ...]]] = {
    "home": (lambda s: "/", ANYONE),
    "calendar": (lambda s: "/meetings/calendar", ANYONE),
    "bodies": (lambda s: "/bodies", ANYONE),
    "body": (lambda s: f"/bodies/{s.av}", ANYONE),
    "body-closed": (lambda s: f"/bodies/{s.ag}", LOGGED_IN),
    "meeting": (lambda s: f"/meetings/{s.av_past}", ANYONE),
    "meeting-next": (lambda s: f"/meetings/{s.av_next}", ANYONE),
    "agenda": (lambda s: f"/meetings/{s.av_next}/agenda", ANYONE),
    "minutes": (lambda s: f"/meetings/{s.av_past}/minutes", ANYONE),
    "minutes-for-comment": (lambda s: f"/meetings/{s.ag_past}/minutes", LOGGED_IN),
    "minutes-archive": (lambda s: f"/bodies/{s.av}/minutes", ANYONE),
    "follow-ups": (lambda s: "/follow-ups", LOGGED_IN),
    "follow-ups-mine": (lambda s: "/follow-ups/mine", LOGGED_IN),
    "follow-up": (lambda s: f"/follow-ups/{s.follow_up}", LOGGED_IN),
    "decisions": (lambda s: "/decisions", LOGGED_IN),
    "document": (lambda s: f"/documents/{s.document}", LOGGED_IN),
    "library": (lambda s: f"/bodies/{s.ag}/documents", LOGGED_IN),
    "plan": (lambda s: "/plan", LOGGED_IN),
    "plan-progress": (lambda s: "/plan/progress", LOGGED_IN),
    "plan-action": (lambda s: f"/plan/actions/{s.action}", LOGGED_IN),
    "plan-public": (lambda s: f"/plan/{s.plan}/public", ANYONE),
    "search": (lambda s: "/search?q=deelfietsen", LOGGED_IN),
    "feeds": (lambda s: "/calendar/feeds", LOGGED_IN),
    "profile": (lambda s: "/profile", LOGGED_IN),
    "login": (lambda s: "/login", ("anonymous",)),
    "forgot-password": (lambda s: "/password/forgot", ("anonymous",)),
    # forms of the main pages
    "meeting-form": (lambda s: f"/meetings/{s.av_next}/edit", ("admin",)),
    "agenda-item-form": (lambda s: f"/meetings/{s.av_next}/agenda/items/new", ("admin",)),
    "propose": (lambda s: f"/bodies/{s.av}/propose", ("member",)),
    "body-form": (lambda s: f"/bodies/{s.av}/edit", ("admin",)),
    "people": (lambda s: "/people", ("admin",)),
    "person-form": (lambda s: "/people/new", ("admin",)),
}
CASES = [
    pytest.param(name, role, id=f"{name}-{role}")
    for name, (_url, roles) in PAGES.items()
    for role in roles
]

#: every id that more than one element carries, every aria-invalid that is not "true" and
#: every element with autofocus
MARKUP_CHECKS = """
() => {
  const seen = new Map();
  for (const el of document.querySelectorAll("[id]")) {
    seen.set(el.id, (seen.get(el.id) || 0) + 1);
  }
  const duplicates = [...seen].filter(([, n]) => n > 1).map(([id, n]) => `${id} (${n}x)`);
  const invalid = [...document.querySelectorAll("[aria-invalid]")]
    .filter((el) => el.getAttribute("aria-invalid") !== "true")
    .map((el) => `${el.id || el.name}: aria-invalid="${el.getAttribute("aria-invalid")}"`);
  const autofocus = [...document.querySelectorAll("[autofocus]")].map((el) => el.id || el.name);
  return { duplicates, invalid, autofocus };
}
"""


def _where(node: dict[str, Any]) -> str:
    """An element as axe found it: its selector, then the start of its markup."""
    selector = " ".join(str(part) for part in node["target"])
    html = " ".join(node.get("html", "").split())
    return f"{selector}  {html[:120]}"


def _describe(violation: dict[str, Any], places: list[str]) -> str:
    more = f"\n    (+{len(places) - 3} more)" if len(places) > 3 else ""
    return (
        f"- {violation['id']} ({violation['impact']}): {violation['help']}\n"
        f"    {violation['helpUrl']}\n    on: " + "\n        ".join(places[:3]) + more
    )


#: fold open every <details> (forms wait in them: add a member, a remark, a paper), so that
#: axe, which skips what is not rendered, sees them too; the main menu is one as well
OPEN_DETAILS = "() => { for (const d of document.querySelectorAll('details')) d.open = true; }"


def check_page(page: Page, label: str) -> None:
    """Run axe on the page with its folded parts open; fail with what a developer needs to
    fix it."""
    page.evaluate(OPEN_DETAILS)
    response = AXE.run(page).response
    problems = []
    for violation in response["violations"]:
        if violation["impact"] not in FAILING_IMPACTS:
            continue
        problems.append(_describe(violation, [_where(node) for node in violation["nodes"]]))
    markup = page.evaluate(MARKUP_CHECKS)
    if markup["duplicates"]:
        problems.append("- duplicate ids: " + ", ".join(markup["duplicates"]))
    if markup["invalid"]:
        problems.append('- aria-invalid other than "true": ' + ", ".join(markup["invalid"]))
    if len(markup["autofocus"]) > 1:  # the browser focuses one: where the keyboard starts
        problems.append("- more than one autofocus: " + ", ".join(markup["autofocus"]))
    assert not problems, f"{label} ({page.url}):\n" + "\n".join(problems)


def _login(page: Page, base: str, role: str) -> None:
    if role == "anonymous":
        return
    email, name = (ADMIN, "Rita Regisseur") if role == "admin" else (MEMBER, "Mia Lid")
    browser_login(page, base, email, DEMO_PASSWORD)
    expect(page.get_by_role("heading", name=f"Dag {name}")).to_be_visible()


@pytest.mark.parametrize(("name", "role"), CASES)
def test_page_has_no_serious_violations(page, live_server, app, name, role):
    """Each page as each role sees it: wide, then at a phone's width (another layout)."""
    site = _seed(app)
    _login(page, live_server, role)
    url, _roles = PAGES[name]
    response = page.goto(live_server + url(site))
    assert response is not None
    assert response.status == 200, f"{name}: {response.status}"
    check_page(page, f"{name} as {role}")
    page.set_viewport_size(PHONE)
    page.reload()
    check_page(page, f"{name} as {role}, on a phone")


# --- forms re-rendered with their errors ------------------------------------------------------


def _invalid_fields(page: Page, form: str) -> list[str]:
    return page.locator(f"{form} [aria-invalid]").evaluate_all(
        "els => els.map((el) => el.id + '=' + el.getAttribute('aria-invalid'))"
    )


def test_profile_with_an_error(page, live_server, app):
    """Two forms with a field ``name`` on one page: the error is tied to the right one."""
    _seed(app)
    _login(page, live_server, "member")
    page.goto(f"{live_server}/profile")
    details = page.locator("form[action$='/profile']")
    details.get_by_label("Naam").fill("")
    details.get_by_role("button", name="Bewaren").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    assert _invalid_fields(page, "form[action$='/profile']") == ["name=true"]
    name = details.get_by_label("Naam")
    assert name.get_attribute("aria-describedby") == "name-error"
    expect(name).to_be_focused()  # the keyboard starts at what to fix
    assert page.locator("[aria-invalid]").count() == 1
    check_page(page, "profile with an error")


def test_token_form_with_an_error(page, live_server, app):
    """The second form of the page with an error: its label reaches its own field."""
    _seed(app)
    _login(page, live_server, "member")
    page.goto(f"{live_server}/profile")
    tokens = page.locator("#tokens form").last
    tokens.get_by_role("button", name="Token aanmaken").click()
    field = page.locator("#tokens").get_by_label("Naam van het token")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", "token-name-error")
    expect(field).to_be_focused()
    assert page.locator("[aria-invalid]").count() == 1  # the details form is fine
    check_page(page, "profile, token form with an error")


def test_plan_import_with_a_wrong_file(page, live_server, app, tmp_path):
    """The upload field: no aria-invalid at first ("None" was rendered), "true" after."""
    _seed(app)
    _login(page, live_server, "admin")
    page.goto(f"{live_server}/plan/import")
    field = page.get_by_label("Bestand met het actieplan")
    assert field.get_attribute("aria-invalid") is None
    check_page(page, "plan import")
    wrong = tmp_path / "plan.tsv"
    wrong.write_text("geen\tactieplan\n", encoding="utf-8")
    field.set_input_files(str(wrong))
    page.get_by_role("button", name="Wijzigingen tonen").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_label("Bestand met het actieplan")).to_have_attribute("aria-invalid", "true")
    check_page(page, "plan import with a wrong file")


def test_attach_document_with_errors(page, live_server, app):
    """The drop zone's form, fresh and with the server's refusal of an address."""
    site = _seed(app)
    _login(page, live_server, "admin")
    page.goto(f"{live_server}/documents/new/meeting/{site.av_next}")
    check_page(page, "attach a document")
    # a valid address for the browser, refused by the server (http and https only)
    page.get_by_label("Of een link naar een stuk dat elders staat").fill("ftp://ftp.example.org/a")
    page.get_by_role("button", name="Toevoegen").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    assert _invalid_fields(page, "form.doc-attach-full") == ["url=true"]
    expect(page.get_by_label("Of een link naar een stuk dat elders staat")).to_be_focused()
    check_page(page, "attach a document with errors")
