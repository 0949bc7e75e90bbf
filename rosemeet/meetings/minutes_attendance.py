"""The attendance at the top of a meeting's minutes: who was present, excused and absent, and
the quorum of each body, for ``meetings/_minutes_attendance.html`` (the "minutes-top" slot of
the minutes page)."""

from __future__ import annotations

from typing import Any

from rosemeet.accounts.models import Person
from rosemeet.meetings import queries
from rosemeet.meetings.models import Meeting, Presence


def attendance_groups(meeting: Meeting) -> dict[Presence, list[Person]]:
    """The invitees per recorded presence (present, excused, absent), by name."""
    groups: dict[Presence, list[Person]] = {p: [] for p in Presence}
    for row in queries.attendance_rows(meeting):
        if row.attendance is not None and row.attendance.presence is not None:
            groups[row.attendance.presence].append(row.person)
    return groups


def minutes_attendance(meeting: Meeting) -> dict[str, Any]:
    """What the top of the minutes shows: the groups, whether any presence is recorded, and
    the quorum per body."""
    groups = attendance_groups(meeting)
    return {
        "groups": groups,
        "recorded": any(groups.values()),
        "quorum": queries.quorum_results(meeting),
    }


def attendance_helpers() -> dict[str, Any]:
    """``minutes_attendance(meeting)`` for ``meetings/_minutes_attendance.html``."""
    return {"minutes_attendance": minutes_attendance}
