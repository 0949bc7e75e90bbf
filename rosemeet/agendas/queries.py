"""Reads on agendas shared by the views, the exports and the API, in a fixed number of queries.

Other domains add sections to a meeting's agenda (the follow-ups domain: the carried-over
follow-ups) with ``register_agenda_section(func)``; ``func(meeting) -> list[dict]``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from rosemeet.accounts.models import Person
from rosemeet.agendas.models import (
    DEFAULT_REMINDER_DAYS,
    Agenda,
    AgendaItem,
    AgendaSettings,
    AgendaStatus,
    ItemKind,
    ItemRole,
    MinutesDraft,
    MinutesRevision,
    MinutesStatus,
    Proposal,
    ProposalStatus,
    TemplateItem,
)
from rosemeet.db import utcnow
from rosemeet.extensions import db
from rosemeet.meetings.models import Meeting, MeetingStatus, meeting_body
from rosemeet.network.models import Body, RelationKind
from rosemeet.network.permissions import BODY_MANAGERS
from rosemeet.network.queries import bodies_of, related_bodies
from rosemeet.plan.models import PlanAction, PlanHeading

#: ``func(meeting) -> list[dict]`` providers of extra agenda sections (JSON)
_SECTIONS: list[Callable[[Meeting], list[dict]]] = []


def register_agenda_section(func: Callable[[Meeting], list[dict]]):
    """Add a provider of sections to every meeting's agenda JSON (usable as a decorator)."""
    if func not in _SECTIONS:
        _SECTIONS.append(func)
    return func


def agenda_sections(meeting: Meeting) -> list[dict]:
    """The sections other domains add to a meeting's agenda."""
    sections: list[dict] = []
    for provider in _SECTIONS:
        sections.extend(provider(meeting))
    return sections


@dataclass
class AgendaView:
    """What an agenda page shows: the agenda, its items, the time against the meeting's."""

    meeting: Meeting
    agenda: Agenda | None
    items: list[AgendaItem]
    backlog: list[AgendaItem] = field(default_factory=list)

    @property
    def status(self) -> AgendaStatus:
        """Draft until published."""
        return self.agenda.status if self.agenda else AgendaStatus.DRAFT

    @property
    def minutes_status(self) -> MinutesStatus:
        """Where the minutes stand."""
        return self.agenda.minutes_status if self.agenda else MinutesStatus.DRAFT

    @property
    def planned_minutes(self) -> int:
        """The items' planned time added up."""
        return sum(i.planned_minutes or 0 for i in self.items)

    @property
    def meeting_minutes(self) -> int:
        """The meeting's length."""
        return int((self.meeting.ends_at - self.meeting.starts_at).total_seconds() // 60)

    @property
    def over_time(self) -> bool:
        """Is more time planned than the meeting lasts?"""
        return self.planned_minutes > self.meeting_minutes


def _item_options():
    return (selectinload(AgendaItem.presenter), selectinload(AgendaItem.actions))


def load_items(meeting_id: int) -> list[AgendaItem]:
    """A meeting's items in order, with presenters and plan actions (three queries)."""
    return list(
        db.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting_id)
            .options(*_item_options())
            .order_by(AgendaItem.position, AgendaItem.id)
        )
    )


def load_agenda(meeting: Meeting, *, with_backlog: bool = False) -> AgendaView:
    """The agenda of a meeting (not made if it was never opened)."""
    agenda = db.session.get(Agenda, meeting.id)
    items = load_items(meeting.id) if agenda is not None else []
    backlog = backlog_of([b.id for b in meeting.bodies]) if with_backlog else []
    return AgendaView(meeting, agenda, items, backlog)


def backlog_of(body_ids: list[int]) -> list[AgendaItem]:
    """Items waiting in the backlog of these bodies, oldest first."""
    if not body_ids:
        return []
    return list(
        db.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.body_id.in_(body_ids), AgendaItem.meeting_id.is_(None))
            .options(*_item_options(), selectinload(AgendaItem.body))
            .order_by(AgendaItem.created_at, AgendaItem.id)
        )
    )


# --- meetings around a meeting -------------------------------------------------------------------


def _of_bodies(body_ids: list[int]):
    return Meeting.id.in_(
        select(meeting_body.c.meeting_id).where(meeting_body.c.body_id.in_(body_ids))
    )


def previous_meeting(meeting: Meeting) -> Meeting | None:
    """The last earlier meeting of one of its bodies that took place (its minutes are
    approved at this meeting's approval item)."""
    return _neighbour(meeting, later=False)


def next_meeting(meeting: Meeting) -> Meeting | None:
    """The first later scheduled meeting of one of its bodies (where its minutes are approved
    when nobody says otherwise)."""
    return _neighbour(meeting, later=True)


