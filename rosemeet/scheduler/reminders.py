"""Reminder: the weekly digest for the administrators (the regisseur), on Mondays."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from rosemeet.accounts.models import Person
from rosemeet.core.i18n import babel_locale
from rosemeet.extensions import db
from rosemeet.followups import digest as followups_digest
from rosemeet.mail.models import MessageStatus, OutboxMessage
from rosemeet.mail.reminders import Reminder
from rosemeet.meetings.models import Meeting
from rosemeet.meetings.queries import local_day_start

#: the digest goes out on this weekday (Monday)
DIGEST_WEEKDAY = 0
#: the sections other domains add to the digest: ``func(today) -> list[dict]``
DIGEST_SECTIONS = (followups_digest.digest_sections,)


def digest_context(today: date) -> dict:
    """What the regisseur should know this week."""
    start, end = local_day_start(today), local_day_start(today + timedelta(days=14))
    upcoming = db.session.scalars(
        select(Meeting)
        .where(Meeting.starts_at >= start, Meeting.starts_at < end)
        .order_by(Meeting.starts_at)
    ).all()
    failed = db.session.scalar(
        select(func.count(OutboxMessage.id)).where(OutboxMessage.status == MessageStatus.DEAD)
    )
    extra = [section for sections in DIGEST_SECTIONS for section in sections(today)]
    return {"upcoming": upcoming, "failed_mail": failed, "sections": extra, "today": today}


def weekly_digest(today: date) -> Iterator[Reminder]:
    """Every Monday, one digest per administrator."""
    if today.weekday() != DIGEST_WEEKDAY:
        return
    admins = db.session.scalars(select(Person).where(Person.is_admin.is_(True))).all()
    if not admins:
        return
    contexts: dict[str, dict] = {}  # the sections' lines are text: made once per language
    week = today.isocalendar()
    for person in admins:
        language = babel_locale(person.locale)
        if language not in contexts:
            with force_locale(language):
                contexts[language] = digest_context(today)
        yield Reminder(
            person=person,
            key=f"person {person.id}:{week.year}-W{week.week:02d}",
            subject=lambda: _("rosemeet: your week"),
            template="scheduler/mail_digest",
            context=contexts[language],
        )
