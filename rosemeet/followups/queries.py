"""Reads on decisions and follow-ups that the pages, the API and the ROA loop share.

Every list is read in a fixed number of queries, whatever its length (selectinload for
what the rows show); the tests hold the tracker and the opvolglijst to a query budget.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import g, has_request_context
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin, current_user
from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, true
from sqlalchemy.orm import aliased, selectinload

from rosemeet.agendas.models import AgendaItem, Proposal, agenda_item_action
from rosemeet.core.permissions import can, logged_in
from rosemeet.core.time import format_day
from rosemeet.db import utcnow
from rosemeet.extensions import db
from rosemeet.followups.models import (
    OPEN_STATUSES,
    Decision,
    FollowUp,
    FollowUpStatus,
    decision_action,
    follow_up_action,
)
from rosemeet.followups.schemas import ClosingMeetingSchema, FollowUpSchema
from rosemeet.meetings.models import Meeting, MeetingStatus, meeting_body
from rosemeet.network.models import Body
from rosemeet.network.permissions import runs_body
from rosemeet.network.queries import current_role, visible_bodies
from rosemeet.network.schemas import BodyRefSchema
from rosemeet.plan.models import PlanAction


def _follow_up_load():
    return (
        selectinload(FollowUp.body),
        selectinload(FollowUp.report_to_body),
        selectinload(FollowUp.owner_person),
        selectinload(FollowUp.owner_organisation),
        selectinload(FollowUp.origin_meeting),
        selectinload(FollowUp.closed_in_meeting).selectinload(Meeting.bodies),
        selectinload(FollowUp.closed_by),
        selectinload(FollowUp.decision).selectinload(Decision.meeting).selectinload(Meeting.bodies),
        selectinload(FollowUp.actions),
    )


def _decision_load():
    return (
        selectinload(Decision.meeting).selectinload(Meeting.bodies),
        selectinload(Decision.actions),
        selectinload(Decision.follow_ups),
    )


def visible_body_ids(user) -> list[int] | None:
    """The ids of the bodies whose follow-ups and decisions the user reads (None: all)."""
    if getattr(user, "is_admin", False):
        return None
    return [b.id for b in visible_bodies(user, include_archived=True)]


def readable_follow_ups(user, bodies: list[Body] | None = None) -> ColumnElement[bool]:
    """The follow-up view rule (``permissions.view_follow_up``) as an SQL condition: one's
    own, those of a body the user reads, those reporting back to a body the user is in.
    ``bodies``: the user's visible bodies when already loaded."""
    if not logged_in(user):
        return false()
    if user.is_admin:
        return true()
    if bodies is None:
        bodies = visible_bodies(user, include_archived=True)
    member_of = [b.id for b in bodies if current_role(user, b) is not None]
    return or_(
        FollowUp.owner_person_id == user.id,
        FollowUp.body_id.in_([b.id for b in bodies]),
        FollowUp.report_to_body_id.in_(member_of),
    )


def readable_proposals(user) -> ColumnElement[bool]:
    """The proposal view rule (``agendas.permissions.view_proposal``) as an SQL condition:
    the proposer's own, and those to a body the user runs (who decides on them)."""
    if not logged_in(user):
        return false()
    if user.is_admin:
        return true()
    runs = [b.id for b in visible_bodies(user, include_archived=True) if runs_body(user, b)]
    return or_(Proposal.proposer_id == user.id, Proposal.body_id.in_(runs))


def request_viewer():
    """Whom the current request answers: the API's caller (``g.api_user``, set by the API's
    token check for every API request) or the page's visitor; anonymous outside a request."""
    if not has_request_context():
        return AnonymousUserMixin()
    caller = g.get("api_user")
    return caller if caller is not None else current_user._get_current_object()


# --- one meeting -----------------------------------------------------------------------------


@dataclass
class Carried:
    """A follow-up on a meeting's opvolglijst."""

    follow_up: FollowUp
    #: true when it is on this list because it reports back to one of the meeting's bodies
    referred: bool


