"""Reminders: follow-ups due within a week, and overdue ones (weekly), to their owners.

Keys name the follow-up, the person and the due date (due soon) or the ISO week (overdue),
so a follow-up is announced once per due date, and nagged about at most once a week;
moving the due date announces it again.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from functools import partial

from flask_babel import gettext as _

from rosemeet.core.time import format_day
from rosemeet.followups import queries
from rosemeet.mail.reminders import Reminder

#: how far ahead a due date is announced
DUE_NOTICE = timedelta(days=7)


def follow_ups_due_soon(today: date) -> Iterator[Reminder]:
    """Open follow-ups due today or within 7 days: their owner hears once per due date."""
    for follow_up in queries.follow_ups_due(today, today + DUE_NOTICE):
        person, due_on = follow_up.owner_person, follow_up.due_on
        assert person is not None and due_on is not None  # the query selects only these
        yield Reminder(
            person=person,
            key=f"follow-up {follow_up.id}:person {person.id}:{due_on.isoformat()}",
            subject=partial(
                lambda f, due_on: _(
                    "Follow-up due on %(date)s: %(title)s",
                    date=format_day(due_on),
                    title=f.title,
                ),
                follow_up,
                due_on,
            ),
            template="followups/mail_due",
            context={"follow_up": follow_up},
        )


def follow_ups_overdue(today: date) -> Iterator[Reminder]:
    """Open follow-ups past their due date: their owner hears once a week."""
    week = today.isocalendar()
    for follow_up in queries.overdue_follow_ups(today):
        person, due_on = follow_up.owner_person, follow_up.due_on
        if person is None:
            continue
        assert due_on is not None  # the query selects those due before today
        yield Reminder(
            person=person,
            key=(
                f"follow-up {follow_up.id}:person {person.id}:"
                f"{due_on.isoformat()}:{week.year}-W{week.week:02d}"
            ),
            subject=partial(lambda f: _("Overdue follow-up: %(title)s", title=f.title), follow_up),
            template="followups/mail_overdue",
            context={"follow_up": follow_up},
        )
