"""Meetings for the calendar tests."""

from datetime import timedelta

import pytest

from rosemeet.meetings import operations as meetings
from tests.conftest import brussels


@pytest.fixture
def make_meeting(app):
    """``make_meeting([body], 2027, 3, 9, hour=14)``: a two-hour one-off meeting, Brussels time."""

    def make(bodies, year, month, day, hour=14, minutes=120, **fields):
        fields.setdefault("location", "W13, Doorniksesteenweg 216, Kortrijk")
        start = brussels(year, month, day, hour)
        end = start + timedelta(minutes=minutes)
        return meetings.create_meeting(bodies, starts_at=start, ends_at=end, **fields)

    return make