def meeting_follow_ups(meeting: Meeting, viewer) -> list[Carried]:
    """The opvolglijst of a meeting: follow-ups of its bodies raised before it, and those
    that report back to one of its bodies, that were open when it began (or closed in it);
    only those ``viewer`` may read (``None``: all, for jobs and checks).

    Open follow-ups stay on every later meeting until they are dealt with; a closed one
    stays on the meeting it was closed in. By due date, then age.
    """
    body_ids = [b.id for b in meeting.bodies]
    origin = aliased(Meeting)
    raised_at = func.coalesce(origin.starts_at, FollowUp.created_at)
    rows = db.session.scalars(
        select(FollowUp)
        .outerjoin(origin, FollowUp.origin_meeting_id == origin.id)
        .where(
            or_(FollowUp.body_id.in_(body_ids), FollowUp.report_to_body_id.in_(body_ids)),
            or_(FollowUp.origin_meeting_id.is_(None), FollowUp.origin_meeting_id != meeting.id),
            raised_at < meeting.starts_at,
            or_(
                FollowUp.status.in_(OPEN_STATUSES),
                FollowUp.closed_in_meeting_id == meeting.id,
                and_(
                    FollowUp.closed_at >= meeting.starts_at,
                    or_(
                        FollowUp.closed_in_meeting_id.is_(None),
                        FollowUp.closed_in_meeting_id != meeting.id,
                    ),
                ),
            ),
        )
        .where(readable_follow_ups(viewer) if viewer is not None else true())
        .options(*_follow_up_load())
        .order_by(FollowUp.due_on.is_(None), FollowUp.due_on, FollowUp.id)
    ).all()
    return [Carried(f, f.body_id not in body_ids) for f in rows]


@dataclass
class Waiting:
    """A follow-up a meeting's body referred to another body, still open there."""

    follow_up: FollowUp
    #: the next meeting of the body it waits in (None: none planned)
    next_meeting: Meeting | None


@dataclass
class FollowUpSections:
    """What a meeting's opvolglijst shows, each follow-up once: the follow-ups carried to it
    (less those in ``waiting``), those of its bodies closed since each body's previous
    meeting (``handled``), and those its bodies referred that are still open elsewhere."""

    carried: list[Carried]
    handled: list[FollowUp]
    waiting: list[Waiting]


def _previous_starts(meeting: Meeting) -> dict[int, datetime]:
    """For each body of the meeting, when its previous (not cancelled) meeting began."""

    rows = db.session.execute(
        select(meeting_body.c.body_id, func.max(Meeting.starts_at))
        .join(Meeting, Meeting.id == meeting_body.c.meeting_id)
        .where(
            meeting_body.c.body_id.in_([b.id for b in meeting.bodies]),
            Meeting.id != meeting.id,
            Meeting.starts_at < meeting.starts_at,
            Meeting.status != MeetingStatus.CANCELLED,
        )
        .group_by(meeting_body.c.body_id)
    )
    return {body_id: _aware(at) for body_id, at in rows}


def _aware(at: datetime) -> datetime:
    """A stored moment as UTC (SQLite gives it back without its zone)."""
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def handled_since_previous(meeting: Meeting, viewer) -> list[FollowUp]:
    """ "Afgehandeld sinds de vorige vergadering": the follow-ups owned by one of the
    meeting's bodies that were closed (in any body, in a meeting or not) since that body's
    previous meeting began and before this one began; for a body's first meeting, all those
    closed before it. Those closed in this meeting stay in its opvolglijst instead. Only
    those ``viewer`` may read (``None``: all); in the order they were closed."""
    previous = _previous_starts(meeting)
    per_body = [
        and_(
            FollowUp.body_id == b.id,
            FollowUp.closed_at >= previous[b.id] if b.id in previous else true(),
        )
        for b in meeting.bodies
    ]
    if not per_body:
        return []
    return list(
        db.session.scalars(
            select(FollowUp)
            .where(
                or_(*per_body),
                FollowUp.status.not_in(OPEN_STATUSES),
                FollowUp.closed_at < meeting.starts_at,
                or_(
                    FollowUp.closed_in_meeting_id.is_(None),
                    FollowUp.closed_in_meeting_id != meeting.id,
                ),
            )
            .where(readable_follow_ups(viewer) if viewer is not None else true())
            .options(*_follow_up_load())
            .order_by(FollowUp.closed_at, FollowUp.id)
        )
    )


