"""Writes on decisions and follow-ups, and the ROA loop.

Each function changes objects and flushes; the view commits once. Refusals raise
FollowUpError with a translated message and, where it belongs to one, the field (API
names: text, title, due_on, report_to_body_id, closed_in_meeting_id, ...).

Numbering: a decision gets the next free sequence of its body and year; the unique
constraint (body, year, sequence) makes two concurrent recorders collide, and the loser
retries inside a savepoint with the next number. Numbers are never reused or renumbered.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from rosemeet.accounts.models import Person
from rosemeet.agendas.models import AgendaItem
from rosemeet.core.errors import Refused
from rosemeet.core.forms import text_error
from rosemeet.core.time import format_day, local_today
from rosemeet.db import one_save_wins, utcnow
from rosemeet.extensions import db
from rosemeet.followups import queries
from rosemeet.followups.models import (
    Decision,
    FollowUp,
    FollowUpStatus,
)
from rosemeet.followups.schemas import RESOLUTION_MAX
from rosemeet.meetings.models import Meeting
from rosemeet.network.models import Body, Organisation
from rosemeet.plan.models import PlanAction

logger = logging.getLogger(__name__)

#: how often a decision number is retried when another recorder took it first
NUMBER_ATTEMPTS = 5


class FollowUpError(Refused):
    """A refused change; ``field`` names the field the message belongs to."""


class FollowUpConflict(FollowUpError):
    """A save made on a stale read: someone else saved the follow-up first (409)."""

    status_default = 409


def changed_meanwhile() -> FollowUpConflict:
    """The refusal of a save made on a stale read: someone else saved first (code "conflict")."""
    return FollowUpConflict(
        _(
            "Someone else changed this follow-up in the meantime. Nothing was overwritten: "
            "check what you entered below and save again."
        ),
        None,
        "conflict",
    )


def _check_version(follow_up: FollowUp, version: int | None) -> None:
    if version is not None and version != follow_up.version:
        raise changed_meanwhile()


@contextmanager
def _one_save_wins(follow_up: FollowUp) -> Iterator[None]:
    """Change a follow-up in a savepoint, flushed there: when another request saved it since
    it was read (SQLAlchemy's ``UPDATE ... WHERE version = <read>`` matches no row), the
    change is undone and ``changed_meanwhile`` raised; the session stays usable."""
    with one_save_wins(db.session, changed_meanwhile):
        yield


# --- helpers ---------------------------------------------------------------------------------


def _owning_body(item: AgendaItem, body: Body | None) -> Body:
    bodies = queries.item_bodies(item)
    if body is None:
        if not bodies:
            raise FollowUpError(_("This item belongs to no body."))
        return bodies[0]
    if body.id not in {b.id for b in bodies}:
        raise FollowUpError(_("Choose one of the bodies of this meeting."), "body_id")
    return body


def _clean_text(value: str | None) -> str:
    return (value or "").strip()


def due_warning(due_on: date | None, today: date | None = None) -> str | None:
    """A warning (not an error) for a due date in the past."""
    if due_on is not None and due_on < (today or local_today()):
        return _("The due date %(date)s is in the past.", date=format_day(due_on))
    return None


def _check_report_to(body: Body, report_to: Body | None) -> None:
    if report_to is None:
        return
    if report_to.id == body.id:
        raise FollowUpError(
            _("A follow-up is reported back to another body than its own."), "report_to_body_id"
        )
    if report_to.is_archived:
        raise FollowUpError(
            _("%(name)s is archived and meets no more.", name=report_to.name), "report_to_body_id"
        )


# --- decisions -------------------------------------------------------------------------------


def next_sequence(body: Body, year: int) -> int:
    """The next free decision number of a body in a year."""
    current = db.session.scalar(
        select(func.max(Decision.sequence)).where(
            Decision.body_id == body.id, Decision.year == year
        )
    )
    return (current or 0) + 1


def record_decision(
    item: AgendaItem,
    text: str,
    actions: Iterable[PlanAction] = (),
    by: Person | None = None,
    body: Body | None = None,
) -> Decision:
    """Record a decision on an agenda item of a meeting, with the next number of its body."""
    text = _clean_text(text)
    if not text:
        raise FollowUpError(_("Write what was decided."), "text")
    if item.meeting is None:
        raise FollowUpError(_("Decisions are taken in a meeting; plan this item first."))
    body = _owning_body(item, body)
    meeting = item.meeting
    decided_on = meeting.local_start.date()
    actions = list(actions)
    for _attempt in range(NUMBER_ATTEMPTS):
        decision = Decision(
            body=body,
            year=decided_on.year,
            sequence=next_sequence(body, decided_on.year),
            agenda_item=item,
            meeting=meeting,
            text=text,
            decided_on=decided_on,
            recorded_by=by,
            actions=actions,
        )
        try:
            with db.session.begin_nested():
                db.session.add(decision)
                db.session.flush()
        except IntegrityError:  # another recorder took this number: take the next one
            logger.info("decision number of body %s taken, retrying", body.id)
            continue
        logger.info("decision %s recorded on item %s", decision.number, item.id)
        return decision
    raise FollowUpError(_("The decision could not be numbered; try again."), code="conflict")


# --- follow-ups ------------------------------------------------------------------------------


def create_follow_up(
    item: AgendaItem | None = None,
    *,
    title: str,
    decision: Decision | None = None,
    description: str | None = None,
    owner_person: Person | None = None,
    owner_organisation: Organisation | None = None,
    due_on: date | None = None,
    report_to_body: Body | None = None,
    actions: Iterable[PlanAction] = (),
    by: Person | None = None,
    body: Body | None = None,
) -> FollowUp:
    """Record a follow-up on an agenda item (or on a decision, which names its item)."""
    title = _clean_text(title)
    if not title:
        raise FollowUpError(_("Write what must be done."), "title")
    if item is None and decision is None:
        raise FollowUpError(_("A follow-up comes from an agenda item or a decision."))
    if decision is not None:
        item = item or decision.agenda_item
        body = body or decision.body
    if item is not None:
        body = _owning_body(item, body)
    assert body is not None  # the item's body, else the decision's
    _check_report_to(body, report_to_body)
    if owner_organisation is None and owner_person is not None:
        owner_organisation = owner_person.organisation
    follow_up = FollowUp(
        title=title,
        description=_clean_text(description) or None,
        body=body,
        agenda_item=item,
        decision=decision,
        origin_meeting=(item.meeting if item is not None else None)
        or (decision.meeting if decision is not None else None),
        owner_person=owner_person,
        owner_organisation=owner_organisation,
        due_on=due_on,
        report_to_body=report_to_body,
        actions=list(actions),
        created_by=by,
    )
    db.session.add(follow_up)
    db.session.flush()
    logger.info("follow-up %s recorded for body %s", follow_up.id, body.id)
    return follow_up


def update_follow_up(
    follow_up: FollowUp,
    *,
    title: str,
    description: str | None,
    owner_person: Person | None,
    owner_organisation: Organisation | None,
    due_on: date | None,
    report_to_body: Body | None,
    actions: Iterable[PlanAction],
    version: int | None = None,
) -> FollowUp:
    """Change what a follow-up says (not its status: see ``set_status``); a stale
    ``version`` (the one the user read), or a save by someone else meanwhile, raises
    FollowUpError "conflict" and changes nothing."""
    title = _clean_text(title)
    if not title:
        raise FollowUpError(_("Write what must be done."), "title")
    _check_report_to(follow_up.body, report_to_body)
    _check_version(follow_up, version)
    with _one_save_wins(follow_up):
        follow_up.title = title
        follow_up.description = _clean_text(description) or None
        follow_up.owner_person = owner_person
        follow_up.owner_organisation = owner_organisation
        follow_up.due_on = due_on
        follow_up.report_to_body = report_to_body
        follow_up.actions = list(actions)
        follow_up.updated_at = utcnow()  # the row is written (a new version) even when only
        # the plan actions change
    return follow_up


def _check_closing_meeting(follow_up: FollowUp, meeting: Meeting, status: FollowUpStatus) -> None:
    """A follow-up is closed in a meeting of its own or its report-to body that has begun."""
    allowed = {b.id for b in queries.closing_bodies(follow_up)}
    if not allowed & {b.id for b in meeting.bodies}:
        raise FollowUpError(
            _(
                "This meeting is not one of %(bodies)s: a follow-up is dealt with by its "
                "own body or by the body it reports back to.",
                bodies=" / ".join(b.name for b in queries.closing_bodies(follow_up)),
            ),
            "closed_in_meeting_id",
            code="conflict",
        )
    if status.is_open:
        raise FollowUpError(_("Only closing (done or dropped) is recorded in a meeting."), "status")
    if meeting.starts_at > utcnow():
        raise FollowUpError(
            _(
                "The meeting of %(date)s has not started yet: a follow-up is dealt with in a "
                "meeting that has begun.",
                date=format_day(meeting.local_start),
            ),
            "closed_in_meeting_id",
        )


def set_status(
    follow_up: FollowUp,
    status: FollowUpStatus,
    by: Person | None = None,
    meeting: Meeting | None = None,
    *,
    resolution: str | None = None,
    version: int | None = None,
) -> FollowUp:
    """Change the status; closing records who, when, what was decided or answered
    (``resolution``, Markdown) and (if given) in which meeting.

    A meeting must belong to the owning body or to the body it reports back to, and must
    have started. Closing a referral (a follow-up with a report-to body) needs a
    resolution: it is what travels back to the body that raised it. ``resolution=None``
    keeps the one recorded (a done follow-up that is dropped), an empty text clears it.
    Saving the same closed status again corrects the record (meeting, resolution) and keeps
    when and by whom it was closed. Reopening clears the closing record, the resolution
    included. A stale ``version``, or
    a save by someone else meanwhile, raises FollowUpError "conflict".
    """
    if meeting is not None:
        _check_closing_meeting(follow_up, meeting, status)
    answer = follow_up.resolution if resolution is None else (_clean_text(resolution) or None)
    if answer is not None and resolution is not None:
        problem = text_error(answer, multiline=True)
        if problem is None and len(answer) > RESOLUTION_MAX:
            problem = _("The answer is too long (at most %(num)d characters).", num=RESOLUTION_MAX)
        if problem is not None:
            raise FollowUpError(problem, "resolution")
    if not status.is_open and answer is None and follow_up.report_to_body_id is not None:
        raise FollowUpError(
            _(
                "Write what was decided or answered: %(body)s reads it back.",
                body=follow_up.body.name,
            ),
            "resolution",
        )
    _check_version(follow_up, version)
    was = follow_up.status
    with _one_save_wins(follow_up):
        follow_up.status = status
        if status.is_open:
            follow_up.closed_at = follow_up.closed_by = follow_up.closed_in_meeting = None
            follow_up.resolution = None
        else:
            if was is not status or follow_up.closed_at is None:  # else: the record corrected
                follow_up.closed_at = utcnow()
                follow_up.closed_by = by
            follow_up.closed_in_meeting = meeting
            follow_up.resolution = answer
        follow_up.updated_at = utcnow()
    logger.info("follow-up %s is now %s", follow_up.id, status.value)
    return follow_up
