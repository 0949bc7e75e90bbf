"""One language style for days (issue 15): a follow-up page and the regisseur's digest show a
day as Babel's medium date in the reader's language, never a hand-made dd/mm/yyyy."""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from rosemeet.core.i18n import babel_locale
from rosemeet.extensions import db
from rosemeet.followups import digest
from rosemeet.mail.models import OutboxMessage
from rosemeet.mail.reminders import queue_due_reminders

#: the due date, and a Monday after it on which the digest lists the follow-up as overdue
DUE = date(2027, 1, 12)
DIGEST_DAY = date(2027, 1, 18)


@pytest.fixture
def overdue(rose, make_follow_up):
    """A follow-up of the Actiegroep meeting of 9 March 2027, owned by Mo, due 12 Jan 2027."""
    follow_up = make_follow_up(
        rose.ag_march, "Offerte fietsen opvragen", owner_person=rose.member, due_on=DUE
    )
    db.session.commit()
    return follow_up


def test_dutch_pages_and_digest_show_the_medium_date(rose, overdue, client, auth):
    auth.login(rose.member.email)
    html = client.get(f"/follow-ups/{overdue.id}").get_data(as_text=True)
    assert "<dd>12 jan 2027</dd>" in html  # the due date
    assert "uit Actiegroep ROSE 9 mrt 2027" in html  # where it was raised
    assert "12/01/2027" not in html and "09/03/2027" not in html
    (section,) = digest.digest_sections(DIGEST_DAY)
    assert section["lines"] == ["AG: Offerte fietsen opvragen (Mo Lid (W13), tegen 12 jan 2027)"]


def test_english_pages_and_digest_show_the_british_medium_date(rose, overdue, client, auth):
    rose.member.locale = "en"
    db.session.commit()
    auth.login(rose.member.email)
    html = client.get(f"/follow-ups/{overdue.id}").get_data(as_text=True)
    assert "<dd>12 Jan 2027</dd>" in html
    assert "from Actiegroep ROSE 9 Mar 2027" in html
    with force_locale(babel_locale("en")):  # as the mails are rendered for a person in English
        (section,) = digest.digest_sections(DIGEST_DAY)
    assert section["lines"] == ["AG: Offerte fietsen opvragen (Mo Lid (W13), due 12 Jan 2027)"]


def test_each_administrator_gets_the_digest_lines_in_their_own_language(rose, overdue, make_person):
    dutch = make_person("Rita Regisseur", admin=True)
    english = make_person("Eva Admin", admin=True, locale="en")
    assert queue_due_reminders(DIGEST_DAY) >= 2
    digests = {
        m.person_id: m.text_body
        for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "reminder_digest")
        )
    }
    assert "Offerte fietsen opvragen (Mo Lid (W13), tegen 12 jan 2027)" in digests[dutch.id]
    assert "Offerte fietsen opvragen (Mo Lid (W13), due 12 Jan 2027)" in digests[english.id]
