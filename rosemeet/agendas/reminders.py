"""Reminders: the published agenda some days before a meeting (to the invitees), and
"write the minutes" to the secretaries 3 days after a meeting whose minutes are a draft."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from functools import partial

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from rosemeet.agendas.models import (
    DEFAULT_REMINDER_DAYS,
    Agenda,
    AgendaSettings,
    AgendaStatus,
    MinutesStatus,
)
from rosemeet.agendas.queries import load_items
from rosemeet.extensions import db
from rosemeet.mail.reminders import Reminder
from rosemeet.meetings.models import Meeting, MeetingStatus
from rosemeet.meetings.queries import invitees, local_day_start
from rosemeet.network.models import Body, Role

#: days after a meeting that its secretaries hear that the minutes are still a draft
MINUTES_AFTER = timedelta(days=3)
#: older meetings are not reminded about any more
MINUTES_WINDOW = timedelta(days=30)


def _days_before(meeting: Meeting, settings: dict[int, int]) -> int:
    return min((settings.get(b.id, DEFAULT_REMINDER_DAYS) for b in meeting.bodies), default=7)


def agendas_due(today: date) -> Iterator[Reminder]:
    """Published agendas of meetings within their bodies' reminder days, to every invitee."""
    settings: dict[int, int] = {}
    for row in db.session.execute(select(AgendaSettings.body_id, AgendaSettings.reminder_days)):
        settings[row.body_id] = row.reminder_days
    longest = max([DEFAULT_REMINDER_DAYS, *settings.values()])
    meetings = db.session.scalars(
        select(Meeting)
        .join(Agenda, Agenda.meeting_id == Meeting.id)
        .where(
            Agenda.status == AgendaStatus.PUBLISHED,
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.starts_at >= local_day_start(today + timedelta(days=1)),
            Meeting.starts_at < local_day_start(today + timedelta(days=longest + 1)),
        )
        .options(selectinload(Meeting.bodies).selectinload(Body.memberships))
    ).all()
    for meeting in meetings:
        days = (meeting.local_start.date() - today).days
        if days > _days_before(meeting, settings):
            continue
        items = load_items(meeting.id)
        for person in invitees(meeting):
            yield Reminder(
                person=person,
                key=f"meeting {meeting.id}:person {person.id}",
                subject=partial(lambda m: _("Agenda: %(title)s", title=m.display_title), meeting),
                template="agendas/mail_reminder_agenda",
                context={"meeting": meeting, "items": items},
            )


def minutes_due(today: date) -> Iterator[Reminder]:
    """Meetings of 3 to 30 days ago whose minutes are still a draft: their secretaries hear."""
    meetings = db.session.scalars(
        select(Meeting)
        .outerjoin(Agenda, Agenda.meeting_id == Meeting.id)
        .where(
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.starts_at < local_day_start(today - MINUTES_AFTER + timedelta(days=1)),
            Meeting.starts_at >= local_day_start(today - MINUTES_WINDOW),
            (Agenda.meeting_id.is_(None)) | (Agenda.minutes_status == MinutesStatus.DRAFT),
        )
        .options(selectinload(Meeting.bodies).selectinload(Body.memberships))
    ).all()
    for meeting in meetings:
        on = meeting.local_start.date()
        secretaries = {
            m.person_id: m.person
            for b in meeting.bodies
            for m in b.memberships
            if m.role == Role.SECRETARY and m.is_current(on)
        }
        for person in secretaries.values():
            yield Reminder(
                person=person,
                key=f"meeting {meeting.id}:person {person.id}",
                subject=partial(
                    lambda m: _("Write the minutes: %(title)s", title=m.display_title), meeting
                ),
                template="agendas/mail_write_minutes",
                context={"meeting": meeting},
            )