def next_meetings(body_ids: Iterable[int]) -> dict[int, Meeting]:
    """The next meeting (not cancelled, still to begin) of each of these bodies."""

    ids = list(set(body_ids))
    if not ids:
        return {}
    first = (
        select(meeting_body.c.body_id, func.min(Meeting.starts_at).label("at"))
        .join(Meeting, Meeting.id == meeting_body.c.meeting_id)
        .where(
            meeting_body.c.body_id.in_(ids),
            Meeting.starts_at > utcnow(),
            Meeting.status != MeetingStatus.CANCELLED,
        )
        .group_by(meeting_body.c.body_id)
        .subquery()
    )
    rows = db.session.execute(
        select(first.c.body_id, Meeting)
        .join(meeting_body, meeting_body.c.meeting_id == Meeting.id)
        .join(
            first, and_(first.c.body_id == meeting_body.c.body_id, first.c.at == Meeting.starts_at)
        )
        .where(Meeting.status != MeetingStatus.CANCELLED)
        .options(selectinload(Meeting.bodies))
        .order_by(Meeting.id)
    ).all()
    found: dict[int, Meeting] = {}
    for body_id, m in rows:
        found.setdefault(body_id, m)
    return found


def follow_up_sections(meeting: Meeting, viewer) -> FollowUpSections:
    """The opvolglijst of a meeting in its three parts (see ``FollowUpSections``): an open
    follow-up of the meeting's bodies that reports back to another body is listed under
    "referred and still open" (with where it waits), not in the carried list."""
    carried = meeting_follow_ups(meeting, viewer)
    referred = [
        row.follow_up
        for row in carried
        if not row.referred and row.follow_up.report_to_body_id and row.follow_up.is_open
    ]
    ids = {f.id for f in referred}
    nexts = next_meetings(f.report_to_body_id for f in referred if f.report_to_body_id)
    return FollowUpSections(
        [row for row in carried if row.follow_up.id not in ids],
        handled_since_previous(meeting, viewer),
        [Waiting(f, nexts.get(f.report_to_body_id or 0)) for f in referred],
    )


def meeting_decisions(meeting: Meeting, body: Body | None = None) -> list[Decision]:
    """The decisions taken in a meeting (of one of its bodies if asked), by number."""
    query = select(Decision).where(Decision.meeting_id == meeting.id)
    if body is not None:
        query = query.where(Decision.body_id == body.id)
    return list(
        db.session.scalars(
            query.options(*_decision_load()).order_by(
                Decision.body_id, Decision.year, Decision.sequence
            )
        )
    )


def raised_in(meeting: Meeting, body: Body | None = None) -> list[FollowUp]:
    """The follow-ups raised in a meeting (of one of its bodies if asked)."""
    query = select(FollowUp).where(FollowUp.origin_meeting_id == meeting.id)
    if body is not None:
        query = query.where(FollowUp.body_id == body.id)
    return list(db.session.scalars(query.options(*_follow_up_load()).order_by(FollowUp.id)))


def item_outcomes(item: AgendaItem) -> tuple[list[Decision], list[FollowUp]]:
    """The decisions and follow-ups recorded on an agenda item."""
    decisions = db.session.scalars(
        select(Decision)
        .where(Decision.agenda_item_id == item.id)
        .options(*_decision_load())
        .order_by(Decision.year, Decision.sequence)
    ).all()
    follow_ups = db.session.scalars(
        select(FollowUp)
        .where(FollowUp.agenda_item_id == item.id)
        .options(*_follow_up_load())
        .order_by(FollowUp.id)
    ).all()
    return list(decisions), list(follow_ups)


