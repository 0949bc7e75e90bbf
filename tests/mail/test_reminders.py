"""Reminders: due ones are queued once, in the person's language, unless switched off."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from rosemeet.core.errors import Refused
from rosemeet.extensions import db
from rosemeet.mail.models import OutboxMessage
from rosemeet.mail.reminders import opted_out, queue_due_reminders, set_preferences
from rosemeet.network.models import BodyKind, Role
from tests.conftest import PASSWORD

#: the kinds the domains register (stored opt-outs name them: they must stay)
KINDS = ["adhoc_end", "agenda", "minutes", "followup_due", "followup_overdue", "digest"]


def reminders(kind: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == f"reminder_{kind}"))
    )


def test_an_ending_adhoc_group_warns_its_chair_and_the_admins_once(
    ctx, make_person, make_body, admin
):
    chair = make_person("Lotte", locale="en")
    member = make_person("Mia")
    make_body(
        "Werkgroep RASE",
        code="RASE",
        kind=BodyKind.ADHOC,
        starts_on=date(2027, 1, 1),
        ends_on=date(2027, 6, 30),
        members={chair: Role.CHAIR, member: Role.MEMBER},
    )
    assert queue_due_reminders(date(2027, 5, 1)) == 0  # two months ahead: not yet
    assert queue_due_reminders(date(2027, 6, 10)) == 2
    assert queue_due_reminders(date(2027, 6, 11)) == 0  # never twice
    by_person = {m.person_id: m for m in reminders("adhoc_end")}
    assert set(by_person) == {chair.id, admin.id}
    assert by_person[chair.id].subject == "Werkgroep RASE ends soon"
    assert "30 juni 2027" in by_person[admin.id].text_body
    assert "/bodies/" in by_person[admin.id].text_body


def test_a_switched_off_reminder_is_not_sent(ctx, make_person, make_body, admin):
    set_preferences(admin, [k for k in KINDS if k != "adhoc_end"])
    make_body(kind=BodyKind.ADHOC, ends_on=date(2027, 6, 30))
    assert queue_due_reminders(date(2027, 6, 10)) == 0


def test_weekly_digest_on_mondays_only(ctx, admin):
    assert queue_due_reminders(date(2027, 3, 2)) == 0  # a Tuesday
    assert queue_due_reminders(date(2027, 3, 1)) == 1  # a Monday
    assert queue_due_reminders(date(2027, 3, 1)) == 0
    (digest,) = reminders("digest")
    assert digest.to_email == admin.email
    assert "Vergaderingen in de komende twee weken" in digest.text_body


def test_reminder_settings_page(ctx, client, auth, make_person):
    person = make_person(password=PASSWORD)
    db.session.commit()
    auth.login(person.email)
    page = client.get("/profile/reminders").get_data(as_text=True)
    assert page.count("checked") == len(KINDS)
    assert "Wekelijks overzicht (beheerders)" in page  # each domain's label, translated
    assert "Het geplande einde van een ad-hocwerkgroep nadert" in page
    kept = [k for k in KINDS if k != "digest"]
    response = client.post("/profile/reminders", data={"kinds": kept})
    assert response.status_code == 302
    page = client.get("/profile/reminders").get_data(as_text=True)
    assert page.count("checked") == len(KINDS) - 1
    digest = re.search(
        r'<input (checked )?id="kinds-\d" name="kinds" type="checkbox" value="digest"', page
    )
    assert digest and digest.group(1) is None  # the digest is the one switched off


def test_a_kind_no_domain_registered_is_refused(ctx, admin):
    with pytest.raises(Refused) as refused:
        set_preferences(admin, ["agenda", "horoscope"])
    assert refused.value.field == "kinds"
    assert opted_out(admin.id) == set()  # nothing stored
