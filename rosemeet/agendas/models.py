"""Agendas and minutes: per meeting an agenda (status of agenda and minutes), ordered agenda
items (or, without a meeting, items in a body's backlog), the minutes' revisions, per-body
templates of standard opening items and settings, and proposals between bodies.
"""

from __future__ import annotations

from datetime import datetime

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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rosemeet.accounts.models import Person
from rosemeet.core.enums import LabelledEnum, enum_column
from rosemeet.db import Base, utcnow
from rosemeet.meetings.models import Meeting
from rosemeet.network.models import Body
from rosemeet.plan.models import PlanAction

#: Days before a meeting that its published agenda is sent as a reminder, unless a body says.
DEFAULT_REMINDER_DAYS = 7


class ItemKind(LabelledEnum):
    """What the meeting does with an item."""

    INFORMATION = "information", _l("For information")
    DISCUSSION = "discussion", _l("For discussion")
    DECISION = "decision", _l("For decision")


class ItemRole(LabelledEnum):
    """A standard item that the app recognises (from the body's template)."""

    WELCOME = "welcome", _l("Welcome")
    APPROVE_MINUTES = "approve_minutes", _l("Approval of the previous minutes")
    FOLLOWUPS = "followups", _l("Follow-up list")


class ItemSource(LabelledEnum):
    """Where an agenda item came from."""

    MANUAL = "manual", _l("Added by the secretary")
    TEMPLATE = "template", _l("Standard item")
    PROPOSAL = "proposal", _l("Proposal")
    FEEDBACK = "feedback", _l("Fed back")
    REFERRAL = "referral", _l("Referred")


class RemarkStatus(LabelledEnum):
    """How the secretary handled a remark on minutes sent for comments."""

    OPEN = "open", _l("Open")
    ACCEPTED = "accepted", _l("Accepted")
    ANSWERED = "answered", _l("Answered")


class AgendaStatus(LabelledEnum):
    """Whether members see the agenda."""

    DRAFT = "draft", _l("Draft")
    PUBLISHED = "published", _l("Published")


class MinutesStatus(LabelledEnum):
    """Where the minutes of a meeting stand."""

    DRAFT = "draft", _l("Draft")
    FOR_COMMENT = "for_comment", _l("Sent for comments")
    APPROVED = "approved", _l("Approved")


class ProposalStatus(LabelledEnum):
    """What the receiving body's secretary did with a proposal."""

    PENDING = "pending", _l("Waiting for the secretary")
    ACCEPTED = "accepted", _l("Accepted")
    DEFERRED = "deferred", _l("Deferred to a later meeting")
    DECLINED = "declined", _l("Declined")