def meeting_outcomes(meeting: Meeting) -> dict[int, tuple[list[Decision], list[FollowUp]]]:
    """The decisions and follow-ups of each item of a meeting (by item id), in two queries."""
    by_item: dict[int, tuple[list[Decision], list[FollowUp]]] = {}
    decisions = db.session.scalars(
        select(Decision)
        .join(AgendaItem, AgendaItem.id == Decision.agenda_item_id)
        .where(AgendaItem.meeting_id == meeting.id)
        .options(*_decision_load())
        .order_by(Decision.year, Decision.sequence)
    )
    for d in decisions:
        by_item.setdefault(d.agenda_item_id or 0, ([], []))[0].append(d)
    follow_ups = db.session.scalars(
        select(FollowUp)
        .join(AgendaItem, AgendaItem.id == FollowUp.agenda_item_id)
        .where(AgendaItem.meeting_id == meeting.id)
        .options(*_follow_up_load())
        .order_by(FollowUp.id)
    )
    for f in follow_ups:
        by_item.setdefault(f.agenda_item_id or 0, ([], []))[1].append(f)
    return by_item


# --- the tracker -----------------------------------------------------------------------------


def owner_choices(model, owner_column) -> list[Any]:
    """(id, name) of the people or organisations that own a follow-up, by name: the tracker's
    owner filters list these, not the whole address book."""
    return list(
        db.session.execute(
            select(model.id, model.name)
            .where(model.id.in_(select(owner_column).where(owner_column.is_not(None))))
            .order_by(model.name)
        ).all()
    )


@dataclass
class TrackerFilter:
    """What the tracker shows; empty fields do not filter."""

    body_id: int | None = None
    owner_person_id: int | None = None
    owner_organisation_id: int | None = None
    status: FollowUpStatus | None = None
    overdue: bool = False
    action_id: int | None = None
    report_to_id: int | None = None
    #: open and ongoing only (when no status is chosen)
    open_only: bool = False


def tracker(user, flt: TrackerFilter, today: date) -> Select[Any]:
    """Follow-ups the user may read, filtered; overdue first, then by due date: a query to
    paginate (``core.pagination``)."""
    query = select(FollowUp).where(readable_follow_ups(user))
    if flt.body_id:
        query = query.where(
            or_(FollowUp.body_id == flt.body_id, FollowUp.report_to_body_id == flt.body_id)
        )
    if flt.report_to_id:
        query = query.where(FollowUp.report_to_body_id == flt.report_to_id)
    if flt.owner_person_id:
        query = query.where(FollowUp.owner_person_id == flt.owner_person_id)
    if flt.owner_organisation_id:
        query = query.where(FollowUp.owner_organisation_id == flt.owner_organisation_id)
    if flt.status is not None:
        query = query.where(FollowUp.status == flt.status)
    elif flt.open_only or flt.overdue:
        query = query.where(FollowUp.status.in_(OPEN_STATUSES))
    if flt.overdue:
        query = query.where(FollowUp.status.in_(OPEN_STATUSES), FollowUp.due_on < today)
    if flt.action_id:
        query = query.where(
            FollowUp.id.in_(
                select(follow_up_action.c.follow_up_id).where(
                    follow_up_action.c.action_id == flt.action_id
                )
            )
        )
    return query.options(*_follow_up_load()).order_by(
        FollowUp.due_on.is_(None), FollowUp.due_on, FollowUp.id
    )


def my_follow_ups(person, today: date) -> list[FollowUp]:
    """Mijn opvolgpunten: the person's own, open ones first."""
    rows = db.session.scalars(
        select(FollowUp)
        .where(FollowUp.owner_person_id == person.id)
        .options(*_follow_up_load())
        .order_by(FollowUp.due_on.is_(None), FollowUp.due_on, FollowUp.id)
    ).all()
    return sorted(rows, key=lambda f: not f.is_open)


def my_open_follow_ups(person, limit: int = 5) -> list[FollowUp]:
    """The person's open follow-ups, the soonest due first, at most ``limit`` (the home page
    asks on every visit: cut in SQL, not from all of them)."""
    return list(
        db.session.scalars(
            select(FollowUp)
            .where(FollowUp.owner_person_id == person.id, FollowUp.status.in_(OPEN_STATUSES))
            .options(*_follow_up_load())
            .order_by(FollowUp.due_on.is_(None), FollowUp.due_on, FollowUp.id)
            .limit(limit)
        )
    )


# --- referrals -------------------------------------------------------------------------------


