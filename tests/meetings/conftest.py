"""Meeting fixtures: a frozen "now" (26 November 2026) and factories for series and meetings."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from rosemeet.meetings import operations as ops
from rosemeet.network.models import Role
from tests.conftest import PASSWORD, brussels

#: the moment the meeting tests run in: Thursday 26 November 2026, 13:00 in Brussels
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 26)


@pytest.fixture(autouse=True)
def frozen_now(time_machine):
    """Stop the clock at NOW for every test of the meetings, so the tests never go stale."""
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def make_series(ctx):
    """Factory: ``make_series(body, rrule=..., first_date=...)`` -> (series, meetings)."""

    def make(
        *bodies,
        rrule: str = "FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU;UNTIL=20271231",
        first_date: date = date(2027, 1, 1),
        start_time: time = time(14, 0),
        duration_minutes: int = 120,
        today: date = TODAY,
        location: str | None = "W13, Kortrijk",
        **fields,
    ):
        settings = ops.SeriesSettings(
            rrule=rrule,
            first_date=first_date,
            start_time=start_time,
            duration_minutes=duration_minutes,
            location=location,
            **fields,
        )
        return ops.create_series(list(bodies), settings, today=today)

    return make


@pytest.fixture
def make_meeting(ctx):
    """Factory: ``make_meeting(body, other_body, starts_at=brussels(2027, 3, 9))`` -> Meeting."""

    def make(*bodies, starts_at: datetime | None = None, minutes: int = 120, **fields):
        starts_at = starts_at or brussels(2027, 3, 9)
        fields.setdefault("location", "W13, Kortrijk")
        return ops.create_meeting(
            list(bodies),
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            **fields,
        )

    return make


@pytest.fixture
def team(ctx, admin, make_person, make_body):
    """The Actiegroep (closed) with Rita as secretary, Mia as member, and an outsider."""
    mia = make_person("Mia Lid", password=PASSWORD)
    outsider = make_person("Otto Buiten", password=PASSWORD)
    ag = make_body(
        "Actiegroep ROSE",
        code="AG",
        members={admin: Role.SECRETARY, mia: Role.MEMBER},
        default_location="W13, Kortrijk",
    )
    return {"admin": admin, "mia": mia, "outsider": outsider, "ag": ag}


SERIES_FORM = {
    "title": "",
    "starts_on": "2027-01-01",
    "start_time": "14:00",
    "duration_minutes": "120",
    "timezone": "Europe/Brussels",
    "preset": "monthly",
    "interval": "2",
    "week": "2",
    "weekday": "1",
    "end": "until",
    "until": "2027-12-31",
    "location": "W13, Kortrijk",
    "invite_roles": ["chair", "secretary", "member", "observer"],
}
