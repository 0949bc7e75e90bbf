"""Decisions (numbered per body and year), follow-ups (opvolgpunten) with their referrals to
another body, the record of fed-back minutes (the ROA loop), and the search documents.

A follow-up is never copied onto later agendas: the opvolglijst of a meeting is a query
(see ``queries.meeting_follow_ups``), so closing it anywhere shows everywhere at once.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rosemeet.accounts.models import Person
from rosemeet.agendas.models import AgendaItem
from rosemeet.core.enums import LabelledEnum, enum_column
from rosemeet.db import Base, utcnow
from rosemeet.meetings.models import Meeting
from rosemeet.network.models import Body, Organisation
from rosemeet.plan.models import PlanAction


class FollowUpStatus(LabelledEnum):
    """Where a follow-up stands; the values are the Dutch words of the JSON (as the plan's)."""

    OPEN = "open", _l("open")
    ONGOING = "lopend", _l("ongoing")
    DONE = "afgehandeld", _l("done")
    DROPPED = "geschrapt", _l("dropped")

    @property
    def is_open(self) -> bool:
        """Open and ongoing follow-ups still need someone's attention."""
        return self in (FollowUpStatus.OPEN, FollowUpStatus.ONGOING)

    @property
    def css(self) -> str:
        """A CSS class name for the status."""
        return "fu-" + self.name.lower()


#: the statuses that keep a follow-up on the opvolglijst
OPEN_STATUSES = (FollowUpStatus.OPEN, FollowUpStatus.ONGOING)


#: the plan actions a decision concerns
decision_action = Table(
    "decision_action",
    Base.metadata,
    Column("decision_id", ForeignKey("decision.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "action_id", ForeignKey("plan_action.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)

#: the plan actions a follow-up concerns
follow_up_action = Table(
    "follow_up_action",
    Base.metadata,
    Column("follow_up_id", ForeignKey("follow_up.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "action_id", ForeignKey("plan_action.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class Decision(Base):
    """A decision taken on an agenda item; numbered per body and year, never renumbered."""

    __tablename__ = "decision"
    __table_args__ = (
        UniqueConstraint("body_id", "year", "sequence"),
        CheckConstraint("sequence > 0", "positive_sequence"),
    )

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the body whose register holds it (for a joint meeting: the body chosen when recording)
    body_id: Mapped[int] = mapped_column(ForeignKey("body.id", ondelete="RESTRICT"), index=True)
    #: year of the meeting (Brussels date), part of the number
    year: Mapped[int]
    #: sequence within the body and year, from 1; unique with them, never reused
    sequence: Mapped[int]
    #: the agenda item it was taken on (a removed item leaves the decision in the register)
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="SET NULL"), index=True
    )
    #: the meeting it was taken in
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="RESTRICT"), index=True
    )
    #: what was decided (plain text, shown escaped)
    text: Mapped[str] = mapped_column(Text)
    #: the meeting's date in Brussels
    decided_on: Mapped[date]
    #: who recorded it
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    #: when it was recorded
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())

    body: Mapped[Body] = relationship(lazy="joined", innerjoin=True)
    agenda_item: Mapped[AgendaItem | None] = relationship()
    meeting: Mapped[Meeting] = relationship()
    recorded_by: Mapped[Person | None] = relationship()
    actions: Mapped[list[PlanAction]] = relationship(
        secondary=decision_action, order_by=PlanAction.position
    )
    follow_ups: Mapped[list[FollowUp]] = relationship(
        back_populates="decision", order_by="FollowUp.id"
    )

    @property
    def number(self) -> str:
        """The decision's number, as in AG-2027-03."""
        return f"{self.body.code}-{self.year}-{self.sequence:02d}"


class FollowUp(Base):
    """An opvolgpunt: something to do, by someone, maybe by a date, maybe to report back."""

    __tablename__ = "follow_up"
    __table_args__ = (
        CheckConstraint(
            "report_to_body_id IS NULL OR report_to_body_id <> body_id", "report_elsewhere"
        ),
        Index("ix_follow_up_status_due_on", "status", "due_on"),
    )

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: what must be done (plain text)
    title: Mapped[str] = mapped_column(String(300))
    #: more detail (plain text)
    description: Mapped[str | None] = mapped_column(Text)
    #: the owning body: its next meetings list the follow-up until it is dealt with
    body_id: Mapped[int] = mapped_column(ForeignKey("body.id", ondelete="RESTRICT"), index=True)
    #: the agenda item it came from
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="SET NULL"), index=True
    )
    #: the decision it came from, if any
    decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("decision.id", ondelete="SET NULL"), index=True
    )
    #: the meeting it was raised in ("uit Actiegroep 09/03/2027"); empty for a backlog item
    origin_meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting.id", ondelete="SET NULL"), index=True
    )
    #: the person who owns it
    owner_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    #: and/or the organisation that owns it
    owner_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    #: when it should be done; a date in the past is allowed (a warning, not an error)
    due_on: Mapped[date | None]
    #: open, lopend, afgehandeld or geschrapt
    status: Mapped[FollowUpStatus] = mapped_column(
        enum_column(FollowUpStatus), default=FollowUpStatus.OPEN
    )
    #: the body it must be reported back to (e.g. the ROA); it is on that body's agenda too
    report_to_body_id: Mapped[int | None] = mapped_column(
        ForeignKey("body.id", ondelete="RESTRICT"), index=True
    )
    #: when it was closed (afgehandeld or geschrapt)
    closed_at: Mapped[datetime | None]
    #: who closed it
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    #: what was decided or answered when it was closed (Markdown); required when a referred
    #: follow-up is closed, and read back by the body that raised it
    resolution: Mapped[str | None] = mapped_column(Text)
    #: the meeting it was dealt with in, if it was closed in one
    closed_in_meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting.id", ondelete="SET NULL"), index=True
    )
    #: who recorded it
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    #: when it was recorded
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    #: last change
    updated_at: Mapped[datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=func.now()
    )
    #: increases on every change (SQLAlchemy's version counter: a stale save changes nothing)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    body: Mapped[Body] = relationship(foreign_keys=[body_id])
    report_to_body: Mapped[Body | None] = relationship(foreign_keys=[report_to_body_id])
    agenda_item: Mapped[AgendaItem | None] = relationship()
    decision: Mapped[Decision | None] = relationship(back_populates="follow_ups")
    origin_meeting: Mapped[Meeting | None] = relationship(foreign_keys=[origin_meeting_id])
    closed_in_meeting: Mapped[Meeting | None] = relationship(foreign_keys=[closed_in_meeting_id])
    owner_person: Mapped[Person | None] = relationship(foreign_keys=[owner_person_id])
    owner_organisation: Mapped[Organisation | None] = relationship()
    closed_by: Mapped[Person | None] = relationship(foreign_keys=[closed_by_id])
    created_by: Mapped[Person | None] = relationship(foreign_keys=[created_by_id])
    actions: Mapped[list[PlanAction]] = relationship(
        secondary=follow_up_action, order_by=PlanAction.position
    )

    @property
    def is_open(self) -> bool:
        """Open or ongoing."""
        return self.status.is_open

    def is_overdue(self, today: date) -> bool:
        """Still open after its due date."""
        return self.is_open and self.due_on is not None and self.due_on < today

    @property
    def owner_label(self) -> str:
        """The owner as shown: "person (organisation)", either one, or nothing."""
        person, org = self.owner_person, self.owner_organisation
        if person and org:
            return f"{person.name} ({org.abbreviation or org.name})"
        if person:
            return person.name
        return org.display_name if org else ""

    @property
    def origin_date(self) -> date | None:
        """The date of the meeting it was raised in (Brussels)."""
        return self.origin_meeting.local_start.date() if self.origin_meeting else None


