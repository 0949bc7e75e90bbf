"""Reminders: follow-ups due within a week, and overdue ones (weekly), to their owners.

Keys name the follow-up, the person and the due date (due soon) or the ISO week (overdue),
so a follow-up is announced once per due date, and nagged about at most once a week;
moving the due date announces it again.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from flask_babel import gettext as _

from rosemeet.followups import queries
from rosemeet.mail.reminders import Reminder

#: how far ahead a due date is announced
DUE_NOTICE = timedelta(days=7)


def follow_ups_due_soon(today: date) -> Iterator[Reminder]:
    """Open follow-ups due today or within 7 days: their owner hears once per due date."""
    for follow_up in queries.follow_ups_due(today, today + DUE_NOTICE):
        person = follow_up.owner_person
        yield Reminder(
            person=person,
            key=f"follow-up {follow_up.id}:person {person.id}:{follow_up.due_on.isoformat()}",
            subject=lambda f=follow_up: _(
                "Follow-up due on %(date)s: %(title)s",
                date=f.due_on.strftime("%d/%m/%Y"),
                title=f.title,
            ),
            template="followups/mail_due",
            context={"follow_up": follow_up},
        )


def follow_ups_overdue(today: date) -> Iterator[Reminder]:
    """Open follow-ups past their due date: their owner hears once a week."""
    week = today.isocalendar()
    for follow_up in queries.overdue_follow_ups(today):
        person = follow_up.owner_person
        if person is None:
            continue
        yield Reminder(
            person=person,
            key=(
                f"follow-up {follow_up.id}:person {person.id}:"
                f"{follow_up.due_on.isoformat()}:{week.year}-W{week.week:02d}"
            ),
            subject=lambda f=follow_up: _("Overdue follow-up: %(title)s", title=f.title),
            template="followups/mail_overdue",
            context={"follow_up": follow_up},
        )