def _neighbour(meeting: Meeting, *, later: bool) -> Meeting | None:
    """The nearest scheduled meeting of one of its bodies before or after it."""
    return db.session.scalar(
        select(Meeting)
        .where(
            _of_bodies([b.id for b in meeting.bodies]),
            Meeting.starts_at > meeting.starts_at
            if later
            else Meeting.starts_at < meeting.starts_at,
            Meeting.status == MeetingStatus.SCHEDULED,
        )
        .options(selectinload(Meeting.bodies))
        .order_by(Meeting.starts_at if later else Meeting.starts_at.desc(), Meeting.id)
        .limit(1)
    )


def upcoming_meetings(body: Body, limit: int = 8) -> list[Meeting]:
    """The body's next scheduled meetings (to accept a proposal or pull a backlog item into)."""
    return list(
        db.session.scalars(
            select(Meeting)
            .where(
                _of_bodies([body.id]),
                Meeting.ends_at > utcnow(),
                Meeting.status == MeetingStatus.SCHEDULED,
            )
            .options(selectinload(Meeting.bodies))
            .order_by(Meeting.starts_at)
            .limit(limit)
        )
    )


def approvable_minutes(meeting: Meeting) -> tuple[Meeting, Agenda | None] | None:
    """The previous meeting and its agenda, for this meeting's approval item."""
    previous = previous_meeting(meeting)
    if previous is None:
        return None
    return previous, db.session.get(Agenda, previous.id)


# --- proposals ----------------------------------------------------------------------------------


def _proposal_options():
    return (
        selectinload(Proposal.body),
        selectinload(Proposal.from_body),
        selectinload(Proposal.proposer),
        selectinload(Proposal.item).selectinload(AgendaItem.meeting).selectinload(Meeting.bodies),
    )


def pending_counts(bodies: list[Body]) -> dict[int, int]:
    """How many proposals wait for each of these bodies (bodies without any are left out)."""
    rows = db.session.execute(
        select(Proposal.body_id, func.count(Proposal.id))
        .where(
            Proposal.body_id.in_([b.id for b in bodies]),
            Proposal.status == ProposalStatus.PENDING,
        )
        .group_by(Proposal.body_id)
    )
    return dict(rows.all())


def proposals_waiting_for(person: Person) -> list[tuple[Body, int]]:
    """The bodies whose proposals wait for this person (their chair or secretary; every body
    for an admin), with how many wait, by body name."""
    query = (
        select(Body, func.count(Proposal.id))
        .join(Proposal, Proposal.body_id == Body.id)
        .where(Proposal.status == ProposalStatus.PENDING)
        .group_by(Body.id)
        .order_by(Body.name)
    )
    if not person.is_admin:
        query = query.where(Body.id.in_(bodies_of(person, BODY_MANAGERS)))
    return [(body, count) for body, count in db.session.execute(query).all()]


def pending_proposals(body: Body) -> list[Proposal]:
    """Proposals waiting for the body's secretary, oldest first."""
    return list(
        db.session.scalars(
            select(Proposal)
            .where(Proposal.body_id == body.id, Proposal.status == ProposalStatus.PENDING)
            .options(*_proposal_options())
            .order_by(Proposal.created_at, Proposal.id)
        )
    )


def handled_proposals(body: Body, limit: int = 20) -> list[Proposal]:
    """The body's latest handled proposals."""
    return list(
        db.session.scalars(
            select(Proposal)
            .where(Proposal.body_id == body.id, Proposal.status != ProposalStatus.PENDING)
            .options(*_proposal_options())
            .order_by(Proposal.decided_at.desc(), Proposal.id.desc())
            .limit(limit)
        )
    )


def my_proposals(person: Person) -> list[Proposal]:
    """What a person proposed, newest first."""
    return list(
        db.session.scalars(
            select(Proposal)
            .where(Proposal.proposer_id == person.id)
            .options(*_proposal_options())
            .order_by(Proposal.created_at.desc(), Proposal.id.desc())
        )
    )


def sent_proposals(item_ids: list[int]) -> dict[int, list[Proposal]]:
    """For items of a preparing body's agenda: the proposals they were sent as, oldest first."""
    if not item_ids:
        return {}
    out: dict[int, list[Proposal]] = {}
    for proposal in db.session.scalars(
        select(Proposal)
        .where(Proposal.source_item_id.in_(item_ids))
        .options(
            selectinload(Proposal.body),
            selectinload(Proposal.item).selectinload(AgendaItem.meeting),
        )
        .order_by(Proposal.id)
    ):
        source_id = proposal.source_item_id
        assert source_id is not None  # selected by it
        out.setdefault(source_id, []).append(proposal)
    return out


# --- plan actions -------------------------------------------------------------------------------