class FeedbackReport(Base):
    """A fed-back meeting: approved minutes of a body put as an item in another body's backlog.

    One row per (meeting, reporting body, receiving body): approving the same minutes again
    does not put a second item in the backlog.
    """

    __tablename__ = "feedback_report"
    __table_args__ = (UniqueConstraint("meeting_id", "source_body_id", "target_body_id"),)

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the meeting whose minutes were approved
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    #: the body that reports back (the ROA)
    source_body_id: Mapped[int] = mapped_column(ForeignKey("body.id", ondelete="CASCADE"))
    #: the body it reports back to (the Actiegroep)
    target_body_id: Mapped[int] = mapped_column(
        ForeignKey("body.id", ondelete="CASCADE"), index=True
    )
    #: the backlog item that was made in the receiving body
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="SET NULL"), index=True
    )
    #: when
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())

    meeting: Mapped[Meeting] = relationship()
    source_body: Mapped[Body] = relationship(foreign_keys=[source_body_id])
    target_body: Mapped[Body] = relationship(foreign_keys=[target_body_id])


#: the text the PostgreSQL full-text index is built on, as PostgreSQL prints it (so that
#: autogenerate finds no difference); migration 0006 and the search use the same
PG_DOCUMENT = (
    "to_tsvector('simple'::regconfig, (COALESCE(title, ''::character varying)::text "
    "|| ' '::text) || COALESCE(content, ''::text))"
)


class SearchKind(LabelledEnum):
    """What a search document stands for."""

    AGENDA_ITEM = "agenda_item", _l("Agenda item")
    MINUTES = "minutes", _l("Minutes")
    DECISION = "decision", _l("Decision")
    FOLLOW_UP = "follow_up", _l("Follow-up")


class SearchDocument(Base):
    """The searchable text of an agenda item, its minutes, a decision or a follow-up.

    Kept in step by ``search.index_*`` (flush hooks); the full-text index over it is
    an FTS5 table on SQLite and a GIN expression index on PostgreSQL (both made in the
    migration, see ``search.py``).
    """

    __tablename__ = "search_document"
    __table_args__ = (
        UniqueConstraint("kind", "object_id"),
        # PostgreSQL only (SQLite has the FTS5 table of migration 0006 instead)
        Index("ix_search_document_fts", text(PG_DOCUMENT), postgresql_using="gin").ddl_if(
            dialect="postgresql"
        ),
    )

    #: primary key (also the FTS5 rowid)
    id: Mapped[int] = mapped_column(primary_key=True)
    #: what it stands for
    kind: Mapped[SearchKind] = mapped_column(enum_column(SearchKind))
    #: the id of the agenda item, decision or follow-up
    object_id: Mapped[int]
    #: the body whose members may see it
    body_id: Mapped[int | None] = mapped_column(
        ForeignKey("body.id", ondelete="CASCADE"), index=True
    )
    #: the meeting it belongs to, if any
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    #: the title shown in results
    title: Mapped[str] = mapped_column(String(300))
    #: the text that is searched besides the title
    content: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: the date it is about (meeting date or creation date), for sorting
    happened_on: Mapped[date | None]
