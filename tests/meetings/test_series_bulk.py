"""A long series is planned in one go: its invitations and agendas are written in bulk, the
statements do not grow with the number of invitees, and the messages are those of notify()."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import delete, event, func, select

from rosemeet.agendas import operations as agendas
from rosemeet.agendas.models import Agenda, AgendaItem
from rosemeet.extensions import db
from rosemeet.mail.models import OutboxMessage
from rosemeet.meetings import operations as ops
from rosemeet.network.models import Role
from tests.conftest import PASSWORD, brussels

WEEKLY_10 = "FREQ=WEEKLY;BYDAY=TU;COUNT=10"


class Statements:
    """Counts the SQL statements sent while it is active."""

    def __init__(self):
        self.count = 0

    def __call__(self, *_args):
        self.count += 1

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *_exc):
        event.remove(db.engine, "before_cursor_execute", self)


def body_of(make_body, make_person, size: int, code: str):
    """A body with a secretary and ``size - 1`` members."""
    members = {make_person(f"Secretaris {code}"): Role.SECRETARY}
    for n in range(1, size):
        members[make_person(f"Lid {code} {n:02}")] = Role.MEMBER
    return make_body(f"Werkgroep {code}", code=code, members=members)


def test_statements_do_not_grow_with_the_number_of_invitees(make_body, make_person, make_series):
    small = body_of(make_body, make_person, 3, "KL")
    big = body_of(make_body, make_person, 23, "GR")
    with Statements() as few:
        _series, small_meetings = make_series(small, rrule=WEEKLY_10)
    with Statements() as many:
        _series, big_meetings = make_series(big, rrule=WEEKLY_10)
    assert len(small_meetings) == len(big_meetings) == 10
    outbox = db.session.scalar(select(func.count(OutboxMessage.id)))
    assert outbox == 10 * 3 + 10 * 23  # every invitee of every meeting has an invitation
    # 20 more invitees cost a few statements (their rows are read once), not 20 per meeting
    assert many.count - few.count <= 3 * 20, (few.count, many.count)


def test_a_series_of_77_weekly_meetings_for_30_members_stays_within_a_budget(
    make_body, make_person, make_series
):
    body = body_of(make_body, make_person, 30, "LN")
    with Statements() as statements:
        _series, meetings = make_series(
            body, rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=77", first_date=date(2026, 12, 1)
        )
    assert len(meetings) == 77
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 77 * 30
    assert db.session.scalar(select(func.count(Agenda.meeting_id))) == 77
    assert db.session.scalar(select(func.count(AgendaItem.id))) == 77 * 3
    # before: about 25,000 statements (ten or more per invitation); now mostly the agendas'
    # search documents, a few per standard item
    assert statements.count < 2_500, statements.count


def _rows() -> list[dict]:
    """The outbox as comparable values: no ids, times or the iCalendar DTSTAMP."""
    skip = {"id", "created_at", "next_attempt_at"}
    rows = []
    for message in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.key)):
        row = {
            c.key: getattr(message, c.key)
            for c in OutboxMessage.__mapper__.column_attrs
            if c.key not in skip
        }
        row["calendar_body"] = re.sub(r"DTSTAMP:[^\r\n]*", "", row["calendar_body"] or "")
        rows.append(row)
    return rows


@pytest.mark.parametrize("published", [False, True])
def test_bulk_invitations_are_the_messages_notify_queues(
    make_body, make_person, make_meeting, published
):
    english = make_person("Chris Voorzitter", locale="en")
    ag = make_body(
        "Actiegroep ROSE",
        code="AG",
        members={
            make_person("Rita Regisseur", password=PASSWORD): Role.SECRETARY,
            english: Role.CHAIR,
            make_person("Pieter Zonder Mail", email=None): Role.MEMBER,
        },
    )
    lde = make_body("LDE-fabriek", code="LDE", members={english: Role.MEMBER})
    guest = make_person("Gast Extern")
    meeting = make_meeting(
        ag, lde, starts_at=brussels(2027, 3, 9), guests=[guest], notify_new=False
    )
    if published:
        agendas.publish_agenda(meeting)
        db.session.execute(delete(OutboxMessage))
    db.session.flush()

    savepoint = db.session.begin_nested()
    assert ops.notify(meeting, "invite") == 3
    one_by_one = _rows()
    savepoint.rollback()
    assert _rows() == []

    assert ops.queue_invitations([meeting]) == 3
    in_bulk = _rows()
    assert in_bulk == one_by_one
    assert {r["to_name"] for r in in_bulk} == {"Rita Regisseur", "Chris Voorzitter", "Gast Extern"}
    english_mail = next(r for r in in_bulk if r["to_name"] == "Chris Voorzitter")
    assert english_mail["subject"].startswith("Invitation:")
    assert ("Welkom" in english_mail["text_body"]) is published  # the published agenda


def test_planning_again_queues_nothing_twice(make_body, make_person, make_series):
    body = body_of(make_body, make_person, 4, "HR")
    _series, meetings = make_series(body, rrule=WEEKLY_10)
    before = db.session.scalar(select(func.count(OutboxMessage.id)))
    assert ops.queue_invitations(meetings) == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == before == 40


def test_the_series_form_says_planning_can_take_a_moment(ctx, client, auth, admin, make_body):
    body = make_body("Actiegroep ROSE", code="AG", members={admin: Role.SECRETARY})
    db.session.commit()
    auth.login(admin.email)
    html = client.get(f"/bodies/{body.id}/series/new").get_data(as_text=True)
    assert "kan enkele seconden duren" in html
    assert 'data-busy-label="De vergaderingen worden gepland…"' in html
