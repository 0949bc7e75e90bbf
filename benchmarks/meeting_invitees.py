"""The cost of invitations in the number of invitees (issue 20): one meeting for a body of N
members is created (invitations queued), moved (updates) and cancelled (cancellations); prints
seconds and SQL statements for each step, per size, so that the growth can be read off.

    .venv/bin/python benchmarks/meeting_invitees.py [--sizes 100 250 500] [--repeat 3]

Each size runs on a fresh scratch database (SQLite, or ROSEMEET_BENCH_DATABASE_URL).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import event, func, select, update

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._scratch import scratch_app
from rosemeet.accounts import operations as accounts
from rosemeet.extensions import db
from rosemeet.mail.models import MessageStatus, OutboxMessage
from rosemeet.meetings import operations as meetings
from rosemeet.network import operations as network
from rosemeet.network.models import Body, BodyKind, Role


def measure(step) -> tuple[float, int]:
    """Seconds and SQL statements of ``step()`` (committed); then its mails count as sent, so
    that the next step's mails are messages of their own (not merged into waiting ones)."""
    count = 0

    def counted(*_args):
        nonlocal count
        count += 1

    event.listen(db.engine, "before_cursor_execute", counted)
    started = time.perf_counter()
    step()
    db.session.commit()
    seconds = time.perf_counter() - started
    event.remove(db.engine, "before_cursor_execute", counted)
    db.session.execute(update(OutboxMessage).values(status=MessageStatus.SENT, attempts=1))
    db.session.commit()
    return seconds, count


def one_size(size: int) -> dict[str, tuple[float, int]]:
    with scratch_app() as app, app.test_request_context():
        body = network.save_body(
            None, name=f"Groot forum {size}", code="GF", kind=BodyKind.WORKING_GROUP
        )
        for n in range(size):
            person = accounts.create_person(name=f"Lid {n:04d}", email=f"lid{n}@bench.test")
            role = Role.SECRETARY if n == 0 else Role.MEMBER
            network.save_membership(None, body=body, person=person, role=role)
        db.session.commit()
        body = db.session.get_one(Body, body.id)
        start = datetime(2030, 3, 12, 13, 0, tzinfo=UTC)
        found: dict[str, tuple[float, int]] = {}
        made = []
        found["create"] = measure(
            lambda: made.append(
                meetings.create_meeting(
                    [body], starts_at=start, ends_at=start + timedelta(hours=2), location="W13"
                )
            )
        )
        meeting = made[0]
        found["move"] = measure(
            lambda: meetings.update_meeting(
                meeting,
                starts_at=start + timedelta(days=1),
                ends_at=start + timedelta(days=1, hours=2),
            )
        )
        found["cancel"] = measure(lambda: meetings.cancel_meeting(meeting, "Zaal niet vrij"))
        queued = db.session.scalar(select(func.count(OutboxMessage.id)))
        assert queued == 3 * size, f"{queued} messages for {size} invitees, 3 steps"
        return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 250, 500])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'invitees':>8} | {'step':<6} | {'median s':>8} | {'statements':>10} | ms/invitee")
    for size in args.sizes:
        runs = [one_size(size) for _ in range(args.repeat)]
        for step in runs[0]:
            seconds = statistics.median(r[step][0] for r in runs)
            statements = runs[0][step][1]
            print(
                f"{size:>8} | {step:<6} | {seconds:>8.2f} | {statements:>10} |"
                f" {1000 * seconds / size:>6.2f}"
            )


if __name__ == "__main__":
    main()
