"""Writes on agendas: lazy agendas from the body's template, items and their order, backlogs,
proposals between bodies, publishing, minutes with a version check, approval.

Each function changes objects and flushes; the view commits once. Every change that invitees
must hear about (a published agenda, its later changes, minutes sent for comments) queues
outbox rows in the same transaction. Refusals raise AgendaError with a translated message
and, where it belongs to one, the field (form and API names).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Required, TypedDict, Unpack

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import Table, bindparam, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified, set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from rosemeet.accounts.models import Person
from rosemeet.agendas.models import (
    DEFAULT_REMINDER_DAYS,
    Agenda,
    AgendaItem,
    AgendaSettings,
    AgendaStatus,
    ItemKind,
    ItemRole,
    ItemSource,
    MinutesDraft,
    MinutesRevision,
    MinutesStatus,
    Proposal,
    ProposalStatus,
    TemplateItem,
)
from rosemeet.agendas.queries import (
    agenda_of,
    load_items,
    meeting_items,
    minutes_at,
    prepared_bodies,
    template_of,
)
from rosemeet.agendas.signals import minutes_approved
from rosemeet.core.errors import Refused
from rosemeet.core.i18n import babel_locale
from rosemeet.core.time import LOCAL_TZ, format_day
from rosemeet.core.web import outside_request_context
from rosemeet.db import one_save_wins, utcnow
from rosemeet.extensions import db
from rosemeet.mail.operations import enqueue_template
from rosemeet.meetings.models import Meeting
from rosemeet.meetings.queries import invitees
from rosemeet.network.models import Body, Role
from rosemeet.plan.models import PlanAction

logger = logging.getLogger(__name__)

#: Agenda mails wait this long, so that several edits in a row become one message.
AGENDA_MAIL_DELAY = timedelta(minutes=10)


class AgendaError(Refused):
    """A refused change; ``field`` names the field the message belongs to."""


class VersionConflict(AgendaError):
    """Someone else saved the item since it was opened: nothing is overwritten."""

    def __init__(self, item: AgendaItem, item_id: int | None = None):
        super().__init__(
            _("Someone else saved this item in the meantime. Nothing was overwritten."),
            "version",
            "conflict",
        )
        self.item = item
        #: the item's id: look the item up again after the rollback (None: it was removed)
        self.item_id = item.id if item_id is None else item_id


#: How often adding an item tries the next place when another request took the last one.
POSITION_ATTEMPTS = 10


@contextmanager
def _versioned(item: AgendaItem, *also: type[Exception]) -> Iterator[None]:
    """Change an item in a savepoint and flush it there: when another request saved it since
    it was read (SQLAlchemy's ``UPDATE ... WHERE version = <read>`` matches no row) the
    change is undone and VersionConflict is raised; the session stays usable."""
    item_id = item.id  # read now: after a failed savepoint the row may be gone
    with one_save_wins(db.session, lambda: VersionConflict(item, item_id), *also):
        yield


def _count_as_save(item: AgendaItem) -> None:
    """Make the flush write the row (and so a new version) even when no field changed."""
    item.updated_at = utcnow()
    flag_modified(item, "updated_at")


def _position_taken(error: IntegrityError) -> bool:
    """Whether the unique (meeting, position) index refused the row."""
    text = str(error.orig)
    return "uq_agenda_item_meeting_id_position" in text or (
        "agenda_item.meeting_id, agenda_item.position" in text
    )


def _lock_agenda(meeting: Meeting) -> None:
    """Changes to the places on one agenda take turns on its row (``FOR UPDATE`` on
    PostgreSQL; SQLite's writers take turns anyway): an addition, a removal and a reorder
    that meet can neither take one place twice nor lock each other's items (a deadlock)."""
    db.session.execute(
        select(Agenda.meeting_id).where(Agenda.meeting_id == meeting.id).with_for_update()
    )


def _at_end(meeting: Meeting, place: Callable[[int], None]) -> None:
    """Put an item at the end of the meeting's agenda: ``place(position)`` sets it there.

    Additions to one agenda take turns on its row (``_lock_agenda``), so each reads the
    last place after the one before it committed: without that, one request can lose the
    race for the next place again and again. Should two still meet, the unique index refuses
    the second row and the next place is tried (in a savepoint, so nothing else is lost).
    """
    _lock_agenda(meeting)
    for attempt in range(1, POSITION_ATTEMPTS + 1):
        try:
            with db.session.begin_nested():
                place(_last_position(meeting) + 1)
                db.session.flush()
            return
        except IntegrityError as exc:
            if attempt == POSITION_ATTEMPTS or not _position_taken(exc):
                raise
            logger.info("meeting %s: place taken by a concurrent request, retrying", meeting.id)


# --- settings and template ---------------------------------------------------------------------


def _saved_settings(body: Body) -> AgendaSettings:
    settings = db.session.get(AgendaSettings, body.id)
    if settings is None:
        settings = AgendaSettings(
            body_id=body.id, reminder_days=DEFAULT_REMINDER_DAYS, template_saved=False
        )
        db.session.add(settings)
    return settings


def set_reminder_days(body: Body, days: int) -> AgendaSettings:
    """How many days before a meeting its published agenda is sent as a reminder."""
    if not 0 <= days <= 60:
        raise AgendaError(_("Choose between 0 and 60 days."), "reminder_days")
    settings = _saved_settings(body)
    settings.reminder_days = days
    db.session.flush()
    return settings


def _own_template(body: Body) -> list[TemplateItem]:
    """Make the body's template its own (saved rows) before it is changed."""
    settings = _saved_settings(body)
    if not settings.template_saved:
        for row in template_of(body):
            db.session.add(row)
        settings.template_saved = True
        db.session.flush()
    return template_of(body)


def add_template_item(
    body: Body,
    *,
    title: str,
    kind: ItemKind,
    role: ItemRole | None = None,
    planned_minutes: int | None = None,
) -> TemplateItem:
    """Add a standard item at the end of the body's template."""
    rows = _own_template(body)
    if role is not None and any(r.role == role for r in rows):
        raise AgendaError(_("The template already has this standard item."), "role")
    row = TemplateItem(
        body_id=body.id,
        position=len(rows) + 1,
        title=_clean(title),
        kind=kind,
        role=role,
        planned_minutes=planned_minutes,
    )
    db.session.add(row)
    db.session.flush()
    return row


def remove_template_item(body: Body, position: int) -> None:
    """Remove the template item at a position (1-based)."""
    rows = _own_template(body)
    if 1 <= position <= len(rows):
        db.session.delete(rows.pop(position - 1))
    for n, row in enumerate(rows, 1):
        row.position = n
    db.session.flush()


def move_template_item(body: Body, position: int, step: int) -> None:
    """Move the template item at a position one place up (-1) or down (+1)."""
    rows = _own_template(body)
    target = position - 1 + step
    if 1 <= position <= len(rows) and 0 <= target < len(rows):
        rows[position - 1], rows[target] = rows[target], rows[position - 1]
    for n, row in enumerate(rows, 1):
        row.position = n
    db.session.flush()


# --- the agenda of a meeting ---------------------------------------------------------------------


def prepare_agendas(meetings: list[Meeting], **_extra) -> None:
    """Every new meeting starts with its bodies' standard items (and so its opvolglijst).

    A series' meetings are new in this transaction, so nobody else can be making their
    agendas: they are added together (one flush), each bodies' template read once.
    """
    if len(meetings) == 1:
        ensure_agenda(meetings[0])
        return
    ids = [m.id for m in meetings]
    have = set(db.session.scalars(select(Agenda.meeting_id).where(Agenda.meeting_id.in_(ids))))
    templates: dict[tuple[int, ...], list[TemplateItem]] = {}
    count = 0
    for meeting in meetings:
        if meeting.id in have:
            continue
        bodies = tuple(b.id for b in meeting.bodies)
        if bodies not in templates:
            templates[bodies] = _standard_items(meeting.bodies)
        db.session.add(_new_agenda(meeting))
        count += _add_standard_items(meeting, templates[bodies])
    db.session.flush()
    logger.info("agendas of %d meetings made with %d standard items", len(meetings), count)


def _standard_items(bodies: Iterable[Body]) -> list[TemplateItem]:
    """The template rows of these bodies in order, each standard item once (joint meetings)."""
    seen_roles: set[ItemRole] = set()
    seen_titles: set[str] = set()
    rows = []
    for body in bodies:
        for row in template_of(body):
            if row.role in seen_roles or row.title.casefold() in seen_titles:
                continue  # a joint meeting gets each standard item once
            if row.role is not None:
                seen_roles.add(row.role)
            seen_titles.add(row.title.casefold())
            rows.append(row)
    return rows


def ensure_agenda(meeting: Meeting) -> Agenda:
    """The meeting's agenda; the first time, made from the template(s) of its bodies."""
    agenda = agenda_of(meeting)
    if agenda is not None:
        return agenda
    try:
        with db.session.begin_nested():
            agenda = _new_agenda(meeting)
            db.session.add(agenda)
            db.session.flush()
    except IntegrityError:  # made at the same moment by another request
        return db.session.get_one(Agenda, meeting.id, populate_existing=True)
    count = _add_standard_items(meeting, _standard_items(meeting.bodies))
    db.session.flush()
    logger.info("agenda of meeting %s made with %s standard items", meeting.id, count)
    return agenda


def _new_agenda(meeting: Meeting) -> Agenda:
    """An empty draft agenda for the meeting (not yet added to the session)."""
    return Agenda(
        meeting_id=meeting.id,
        status=AgendaStatus.DRAFT,
        minutes_status=MinutesStatus.DRAFT,
        revision=0,
    )


def _add_standard_items(meeting: Meeting, rows: list[TemplateItem]) -> int:
    """Put the template rows on the meeting's new agenda in order; returns how many."""
    for position, row in enumerate(rows, 1):
        db.session.add(
            AgendaItem(
                meeting_id=meeting.id,
                position=position,
                title=row.title,
                kind=row.kind,
                role=row.role,
                planned_minutes=row.planned_minutes,
                source=ItemSource.TEMPLATE,
                version=1,
            )
        )
    return len(rows)


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _text(text: str | None) -> str | None:
    return (text or "").strip() or None


def _check_open(meeting: Meeting) -> None:
    if meeting.is_cancelled:
        raise AgendaError(_("This meeting is cancelled."), "meeting_id", "cancelled")


class ItemFields(TypedDict, total=False):
    """What the secretary writes on an agenda item (``add_item``, ``update_item``); only the
    title is required, and ``actions`` left out keeps the item's links to the plan."""

    title: Required[str]
    description: str | None
    kind: ItemKind
    presenter: Person | None
    presenter_text: str | None
    planned_minutes: int | None
    links: str | Iterable[str] | None
    actions: Iterable[PlanAction] | None


def _set_fields(
    item: AgendaItem,
    *,
    title: str,
    description: str | None = None,
    kind: ItemKind = ItemKind.DISCUSSION,
    presenter: Person | None = None,
    presenter_text: str | None = None,
    planned_minutes: int | None = None,
    links: str | Iterable[str] | None = None,
    actions: Iterable[PlanAction] | None = None,
) -> None:
    title = _clean(title)
    if not title:
        raise AgendaError(_("Give the item a title."), "title")
    if planned_minutes is not None and not 0 <= planned_minutes <= 24 * 60:
        raise AgendaError(_("Plan between 0 and 1440 minutes."), "planned_minutes")
    if links is not None and not isinstance(links, str):
        links = "\n".join(links)
    link_lines = [line.strip() for line in (links or "").splitlines() if line.strip()]
    for link in link_lines:
        if not link.lower().startswith(("http://", "https://")):
            raise AgendaError(
                _("Links start with http:// or https:// (%(link)s).", link=link[:80]), "links"
            )
    item.title = title[:300]
    item.description = _text(description)
    item.kind = kind
    item.presenter = presenter
    item.presenter_id = presenter.id if presenter else None
    item.presenter_text = None if presenter else (_clean(presenter_text) or None)
    item.planned_minutes = planned_minutes
    item.links = "\n".join(link_lines) or None
    if actions is not None:
        item.actions = list({a.id: a for a in actions}.values())


def add_item(
    meeting: Meeting,
    *,
    source: ItemSource = ItemSource.MANUAL,
    origin_text: str | None = None,
    **fields: Unpack[ItemFields],
) -> AgendaItem:
    """Add an item at the end of the meeting's agenda."""
    agenda = ensure_agenda(meeting)
    item = AgendaItem(meeting_id=meeting.id, source=source, origin_text=_text(origin_text))
    _set_fields(item, **fields)

    def place(position: int) -> None:
        item.position = position
        db.session.add(item)

    _at_end(meeting, place)
    _agenda_changed(meeting, agenda)
    logger.info("agenda item %s added to meeting %s", item.id, meeting.id)
    return item


def _last_position(meeting: Meeting) -> int:
    return db.session.execute(
        select(func.coalesce(func.max(AgendaItem.position), 0)).where(
            AgendaItem.meeting_id == meeting.id
        )
    ).scalar_one()


def update_item(
    item: AgendaItem,
    *,
    version: int | None,
    **fields: Unpack[ItemFields],
) -> AgendaItem:
    """Change an item; a stale ``version`` (the one the user read, or the one loaded when
    another request saves first) raises VersionConflict and changes nothing."""
    _check_version(item, version)
    with _versioned(item):
        _set_fields(item, **fields)
        _count_as_save(item)
    if item.meeting is not None:
        _agenda_changed(item.meeting)
    return item


def _check_version(item: AgendaItem, version: int | None) -> None:
    if version is not None and version != item.version:
        raise VersionConflict(item)


def delete_item(item: AgendaItem) -> None:
    """Remove an item from its agenda or backlog (the standard items too, if the body wants);
    VersionConflict when someone saved it since it was read."""
    meeting = item.meeting
    if meeting is not None:
        _lock_agenda(meeting)
    with _versioned(item):
        db.session.delete(item)
    if meeting is not None:
        _renumber(meeting_items(meeting))
        _agenda_changed(meeting)


def _renumber(items: list[AgendaItem]) -> None:
    """Number the items 1, 2, ... in this order.

    The order is no content of an item: the positions are written by plain UPDATEs that do
    not count as a save (no new version, so nobody's open item or minutes turn stale). They
    go through negative numbers first, so the unique (meeting, position) index never sees
    two rows at one place halfway. Callers hold the agenda's lock (``_lock_agenda``), so two
    renumberings of one agenda never interleave.
    """
    if not items:
        return
    db.session.flush()
    table = AgendaItem.__table__
    assert isinstance(table, Table)  # the model's own table (annotated as any FromClause)
    statement = (
        table.update()
        .where(table.c.id == bindparam("item_id"))
        .values(position=bindparam("new_position"))
    )
    numbered = sorted(((item.id, n) for n, item in enumerate(items, 1)), key=lambda p: p[0])
    for sign in (-1, 1):
        db.session.execute(
            statement, [{"item_id": i, "new_position": sign * n} for i, n in numbered]
        )
    for n, item in enumerate(items, 1):
        set_committed_value(item, "position", n)


def move_item(item: AgendaItem, step: int) -> None:
    """Move an item one place up (``step=-1``) or down (``step=1``)."""
    meeting = item.meeting
    if meeting is None:
        return
    _lock_agenda(meeting)
    items = meeting_items(meeting)
    index = next(i for i, it in enumerate(items) if it.id == item.id)
    target = index + (1 if step > 0 else -1)
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
        _renumber(items)
        _agenda_changed(meeting)


def reorder(meeting: Meeting, item_ids: list[int]) -> None:
    """Put the meeting's items in this order; the list must hold each item exactly once."""
    _lock_agenda(meeting)
    items = meeting_items(meeting)
    by_id = {i.id: i for i in items}
    if sorted(item_ids) != sorted(by_id) or len(set(item_ids)) != len(item_ids):
        raise AgendaError(_("The order does not match the items of this agenda."), "order")
    _renumber([by_id[i] for i in item_ids])
    _agenda_changed(meeting)


# --- publishing and mail -------------------------------------------------------------------------


def publish_agenda(meeting: Meeting) -> int:
    """Publish the agenda (members see it) and tell the invitees; returns how many mails."""
    _check_open(meeting)
    agenda = ensure_agenda(meeting)
    if agenda.is_published:
        return 0
    agenda.status = AgendaStatus.PUBLISHED
    agenda.published_at = utcnow()
    db.session.flush()
    return notify_agenda(meeting, agenda, changed=False)


def _agenda_changed(meeting: Meeting, agenda: Agenda | None = None) -> None:
    agenda = agenda or agenda_of(meeting)
    if agenda is not None and agenda.is_published and not meeting.is_cancelled:
        notify_agenda(meeting, agenda, changed=True)


def notify_agenda(meeting: Meeting, agenda: Agenda, *, changed: bool) -> int:
    """Queue the agenda for every invitee; changes soon after each other become one mail
    per person (coalesced on meeting + person, sent after AGENDA_MAIL_DELAY)."""
    if meeting.ends_at <= utcnow():
        return 0
    # counted in SQL: the UPDATE locks the agenda's row, so simultaneous changes of one
    # agenda queue their mail one after the other, each with its own revision (outbox key)
    agenda.revision = Agenda.revision + 1
    db.session.flush()
    items = meeting_items(meeting)
    queued = 0
    with outside_request_context():
        url = current_app.config["BASE_URL"] + url_for("agendas.agenda", meeting_id=meeting.id)
        for person in invitees(meeting):
            if not person.email:
                continue
            with force_locale(babel_locale(person.locale)):
                subject = (
                    _("Agenda changed: %(title)s", title=meeting.display_title)
                    if changed
                    else _("Agenda: %(title)s", title=meeting.display_title)
                )
                enqueue_template(
                    key=f"agenda:{meeting.id}:r{agenda.revision}:{person.id}",
                    kind="agenda",
                    person=person,
                    subject=subject,
                    template="agendas/mail_agenda",
                    message_options={
                        "coalesce_key": f"agenda:{meeting.id}:{person.id}",
                        "delay": AGENDA_MAIL_DELAY,
                    },
                    meeting=meeting,
                    items=items,
                    changed=changed,
                    url=url,
                )
            queued += 1
    return queued


# --- backlog ------------------------------------------------------------------------------------


def add_backlog_item(
    body: Body,
    title: str,
    description: str | None = None,
    source: ItemSource | str = ItemSource.MANUAL,
    origin_text: str | None = None,
    actions: Iterable[PlanAction] = (),
    kind: ItemKind = ItemKind.DISCUSSION,
    planned_minutes: int | None = None,
) -> AgendaItem:
    """Put an item in the body's backlog: offered on the agenda editor of its next meetings
    until the secretary pulls it into one (deferred proposals, fed-back ROA items)."""
    item = AgendaItem(
        body_id=body.id,
        position=0,
        source=ItemSource(source),
        origin_text=_text(origin_text),
        version=1,
    )
    _set_fields(
        item,
        title=title,
        description=description,
        kind=kind,
        presenter=None,
        presenter_text=None,
        planned_minutes=planned_minutes,
        links=None,
        actions=actions,
    )
    item.body = body
    db.session.add(item)
    db.session.flush()
    logger.info("backlog item %s for body %s", item.id, body.id)
    return item


def pull_into(item: AgendaItem, meeting: Meeting) -> AgendaItem:
    """Move a backlog item onto a meeting of its body, at the end of the agenda."""
    if item.meeting_id is not None:
        raise AgendaError(_("This item is already on an agenda."))
    if item.body_id not in {b.id for b in meeting.bodies}:
        raise AgendaError(_("The meeting is not one of this body."), "meeting_id")
    _check_open(meeting)
    agenda = ensure_agenda(meeting)
    item_id = item.id

    def place(position: int) -> None:  # again after a failed attempt: its savepoint undid it
        item.meeting_id, item.meeting = meeting.id, meeting
        item.body_id, item.body = None, None
        item.position = position

    try:
        _at_end(meeting, place)
    except StaleDataError:  # pulled or changed by someone else meanwhile
        raise VersionConflict(item, item_id) from None
    _agenda_changed(meeting, agenda)
    return item


# --- proposals ----------------------------------------------------------------------------------


def _check_meeting_for(body: Body, meeting: Meeting | None) -> None:
    if meeting is None:
        return
    if body.id not in {b.id for b in meeting.bodies}:
        raise AgendaError(_("The meeting is not one of this body."), "meeting_id")
    if meeting.is_cancelled:
        raise AgendaError(
            _("This meeting is cancelled: choose another one."), "meeting_id", "cancelled"
        )
    if meeting.ends_at <= utcnow():
        raise AgendaError(_("This meeting is over: choose a later one."), "meeting_id", "past")


def propose(
    body: Body,
    *,
    proposer: Person,
    title: str,
    description: str | None = None,
    kind: ItemKind = ItemKind.DISCUSSION,
    planned_minutes: int | None = None,
    from_body: Body | None = None,
    source_item: AgendaItem | None = None,
) -> Proposal:
    """Propose an item for the body's next meeting; archived bodies take no proposals."""
    if body.is_archived:
        raise AgendaError(
            _("%(name)s is archived and takes no new items.", name=body.name), None, "archived"
        )
    title = _clean(title)
    if not title:
        raise AgendaError(_("Give the item a title."), "title")
    if planned_minutes is not None and not 0 <= planned_minutes <= 24 * 60:
        raise AgendaError(_("Plan between 0 and 1440 minutes."), "planned_minutes")
    proposal = Proposal(
        body=body,
        body_id=body.id,
        proposer=proposer,
        title=title[:300],
        description=_text(description),
        kind=kind,
        planned_minutes=planned_minutes,
        status=ProposalStatus.PENDING,
        from_body=from_body,
        source_item=source_item,
    )
    db.session.add(proposal)
    db.session.flush()
    logger.info("proposal %s to body %s", proposal.id, body.id)
    return proposal


def send_to_body(item: AgendaItem, target: Body, *, by: Person) -> Proposal:
    """Send an item of a preparing body's agenda or minutes to the body it prepares."""
    meeting = item.meeting
    pair = (
        next((p for p in prepared_bodies(meeting) if p[1].id == target.id), None)
        if meeting
        else None
    )
    if pair is None:
        raise AgendaError(_("This body does not prepare the agenda of %(name)s.", name=target.name))
    already = db.session.scalar(
        select(Proposal.id).where(
            Proposal.source_item_id == item.id,
            Proposal.body_id == target.id,
            Proposal.status.in_([ProposalStatus.PENDING, ProposalStatus.ACCEPTED]),
        )
    )
    if already is not None:
        raise AgendaError(_("This item was already sent to %(name)s.", name=target.name))
    return propose(
        target,
        proposer=by,
        title=item.title,
        description=item.description,
        kind=item.kind,
        planned_minutes=item.planned_minutes,
        from_body=pair[0],
        source_item=item,
    )


def _origin(proposal: Proposal) -> str:
    if proposal.from_body is not None:
        with force_locale("nl"):
            return _(
                "from %(body)s %(date)s",
                body=proposal.from_body.name,
                date=format_day(proposal.created_at.astimezone(LOCAL_TZ)),
            )
    name = proposal.proposer.name if proposal.proposer else ""
    with force_locale("nl"):
        return _("proposed by %(name)s", name=name)


def _decided(proposal: Proposal, status: ProposalStatus, by: Person) -> None:
    if proposal.status is not ProposalStatus.PENDING:
        raise AgendaError(_("This proposal was already handled."), None, "handled")
    proposal.status = status
    proposal.decided_by = by
    proposal.decided_at = utcnow()


def _proposal_recipients(proposal: Proposal) -> list[Person]:
    """The proposer and the sending body's current secretaries, each once, all with an e-mail."""
    people = [proposal.proposer] if proposal.proposer else []
    if proposal.from_body is not None:
        today = utcnow().astimezone(LOCAL_TZ).date()
        people += [
            m.person
            for m in proposal.from_body.memberships
            if m.role is Role.SECRETARY and m.is_current(today)
        ]
    return [p for p in {p.id: p for p in people}.values() if p.email]


def _notify_decision(proposal: Proposal) -> None:
    """Tell the proposer and the sending body's secretaries how the proposal was decided
    (the meeting it goes to, or the reason it is declined)."""
    db.session.flush()  # the item (and its meeting) the proposal became
    meeting = proposal.item.meeting if proposal.item else None
    source = proposal.source_item
    recipients = _proposal_recipients(proposal)
    with outside_request_context():
        base = current_app.config["BASE_URL"]
        url = base + (
            url_for("agendas.agenda", meeting_id=source.meeting_id)
            if source is not None and source.meeting_id is not None
            else url_for("agendas.my_proposals")
        )
        for person in recipients:
            with force_locale(babel_locale(person.locale)):
                enqueue_template(
                    key=f"proposal:{proposal.id}:{proposal.status.value}:{person.id}",
                    kind="proposal",
                    person=person,
                    subject=_(
                        "%(body)s decided on the proposal: %(title)s",
                        body=proposal.body.name,
                        title=proposal.title,
                    ),
                    template="agendas/mail_proposal_decided",
                    proposal=proposal,
                    meeting=meeting,
                    url=url,
                )


def accept_proposal(proposal: Proposal, meeting: Meeting, *, by: Person) -> AgendaItem:
    """Put a proposal on the agenda of a chosen meeting of its body."""
    _check_meeting_for(proposal.body, meeting)
    _decided(proposal, ProposalStatus.ACCEPTED, by)
    item = add_item(
        meeting,
        title=proposal.title,
        description=proposal.description,
        kind=proposal.kind,
        presenter=proposal.proposer if proposal.from_body is None else None,
        planned_minutes=proposal.planned_minutes,
        actions=proposal.source_item.actions if proposal.source_item else (),
        source=ItemSource.PROPOSAL,
        origin_text=_origin(proposal),
    )
    proposal.item = item
    _notify_decision(proposal)
    return item


def defer_proposal(proposal: Proposal, *, by: Person) -> AgendaItem:
    """Keep a proposal in the body's backlog: it is offered again for the next meetings."""
    _decided(proposal, ProposalStatus.DEFERRED, by)
    item = add_backlog_item(
        proposal.body,
        proposal.title,
        proposal.description,
        ItemSource.PROPOSAL,
        _origin(proposal),
        proposal.source_item.actions if proposal.source_item else (),
        kind=proposal.kind,
        planned_minutes=proposal.planned_minutes,
    )
    proposal.item = item
    _notify_decision(proposal)
    return item


def decline_proposal(proposal: Proposal, reason: str, *, by: Person) -> None:
    """Decline a proposal; the proposer sees the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise AgendaError(_("Say why the proposal is declined."), "reason")
    _decided(proposal, ProposalStatus.DECLINED, by)
    proposal.reason = reason
    _notify_decision(proposal)


# --- minutes ------------------------------------------------------------------------------------


def save_minutes(
    item: AgendaItem, text: str | None, *, version: int | None, by: Person | None
) -> None:
    """Save an item's minutes as a new version (every version is kept); approved minutes are
    read-only and a stale ``version`` raises VersionConflict."""
    if item.meeting is None:
        raise AgendaError(_("A backlog item has no minutes."))
    agenda = ensure_agenda(item.meeting)
    if agenda.minutes_approved:
        raise AgendaError(
            _("These minutes are approved and can no longer be changed."), "minutes", "approved"
        )
    _check_version(item, version)
    text = (text or "").replace("\r\n", "\n").strip()
    # The UPDATE of the item (WHERE version = <read>) comes first: of two simultaneous saves
    # the second matches no row and gets VersionConflict before it writes a revision. The
    # unique (item, version) of the revisions stays a last guard: also a conflict, no 500.
    with _versioned(item, IntegrityError):
        item.minutes = text or None
        _count_as_save(item)  # a new version, even for the same text
        db.session.flush()
        db.session.add(
            MinutesRevision(
                item=item, version=item.version, text=text, saved_by=by, saved_at=utcnow()
            )
        )


def _minutes_text(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").strip()


@dataclass
class MinutesConflict:
    """An item of ``save_all_minutes`` that was not saved: someone else saved its minutes
    since they were read (``item``: as it is now), or it left the agenda (``item`` None)."""

    #: the item's id
    item_id: int
    #: the item as it is now; None when it is no longer on this meeting's agenda
    item: AgendaItem | None
    #: the text that was not saved
    mine: str


@dataclass
class MinutesSaved:
    """What ``save_all_minutes`` came to."""

    #: the items whose minutes were saved (a new version each)
    saved: list[AgendaItem] = field(default_factory=list)
    #: the ids of the items whose text did not change (no new version)
    unchanged: list[int] = field(default_factory=list)
    #: the items that were not saved
    conflicts: list[MinutesConflict] = field(default_factory=list)


def save_all_minutes(
    meeting: Meeting,
    texts: Mapping[int, tuple[str | None, int | None]],
    by: Person | None,
) -> MinutesSaved:
    """Save the minutes of many items of a meeting at once: ``texts`` maps an item id to the
    text typed and the version it was read at (None: the current one).

    Only an item whose text differs from its text at the version read gets a new version. An
    item saved by someone else since (or removed) is a conflict and keeps its saved text;
    the other items are saved all the same, each in its own savepoint. A saved item forgets
    ``by``'s draft of it. Approved minutes refuse the whole (AgendaError, nothing saved)."""
    agenda = ensure_agenda(meeting)
    if agenda.minutes_approved:
        raise AgendaError(
            _("These minutes are approved and can no longer be changed."), "minutes", "approved"
        )
    items = {item.id: item for item in load_items(meeting.id)}
    outcome = MinutesSaved()
    for item_id, (typed, version) in texts.items():
        text = _minutes_text(typed)
        item = items.get(item_id)
        if item is None:
            outcome.conflicts.append(MinutesConflict(item_id, None, text))
            continue
        if text in (_minutes_text(minutes_at(item, version)), _minutes_text(item.minutes)):
            outcome.unchanged.append(item_id)  # as read, or as saved meanwhile: nothing to do
            continue
        try:
            save_minutes(item, text, version=version, by=by)
        except VersionConflict:
            db.session.expire(item)
            current = db.session.get(AgendaItem, item_id)
            if current is not None and current.meeting_id != meeting.id:
                current = None
            outcome.conflicts.append(MinutesConflict(item_id, current, text))
            continue
        if by is not None:
            discard_draft(item, by)
        outcome.saved.append(item)
    db.session.flush()
    logger.info(
        "minutes of meeting %s: %d saved, %d conflicts",
        meeting.id,
        len(outcome.saved),
        len(outcome.conflicts),
    )
    return outcome


#: The longest minutes text kept, in a draft as in a save.
MAX_MINUTES = 100_000


def keep_draft(
    item: AgendaItem, text: str | None, *, version: int, by: Person
) -> MinutesDraft | None:
    """Keep what ``by`` typed in an item's minutes and did not save (one draft per item and
    person, replaced each time); text equal to the saved minutes forgets the draft."""
    if item.meeting_id is None:
        raise AgendaError(_("A backlog item has no minutes."))
    text = (text or "").replace("\r\n", "\n")
    if len(text) > MAX_MINUTES:
        raise AgendaError(
            _("Keep the minutes of an item under %(n)d characters.", n=MAX_MINUTES), "text"
        )
    if _minutes_text(text) == _minutes_text(item.minutes) and version == item.version:
        discard_draft(item, by)
        return None
    for _attempt in range(2):  # two requests of the same person may meet: the second updates
        draft = db.session.scalar(
            select(MinutesDraft).where(
                MinutesDraft.item_id == item.id, MinutesDraft.person_id == by.id
            )
        )
        try:
            with db.session.begin_nested():
                if draft is None:
                    draft = MinutesDraft(item_id=item.id, person_id=by.id)
                    db.session.add(draft)
                draft.text = text
                draft.base_version = version
                draft.saved_at = utcnow()
                db.session.flush()
            return draft
        except IntegrityError:
            continue
    raise AgendaError(_("The draft could not be kept; try again."), "text")


def discard_draft(item: AgendaItem, by: Person) -> None:
    """Forget ``by``'s unsaved text of an item's minutes."""
    db.session.execute(
        delete(MinutesDraft).where(MinutesDraft.item_id == item.id, MinutesDraft.person_id == by.id)
    )


def send_minutes_for_comment(meeting: Meeting) -> int:
    """Draft -> sent for comments: invitees read the minutes and get a mail."""
    agenda = ensure_agenda(meeting)
    if agenda.minutes_status is not MinutesStatus.DRAFT:
        raise AgendaError(_("These minutes were already sent for comments."), None, "state")
    agenda.minutes_status = MinutesStatus.FOR_COMMENT
    agenda.minutes_sent_at = utcnow()
    db.session.flush()
    queued = 0
    with outside_request_context():
        url = current_app.config["BASE_URL"] + url_for("agendas.minutes", meeting_id=meeting.id)
        for person in invitees(meeting):
            if not person.email:
                continue
            with force_locale(babel_locale(person.locale)):
                enqueue_template(
                    key=f"minutes:{meeting.id}:for_comment:{person.id}",
                    kind="minutes",
                    person=person,
                    subject=_("Minutes for comments: %(title)s", title=meeting.display_title),
                    template="agendas/mail_minutes",
                    meeting=meeting,
                    url=url,
                )
            queued += 1
    return queued


def approve_minutes(meeting: Meeting, *, in_meeting: Meeting, by: Person) -> Agenda:
    """Approve a meeting's minutes at a later meeting's approval item; they become read-only.

    Sends ``minutes_approved`` (the follow-ups domain feeds the ROA's decisions back).
    """
    agenda = ensure_agenda(meeting)
    if agenda.minutes_status is MinutesStatus.APPROVED:
        raise AgendaError(_("These minutes are already approved."), None, "state")
    if agenda.minutes_status is not MinutesStatus.FOR_COMMENT:
        raise AgendaError(
            _("Send the minutes for comments before they are approved."), None, "state"
        )
    if in_meeting.starts_at <= meeting.starts_at:
        raise AgendaError(_("Minutes are approved at a later meeting."), "in_meeting_id")
    if not {b.id for b in meeting.bodies} & {b.id for b in in_meeting.bodies}:
        raise AgendaError(_("Minutes are approved by a meeting of the same body."), "in_meeting_id")
    agenda.minutes_status = MinutesStatus.APPROVED
    agenda.minutes_approved_at = utcnow()
    agenda.approved_in_meeting_id = in_meeting.id
    agenda.approved_by = by
    db.session.flush()
    minutes_approved.send(meeting, approved_in=in_meeting, by=by)
    logger.info("minutes of meeting %s approved in meeting %s", meeting.id, in_meeting.id)
    return agenda