@dataclass
class Referral:
    """Something one body sent to another, and whether that body has dealt with it."""

    kind: str  # "follow_up" or "proposal"
    title: str
    from_body: Body | None
    to_body: Body
    sent_on: date | None
    #: open (not yet dealt with), dealt (by the receiving body), closed (elsewhere), declined
    state: str
    #: where it was dealt with (a meeting) and when
    dealt_in: Meeting | None
    dealt_on: datetime | None
    follow_up: FollowUp | None = None
    proposal: Proposal | None = None


def _follow_up_referral(f: FollowUp) -> Referral:
    meeting, to_body = f.closed_in_meeting, f.report_to_body
    assert to_body is not None  # ``referrals`` selects follow-ups with a report-to body
    if f.is_open:
        state = "open"
    elif meeting is not None and f.report_to_body_id in {b.id for b in meeting.bodies}:
        state = "dealt"
    else:
        state = "closed"
    return Referral(
        "follow_up",
        f.title,
        f.body,
        to_body,
        f.origin_date or f.created_at.date(),
        state,
        meeting,
        f.closed_at,
        follow_up=f,
    )


def _proposal_referral(p: Proposal) -> Referral:
    from rosemeet.agendas.models import ProposalStatus

    state = {
        ProposalStatus.PENDING: "open",
        ProposalStatus.DEFERRED: "open",
        ProposalStatus.ACCEPTED: "dealt",
        ProposalStatus.DECLINED: "declined",
    }[p.status]
    return Referral(
        "proposal",
        p.title,
        p.from_body,
        p.body,
        p.created_at.date(),
        state,
        p.item.meeting if p.item is not None else None,
        p.decided_at,
        proposal=p,
    )


def closing_bodies(follow_up: FollowUp) -> list[Body]:
    """The bodies in whose meetings a follow-up may be dealt with: owner and report-to body."""
    return [b for b in (follow_up.body, follow_up.report_to_body) if b is not None]


def closing_meetings(follow_up: FollowUp) -> list[Meeting]:
    """Meetings of the owning and report-to bodies that have started, within four months
    back, most recent first: to record in which one the follow-up was dealt with (one still
    to come is refused, see ``operations.set_status``)."""
    ids = [b.id for b in closing_bodies(follow_up)]
    now = utcnow()
    return list(
        db.session.scalars(
            select(Meeting)
            .where(
                Meeting.bodies.any(Body.id.in_(ids)),
                Meeting.starts_at >= now - timedelta(days=120),
                Meeting.starts_at <= now,
            )
            .options(selectinload(Meeting.bodies))
            .order_by(Meeting.starts_at.desc())
        )
    )


def load_decision(decision_id: int) -> Decision:
    """A decision with its meeting, item, actions and follow-ups (for its page)."""
    return db.session.execute(
        select(Decision)
        .where(Decision.id == decision_id)
        .options(
            selectinload(Decision.meeting).selectinload(Meeting.bodies),
            selectinload(Decision.agenda_item),
            selectinload(Decision.actions),
            selectinload(Decision.follow_ups).options(*_follow_up_load()),
        )
    ).scalar_one()


def referrals(user, body_id: int | None = None, open_only: bool = False) -> list[Referral]:
    """Everything sent from one body to another that the user may read: follow-ups with a
    report-to body and proposals between bodies, with whether the receiver dealt with it."""
    query = select(FollowUp).where(
        FollowUp.report_to_body_id.is_not(None), readable_follow_ups(user)
    )
    proposals = select(Proposal).where(Proposal.from_body_id.is_not(None), readable_proposals(user))
    if body_id:
        query = query.where(or_(FollowUp.body_id == body_id, FollowUp.report_to_body_id == body_id))
        proposals = proposals.where(
            or_(Proposal.body_id == body_id, Proposal.from_body_id == body_id)
        )
    rows = [_follow_up_referral(f) for f in db.session.scalars(query.options(*_follow_up_load()))]
    rows += [
        _proposal_referral(p)
        for p in db.session.scalars(
            proposals.options(
                selectinload(Proposal.body),
                selectinload(Proposal.from_body),
                selectinload(Proposal.item)
                .selectinload(AgendaItem.meeting)
                .selectinload(Meeting.bodies),
            )
        )
    ]
    if open_only:
        rows = [r for r in rows if r.state == "open"]
    return sorted(rows, key=lambda r: (r.state != "open", r.sent_on or date.min), reverse=False)


