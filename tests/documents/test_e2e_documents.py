"""Browser: the secretary drops a PDF on an agenda item; a member finds it on the meeting's
papers and downloads it, at phone width; an outsider cannot."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from playwright.sync_api import expect

from rosemeet.extensions import db
from tests.conftest import browser_login, browser_logout

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

DROP = """
([selector, data, name]) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type: "application/pdf" }));
  const target = document.querySelector(selector);
  for (const type of ["dragenter", "dragover", "drop"]) {
    const init = { bubbles: true, cancelable: true, dataTransfer: transfer };
    target.dispatchEvent(new DragEvent(type, init));
  }
}
"""


def test_a_pdf_dropped_on_an_item_is_downloaded_by_a_member(page, live_server, ag, pdf_bytes):
    secretary, member, outsider = ag.secretary.email, ag.member.email, ag.outsider.email
    meeting_id, item_id = ag.meeting.id, ag.item.id
    db.session.remove()  # the server's requests write: this test holds no transaction open
    browser_login(page, live_server, secretary)
    page.goto(f"{live_server}/meetings/{meeting_id}/agenda")
    box = f"#item-{item_id} form.doc-attach"
    expect(page.locator(box)).to_be_visible()
    page.evaluate(DROP, [box, base64.b64encode(pdf_bytes).decode(), "Aanbod VDAB 2027.pdf"])
    expect(page.get_by_text("1 document toegevoegd.")).to_be_visible()
    item = page.locator(f"#item-{item_id}")
    expect(item.get_by_role("link", name="Aanbod VDAB 2027", exact=True)).to_be_visible()
    browser_logout(page)

    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, live_server, member)
    page.goto(f"{live_server}/meetings/{meeting_id}")
    papers = page.locator("#papers")
    expect(papers.get_by_role("link", name="Aanbod VDAB 2027", exact=True)).to_be_visible()
    expect(papers.get_by_role("button", name="Alle stukken downloaden (ZIP)")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "documents-meeting-papers-390.png"), full_page=True)
    # the papers wrap inside their box (the page's navigation is the mobile issue's work)
    assert papers.evaluate("e => e.scrollWidth <= e.clientWidth")
    href = papers.get_by_role("link", name="Aanbod VDAB 2027", exact=True).get_attribute("href")
    response = page.request.get(f"{live_server}{href}")
    assert response.status == 200
    assert response.body() == pdf_bytes
    assert response.headers["content-type"] == "application/pdf"
    browser_logout(page)

    browser_login(page, live_server, outsider)
    assert page.request.get(f"{live_server}{href}").status == 404
