"""Search over agenda items, minutes, decisions and follow-ups, behind one function.

Every searchable object (the ``SOURCES``: agenda items and their minutes, decisions,
follow-ups) has a ``search_document`` row (title, text, body, meeting), written by a flush
hook whenever one is added, changed or deleted, in the same transaction; the follow-ups'
``setup(app)`` starts that hook (``track_changes``). The full-text index over those rows is
made by migration 0006:

- SQLite: an FTS5 table ``search_document_fts`` (external content, unicode61 without
  diacritics) kept in step with ``search_document`` by three triggers;
- PostgreSQL: a GIN index on ``to_tsvector('simple', title || ' ' || content)``.

``search(user, text)`` turns the words into a prefix query for either backend, reads the
best candidates and keeps only what the user may see (``can``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date
from typing import Any
from zoneinfo import ZoneInfo

from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import (
    ColumnElement,
    Connection,
    column,
    delete,
    event,
    insert,
    or_,
    select,
    table,
    text,
    update,
)
from sqlalchemy.orm import Session, selectinload

from rosemeet.agendas.models import Agenda, AgendaItem
from rosemeet.core.permissions import can
from rosemeet.extensions import db
from rosemeet.followups.models import (
    PG_DOCUMENT,
    Decision,
    FollowUp,
    SearchDocument,
    SearchKind,
)
from rosemeet.followups.queries import visible_body_ids
from rosemeet.meetings.models import Meeting, meeting_body
from rosemeet.network.models import Body

logger = logging.getLogger(__name__)

#: how many ranked candidates are read before the permission check
CANDIDATES = 300
#: words shorter than this are left out of the query
MIN_WORD = 2
_WORD = re.compile(r"\w+", re.UNICODE)


# --- keeping the documents in step -----------------------------------------------------------

#: one search document of an object: its kind, the object's id, its values (None: no document)
Document = tuple[SearchKind, int, dict | None]


def _item_values(connection, item: AgendaItem) -> tuple[int | None, int | None, date | None]:
    """Body, meeting and date of an item, read from columns: in a flush hook, relationships
    of new objects are not loaded yet."""
    if item.meeting_id is None:
        on = item.created_at.date() if item.created_at else None
        return item.body_id, None, on
    row = connection.execute(
        select(Meeting.starts_at, Meeting.timezone).where(Meeting.id == item.meeting_id)
    ).first()
    body_id = connection.execute(
        select(meeting_body.c.body_id)
        .where(meeting_body.c.meeting_id == item.meeting_id)
        .order_by(meeting_body.c.body_id)
        .limit(1)
    ).scalar()
    on = None
    if row is not None:
        starts_at = row.starts_at if row.starts_at.tzinfo else row.starts_at.replace(tzinfo=UTC)
        on = starts_at.astimezone(ZoneInfo(row.timezone)).date()
    return body_id, item.meeting_id, on


def _agenda_item_documents(connection, item: AgendaItem) -> list[Document]:
    """An agenda item is found by its title and description, and by its minutes."""
    body_id, meeting_id, on = _item_values(connection, item)
    base = {"body_id": body_id, "meeting_id": meeting_id, "happened_on": on}
    described = {**base, "title": item.title[:300], "content": item.description or ""}
    minutes = {**base, "title": item.title[:300], "content": item.minutes} if item.minutes else None
    return [(SearchKind.AGENDA_ITEM, item.id, described), (SearchKind.MINUTES, item.id, minutes)]


def _decision_documents(_connection, decision: Decision) -> list[Document]:
    """A decision is found by its number and text."""
    values = {
        "body_id": decision.body_id,
        "meeting_id": decision.meeting_id,
        "happened_on": decision.decided_on,
        "title": decision.number,
        "content": decision.text,
    }
    return [(SearchKind.DECISION, decision.id, values)]


def _follow_up_documents(_connection, follow_up: FollowUp) -> list[Document]:
    """A follow-up is found by its title, its description and the answer it was closed with."""
    created_on = follow_up.created_at.date() if follow_up.created_at else None
    values = {
        "body_id": follow_up.body_id,
        "meeting_id": follow_up.origin_meeting_id,
        "happened_on": follow_up.due_on or created_on,
        "title": follow_up.title[:300],
        "content": "\n".join(t for t in (follow_up.description, follow_up.resolution) if t),
    }
    return [(SearchKind.FOLLOW_UP, follow_up.id, values)]


#: what is searchable: each model, and the documents (kind, id, values) an object of it makes;
#: values None means: no document (delete it)
SOURCES: dict[type, Callable[[Connection, Any], list[Document]]] = {
    AgendaItem: _agenda_item_documents,
    Decision: _decision_documents,
    FollowUp: _follow_up_documents,
}


def _documents(connection, obj) -> list[Document]:
    """The documents of an object of one of the SOURCES (none for any other object)."""
    for model, documents in SOURCES.items():
        if isinstance(obj, model):
            return documents(connection, obj)
    return []


def _write(connection, kind: SearchKind, object_id: int, values: dict | None) -> None:
    where = (SearchDocument.kind == kind, SearchDocument.object_id == object_id)
    if values is None:
        connection.execute(delete(SearchDocument).where(*where))
        return
    changed = connection.execute(update(SearchDocument).where(*where).values(**values)).rowcount
    if not changed:
        connection.execute(insert(SearchDocument).values(kind=kind, object_id=object_id, **values))


def track_changes() -> None:
    """Keep the documents in step with every flush of ``db``'s sessions (its session class,
    which every session it makes extends); listening once, however many apps are made."""
    if not event.contains(FlaskSession, "after_flush", _index_flushed):
        event.listen(FlaskSession, "after_flush", _index_flushed)


def _index_flushed(session: Session, _context) -> None:
    """Write the search documents of what this flush added, changed or deleted."""
    tracked = tuple(SOURCES)
    changed = [o for o in (*session.new, *session.dirty) if isinstance(o, tracked)]
    deleted = [o for o in session.deleted if isinstance(o, tracked)]
    if not changed and not deleted:
        return
    connection = session.connection()
    for obj in changed:
        for kind, object_id, values in _documents(connection, obj):
            _write(connection, kind, object_id, values)
    for obj in deleted:
        for kind, object_id, _values in _documents(connection, obj):
            _write(connection, kind, object_id, None)


def reindex_all() -> int:
    """Rewrite every search document (after a restore or a change of the rules)."""
    connection = db.session.connection()
    connection.execute(delete(SearchDocument))
    count = 0
    for model in SOURCES:
        obj: object
        for obj in db.session.scalars(select(model)):
            for kind, object_id, values in _documents(connection, obj):
                if values is not None:
                    _write(connection, kind, object_id, values)
                    count += 1
    if connection.dialect.name == "sqlite":
        connection.execute(
            text("INSERT INTO search_document_fts(search_document_fts) VALUES('rebuild')")
        )
    return count


# --- searching -------------------------------------------------------------------------------


def words(query: str) -> list[str]:
    """The words of a query (letters and digits), lower case, without duplicates."""
    seen: list[str] = []
    for word in _WORD.findall(query.casefold()):
        word = word.strip("_")
        if len(word) >= MIN_WORD and word not in seen:
            seen.append(word)
    return seen[:12]


def _ranked_ids(terms: list[str], seen: ColumnElement[bool] | None = None) -> list[int]:
    """Ids of matching documents, best first: every word must match (as a prefix). ``seen``
    (a condition on SearchDocument) cuts the candidates before they are ranked and counted,
    so that a member's CANDIDATES are drawn from what they may see, not from everything."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        tsquery = " & ".join(f"{t}:*" for t in terms)
        statement = (
            select(SearchDocument.id)
            .where(text(f"{PG_DOCUMENT} @@ to_tsquery('simple', :q)").bindparams(q=tsquery))
            .order_by(
                text(f"ts_rank({PG_DOCUMENT}, to_tsquery('simple', :q)) DESC").bindparams(
                    q=tsquery
                ),
                SearchDocument.id.desc(),
            )
        )
    else:
        match = " ".join('"' + t.replace('"', '""') + '"*' for t in terms)
        fts = table("search_document_fts", column("rowid"), column("rank"))
        statement = (
            select(fts.c.rowid)
            .where(text("search_document_fts MATCH :q").bindparams(q=match))
            .order_by(fts.c.rank, fts.c.rowid.desc())
        )
        if seen is not None:
            statement = statement.where(fts.c.rowid.in_(select(SearchDocument.id).where(seen)))
            seen = None
    if seen is not None:
        statement = statement.where(seen)
    return list(db.session.scalars(statement.limit(CANDIDATES)))


