"""Follow-up fixtures: a frozen "now", the Actiegroep and the ROA (which reports back to it),
their meetings, a mobility action of the plan, and factories for items and follow-ups."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event

from rosemeet.agendas import operations as agendas
from rosemeet.extensions import db
from rosemeet.followups import operations as ops
from rosemeet.meetings import operations as meetings
from rosemeet.network import operations as network
from rosemeet.network.models import BodyKind, RelationKind, Role
from rosemeet.plan.importer import HeadingKind
from rosemeet.plan.models import PlanAction, PlanHeading
from tests.conftest import PASSWORD, brussels
from tests.plan.conftest import plan_period

#: the moment the follow-up tests run in: Thursday 26 November 2026, 13:00 in Brussels
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 26)


@pytest.fixture(autouse=True)
def frozen_now(time_machine):
    """Stop the clock at NOW for every test of the follow-ups."""
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def during(time_machine):
    """``during(meeting)``: move the frozen clock to half an hour after the meeting began
    (a follow-up is closed only in a meeting that has started)."""

    def move(meeting, minutes=30):
        time_machine.move_to(meeting.starts_at + timedelta(minutes=minutes), tick=False)

    return move


class Network:
    """The people, bodies, meetings and the action of the follow-up tests."""


@pytest.fixture
def rose(ctx, make_person, make_body, make_organisation):
    """Actiegroep (secretary Sara, member Mo) and ROA (secretary Roel, member Mo); the ROA
    reports back to the Actiegroep. Olga is in neither. Meetings: AG 9/3 and 11/5/2027,
    ROA 1/4 and 3/6/2027; a mobility action of the plan."""
    n = Network()
    n.w13 = make_organisation("Intercommunale W13", abbreviation="W13")
    n.secretary = make_person("Sara Secretaris", email="sara@rose.example.org", password=PASSWORD)
    n.member = make_person("Mo Lid", email="mo@rose.example.org", password=PASSWORD)
    n.member.organisation = n.w13
    n.roa_secretary = make_person("Roel ROA", email="roel@rose.example.org", password=PASSWORD)
    n.outsider = make_person("Olga Buiten", email="olga@rose.example.org", password=PASSWORD)
    n.ag = make_body(
        "Actiegroep ROSE",
        code="AG",
        kind=BodyKind.ACTION_GROUP,
        members={n.secretary: Role.SECRETARY, n.member: Role.MEMBER},
    )
    n.roa = make_body(
        "Regionaal Overleg Activering",
        code="ROA",
        kind=BodyKind.COUNCIL,
        members={n.roa_secretary: Role.SECRETARY, n.member: Role.MEMBER},
    )
    n.lde = make_body("LDE-fabriek", code="LDE")
    network.add_relation(n.roa, n.ag, RelationKind.REPORTS_TO)
    n.ag_march = make_meeting_at(n.ag, brussels(2027, 3, 9))
    n.ag_may = make_meeting_at(n.ag, brussels(2027, 5, 11))
    n.roa_april = make_meeting_at(n.roa, brussels(2027, 4, 1, 13, 30))
    n.roa_june = make_meeting_at(n.roa, brussels(2027, 6, 3, 13, 30))
    n.lde_april = make_meeting_at(n.lde, brussels(2027, 4, 15, 10))
    n.action = make_action("Fietsdeelsysteem voor doelgroepmedewerkers uitrollen")
    return n


def make_meeting_at(body, starts_at, minutes=120):
    """A one-off meeting of a body."""
    return meetings.create_meeting(
        [body], starts_at=starts_at, ends_at=starts_at + timedelta(minutes=minutes), location="W13"
    )


_counter = iter(range(1, 1_000_000))


def make_action(title: str) -> PlanAction:
    """A plan action under an objective about mobility."""
    number = next(_counter)
    heading = PlanHeading(
        plan=plan_period(),
        key=f"fu-h-{number}",
        kind=HeadingKind.OBJECTIVE,
        number="2.1",
        title="Mobiliteit van, naar en tijdens het werk van doelgroepmedewerkers",
        level=2,
        position=number,
    )
    action = PlanAction(
        plan=heading.plan, key=f"fu-a-{number}", heading=heading, title=title, position=number
    )
    db.session.add_all([heading, action])
    db.session.flush()
    return action


@pytest.fixture
def make_item(ctx):
    """Factory: ``make_item(meeting, "title", actions=[...])`` -> AgendaItem."""

    def make(meeting, title="Mobiliteit: fietsen", **fields):
        return agendas.add_item(meeting, title=title, **fields)

    return make


@pytest.fixture
def make_follow_up(ctx, make_item):
    """Factory: ``make_follow_up(meeting, "title", report_to_body=..., due_on=...)``."""

    def make(meeting, title="Offerte fietsen opvragen", item=None, **fields):
        item = item or make_item(meeting)
        return ops.create_follow_up(item, title=title, **fields)

    return make


class QueryCounter:
    """Counts the SQL statements run while active."""

    def __init__(self):
        self.count = 0

    def __call__(self, *args, **kwargs):
        self.count += 1


@pytest.fixture
def count_queries(app):
    """``with count_queries() as counter: ...``; ``counter.count`` statements ran."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        counter = QueryCounter()
        engine = db.engine
        event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", counter)

    return counting
