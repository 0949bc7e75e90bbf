"""Reads of the records: the approved minutes of a body, per year."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from rosemeet.agendas.models import Agenda, MinutesStatus
from rosemeet.core.permissions import can
from rosemeet.extensions import db
from rosemeet.meetings.models import Meeting, MeetingStatus, meeting_body
from rosemeet.network.models import Body


def approved_minutes(body: Body, viewer, year: int | None = None) -> list[Meeting]:
    """The meetings of ``body`` whose minutes are approved and that ``viewer`` reads, oldest
    first (of one year, in the meeting's own time, if asked)."""
    rows = db.session.scalars(
        select(Meeting)
        .join(meeting_body, meeting_body.c.meeting_id == Meeting.id)
        .join(Agenda, Agenda.meeting_id == Meeting.id)
        .where(
            meeting_body.c.body_id == body.id,
            Agenda.minutes_status == MinutesStatus.APPROVED,
            Meeting.status != MeetingStatus.CANCELLED,
        )
        .options(selectinload(Meeting.bodies))
        .order_by(Meeting.starts_at, Meeting.id)
    ).all()
    return [
        m
        for m in rows
        if (year is None or m.local_start.year == year) and can(viewer, "view_minutes", m)
    ]


def by_year(meetings: list[Meeting]) -> list[tuple[int, list[Meeting]]]:
    """Meetings grouped by their (local) year, newest year first."""
    years: dict[int, list[Meeting]] = {}
    for m in meetings:
        years.setdefault(m.local_start.year, []).append(m)
    return sorted(years.items(), reverse=True)
