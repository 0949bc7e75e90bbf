"""Reading documents: what a document is attached to, the documents of an object, a meeting's
papers in agenda order, what a meeting's documents weigh, a body's library, the search by
title and text, and the documents around a plan action."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from rosemeet.agendas.models import AgendaItem
from rosemeet.core.time import to_local
from rosemeet.documents.filetypes import ALLOWED
from rosemeet.documents.models import (
    Document,
    DocumentVersion,
    FileFamily,
    StoredFile,
    TargetKind,
)
from rosemeet.extensions import db
from rosemeet.followups.models import Decision, FollowUp
from rosemeet.followups.queries import item_bodies
from rosemeet.meetings.models import Meeting, meeting_body
from rosemeet.network.models import Body
from rosemeet.plan.models import PlanAction

#: the model behind each kind of target (minutes: the meeting)
MODELS: dict[TargetKind, type] = {
    TargetKind.MEETING: Meeting,
    TargetKind.MINUTES: Meeting,
    TargetKind.AGENDA_ITEM: AgendaItem,
    TargetKind.DECISION: Decision,
    TargetKind.FOLLOW_UP: FollowUp,
    TargetKind.ACTION: PlanAction,
    TargetKind.BODY: Body,
}


@dataclass(frozen=True)
class Target:
    """What documents are attached to: a kind and its object."""

    kind: TargetKind
    obj: Any

    @property
    def columns(self) -> dict[str, Any]:
        """The values of a new document's target columns."""
        if self.kind in (TargetKind.MEETING, TargetKind.MINUTES):
            return {"meeting_id": self.obj.id, "on_minutes": self.kind is TargetKind.MINUTES}
        column = {
            TargetKind.AGENDA_ITEM: "agenda_item_id",
            TargetKind.DECISION: "decision_id",
            TargetKind.FOLLOW_UP: "follow_up_id",
            TargetKind.ACTION: "action_id",
            TargetKind.BODY: "body_id",
        }[self.kind]
        return {column: self.obj.id}

    def condition(self):
        """The SQL condition of the documents attached to it."""
        return tuple(getattr(Document, name) == value for name, value in self.columns.items())


def load_target(kind: str | TargetKind, ident: int | None) -> Target | None:
    """The target named by a kind (its value, as in URLs) and an id; None when either is
    unknown."""
    try:
        kind = TargetKind(kind)
    except ValueError:
        return None
    obj = db.session.get(MODELS[kind], ident) if ident is not None else None
    return None if obj is None else Target(kind, obj)


def target_of(document: Document) -> Target:
    """What a document is attached to."""
    return Target(document.target_kind, document.target)


def target_meeting(target: Target) -> Meeting | None:
    """The meeting a target belongs to, if any (for the size limit per meeting)."""
    if target.kind in (TargetKind.MEETING, TargetKind.MINUTES):
        return target.obj
    if target.kind is TargetKind.AGENDA_ITEM:
        return target.obj.meeting
    return None


def target_bodies(target: Target) -> list[Body]:
    """The bodies a target belongs to (whose chair and secretary see internal documents)."""
    obj = target.obj
    if target.kind in (TargetKind.MEETING, TargetKind.MINUTES):
        return list(obj.bodies)
    if target.kind is TargetKind.AGENDA_ITEM:
        return item_bodies(obj)
    if target.kind in (TargetKind.DECISION, TargetKind.FOLLOW_UP):
        return [obj.body]
    if target.kind is TargetKind.ACTION:
        return obj.trekker_bodies
    return [obj]


def documents_of(target: Target) -> list[Document]:
    """The documents attached to ``target``, oldest first (permissions are the caller's)."""
    return list(
        db.session.scalars(
            select(Document)
            .where(*target.condition())
            .options(selectinload(Document.versions), selectinload(Document.created_by))
            .order_by(Document.created_at, Document.id)
        )
    )


def visible_documents(user, target: Target) -> list[Document]:
    """The documents of ``target`` the user may read."""
    from rosemeet.core.permissions import can

    return [d for d in documents_of(target) if can(user, "view", d)]


def meeting_document_condition(meeting: Meeting):
    """The documents of a meeting, its minutes and its agenda items."""
    items = select(AgendaItem.id).where(AgendaItem.meeting_id == meeting.id)
    return or_(Document.meeting_id == meeting.id, Document.agenda_item_id.in_(items))


def meeting_bytes(meeting: Meeting) -> int:
    """What every version of every document of a meeting (and its items) weighs."""
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(StoredFile.size), 0))
            .select_from(DocumentVersion)
            .join(StoredFile, StoredFile.sha256 == DocumentVersion.file_sha256)
            .join(Document, Document.id == DocumentVersion.document_id)
            .where(meeting_document_condition(meeting))
        )
        or 0
    )


