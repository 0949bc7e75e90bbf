"""Agenda fixtures: a frozen "now", the Actiegroep that prepares the AV, meetings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rosemeet.meetings import operations as meetings
from rosemeet.network import operations as network
from rosemeet.network.models import BodyKind, RelationKind, Role
from tests.conftest import PASSWORD, brussels

#: the moment the agenda tests run in: Thursday 26 November 2026, 13:00 in Brussels
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_now(time_machine):
    """Stop the clock at NOW for every test of the agendas."""
    time_machine.move_to(NOW, tick=False)
    return NOW


class Network:
    """The people and bodies of the agenda tests."""


@pytest.fixture
def rose(ctx, make_person, make_body):
    """Actiegroep (secretary Sara, member Mo) prepares the AV (secretary Vera); Olga is
    outside both."""
    n = Network()
    n.secretary = make_person("Sara Secretaris", email="sara@rose.example.org", password=PASSWORD)
    n.member = make_person("Mo Lid", email="mo@rose.example.org", password=PASSWORD)
    n.av_secretary = make_person("Vera AV", email="vera@rose.example.org", password=PASSWORD)
    n.outsider = make_person("Olga Buiten", email="olga@rose.example.org", password=PASSWORD)
    n.ag = make_body(
        "Actiegroep ROSE",
        code="AG",
        kind=BodyKind.ACTION_GROUP,
        members={n.secretary: Role.SECRETARY, n.member: Role.MEMBER},
    )
    n.av = make_body(
        "Algemene vergadering",
        code="AV",
        kind=BodyKind.GENERAL_ASSEMBLY,
        members={n.av_secretary: Role.SECRETARY, n.member: Role.MEMBER},
    )
    network.add_relation(n.ag, n.av, RelationKind.PREPARES)
    return n


@pytest.fixture
def make_meeting(ctx):
    """Factory: ``make_meeting(body, starts_at=brussels(2027, 3, 9))`` (no invitation mail)."""

    def make(*bodies, starts_at=None, minutes=120, **fields):
        starts_at = starts_at or brussels(2027, 3, 9)
        return meetings.create_meeting(
            list(bodies),
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            location="W13, Kortrijk",
            notify_new=False,
            **fields,
        )

    return make


@pytest.fixture
def make_action(ctx):
    """Factory: a plan action under a heading "2.1" (``make_action("Mobiliteit ...")``)."""
    from rosemeet.extensions import db
    from rosemeet.plan.importer import HeadingKind
    from rosemeet.plan.models import PlanAction, PlanHeading
    from tests.plan.conftest import plan_period

    counter = iter(range(1, 10_000))

    def make(title: str, number: str = "2.1"):
        n = next(counter)
        heading = PlanHeading(
            plan=plan_period(),
            key=f"h-test-{n}",
            kind=HeadingKind.OBJECTIVE,
            number=number,
            title="Doel",
            level=2,
            position=n,
        )
        action = PlanAction(
            plan=heading.plan, key=f"a-test-{n}", heading=heading, title=title, position=n
        )
        db.session.add_all([heading, action])
        db.session.flush()
        return action

    return make
