"""The ROA loop: a body's approved minutes are fed back to the bodies it reports to.

``feed_back`` puts "Terugkoppeling <body> <date>" in the backlog of every receiving body
(once per meeting and receiving body, recorded as a FeedbackReport); the receiver connected
to ``agendas.signals.minutes_approved`` in ``followups.setup`` calls it.
"""

from __future__ import annotations

import logging
from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from rosemeet.agendas.models import ItemSource
from rosemeet.agendas.operations import add_backlog_item
from rosemeet.extensions import db
from rosemeet.followups import queries
from rosemeet.followups.models import FeedbackReport
from rosemeet.meetings.models import Meeting
from rosemeet.network.models import Body, RelationKind
from rosemeet.network.queries import related_bodies
from rosemeet.plan.models import PlanAction

logger = logging.getLogger(__name__)


def _date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def feedback_text(meeting: Meeting, body: Body) -> tuple[str, list[PlanAction]]:
    """The Markdown of a fed-back meeting: its decisions and open follow-ups, and their actions."""
    decisions = queries.meeting_decisions(meeting, body)
    follow_ups = [f for f in queries.raised_in(meeting, body) if f.is_open]
    actions: dict[int, PlanAction] = {}
    lines = [
        _(
            "Approved minutes of %(body)s of %(date)s.",
            body=body.name,
            date=_date(meeting.local_start.date()),
        )
    ]
    lines.append("")
    lines.append("**" + _("Decisions") + "**")
    lines.append("")
    for d in decisions:
        lines.append(f"- {d.number}: {d.text}")
        actions.update((a.id, a) for a in d.actions)
    if not decisions:
        lines.append("- " + _("No decisions."))
    lines.append("")
    lines.append("**" + _("Open follow-ups") + "**")
    lines.append("")
    for f in follow_ups:
        owner = f" ({f.owner_label})" if f.owner_label else ""
        due = " " + _("due %(date)s", date=_date(f.due_on)) if f.due_on else ""
        lines.append(f"- {f.title}{owner}{due}")
        actions.update((a.id, a) for a in f.actions)
    if not follow_ups:
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
            day = _date(meeting.local_start.date())
            with force_locale("nl"):  # the network's working language; the item is data
                title = _("Feedback %(body)s %(date)s", body=source.code, date=day)
                origin = _("from %(body)s %(date)s", body=source.name, date=day)
                text, actions = feedback_text(meeting, source)
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