def search_actions(text: str, limit: int = 15) -> list[PlanAction]:
    """Plan actions by number ("12", "#12": the action's number; "2.1": a heading's number)
    or by words in their title."""
    text = " ".join((text or "").split())
    if not text:
        return []
    query = (
        select(PlanAction)
        .join(PlanHeading, PlanAction.heading_id == PlanHeading.id)
        .where(PlanAction.removed_at.is_(None))
        .options(selectinload(PlanAction.heading))
        .order_by(PlanAction.position)
        .limit(limit)
    )
    number = text.lstrip("#")
    if re.fullmatch(r"\d+", number):
        query = query.where(or_(PlanAction.id == int(number), PlanHeading.number == number))
    elif re.fullmatch(r"\d+(\.\d+)*\.?", number):
        query = query.where(PlanHeading.number.in_([number.rstrip("."), number]))
    else:
        for word in text.split()[:6]:
            escaped = word.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
            query = query.where(PlanAction.title.ilike(f"%{escaped}%", escape="\\"))
    return list(db.session.scalars(query))


def actions_by_id(ids: list[int]) -> list[PlanAction]:
    """Plan actions by id, in plan order."""
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(PlanAction).where(PlanAction.id.in_(ids)).order_by(PlanAction.position)
        )
    )


def revisions_of(meeting: Meeting) -> list[MinutesRevision]:
    """Every saved version of the meeting's minutes, latest first."""
    return list(
        db.session.scalars(
            select(MinutesRevision)
            .join(AgendaItem, AgendaItem.id == MinutesRevision.item_id)
            .where(AgendaItem.meeting_id == meeting.id)
            .options(selectinload(MinutesRevision.saved_by), selectinload(MinutesRevision.item))
            .order_by(MinutesRevision.saved_at.desc(), MinutesRevision.id.desc())
        )
    )


def minutes_at(item: AgendaItem, version: int | None) -> str:
    """The item's minutes as they stood at ``version`` (the version an editor read): the
    current text for the current version, else the last revision saved at or before it."""
    if version is None or version == item.version:
        return item.minutes or ""
    text = db.session.scalar(
        select(MinutesRevision.text)
        .where(MinutesRevision.item_id == item.id, MinutesRevision.version <= version)
        .order_by(MinutesRevision.version.desc())
        .limit(1)
    )
    return text or ""


def drafts_of(meeting: Meeting, person: Person) -> dict[int, MinutesDraft]:
    """What this person typed in the meeting's minutes and did not save, per item id."""
    return {
        draft.item_id: draft
        for draft in db.session.scalars(
            select(MinutesDraft)
            .join(AgendaItem, AgendaItem.id == MinutesDraft.item_id)
            .where(AgendaItem.meeting_id == meeting.id, MinutesDraft.person_id == person.id)
        )
    }


def followups_item(items: list[AgendaItem]) -> AgendaItem | None:
    """The agenda's follow-up list item (where the follow-ups domain shows its list)."""
    return next((i for i in items if i.role is ItemRole.FOLLOWUPS), None)


#: The standard opening items of a body without its own template: title, kind, role, minutes.
DEFAULT_TEMPLATE = (
    (_l("Welcome"), ItemKind.INFORMATION, ItemRole.WELCOME, 5),
    (_l("Approval of the previous minutes"), ItemKind.DECISION, ItemRole.APPROVE_MINUTES, 5),
    (_l("Follow-up list"), ItemKind.DISCUSSION, ItemRole.FOLLOWUPS, 15),
)


def settings_of(body: Body) -> AgendaSettings:
    """The body's agenda settings (unsaved defaults when it has none)."""
    settings = db.session.get(AgendaSettings, body.id)
    if settings is None:
        settings = AgendaSettings(
            body_id=body.id, reminder_days=DEFAULT_REMINDER_DAYS, template_saved=False
        )
    return settings


def template_of(body: Body) -> list[TemplateItem]:
    """The body's standard opening items (the default ones, unsaved, until it has its own)."""
    if settings_of(body).template_saved:
        return list(
            db.session.scalars(
                select(TemplateItem)
                .where(TemplateItem.body_id == body.id)
                .order_by(TemplateItem.position, TemplateItem.id)
            )
        )
    with force_locale("nl"):
        return [
            TemplateItem(
                body_id=body.id,
                position=n,
                title=str(title),
                kind=kind,
                role=role,
                planned_minutes=minutes,
            )
            for n, (title, kind, role, minutes) in enumerate(DEFAULT_TEMPLATE, 1)
        ]


def agenda_of(meeting: Meeting) -> Agenda | None:
    """The meeting's agenda, if it was ever opened."""
    return db.session.get(Agenda, meeting.id)


def meeting_items(meeting: Meeting) -> list[AgendaItem]:
    """The meeting's items in order."""
    return list(
        db.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id)
            .order_by(AgendaItem.position, AgendaItem.id)
        )
    )


def prepared_bodies(meeting: Meeting) -> list[tuple[Body, Body]]:
    """(preparing body, prepared body) pairs for a meeting's bodies: where its items may go."""
    pairs = []
    for body in meeting.bodies:
        for target in related_bodies(body, RelationKind.PREPARES):
            pairs.append((body, target))
    return pairs
