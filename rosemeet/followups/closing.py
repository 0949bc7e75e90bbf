"""Closing an ad-hoc group ("Werkgroep afronden"): its closing report, fed back to the bodies
it reports to; its open follow-ups closed or moved to another body; its series ended and its
upcoming meetings cancelled; the body archived. One operation, in one savepoint: a refusal
leaves nothing written.

It touches follow-ups, agendas, meetings and the network, so it lives in the follow-ups
layer (the highest of them). Who may do it: ``followups.permissions.close_group``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update

from rosemeet.accounts.models import Person
from rosemeet.agendas.models import AgendaItem, ItemSource
from rosemeet.agendas.operations import add_backlog_item
from rosemeet.core.errors import Refused
from rosemeet.core.time import format_day, local_today
from rosemeet.db import rows_changed, utcnow
from rosemeet.extensions import db
from rosemeet.followups import operations as followups
from rosemeet.followups.models import OPEN_STATUSES, FollowUp, FollowUpStatus
from rosemeet.followups.schemas import RESOLUTION_MAX
from rosemeet.meetings import operations as meetings
from rosemeet.network import operations as network
from rosemeet.network.models import Body, BodyKind, RelationKind
from rosemeet.network.queries import related_bodies

logger = logging.getLogger(__name__)

#: what to do with the group's open follow-ups
CLOSE, MOVE = "close", "move"
#: the longest closing report (Markdown)
REPORT_MAX = 20_000


class ClosingError(Refused):
    """A refused closing; ``field`` names the form field (closing_report, move_to_body_id)."""


@dataclass
class Closing:
    """What closing a group did."""

    body: Body
    #: the feedback items in the backlogs of the bodies it reports to
    feedback: list[AgendaItem] = field(default_factory=list)
    #: its follow-ups that were open: now closed, or moved to ``moved_to``
    follow_ups: list[FollowUp] = field(default_factory=list)
    moved_to: Body | None = None
    #: what happened to its meetings
    meetings: meetings.Withdrawal | None = None


def can_close(body: Body) -> bool:
    """Is this a group that can be closed: an ad-hoc group, not archived yet?"""
    return body.kind == BodyKind.ADHOC and not body.is_archived


def open_follow_ups(body: Body) -> list[FollowUp]:
    """The body's follow-ups that are still open or ongoing, oldest first."""
    return list(
        db.session.scalars(
            select(FollowUp)
            .where(FollowUp.body_id == body.id, FollowUp.status.in_(OPEN_STATUSES))
            .order_by(FollowUp.created_at, FollowUp.id)
        )
    )


def _check(body: Body, report: str, follow_ups: str, move_to: Body | None) -> None:
    if body.is_archived:
        raise ClosingError(
            _("%(name)s is archived already.", name=body.name), None, "archived", status=409
        )
    if body.kind != BodyKind.ADHOC:
        raise ClosingError(_("Only an ad-hoc working group is closed this way."), None)
    if not report:
        raise ClosingError(
            _("Write the closing report: what the group did and what it leaves."),
            "closing_report",
        )
    if len(report) > REPORT_MAX:
        raise ClosingError(
            _("The closing report is too long (at most %(num)d characters).", num=REPORT_MAX),
            "closing_report",
        )
    if follow_ups not in (CLOSE, MOVE):
        raise ClosingError(_("Choose what happens to the open follow-ups."), "follow_ups")
    if follow_ups == MOVE:
        if move_to is None:
            raise ClosingError(
                _("Choose the body that takes over the open follow-ups."), "move_to_body_id"
            )
        if move_to.id == body.id or move_to.is_archived:
            raise ClosingError(
                _("Choose another body that still meets (not archived)."), "move_to_body_id"
            )


def close_group(
    body: Body,
    *,
    report: str,
    follow_ups: str = CLOSE,
    move_to: Body | None = None,
    by: Person | None = None,
    today: date | None = None,
) -> Closing:
    """Close an ad-hoc group: record ``report`` (Markdown, required) as its closing report,
    put it as feedback in the backlog of every (active) body it reports back to, close its
    open follow-ups as done (``follow_ups="close"``, the resolution says so and carries the
    report) or move them to ``move_to`` (``"move"``), end its series and cancel its upcoming
    meetings, and archive it. Refused (ClosingError, nothing written) when the body is not an
    active ad-hoc group, the report is empty, or the follow-ups have no valid destination."""
    report = (report or "").strip()
    _check(body, report, follow_ups, move_to)
    today = today or local_today()
    done = Closing(body=body)
    with db.session.begin_nested():
        # claim the group first: of two closings at once, the second waits for the first's
        # row lock and then finds it archived (no second report, no double feedback)
        claimed = db.session.execute(
            update(Body)
            .where(Body.id == body.id, Body.archived_at.is_(None))
            .values(archived_at=utcnow())
        )
        if rows_changed(claimed) == 0:
            raise ClosingError(
                _("%(name)s is archived already.", name=body.name), None, "archived", status=409
            )
        with force_locale("nl"):  # the network's working language: these texts are data
            title = _("Closing report %(body)s", body=body.code)
            origin = _("from %(body)s, closed on %(date)s", body=body.name, date=format_day(today))
            resolution = _("Closed when the working group was closed.") + "\n\n" + report
            if len(resolution) > RESOLUTION_MAX:  # the whole report is on the group's page
                resolution = resolution[: RESOLUTION_MAX - 1] + "…"
            reason = _("%(name)s is closed.", name=body.name)
        for target in related_bodies(body, RelationKind.REPORTS_TO):
            if target.is_archived:
                continue
            done.feedback.append(
                add_backlog_item(target, title, report, ItemSource.FEEDBACK, origin)
            )
        for follow_up in open_follow_ups(body):
            if follow_ups == CLOSE:
                follow_up.resolution = resolution  # set_status keeps it (a referral needs one)
                followups.set_status(follow_up, FollowUpStatus.DONE, by)
            else:
                assert move_to is not None  # _check
                follow_up.body = move_to
                if follow_up.report_to_body_id == move_to.id:
                    follow_up.report_to_body = None
                follow_up.updated_at = utcnow()
            done.follow_ups.append(follow_up)
        done.moved_to = move_to if follow_ups == MOVE else None
        done.meetings = meetings.withdraw_body(body, reason, today=today)
        body.closing_report = report
        network.archive_body(body)
        db.session.flush()
    logger.info(
        "body %s closed: %d feedback items, %d follow-ups %s",
        body.id,
        len(done.feedback),
        len(done.follow_ups),
        follow_ups,
    )
    return done
