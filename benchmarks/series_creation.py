"""How long does planning a long series take? A weekly series of 77 meetings for a body of 30
members (2,310 invitations), posted through the series form as a planner does it; prints the
seconds and SQL statements of the request, and how many meetings and outbox rows it made.

    .venv/bin/python benchmarks/series_creation.py [--members 30] [--count 77] [--repeat 3]

Set ROSEMEET_BENCH_DATABASE_URL=postgresql://... (or pass --database-url) for PostgreSQL; the
database must be empty (it is migrated and left filled).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import timedelta

from _scratch import scratch_app
from sqlalchemy import event, func, select

from rosemeet.accounts import operations as accounts
from rosemeet.agendas.models import AgendaItem
from rosemeet.core.time import local_today
from rosemeet.extensions import db
from rosemeet.mail.models import OutboxMessage
from rosemeet.meetings.models import Meeting
from rosemeet.network import operations as network
from rosemeet.network.models import BodyKind, Role

PASSWORD = "bench password 1"


def build(round_: int, members: int) -> tuple[int, str]:
    """A body with ``members`` members (one of them its secretary, who plans); its id."""
    secretary = accounts.create_person(
        name=f"Secretaris {round_}", email=f"secretaris{round_}@rose.example.org"
    )
    accounts.set_password(secretary, PASSWORD)
    body = network.save_body(
        None,
        name=f"Lerend netwerk {round_}",
        code=f"LN{round_}",
        kind=BodyKind.WORKING_GROUP,
        default_location="W13, Doorniksesteenweg 216, 8500 Kortrijk",
    )
    network.save_membership(None, body=body, person=secretary, role=Role.SECRETARY)
    for n in range(1, members):
        person = accounts.create_person(
            name=f"Lid {round_}-{n:02}", email=f"lid{round_}-{n}@rose.example.org"
        )
        network.save_membership(None, body=body, person=person, role=Role.MEMBER)
    db.session.commit()
    return body.id, secretary.email


def form(count: int) -> dict:
    """The series form: every week on a Tuesday at 14:00, ``count`` meetings."""
    today = local_today()
    first = today + timedelta(days=(1 - today.weekday()) % 7 or 7)
    return {
        "title": "",
        "starts_on": first.isoformat(),
        "start_time": "14:00",
        "duration_minutes": "120",
        "timezone": "Europe/Brussels",
        "preset": "weekly",
        "interval": "1",
        "week": "1",
        "weekday": "1",
        "end": "count",
        "count": str(count),
        "location": "W13, Kortrijk",
        "invite_roles": ["chair", "secretary", "member", "observer"],
    }


def main() -> None:
    """Plan the series ``--repeat`` times (each for a new body) and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=30)
    parser.add_argument("--count", type=int, default=77)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    if args.database_url:
        os.environ["ROSEMEET_BENCH_DATABASE_URL"] = args.database_url
    with scratch_app() as app:
        app.config["WTF_CSRF_ENABLED"] = False  # the client posts without fetching the form
        print(f"engine: {app.config['SQLALCHEMY_DATABASE_URI'].split(':', 1)[0]}")
        print(f"{'round':>5} {'seconds':>8} {'statements':>11} {'meetings':>9} {'outbox':>7}")
        seconds = []
        for round_ in range(1, args.repeat + 1):
            with app.test_request_context():
                body_id, email = build(round_, args.members)
            client = app.test_client()
            client.post("/login", data={"email": email, "password": PASSWORD})
            statements = []
            with app.app_context():
                engine = db.engine
                before = db.session.scalar(select(func.count(OutboxMessage.id)))

            def count(*_args, statements=statements):
                statements.append(1)

            event.listen(engine, "before_cursor_execute", count)
            begin = time.perf_counter()
            response = client.post(f"/bodies/{body_id}/series/new", data=form(args.count))
            took = time.perf_counter() - begin
            event.remove(engine, "before_cursor_execute", count)
            assert response.status_code == 302, response.get_data(as_text=True)[:2000]
            with app.app_context():
                meetings = db.session.scalar(
                    select(func.count(Meeting.id)).where(Meeting.bodies.any(id=body_id))
                )
                outbox = db.session.scalar(select(func.count(OutboxMessage.id))) - before
                items = db.session.scalar(select(func.count(AgendaItem.id)))
            seconds.append(took)
            print(f"{round_:>5} {took:>8.2f} {len(statements):>11} {meetings:>9} {outbox:>7}")
        print(f"median {statistics.median(seconds):.2f} s; agenda items in all: {items}")


if __name__ == "__main__":
    main()