#: The plan actions an agenda item concerns.
agenda_item_action = Table(
    "agenda_item_action",
    Base.metadata,
    Column("item_id", ForeignKey("agenda_item.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "action_id",
        ForeignKey("plan_action.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Agenda(Base):
    """The agenda and minutes state of one meeting; made when its agenda is first opened."""

    __tablename__ = "agenda"

    #: the meeting (one agenda per meeting)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True
    )
    #: draft or published
    status: Mapped[AgendaStatus] = mapped_column(
        enum_column(AgendaStatus), default=AgendaStatus.DRAFT
    )
    #: when first published
    published_at: Mapped[datetime | None]
    #: how many times invitees were told about the agenda (part of the outbox keys)
    revision: Mapped[int] = mapped_column(default=0, server_default="0")
    #: draft, sent for comments, approved
    minutes_status: Mapped[MinutesStatus] = mapped_column(
        enum_column(MinutesStatus), default=MinutesStatus.DRAFT
    )
    #: when the minutes were sent for comments
    minutes_sent_at: Mapped[datetime | None]
    #: when the minutes were approved
    minutes_approved_at: Mapped[datetime | None]
    #: the meeting that approved them (the next meeting's approval item)
    approved_in_meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting.id", ondelete="SET NULL"), index=True
    )
    #: who recorded the approval
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    #: when the agenda was made
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())

    meeting: Mapped[Meeting] = relationship(foreign_keys=[meeting_id])
    approved_in: Mapped[Meeting | None] = relationship(foreign_keys=[approved_in_meeting_id])
    approved_by: Mapped[Person | None] = relationship()

    @property
    def is_published(self) -> bool:
        """Members see published agendas only."""
        return self.status is AgendaStatus.PUBLISHED

    @property
    def minutes_approved(self) -> bool:
        """Approved minutes are read-only."""
        return self.minutes_status is MinutesStatus.APPROVED


class AgendaItem(Base):
    """An item on a meeting's agenda, or in a body's backlog (no meeting yet)."""

    __tablename__ = "agenda_item"
    __table_args__ = (
        CheckConstraint("(meeting_id IS NULL) <> (body_id IS NULL)", "meeting_or_backlog"),
        CheckConstraint("planned_minutes IS NULL OR planned_minutes >= 0", "minutes_positive"),
        # one item per place on an agenda; backlog items (no meeting) never collide, since
        # NULLs are distinct in a unique index on both engines. A unique index, not a
        # constraint: SQLite adds it without rebuilding the table (migration 0009).
        Index("uq_agenda_item_meeting_id_position", "meeting_id", "position", unique=True),
    )

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the meeting whose agenda holds it; empty while in a backlog
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    #: the body whose backlog holds it (only without a meeting)
    body_id: Mapped[int | None] = mapped_column(
        ForeignKey("body.id", ondelete="CASCADE"), index=True
    )
    #: order on the agenda, from 1
    position: Mapped[int] = mapped_column(default=0)
    #: title
    title: Mapped[str] = mapped_column(String(300))
    #: what the item is about (Markdown)
    description: Mapped[str | None] = mapped_column(Text)
    #: for information, discussion or decision
    kind: Mapped[ItemKind] = mapped_column(enum_column(ItemKind), default=ItemKind.DISCUSSION)
    #: a standard item the app recognises (approval of the minutes, follow-up list)
    role: Mapped[ItemRole | None] = mapped_column(enum_column(ItemRole))
    #: who presents it, when a person of the network
    presenter_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    #: who presents it, as free text (a guest)
    presenter_text: Mapped[str | None] = mapped_column(String(200))
    #: planned time in minutes
    planned_minutes: Mapped[int | None]
    #: links (URLs), one per line
    links: Mapped[str | None] = mapped_column(Text)
    #: where the item came from
    source: Mapped[ItemSource] = mapped_column(enum_column(ItemSource), default=ItemSource.MANUAL)
    #: where it came from, in words ("uit Actiegroep 09/03/2027")
    origin_text: Mapped[str | None] = mapped_column(String(300))
    #: the minutes of this item (Markdown)
    minutes: Mapped[str | None] = mapped_column(Text)
    #: increases on every save of the item or its minutes (SQLAlchemy's version counter: each
    #: UPDATE says ``WHERE version = <read>``, so a stale save changes nothing)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    #: when made
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    #: last change
    updated_at: Mapped[datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=func.now()
    )

    __mapper_args__ = {"version_id_col": version}

    meeting: Mapped[Meeting | None] = relationship()
    body: Mapped[Body | None] = relationship()
    presenter: Mapped[Person | None] = relationship()
    actions: Mapped[list[PlanAction]] = relationship(
        secondary=agenda_item_action, order_by=PlanAction.position
    )
    revisions: Mapped[list[MinutesRevision]] = relationship(
        back_populates="item",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="MinutesRevision.version",
    )

    @property
    def presenter_name(self) -> str:
        """The presenter, person or free text."""
        if self.presenter is not None:
            return self.presenter.name
        return self.presenter_text or ""

    @property
    def link_list(self) -> list[str]:
        """The links, one per line."""
        return [line.strip() for line in (self.links or "").splitlines() if line.strip()]


class MinutesRevision(Base):
    """A saved version of an item's minutes (every save is kept)."""

    __tablename__ = "minutes_revision"
    __table_args__ = (UniqueConstraint("item_id", "version"),)

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the agenda item
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id", ondelete="CASCADE"))
    #: the item's version this text was saved as
    version: Mapped[int]
    #: the minutes' text (Markdown)
    text: Mapped[str] = mapped_column(Text, default="")
    #: who saved it
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    #: when
    saved_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())

    item: Mapped[AgendaItem] = relationship(back_populates="revisions")
    saved_by: Mapped[Person | None] = relationship()


class MinutesDraft(Base):
    """What one person typed in an item's minutes and did not save yet (kept while typing,
    offered back after a crash or a closed tab; gone once the item's minutes are saved)."""

    __tablename__ = "minutes_draft"
    __table_args__ = (UniqueConstraint("item_id", "person_id"),)

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the agenda item
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id", ondelete="CASCADE"))
    #: who typed it
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    #: the text typed (Markdown)
    text: Mapped[str] = mapped_column(Text, default="")
    #: the item's version the typing started from (a newer saved version: offer a merge)
    base_version: Mapped[int]
    #: when it was last kept
    saved_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())

    item: Mapped[AgendaItem] = relationship()
    person: Mapped[Person] = relationship()