@dataclass
class Hit:
    """One search result the user may see."""

    kind: SearchKind
    title: str
    snippet: str
    on: date | None
    body_name: str
    obj: object


def snippet(content: str, terms: list[str], width: int = 160) -> str:
    flat = " ".join(content.split())
    lower = flat.casefold()
    at = min((lower.find(t) for t in terms if lower.find(t) >= 0), default=0)
    start = max(0, at - width // 3)
    piece = flat[start : start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(flat) else "")


def search(user, query: str, limit: int = 50) -> list[Hit]:
    """The agenda items, minutes, decisions and follow-ups matching every word of the query
    that the user may see, best first."""
    terms = words(query)
    if not terms:
        return []
    body_ids = visible_body_ids(user)
    seen = None
    if body_ids is not None:  # a first cut in SQL; ``can`` decides per object below
        seen = or_(
            SearchDocument.body_id.in_(body_ids),
            SearchDocument.kind == SearchKind.FOLLOW_UP,
            SearchDocument.meeting_id.in_(
                select(meeting_body.c.meeting_id).where(meeting_body.c.body_id.in_(body_ids))
            ),
        )
    ids = _ranked_ids(terms, seen)
    if not ids:
        return []
    statement = select(SearchDocument).where(SearchDocument.id.in_(ids))
    documents = {d.id: d for d in db.session.scalars(statement)}
    objects = _load_objects(documents.values())
    hits: list[Hit] = []
    for doc_id in ids:
        doc = documents.get(doc_id)
        obj = objects.get((doc.kind, doc.object_id)) if doc else None
        if doc is None or obj is None or not _may_see(user, doc.kind, obj):
            continue
        hits.append(
            Hit(
                doc.kind,
                doc.title,
                snippet(doc.content, terms),
                doc.happened_on,
                _body_name(obj),
                obj,
            )
        )
        if len(hits) >= limit:
            break
    return hits


def _load_objects(docs) -> dict:
    by_kind: dict[SearchKind, set[int]] = {}
    for doc in docs:
        model_kind = SearchKind.AGENDA_ITEM if doc.kind == SearchKind.MINUTES else doc.kind
        by_kind.setdefault(model_kind, set()).add(doc.object_id)
    out: dict = {}
    if by_kind.get(SearchKind.AGENDA_ITEM):
        for item in db.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.id.in_(by_kind[SearchKind.AGENDA_ITEM]))
            .options(
                selectinload(AgendaItem.meeting)
                .selectinload(Meeting.bodies)
                .selectinload(Body.memberships),
                selectinload(AgendaItem.meeting).selectinload(Meeting.attendances),
                selectinload(AgendaItem.body).selectinload(Body.memberships),
            )
        ):
            out[(SearchKind.AGENDA_ITEM, item.id)] = item
            out[(SearchKind.MINUTES, item.id)] = item
        meeting_ids = {item.meeting_id for item in out.values() if item.meeting_id}
        # the agendas, once: the permission rules look each one up in the session, which
        # keeps them only while they are referenced: kept with the objects
        out[(None, "agendas")] = db.session.scalars(
            select(Agenda).where(Agenda.meeting_id.in_(meeting_ids))
        ).all()
    if by_kind.get(SearchKind.DECISION):
        for decision in db.session.scalars(
            select(Decision)
            .where(Decision.id.in_(by_kind[SearchKind.DECISION]))
            .options(
                selectinload(Decision.body).selectinload(Body.memberships),
                selectinload(Decision.meeting).selectinload(Meeting.bodies),
            )
        ):
            out[(SearchKind.DECISION, decision.id)] = decision
    if by_kind.get(SearchKind.FOLLOW_UP):
        for follow_up in db.session.scalars(
            select(FollowUp)
            .where(FollowUp.id.in_(by_kind[SearchKind.FOLLOW_UP]))
            .options(
                selectinload(FollowUp.body).selectinload(Body.memberships),
                selectinload(FollowUp.report_to_body).selectinload(Body.memberships),
            )
        ):
            out[(SearchKind.FOLLOW_UP, follow_up.id)] = follow_up
    return out


def _may_see(user, kind: SearchKind, obj) -> bool:
    if kind == SearchKind.MINUTES:
        return obj.meeting is not None and can(user, "view_minutes", obj.meeting)
    return can(user, "view", obj)


def _body_name(obj) -> str:
    if isinstance(obj, AgendaItem):
        if obj.meeting is not None:
            return " + ".join(b.name for b in obj.meeting.bodies)
        return obj.body.name if obj.body else ""
    return obj.body.name