def file_in_use(sha256: str) -> bool:
    """Does any version refer to this content?"""
    return (
        db.session.scalar(
            select(DocumentVersion.id).where(DocumentVersion.file_sha256 == sha256).limit(1)
        )
        is not None
    )


@dataclass(frozen=True)
class Paper:
    """One document among a meeting's papers ("stukken"), in agenda order."""

    #: 0 for the meeting's own papers, the item's place on the agenda (from 1), or after the
    #: last item for the minutes' annexes
    number: int
    #: the agenda item it belongs to (None: the meeting's or the minutes')
    item: AgendaItem | None
    document: Document


def meeting_papers(user, meeting: Meeting) -> list[Paper]:
    """Every document of the meeting, its items and its minutes that the user may read: first
    the meeting's own, then per item in agenda order, then the minutes' annexes. ``user``
    None: for everyone the meeting is for (mails, the archive): all but the internal ones."""
    from rosemeet.agendas.queries import meeting_items
    from rosemeet.core.permissions import can

    documents = list(
        db.session.scalars(
            select(Document)
            .where(meeting_document_condition(meeting))
            .options(selectinload(Document.versions))
            .order_by(Document.created_at, Document.id)
        )
    )
    items = meeting_items(meeting)
    papers = [Paper(0, None, d) for d in documents if d.meeting_id is not None and not d.on_minutes]
    for number, item in enumerate(items, 1):
        papers += [Paper(number, item, d) for d in documents if d.agenda_item_id == item.id]
    papers += [Paper(len(items) + 1, None, d) for d in documents if d.on_minutes]
    if user is None:
        return [p for p in papers if not p.document.internal]
    return [p for p in papers if can(user, "view", p.document)]


# --- the library of a body, search, an action's documents ------------------------------------

#: how many matching documents are read before the permission check
CANDIDATES = 300


def _in_body(body: Body):
    """The documents that belong to a body: its standing ones, those of its meetings (with
    their items and minutes), of its backlog items, its decisions and its follow-ups."""
    meetings = select(meeting_body.c.meeting_id).where(meeting_body.c.body_id == body.id)
    items = select(AgendaItem.id).where(
        or_(AgendaItem.meeting_id.in_(meetings), AgendaItem.body_id == body.id)
    )
    return or_(
        Document.body_id == body.id,
        Document.meeting_id.in_(meetings),
        Document.agenda_item_id.in_(items),
        Document.decision_id.in_(select(Decision.id).where(Decision.body_id == body.id)),
        Document.follow_up_id.in_(select(FollowUp.id).where(FollowUp.body_id == body.id)),
    )


def _matching(terms: list[str]):
    """Documents whose title or any version's text holds every word (case-insensitive)."""
    conditions = []
    for term in terms:
        pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        in_text = (
            select(DocumentVersion.id)
            .join(StoredFile, StoredFile.sha256 == DocumentVersion.file_sha256)
            .where(
                DocumentVersion.document_id == Document.id,
                StoredFile.text.ilike(pattern, escape="\\"),
            )
            .exists()
        )
        conditions.append(or_(Document.title.ilike(pattern, escape="\\"), in_text))
    return and_(*conditions)


def _of_family(family: FileFamily):
    """Documents of one kind: links, or files whose latest version is of that family."""
    if family is FileFamily.LINK:
        return Document.url.is_not(None)
    types = [t for t, (f, _extensions) in ALLOWED.items() if f is family]
    other = aliased(DocumentVersion)
    latest = (
        select(func.max(other.number)).where(other.document_id == Document.id).scalar_subquery()
    )
    return (
        select(DocumentVersion.id)
        .join(StoredFile, StoredFile.sha256 == DocumentVersion.file_sha256)
        .where(
            DocumentVersion.document_id == Document.id,
            DocumentVersion.number == latest,
            StoredFile.content_type.in_(types),
        )
        .exists()
    )


def _visible(user, statement, limit: int) -> list[Document]:
    from rosemeet.core.permissions import can

    documents = db.session.scalars(
        statement.options(selectinload(Document.versions), selectinload(Document.created_by))
        .order_by(Document.created_at.desc(), Document.id.desc())
        .limit(CANDIDATES)
    )
    return [d for d in documents if can(user, "view", d)][:limit]


