"""Browser: an invitee accepts in Outlook, the mail reaches the inbound mailbox (a real
Dovecot), the scheduler's poll (``rosemeet fetch-replies``) reads it, and the secretary sees
the answer on the meeting page, marked "via agenda"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from rosemeet.extensions import db
from rosemeet.mail.cli import fetch_replies_command
from rosemeet.meetings import operations as meetings
from rosemeet.network.models import BodyKind, Role
from tests.conftest import PASSWORD, browser_login, brussels
from tests.meetings.test_calendar_replies_imap import answer_as_outlook, invitation_of

pytestmark = pytest.mark.browser


def test_the_secretary_sees_an_answer_that_came_in_by_mail(
    app, page, live_server, mailbox, ctx, make_person, make_body
):
    sara = make_person("Sara Secretaris", email="sara@rose.example.org", password=PASSWORD)
    vera = make_person("Vera VDAB", email="vera@vdab.example.be")
    body = make_body(
        "Actiegroep ROSE",
        code="AG",
        kind=BodyKind.ACTION_GROUP,
        members={sara: Role.SECRETARY, vera: Role.MEMBER},
    )
    body.mailbox = "actiegroep@rose.example.org"
    starts = brussels(2027, 3, 9)
    meeting = meetings.create_meeting(
        [body], starts_at=starts, ends_at=starts + timedelta(hours=2), location="W13, Kortrijk"
    )
    db.session.commit()
    mailbox.append(answer_as_outlook(invitation_of(vera), vera.email, "ACCEPTED"))
    meeting_id = meeting.id
    db.session.remove()

    outcome = app.test_cli_runner().invoke(fetch_replies_command)
    assert outcome.exit_code == 0 and "1 applied" in outcome.output
    db.session.remove()  # the command ran in this test's app context: end its transaction

    browser_login(page, live_server, "sara@rose.example.org")
    page.goto(f"{live_server}/meetings/{meeting_id}")
    row = page.get_by_role("row", name="Vera VDAB")
    expect(row).to_contain_text("Komt")
    expect(row).to_contain_text("via agenda")