# --- the decision register -------------------------------------------------------------------


def decisions(user, body_id: int | None = None, year: int | None = None) -> Select[Any]:
    """The register: decisions of the bodies the user reads, newest first, as a query to
    paginate (``core.pagination``): each page loads its own rows' relations only."""
    query = select(Decision)
    ids = visible_body_ids(user)
    if ids is not None:
        query = query.where(Decision.body_id.in_(ids))
    if body_id:
        query = query.where(Decision.body_id == body_id)
    if year:
        query = query.where(Decision.year == year)
    return query.options(*_decision_load()).order_by(
        Decision.year.desc(),
        Decision.decided_on.desc(),
        Decision.sequence.desc(),
        Decision.id.desc(),
    )


def decision_years() -> list[int]:
    """The years that have decisions, newest first."""
    return list(db.session.scalars(select(Decision.year).distinct().order_by(Decision.year.desc())))


# --- an action's history ---------------------------------------------------------------------


@dataclass
class HistoryEntry:
    """One line of an action's history."""

    on: date
    kind: str  # "item", "decision", "follow_up"
    body_names: str
    obj: AgendaItem | Decision | FollowUp


def action_history(user, action: PlanAction) -> list[HistoryEntry]:
    """In time order, every agenda item, decision and follow-up concerning the action,
    across bodies, that the user may see."""
    items = db.session.scalars(
        select(AgendaItem)
        .where(
            AgendaItem.id.in_(
                select(agenda_item_action.c.item_id).where(
                    agenda_item_action.c.action_id == action.id
                )
            )
        )
        .options(
            selectinload(AgendaItem.meeting).selectinload(Meeting.bodies),
            selectinload(AgendaItem.body),
        )
    ).all()
    entries = []
    for item in items:
        if not can(user, "view", item):
            continue
        if item.meeting is not None:
            on = item.meeting.local_start.date()
            names = " + ".join(b.name for b in item.meeting.bodies)
        else:
            on = item.created_at.date()
            names = item.body.name if item.body else ""
        entries.append(HistoryEntry(on, "item", names, item))
    bodies = None if getattr(user, "is_admin", False) else visible_bodies(user, True)
    ids = None if bodies is None else [b.id for b in bodies]
    decision_rows = db.session.scalars(
        select(Decision)
        .where(
            Decision.id.in_(
                select(decision_action.c.decision_id).where(
                    decision_action.c.action_id == action.id
                )
            ),
            Decision.body_id.in_(ids) if ids is not None else true(),
        )
        .options(selectinload(Decision.meeting))
    ).all()
    entries += [HistoryEntry(d.decided_on, "decision", d.body.name, d) for d in decision_rows]
    follow_up_rows = db.session.scalars(
        select(FollowUp)
        .where(
            FollowUp.id.in_(
                select(follow_up_action.c.follow_up_id).where(
                    follow_up_action.c.action_id == action.id
                )
            ),
            readable_follow_ups(user, bodies),
        )
        .options(*_follow_up_load())
    ).all()
    entries += [
        HistoryEntry(f.origin_date or f.created_at.date(), "follow_up", f.body.name, f)
        for f in follow_up_rows
    ]
    order = {"item": 0, "decision": 1, "follow_up": 2}
    return sorted(entries, key=lambda e: (e.on, order[e.kind], e.obj.id))


def follow_ups_due(start: date, end: date) -> Iterable[FollowUp]:
    """Open follow-ups with an owner person due in [start, end] (reminders)."""
    return db.session.scalars(
        select(FollowUp)
        .where(
            FollowUp.status.in_(OPEN_STATUSES),
            FollowUp.owner_person_id.is_not(None),
            FollowUp.due_on >= start,
            FollowUp.due_on <= end,
        )
        .options(selectinload(FollowUp.owner_person), selectinload(FollowUp.body))
        .order_by(FollowUp.due_on, FollowUp.id)
    ).all()


