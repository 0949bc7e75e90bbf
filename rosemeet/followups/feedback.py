"""The ROA loop: a body's approved minutes are fed back to the bodies it reports to.

``feed_back`` puts "Terugkoppeling <body> <date>" in the backlog of every receiving body
(once per meeting and receiving body, recorded as a FeedbackReport); the receiver connected
to ``agendas.signals.minutes_approved`` in ``followups.setup`` calls it. The item carries a
link to the approved minutes, the decisions, the receiving body's referrals dealt with in the
meeting (with their answers) and what is still open.

``reported_agendas`` is the other half of the loop: the agendas the reporting bodies published
since the receiving body last met ("Agenda ROA <date>" on its next agenda), read as a query
(one line per meeting, however often it was published or changed), on the agenda page (the
``agenda-follow-ups`` hook) and in the agenda JSON (``reported_agenda_sections``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from rosemeet.agendas.models import Agenda, AgendaStatus, ItemSource
from rosemeet.agendas.operations import add_backlog_item
from rosemeet.agendas.queries import previous_meeting
from rosemeet.core.markdown import escape_markdown
from rosemeet.core.permissions import can
from rosemeet.core.time import format_day
from rosemeet.core.web import outside_request_context
from rosemeet.extensions import db
from rosemeet.followups import queries
from rosemeet.followups.models import OPEN_STATUSES, FeedbackReport, FollowUp
from rosemeet.meetings.models import Meeting, MeetingStatus, meeting_body
from rosemeet.network.models import Body, BodyRelation, RelationKind
from rosemeet.network.queries import related_bodies
from rosemeet.plan.models import PlanAction

logger = logging.getLogger(__name__)


def _absolute(endpoint: str, **values) -> str:
    """The address of a page on BASE_URL (as the mails link), in a request or outside one."""
    with outside_request_context():
        return current_app.config["BASE_URL"] + url_for(endpoint, **values)


def _indented(text: str) -> str:
    """Markdown text continued under a list item."""
    return "\n".join(("  " + line) if line.strip() else "" for line in text.strip().splitlines())


def handled_referrals(meeting: Meeting, target: Body) -> list[FollowUp]:
    """The follow-ups of ``target`` (the receiving body) closed in this meeting: the referrals
    the meeting dealt with, each with its resolution."""
    return list(
        db.session.scalars(
            select(FollowUp)
            .where(
                FollowUp.body_id == target.id,
                FollowUp.closed_in_meeting_id == meeting.id,
                FollowUp.status.not_in(OPEN_STATUSES),
            )
            .options(selectinload(FollowUp.actions))
            .order_by(FollowUp.closed_at, FollowUp.id)
        )
    )


def open_referrals(source: Body, target: Body) -> list[FollowUp]:
    """The follow-ups ``target`` referred to ``source`` that are still open."""
    return list(
        db.session.scalars(
            select(FollowUp)
            .where(
                FollowUp.body_id == target.id,
                FollowUp.report_to_body_id == source.id,
                FollowUp.status.in_(OPEN_STATUSES),
            )
            .options(
                selectinload(FollowUp.actions),
                selectinload(FollowUp.owner_person),
                selectinload(FollowUp.owner_organisation),
            )
            .order_by(FollowUp.due_on.is_(None), FollowUp.due_on, FollowUp.id)
        )
    )


def _open_line(f: FollowUp, note: str = "") -> str:
    owner = f" ({escape_markdown(f.owner_label)})" if f.owner_label else ""
    due = " " + _("due %(date)s", date=format_day(f.due_on)) if f.due_on else ""
    return f"- {escape_markdown(f.title)}{owner}{due}{escape_markdown(note)}"


def feedback_text(
    meeting: Meeting, body: Body, target: Body | None = None
) -> tuple[str, list[PlanAction]]:
    """The Markdown of a fed-back meeting of ``body`` for ``target`` (the receiving body):
    a link to the approved minutes, the decisions, the referrals of ``target`` dealt with in
    the meeting with their answers, and what is still open (follow-ups raised in the meeting,
    referrals of ``target`` still waiting); and the plan actions of all these."""
    decisions = queries.meeting_decisions(meeting, body)
    follow_ups = [f for f in queries.raised_in(meeting, body) if f.is_open]
    handled = handled_referrals(meeting, target) if target is not None else []
    waiting = open_referrals(body, target) if target is not None else []
    actions: dict[int, PlanAction] = {}
    minutes_url = _absolute("agendas.minutes", meeting_id=meeting.id)
    lines = [
        _(
            "Approved minutes of %(body)s of %(date)s.",
            body=body.name,
            date=format_day(meeting.local_start),
        )
        + f" [{_('Read the approved minutes')}]({minutes_url})"
    ]
    lines.append("")
    lines.append("**" + _("Decisions") + "**")
    lines.append("")
    for d in decisions:
        lines.append(f"- {d.number}: {escape_markdown(d.text)}")
        actions.update((a.id, a) for a in d.actions)
    if not decisions:
        lines.append("- " + _("No decisions."))
    if target is not None:
        lines.append("")
        lines.append("**" + _("Referrals of %(body)s dealt with", body=target.name) + "**")
        lines.append("")
        for f in handled:
            lines.append(f"- {escape_markdown(f.title)} ({f.status.label})")
            if f.resolution:
                lines.append(_indented(f.resolution))
            actions.update((a.id, a) for a in f.actions)
        if not handled:
            lines.append("- " + _("No referrals dealt with."))
    lines.append("")
    lines.append("**" + _("Open follow-ups") + "**")
    lines.append("")
    for f in follow_ups:
        lines.append(_open_line(f))
        actions.update((a.id, a) for a in f.actions)
    for f in waiting:
        note = " — " + _("referred by %(body)s, still open", body=target.code) if target else ""
        lines.append(_open_line(f, note))
        actions.update((a.id, a) for a in f.actions)
    if not follow_ups and not waiting:
        lines.append("- " + _("No open follow-ups."))
    return "\n".join(lines), list(actions.values())


def feed_back(meeting: Meeting) -> list[FeedbackReport]:
    """Put "Terugkoppeling <body> <date>" in the backlog of every body the meeting's bodies
    report back to (once per meeting and receiving body); bodies at the meeting are skipped."""
    present = {b.id for b in meeting.bodies}
    made = []
    for source in meeting.bodies:
        for target in related_bodies(source, RelationKind.REPORTS_TO):
            if target.id in present or target.is_archived:
                continue
            exists = db.session.scalar(
                select(FeedbackReport.id).where(
                    FeedbackReport.meeting_id == meeting.id,
                    FeedbackReport.source_body_id == source.id,
                    FeedbackReport.target_body_id == target.id,
                )
            )
            if exists:
                continue
            with force_locale("nl"):  # the network's working language; the item is data
                day = format_day(meeting.local_start)
                title = _("Feedback %(body)s %(date)s", body=source.code, date=day)
                origin = _("from %(body)s %(date)s", body=source.name, date=day)
                text, actions = feedback_text(meeting, source, target)
            item = add_backlog_item(
                target, title, text, ItemSource.FEEDBACK, origin, actions=actions
            )
            report = FeedbackReport(
                meeting=meeting, source_body=source, target_body=target, agenda_item_id=item.id
            )
            db.session.add(report)
            db.session.flush()
            made.append(report)
            logger.info("meeting %s fed back to body %s as item %s", meeting.id, target.id, item.id)
    return made


def _on_minutes_approved(meeting: Meeting, **_extra) -> None:
    """The ROA loop: approved minutes are fed back to the bodies their body reports to."""
    feed_back(meeting)


# --- "Agenda ROA <date>": the agendas of the reporting bodies --------------------------------


@dataclass
class ReportedAgenda:
    """A published agenda of a body that reports back to one of a meeting's bodies."""

    meeting: Meeting
    body: Body
    agenda: Agenda

    @property
    def day(self) -> date:
        """The reporting meeting's day (Brussels)."""
        return self.meeting.local_start.date()

    @property
    def title(self) -> str:
        """ "Agenda ROA 1 apr 2027"."""
        return _("Agenda %(body)s %(date)s", body=self.body.code, date=format_day(self.day))


