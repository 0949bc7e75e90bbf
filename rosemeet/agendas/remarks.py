"""Remarks on minutes sent for comments ("ter opmerking"): invitees (and members of the
meeting's bodies) add a remark per item, optionally with a proposed wording; the secretary or
chair accepts it (the wording becomes a new revision of the item's minutes) or answers it.
Remarks are kept: the minutes page shows them handled, the next meeting's approval item lists
them with how each was handled.

Writes (``add_remark``, ``accept_remark``, ``answer_remark``) change objects and flush; the
view commits. Refusals raise RemarkError with a translated message and the field.
"""

from __future__ import annotations

import logging

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from rosemeet.accounts.models import Person
from rosemeet.agendas import operations as ops
from rosemeet.agendas.models import (
    Agenda,
    AgendaItem,
    MinutesRemark,
    MinutesStatus,
    RemarkStatus,
)
from rosemeet.core.errors import Refused
from rosemeet.core.forms import text_error
from rosemeet.db import utcnow
from rosemeet.extensions import db
from rosemeet.meetings.models import Meeting

logger = logging.getLogger(__name__)

#: the longest remark and answer (characters)
TEXT_MAX = 5000
#: the longest proposed wording (characters)
PROPOSED_MAX = 50000


class RemarkError(Refused):
    """A refused remark or handling; ``field`` names the field the message belongs to."""


# --- writes --------------------------------------------------------------------------------


def _clean(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").strip()


def _checked(text: str | None, field: str, limit: int, *, required: bool) -> str:
    """The text, cleaned; RemarkError on ``field`` when empty (and required), too long or
    holding control characters."""
    if text is not None and not isinstance(text, str):
        raise RemarkError(_("Give a text."), field)
    cleaned = _clean(text)
    if required and not cleaned:
        raise RemarkError(_("Write the remark."), field)
    if len(cleaned) > limit:
        raise RemarkError(_("At most %(count)d characters.", count=limit), field)
    problem = text_error(cleaned, multiline=True)
    if problem:
        raise RemarkError(problem, field)
    return cleaned


def add_remark(
    item: AgendaItem, text: str | None, proposed_text: str | None = None, *, by: Person
) -> MinutesRemark:
    """A remark on an item's minutes, while they are sent for comments."""
    if item.meeting is None:
        raise RemarkError(_("A backlog item has no minutes."), None, "state")
    agenda = db.session.get(Agenda, item.meeting.id)
    if agenda is None or agenda.minutes_status is not MinutesStatus.FOR_COMMENT:
        raise RemarkError(
            _("Remarks can be made only while the minutes are sent for comments."),
            None,
            "state",
            409,
        )
    remark = MinutesRemark(
        item=item,
        author=by,
        text=_checked(text, "text", TEXT_MAX, required=True),
        proposed_text=_checked(proposed_text, "proposed_text", PROPOSED_MAX, required=False)
        or None,
        status=RemarkStatus.OPEN,
        created_at=utcnow(),
    )
    db.session.add(remark)
    db.session.flush()
    logger.info("remark %s on item %s", remark.id, item.id)
    return remark


def _check_open(remark: MinutesRemark) -> None:
    if remark.status is not RemarkStatus.OPEN:
        raise RemarkError(_("This remark was already handled."), None, "state", 409)
    agenda = None if remark.item.meeting is None else db.session.get(Agenda, remark.item.meeting_id)
    if agenda is not None and agenda.minutes_approved:
        raise RemarkError(
            _("These minutes are approved and can no longer be changed."), None, "approved", 409
        )


def _handled(remark: MinutesRemark, status: RemarkStatus, by: Person) -> None:
    remark.status = status
    remark.handled_by = by
    remark.handled_at = utcnow()


def accept_remark(remark: MinutesRemark, *, by: Person, answer: str | None = None) -> MinutesRemark:
    """Apply the remark's proposed wording as a new revision of the item's minutes (at the
    item's current version); the remark is accepted with the version that applied it."""
    _check_open(remark)
    if not remark.proposed_text:
        raise RemarkError(
            _("This remark proposes no wording: answer it instead."), "answer", "invalid"
        )
    note = _checked(answer, "answer", TEXT_MAX, required=False)
    item = remark.item
    try:
        ops.save_minutes(item, remark.proposed_text, version=item.version, by=by)
    except ops.AgendaError as error:  # approved meanwhile, or a simultaneous save
        raise RemarkError(error.message, None, error.code, error.status) from error
    _handled(remark, RemarkStatus.ACCEPTED, by)
    remark.applied_version = item.version
    remark.answer = note or None
    db.session.flush()
    logger.info("remark %s accepted as version %s", remark.id, item.version)
    return remark


def answer_remark(remark: MinutesRemark, answer: str | None, *, by: Person) -> MinutesRemark:
    """Answer a remark (the minutes stay as they are)."""
    _check_open(remark)
    text = _checked(answer, "answer", TEXT_MAX, required=False)
    if not text:
        raise RemarkError(_("Write the answer."), "answer")
    _handled(remark, RemarkStatus.ANSWERED, by)
    remark.answer = text
    db.session.flush()
    logger.info("remark %s answered", remark.id)
    return remark


# --- reads ---------------------------------------------------------------------------------


def _remark_load():
    return (
        selectinload(MinutesRemark.author),
        selectinload(MinutesRemark.handled_by),
    )


def remarks_of(meeting: Meeting) -> dict[int, list[MinutesRemark]]:
    """The remarks on a meeting's minutes, per item id, oldest first."""
    rows = db.session.scalars(
        select(MinutesRemark)
        .join(AgendaItem, AgendaItem.id == MinutesRemark.item_id)
        .where(AgendaItem.meeting_id == meeting.id)
        .options(*_remark_load())
        .order_by(MinutesRemark.created_at, MinutesRemark.id)
    )
    grouped: dict[int, list[MinutesRemark]] = {}
    for remark in rows:
        grouped.setdefault(remark.item_id, []).append(remark)
    return grouped


def remarks_by_item(meeting: Meeting) -> list[tuple[AgendaItem, list[MinutesRemark]]]:
    """The items of a meeting that have remarks, in agenda order, with their remarks."""
    grouped = remarks_of(meeting)
    if not grouped:
        return []
    items = db.session.scalars(
        select(AgendaItem).where(AgendaItem.id.in_(grouped)).order_by(AgendaItem.position)
    )
    return [(item, grouped[item.id]) for item in items]


def open_remark_count(meeting: Meeting) -> int:
    """How many remarks on a meeting's minutes wait for the secretary."""
    count = db.session.scalar(
        select(func.count(MinutesRemark.id))
        .join(AgendaItem, AgendaItem.id == MinutesRemark.item_id)
        .where(AgendaItem.meeting_id == meeting.id, MinutesRemark.status == RemarkStatus.OPEN)
    )
    return int(count or 0)
