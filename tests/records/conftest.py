"""Record fixtures: the Actiegroep (closed) met on Tuesday 12 January 2027, 14:00-16:00, with
minutes, decisions, follow-ups and attendance, approved at its meeting of 9 February."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from rosemeet.agendas import operations as agendas
from rosemeet.extensions import db
from rosemeet.followups import operations as followups
from rosemeet.meetings import operations as meetings
from rosemeet.meetings.models import Presence, QuorumBasis
from rosemeet.network.models import BodyKind, Role
from tests.conftest import PASSWORD, brussels

#: the moment the record tests run in: Wednesday 10 February 2027, 11:00 in Brussels
NOW = datetime(2027, 2, 10, 10, 0, tzinfo=UTC)

MINUTES_4 = "We kopen **10 deelfietsen** en *twee* laadpalen.\n\n- offerte A\n- offerte B"
MINUTES_6 = "## Verloop\n\nZie [de nota](https://rose.example.org/nota).\n\n1. eerst\n2. dan"


@pytest.fixture(autouse=True)
def frozen_now(time_machine):
    """Stop the clock at NOW for every test of the records."""
    time_machine.move_to(NOW, tick=False)
    return NOW


class Network:
    """The people, the body and the meetings of the record tests."""


@pytest.fixture
def rose(ctx, make_person, make_body, make_organisation):
    """A closed Actiegroep (secretary Sara, members Mo and Ann, observer-free) with a quorum
    of half its members; Olga is outside. Two meetings: 12/1/2027 (minutes approved in the
    second, 9/2/2027)."""
    n = Network()
    w13 = make_organisation("Intercommunale W13", abbreviation="W13")
    n.secretary = make_person("Sara Secretaris", email="sara@rose.example.org", password=PASSWORD)
    n.member = make_person("Mo Lid", email="mo@rose.example.org", password=PASSWORD)
    n.member.organisation = w13
    n.other = make_person("Ann Ander", email="ann@rose.example.org", password=PASSWORD)
    n.outsider = make_person("Olga Buiten", email="olga@rose.example.org", password=PASSWORD)
    n.english = make_person(
        "Eve English", email="eve@rose.example.org", password=PASSWORD, locale="en"
    )
    n.ag = make_body(
        "Actiegroep ROSE",
        code="AG",
        kind=BodyKind.ACTION_GROUP,
        members={
            n.secretary: Role.SECRETARY,
            n.member: Role.MEMBER,
            n.other: Role.MEMBER,
            n.english: Role.MEMBER,
        },
    )
    meetings.set_quorum_rule(n.ag, QuorumBasis.MEMBERS, 50)
    n.january = _meeting(n.ag, brussels(2027, 1, 12))
    n.february = _meeting(n.ag, brussels(2027, 2, 9))
    return n


def _meeting(body, starts_at):
    return meetings.create_meeting(
        [body],
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=120),
        location="W13, Kortrijk",
        notify_new=False,
    )


@pytest.fixture
def held(rose):
    """The January meeting held: items with minutes, two decisions, two follow-ups,
    attendance recorded; its minutes still a draft."""
    m = rose.january
    agendas.ensure_agenda(m)
    rose.bikes = agendas.add_item(m, title="Deelfietsen", description="Voorstel **fietsen**")
    rose.note = agendas.add_item(m, title="Mobiliteitsnota", description="De nota")
    rose.bikes.minutes = MINUTES_4
    rose.note.minutes = MINUTES_6
    rose.decision = followups.record_decision(rose.bikes, "We kopen tien deelfietsen.")
    rose.decision2 = followups.record_decision(rose.note, "De nota wordt goedgekeurd.")
    rose.follow_up = followups.create_follow_up(
        rose.bikes,
        title="Offertes opvragen",
        decision=rose.decision,
        owner_person=rose.member,
        due_on=date(2027, 3, 1),
    )
    meetings.record_presence(m, rose.secretary, Presence.PRESENT)
    meetings.record_presence(m, rose.member, Presence.PRESENT)
    meetings.record_presence(m, rose.other, Presence.EXCUSED)
    meetings.record_presence(m, rose.english, Presence.ABSENT)
    agendas.publish_agenda(m)
    db.session.commit()
    return rose


@pytest.fixture
def approved(held):
    """... and its minutes approved at the February meeting."""
    rose = held
    agendas.send_minutes_for_comment(rose.january)
    agendas.approve_minutes(rose.january, in_meeting=rose.february, by=rose.secretary)
    db.session.commit()
    return rose