def library(
    user,
    body: Body,
    *,
    query: str = "",
    year: int | None = None,
    family: FileFamily | None = None,
    limit: int = CANDIDATES,
) -> list[Document]:
    """The documents of a body that the user may read, newest first: matching every word of
    ``query`` in their title or text, attached in ``year``, of one ``family``."""
    from rosemeet.followups.search import words

    statement = select(Document).where(_in_body(body))
    terms = words(query)
    if terms:
        statement = statement.where(_matching(terms))
    if family is not None:
        statement = statement.where(_of_family(family))
    documents = _visible(user, statement, limit)
    if year is not None:
        documents = [d for d in documents if local_date(d.created_at).year == year]
    return documents


def library_years(body: Body) -> list[int]:
    """The years in which documents were attached in a body, newest first (the year filter)."""
    stamps = db.session.scalars(select(Document.created_at).where(_in_body(body)))
    return sorted({local_date(s).year for s in stamps}, reverse=True)


def standing_links(user, body: Body) -> list[Document]:
    """The body's own documents and links ("overzichten van VDAB"), as the user may read them."""
    return visible_documents(user, Target(TargetKind.BODY, body))


@dataclass(frozen=True)
class Found:
    """A document that a search found, with the words around the match in its text."""

    document: Document
    snippet: str


def search(user, query: str, limit: int = 20) -> list[Found]:
    """The documents the user may read whose title or text holds every word of ``query``."""
    from rosemeet.followups.search import snippet, words

    terms = words(query)
    if not terms:
        return []
    documents = _visible(user, select(Document).where(_matching(terms)), limit)
    found = []
    for document in documents:
        text = document.latest.file.text if document.latest and document.latest.file else None
        found.append(Found(document, snippet(text, terms) if text else ""))
    return found


def action_documents(user, action: PlanAction) -> list[Document]:
    """The documents of a plan action and of everything linked to it (its agenda items,
    decisions and follow-ups) that the user may read, newest first."""
    from rosemeet.agendas.models import agenda_item_action
    from rosemeet.followups.models import decision_action, follow_up_action

    def linked(table, column: str):
        return select(getattr(table.c, column)).where(table.c.action_id == action.id)

    statement = select(Document).where(
        or_(
            Document.action_id == action.id,
            Document.agenda_item_id.in_(linked(agenda_item_action, "item_id")),
            Document.decision_id.in_(linked(decision_action, "decision_id")),
            Document.follow_up_id.in_(linked(follow_up_action, "follow_up_id")),
        )
    )
    return _visible(user, statement, CANDIDATES)


def local_date(stamp):
    """The Brussels date of a stored UTC time."""
    return to_local(stamp).date()


def document_href(document: Document, external: bool = False) -> str:
    """Where a document opens: its address for a link, the download of its latest version
    (``external``: a full URL, for mails and exports)."""
    from flask import url_for

    if document.url is not None:
        return document.url
    return url_for("documents.download", document_id=document.id, _external=external)


def document_kind(document: Document) -> str:
    """What a document is, in words: "Link", "PDF", "Spreadsheet", ..."""
    if document.url is not None:
        return str(FileFamily.LINK.label)
    latest = document.latest
    entry = ALLOWED.get(latest.file.content_type) if latest is not None else None
    return str(entry[0].label) if entry else ""


def paper_line(document: Document) -> str:
    """A document as one line of text with its full URL, for mails and exports:
    "Cijfers VDAB (PDF): https://rosemeet.example/documents/3/download"."""
    return f"{document.title} ({document_kind(document)}): {document_href(document, True)}"


def proposed_item_ids(person) -> set[int]:
    """The agenda items that came from the person's proposals (they attach papers to them)."""
    from rosemeet.agendas.models import Proposal

    rows = db.session.scalars(
        select(Proposal.item_id).where(
            Proposal.proposer_id == person.id, Proposal.item_id.is_not(None)
        )
    )
    return {i for i in rows if i is not None}


#: where the papers of meetings' mails are kept during one request or command (``g``)
_MAIL_PAPERS = "documents_mail_papers"


def mail_papers(meeting: Meeting) -> list[str]:
    """The papers of a meeting as lines with their URLs, for its mails (everyone invited reads
    them; internal ones and the minutes' annexes are left out). Read once per meeting and
    request or command: a meeting's invitations render them for every invitee; a document
    operation forgets them (``forget_mail_papers``)."""
    from flask import g

    cache = g.setdefault(_MAIL_PAPERS, {})
    if meeting.id not in cache:
        cache[meeting.id] = [
            f"{p.number:02d} " + paper_line(p.document)
            for p in meeting_papers(None, meeting)
            if not p.document.on_minutes
        ]
    return list(cache[meeting.id])


def forget_mail_papers() -> None:
    """After a document changed: the next mail reads the papers again."""
    from flask import g

    g.pop(_MAIL_PAPERS, None)
