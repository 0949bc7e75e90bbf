"""Demo meeting cycles of the ROSE bodies (called by rosemeet.demo after the network exists)."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select

from rosemeet.core.time import LOCAL_TZ, local_today
from rosemeet.extensions import db
from rosemeet.meetings import operations as ops
from rosemeet.meetings.models import QuorumBasis
from rosemeet.network.models import Body

#: code, rrule, first date, start time, minutes, location (None: the body's usual place)
SERIES = [
    ("AV", "FREQ=YEARLY;BYMONTH=3,6,10;BYDAY=3WE", date(2026, 1, 1), time(9, 30), 150, None),
    ("AG", "FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU", date(2026, 1, 1), time(14, 0), 120, None),
    (
        "LDE",
        "FREQ=MONTHLY;INTERVAL=2;BYDAY=3TH",
        date(2026, 2, 1),
        time(10, 0),
        120,
        "W13, Kortrijk",
    ),
    ("AZ", "FREQ=MONTHLY;INTERVAL=2;BYDAY=3TU", date(2026, 2, 1), time(10, 0), 120, "STAM, Menen"),
    ("ROA", "FREQ=MONTHLY;INTERVAL=2;BYDAY=1TH", date(2026, 1, 1), time(13, 30), 120, None),
    ("LN", "FREQ=MONTHLY;BYDAY=-1TH", date(2026, 1, 1), time(9, 0), 120, "VDAB Kortrijk"),
    ("RLZ", "FREQ=MONTHLY;BYDAY=1MO", date(2025, 9, 1), time(14, 0), 90, "W13, Kortrijk"),
]


def load_demo() -> None:
    """Add the cycles, a yearly joint ROA + Actiegroep meeting and quorum rules (no mail)."""
    bodies = {b.code: b for b in db.session.scalars(select(Body))}
    today = local_today()
    for code, rule, first, clock, minutes, location in SERIES:
        if code not in bodies:
            continue
        ops.create_series(
            [bodies[code]],
            ops.SeriesSettings(
                rrule=rule,
                first_date=first,
                start_time=clock,
                duration_minutes=minutes,
                location=location,
                online_url="https://meet.example.org/rose-" + code.lower()
                if code in ("LN", "RLZ")
                else None,
            ),
            today=today,
            notify_new=False,
        )
    if "ROA" in bodies and "AG" in bodies:
        year = today.year + 1
        ops.create_meeting(
            [bodies["ROA"], bodies["AG"]],
            title="Jaarlijks overleg ROA en Actiegroep",
            starts_at=datetime(year, 5, 20, 14, 0, tzinfo=LOCAL_TZ),
            ends_at=datetime(year, 5, 20, 16, 30, tzinfo=LOCAL_TZ),
            location="W13, Doorniksesteenweg 216, 8500 Kortrijk",
            notify_new=False,
        )
    if "AV" in bodies:
        ops.set_quorum_rule(bodies["AV"], QuorumBasis.ORGANISATIONS, 50)
    if "AG" in bodies:
        ops.set_quorum_rule(bodies["AG"], QuorumBasis.MEMBERS, 50)
    db.session.flush()
