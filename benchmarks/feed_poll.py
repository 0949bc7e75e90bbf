"""How much does a calendar application's hourly poll cost? Prints timings and query counts
for a person feed with N meetings: first fetch (rendered), unchanged poll (304), after a change."""

from __future__ import annotations

import statistics
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from _scratch import scratch_app
from sqlalchemy import event

from rosemeet.accounts import operations as accounts
from rosemeet.calendar import operations as feeds
from rosemeet.calendar.models import FeedScope
from rosemeet.extensions import db
from rosemeet.meetings import operations as meetings
from rosemeet.network import operations as network
from rosemeet.network.models import BodyKind, Role

BRUSSELS = ZoneInfo("Europe/Brussels")
SIZES = (10, 100, 400)


def build(n: int) -> str:
    person = accounts.create_person(name="Bench", email=f"bench{n}@rose.example.org")
    body = network.save_body(
        None,
        name=f"Body {n}",
        code=f"B{n}",
        kind=BodyKind.WORKING_GROUP,
        default_location="Kortrijk",
    )
    network.save_membership(None, body=body, person=person, role=Role.MEMBER)
    start = datetime(2027, 1, 5, 14, tzinfo=BRUSSELS)
    for i in range(n):
        begin = start + timedelta(days=3 * i)
        meetings.create_meeting(
            [body], starts_at=begin, ends_at=begin + timedelta(hours=2), notify_new=False
        )
    _feed, token = feeds.create_feed(person, FeedScope.PERSON)
    db.session.commit()
    return f"/feeds/{token}.ics"


def timed(client, url, headers=None, repeat=20):
    samples, statements = [], []

    def count(*_args):
        statements.append(1)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    for _ in range(repeat):
        begin = time.perf_counter()
        response = client.get(url, headers=headers or {})
        samples.append((time.perf_counter() - begin) * 1000)
    event.remove(engine, "before_cursor_execute", count)
    return response, statistics.median(samples), len(statements) / repeat


def main() -> None:
    with scratch_app() as app:
        client = app.test_client()
        print(f"{'meetings':>8} {'first ms':>9} {'304 ms':>8} {'304 queries':>12} {'bytes':>8}")
        for n in SIZES:
            with app.test_request_context():
                url = build(n)
            begin = time.perf_counter()
            first = client.get(url)
            first_ms = (time.perf_counter() - begin) * 1000
            etag = first.headers["ETag"]
            with app.app_context():
                response, ms, queries = timed(client, url, {"If-None-Match": etag})
            assert response.status_code == 304
            print(f"{n:>8} {first_ms:>9.1f} {ms:>8.2f} {queries:>12.1f} {len(first.data):>8}")


if __name__ == "__main__":
    main()