class MinutesRemark(Base):
    """A remark of an invitee on an item's minutes while they are sent for comments, with
    how the secretary handled it; kept with the minutes' history."""

    __tablename__ = "minutes_remark"

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the agenda item whose minutes it is about
    item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="CASCADE"), index=True
    )
    #: who made it
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    #: the remark (plain text)
    text: Mapped[str] = mapped_column(Text)
    #: a proposed wording of the item's minutes (Markdown), if any
    proposed_text: Mapped[str | None] = mapped_column(Text)
    #: open, accepted (the wording applied as a new revision) or answered
    status: Mapped[RemarkStatus] = mapped_column(
        enum_column(RemarkStatus), default=RemarkStatus.OPEN
    )
    #: the secretary's answer
    answer: Mapped[str | None] = mapped_column(Text)
    #: the item's version that applied the proposed wording
    applied_version: Mapped[int | None]
    #: who handled it
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    #: when it was handled
    handled_at: Mapped[datetime | None]
    #: when it was made
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())

    item: Mapped[AgendaItem] = relationship()
    author: Mapped[Person | None] = relationship(foreign_keys=[author_id])
    handled_by: Mapped[Person | None] = relationship(foreign_keys=[handled_by_id])


class TemplateItem(Base):
    """A standard opening item of a body's agendas."""

    __tablename__ = "agenda_template_item"

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the body
    body_id: Mapped[int] = mapped_column(ForeignKey("body.id", ondelete="CASCADE"), index=True)
    #: order, from 1
    position: Mapped[int] = mapped_column(default=0)
    #: title
    title: Mapped[str] = mapped_column(String(300))
    #: for information, discussion or decision
    kind: Mapped[ItemKind] = mapped_column(enum_column(ItemKind), default=ItemKind.INFORMATION)
    #: a standard item the app recognises
    role: Mapped[ItemRole | None] = mapped_column(enum_column(ItemRole))
    #: planned time in minutes
    planned_minutes: Mapped[int | None]


class AgendaSettings(Base):
    """A body's agenda settings; without a row the defaults hold."""

    __tablename__ = "agenda_settings"

    #: the body
    body_id: Mapped[int] = mapped_column(
        ForeignKey("body.id", ondelete="CASCADE"), primary_key=True
    )
    #: days before a meeting that the published agenda is sent as a reminder
    reminder_days: Mapped[int] = mapped_column(default=DEFAULT_REMINDER_DAYS)
    #: set once the body has its own template (its rows replace the default items)
    template_saved: Mapped[bool] = mapped_column(default=False, server_default="0")


class Proposal(Base):
    """An item proposed for a body's agenda, by a member or by a body that prepares it."""

    __tablename__ = "agenda_proposal"

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the body it is proposed to
    body_id: Mapped[int] = mapped_column(ForeignKey("body.id", ondelete="CASCADE"), index=True)
    #: the body that sent it (a body preparing the agenda), if any
    from_body_id: Mapped[int | None] = mapped_column(
        ForeignKey("body.id", ondelete="SET NULL"), index=True
    )
    #: the item of the sending body's agenda it was sent from
    source_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="SET NULL"), index=True
    )
    #: who proposed it
    proposer_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    #: title
    title: Mapped[str] = mapped_column(String(300))
    #: what it is about (Markdown)
    description: Mapped[str | None] = mapped_column(Text)
    #: for information, discussion or decision
    kind: Mapped[ItemKind] = mapped_column(enum_column(ItemKind), default=ItemKind.DISCUSSION)
    #: time asked for, in minutes
    planned_minutes: Mapped[int | None]
    #: pending, accepted, deferred, declined
    status: Mapped[ProposalStatus] = mapped_column(
        enum_column(ProposalStatus), default=ProposalStatus.PENDING
    )
    #: why it was declined
    reason: Mapped[str | None] = mapped_column(Text)
    #: the agenda (or backlog) item it became
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="SET NULL"), index=True
    )
    #: who decided
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    #: when
    decided_at: Mapped[datetime | None]
    #: when proposed
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())

    body: Mapped[Body] = relationship(foreign_keys=[body_id])
    from_body: Mapped[Body | None] = relationship(foreign_keys=[from_body_id])
    source_item: Mapped[AgendaItem | None] = relationship(foreign_keys=[source_item_id])
    item: Mapped[AgendaItem | None] = relationship(foreign_keys=[item_id])
    proposer: Mapped[Person | None] = relationship(foreign_keys=[proposer_id])
    decided_by: Mapped[Person | None] = relationship(foreign_keys=[decided_by_id])
