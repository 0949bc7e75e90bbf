"""Documents: the papers (files and links) attached to a meeting, an agenda item, a meeting's
minutes, a decision, a follow-up, a plan action or a body (its standing links).

A ``Document`` is what people name and see ("Cijfers VDAB Q3"); each upload of it is a
``DocumentVersion`` (the latest is the one shown); the bytes of a version are a ``StoredFile``,
addressed by their SHA-256, so the same file uploaded twice is stored once. A link is a
document without versions and with a URL.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rosemeet.accounts.models import Person
from rosemeet.agendas.models import AgendaItem
from rosemeet.core.enums import LabelledEnum
from rosemeet.db import Base, utcnow
from rosemeet.followups.models import Decision, FollowUp
from rosemeet.meetings.models import Meeting
from rosemeet.network.models import Body
from rosemeet.plan.models import PlanAction

#: the columns that point at what a document belongs to; exactly one is set
TARGET_COLUMNS = (
    "meeting_id",
    "agenda_item_id",
    "decision_id",
    "follow_up_id",
    "action_id",
    "body_id",
)


class TargetKind(LabelledEnum):
    """What a document is attached to (also the word in its URLs and in the API's paths)."""

    MEETING = "meeting", _l("Meeting")
    AGENDA_ITEM = "agenda_item", _l("Agenda item")
    MINUTES = "minutes", _l("Minutes")
    DECISION = "decision", _l("Decision")
    FOLLOW_UP = "follow_up", _l("Follow-up")
    ACTION = "action", _l("Plan action")
    BODY = "body", _l("Body")


class FileFamily(LabelledEnum):
    """The kind of a document as the library filters it."""

    PDF = "pdf", _l("PDF")
    TEXT_DOCUMENT = "text_document", _l("Text document")
    SPREADSHEET = "spreadsheet", _l("Spreadsheet")
    PRESENTATION = "presentation", _l("Presentation")
    IMAGE = "image", _l("Image")
    PLAIN_TEXT = "plain_text", _l("Text or CSV")
    ARCHIVE = "archive", _l("ZIP archive")
    LINK = "link", _l("Web link")


class StoredFile(Base):
    """The bytes of one or more versions, kept by the storage under their SHA-256."""

    __tablename__ = "stored_file"

    #: the SHA-256 of the content, in hex: the storage's key
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: size in bytes
    size: Mapped[int] = mapped_column(BigInteger)
    #: the type detected from the content (never from the name)
    content_type: Mapped[str] = mapped_column(String(120))
    #: the text extracted for search (PDF, Word, spreadsheets, text); None when there is none
    text: Mapped[str | None] = mapped_column(Text)
    #: when first stored
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())


class Document(Base):
    """A paper attached to one object: a file with versions, or a link."""

    __tablename__ = "document"
    __table_args__ = (
        CheckConstraint(
            " + ".join(f"(CASE WHEN {c} IS NULL THEN 0 ELSE 1 END)" for c in TARGET_COLUMNS)
            + " = 1",
            "one_target",
        ),
        CheckConstraint("NOT on_minutes OR meeting_id IS NOT NULL", "minutes_of_a_meeting"),
    )

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the meeting it belongs to (its papers, or with ``on_minutes`` its minutes' annexes)
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    #: a document of the meeting's minutes rather than of the meeting
    on_minutes: Mapped[bool] = mapped_column(default=False, server_default="0")
    #: the agenda item it belongs to
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="CASCADE"), index=True
    )
    #: the decision it belongs to
    decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("decision.id", ondelete="CASCADE"), index=True
    )
    #: the follow-up it belongs to
    follow_up_id: Mapped[int | None] = mapped_column(
        ForeignKey("follow_up.id", ondelete="CASCADE"), index=True
    )
    #: the plan action it belongs to
    action_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_action.id", ondelete="CASCADE"), index=True
    )
    #: the body whose standing documents and links it is part of
    body_id: Mapped[int | None] = mapped_column(
        ForeignKey("body.id", ondelete="CASCADE"), index=True
    )
    #: what people call it
    title: Mapped[str] = mapped_column(String(300))
    #: for a link: the http(s) address; None for a file
    url: Mapped[str | None] = mapped_column(String(2000))
    #: visible only to the chair and the secretary of the body (and admins)
    internal: Mapped[bool] = mapped_column(default=False, server_default="0")
    #: who attached it
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    #: when attached
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    #: when its title, visibility or latest version last changed
    updated_at: Mapped[datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=func.now()
    )

    meeting: Mapped[Meeting | None] = relationship()
    agenda_item: Mapped[AgendaItem | None] = relationship()
    decision: Mapped[Decision | None] = relationship()
    follow_up: Mapped[FollowUp | None] = relationship()
    action: Mapped[PlanAction | None] = relationship()
    body: Mapped[Body | None] = relationship()
    created_by: Mapped[Person | None] = relationship()
    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="DocumentVersion.number",
    )

    @property
    def is_link(self) -> bool:
        """A link to a paper that lives elsewhere (no versions)."""
        return self.url is not None

    @property
    def latest(self) -> DocumentVersion | None:
        """The version shown (the highest number); None for a link."""
        return self.versions[-1] if self.versions else None

    @property
    def target_kind(self) -> TargetKind:
        """What it is attached to."""
        if self.meeting_id is not None:
            return TargetKind.MINUTES if self.on_minutes else TargetKind.MEETING
        for column, kind in (
            ("agenda_item_id", TargetKind.AGENDA_ITEM),
            ("decision_id", TargetKind.DECISION),
            ("follow_up_id", TargetKind.FOLLOW_UP),
            ("action_id", TargetKind.ACTION),
        ):
            if getattr(self, column) is not None:
                return kind
        return TargetKind.BODY

    @property
    def target(self):
        """The object it is attached to (for minutes: the meeting)."""
        return {
            TargetKind.MEETING: self.meeting,
            TargetKind.MINUTES: self.meeting,
            TargetKind.AGENDA_ITEM: self.agenda_item,
            TargetKind.DECISION: self.decision,
            TargetKind.FOLLOW_UP: self.follow_up,
            TargetKind.ACTION: self.action,
            TargetKind.BODY: self.body,
        }[self.target_kind]


class DocumentVersion(Base):
    """One upload of a document; numbered from 1, never renumbered; older ones stay."""

    __tablename__ = "document_version"
    __table_args__ = (
        UniqueConstraint("document_id", "number"),
        CheckConstraint("number > 0", "positive_number"),
    )

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the document it is a version of
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    #: 1 for the first upload, then 2, 3, ...
    number: Mapped[int]
    #: the content (a file row stays while a version refers to it)
    file_sha256: Mapped[str] = mapped_column(
        ForeignKey("stored_file.sha256", ondelete="RESTRICT"), index=True
    )
    #: the file name as uploaded, made safe (no path, no control characters)
    filename: Mapped[str] = mapped_column(String(200))
    #: who uploaded it
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    #: when
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())

    document: Mapped[Document] = relationship(back_populates="versions")
    file: Mapped[StoredFile] = relationship(lazy="joined", innerjoin=True)
    uploaded_by: Mapped[Person | None] = relationship()