def reported_agendas(meeting: Meeting, viewer=None) -> list[ReportedAgenda]:
    """For a meeting M of body B: the published agendas of the meetings of the bodies that
    report back to B, published since B's previous meeting before M and before M starts (so
    up to now for a meeting to come), one per meeting, by date; only those ``viewer`` may
    read (``None``: all). Bodies that are at M themselves are left out."""
    present = [b.id for b in meeting.bodies]
    sources = db.session.execute(
        select(BodyRelation.source_body_id, BodyRelation.target_body_id).where(
            BodyRelation.target_body_id.in_(present),
            BodyRelation.kind == RelationKind.REPORTS_TO,
            BodyRelation.source_body_id.not_in(present),
        )
    ).all()
    if not sources:
        return []
    previous = previous_meeting(meeting)
    query = (
        select(Meeting, Agenda, meeting_body.c.body_id)
        .join(Agenda, Agenda.meeting_id == Meeting.id)
        .join(meeting_body, meeting_body.c.meeting_id == Meeting.id)
        .where(
            meeting_body.c.body_id.in_({s for s, _t in sources}),
            Meeting.status == MeetingStatus.SCHEDULED,
            Agenda.status == AgendaStatus.PUBLISHED,
            Agenda.published_at.is_not(None),
            Agenda.published_at < meeting.starts_at,
        )
        .options(selectinload(Meeting.bodies).selectinload(Body.memberships))
        .order_by(Meeting.starts_at, Meeting.id, meeting_body.c.body_id)
    )
    if previous is not None:
        query = query.where(Agenda.published_at >= previous.starts_at)
    rows: list[ReportedAgenda] = []
    seen: set[int] = set()
    for reported, agenda, body_id in db.session.execute(query).all():
        if reported.id in seen:  # a joint meeting of two reporting bodies: one line
            continue
        seen.add(reported.id)
        body = next(b for b in reported.bodies if b.id == body_id)
        if viewer is None or can(viewer, "view_agenda", reported):
            rows.append(ReportedAgenda(reported, body, agenda))
    return rows


def reported_agenda_sections(meeting: Meeting, viewer=queries.REQUEST_VIEWER) -> list[dict]:
    """The section the ROA loop adds to a meeting's agenda JSON: the agendas the reporting
    bodies published since the last meeting (as far as ``viewer`` may read them; by default
    whom the request answers; ``None``: all)."""
    if viewer is queries.REQUEST_VIEWER:
        viewer = queries.request_viewer()
    items = [
        {
            "meeting_id": row.meeting.id,
            "body": row.body.name,
            "date": row.day.isoformat(),
            "title": row.title,
            "url": _absolute("agendas.agenda", meeting_id=row.meeting.id),
        }
        for row in reported_agendas(meeting, viewer)
    ]
    return [{"key": "reported_agendas", "title": _("Agendas of reporting bodies"), "items": items}]