def overdue_follow_ups(today: date) -> list[FollowUp]:
    """Open follow-ups past their due date, oldest first."""
    return list(
        db.session.scalars(
            select(FollowUp)
            .where(FollowUp.status.in_(OPEN_STATUSES), FollowUp.due_on < today)
            .options(*_follow_up_load())
            .order_by(FollowUp.due_on, FollowUp.id)
        )
    )


def fed_back_items(meeting: Meeting) -> list[AgendaItem]:
    """Fed-back items (Terugkoppeling ...) on this meeting's agenda or, for a meeting still
    to come, waiting in the backlog of its bodies."""
    from rosemeet.agendas.models import ItemSource

    body_ids = [b.id for b in meeting.bodies]
    conditions = [AgendaItem.meeting_id == meeting.id]
    if meeting.ends_at > utcnow():
        conditions.append(and_(AgendaItem.meeting_id.is_(None), AgendaItem.body_id.in_(body_ids)))
    return list(
        db.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.source == ItemSource.FEEDBACK, or_(*conditions))
            .options(selectinload(AgendaItem.actions))
            .order_by(AgendaItem.created_at, AgendaItem.id)
        )
    )


#: ``agenda_sections(viewer=...)``'s default: whom the current request answers
REQUEST_VIEWER = object()


def agenda_sections(meeting: Meeting, viewer=REQUEST_VIEWER) -> list[dict]:
    """The sections the follow-ups domain adds to a meeting's agenda JSON: the opvolglijst
    (with the origin of referred follow-ups), the follow-ups of its bodies dealt with since
    their previous meeting (with the resolution, the meeting and the time), those they
    referred that are still open elsewhere (``waiting_in``: the body and its next meeting),
    and the fed-back items; each follow-up once (see ``follow_up_sections``), as far as
    ``viewer`` may read them (by default whom the request answers; ``None``: all). The
    meetings are named (title, date, bodies) as the follow-up's own closing record is, also
    to a viewer who may not open them."""
    if viewer is REQUEST_VIEWER:
        viewer = request_viewer()
    parts = follow_up_sections(meeting, viewer)
    carried = [
        {
            **FollowUpSchema().dump(row.follow_up),
            "referred": row.referred,
            "origin": _origin(row.follow_up),
        }
        for row in parts.carried
    ]
    handled = [{**FollowUpSchema().dump(f), "origin": _origin(f)} for f in parts.handled]
    waiting = []
    for row in parts.waiting:
        assert row.follow_up.report_to_body is not None  # a referral
        waiting.append(
            {
                **FollowUpSchema().dump(row.follow_up),
                "origin": _origin(row.follow_up),
                "waiting_in": {
                    "body": BodyRefSchema().dump(row.follow_up.report_to_body),
                    "next_meeting": ClosingMeetingSchema().dump(row.next_meeting)
                    if row.next_meeting
                    else None,
                },
            }
        )
    fed_back = [
        {
            "id": item.id,
            "title": item.title,
            "description": item.description,
            "origin": item.origin_text,
            "on_agenda": item.meeting_id == meeting.id,
            "action_ids": [a.id for a in item.actions],
        }
        for item in fed_back_items(meeting)
        if viewer is None or can(viewer, "view", item)
    ]
    return [
        {"key": "follow_ups", "title": _("Follow-up list"), "items": carried},
        {
            "key": "handled_since_previous",
            "title": _("Dealt with since the previous meeting"),
            "items": handled,
        },
        {"key": "referred_open", "title": _("Referred and still open"), "items": waiting},
        {"key": "fed_back", "title": _("Feedback"), "items": fed_back},
    ]


def _origin(f: FollowUp) -> str:
    """Where a follow-up was raised: "Actiegroep ROSE 9 mrt 2027"."""
    if f.origin_date:
        return f"{f.body.name} {format_day(f.origin_date)}"
    return f.body.name


def item_bodies(item: AgendaItem) -> list[Body]:
    """The bodies an item belongs to: its meeting's (two for a joint meeting) or its backlog's."""
    if item.meeting is not None:
        return list(item.meeting.bodies)
    return [item.body] if item.body is not None else []
