"""Meeting series, meetings, the bodies they belong to, attendance and quorum rules."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

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
from rosemeet.network.models import Body, Role

#: Roles invited unless the planner chooses otherwise: everybody with a seat.
DEFAULT_INVITE_ROLES = ",".join(r.value for r in Role)


def new_uid() -> str:
    """A stable iCalendar UID for a meeting."""
    return f"{uuid.uuid4()}@rosemeet"


class MeetingStatus(LabelledEnum):
    """Whether a meeting takes place."""

    SCHEDULED = "scheduled", _l("Scheduled")
    CANCELLED = "cancelled", _l("Cancelled")


class Response(LabelledEnum):
    """An invitee's answer to the invitation (iCalendar PARTSTAT)."""

    NEEDS_ACTION = "needs_action", _l("No answer yet")
    ACCEPTED = "accepted", _l("Attends")
    DECLINED = "declined", _l("Does not attend")
    TENTATIVE = "tentative", _l("Maybe")


class ResponseChannel(LabelledEnum):
    """Where an invitee gave their answer."""

    WEB = "web", _l("in rosemeet")
    LINK = "link", _l("via the link in the mail")
    CALENDAR = "calendar", _l("via calendar")


class Presence(LabelledEnum):
    """Who was there, as recorded by the secretary."""

    PRESENT = "present", _l("Present")
    EXCUSED = "excused", _l("Excused")
    ABSENT = "absent", _l("Absent")


class QuorumBasis(LabelledEnum):
    """What a quorum counts."""

    MEMBERS = "members", _l("of the members")
    ORGANISATIONS = "organisations", _l("of the member organisations")


#: The bodies a series plans for (usually one; two for a joint series).
series_body = Table(
    "meeting_series_body",
    Base.metadata,
    Column(
        "series_id",
        ForeignKey("meeting_series.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("body_id", ForeignKey("body.id", ondelete="RESTRICT"), primary_key=True, index=True),
)

#: Guests invited to every meeting of a series, besides the bodies' members.
series_guest = Table(
    "meeting_series_guest",
    Base.metadata,
    Column(
        "series_id",
        ForeignKey("meeting_series.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("person_id", ForeignKey("person.id", ondelete="CASCADE"), primary_key=True),
)

#: The bodies a meeting belongs to (two or more for a joint meeting).
meeting_body = Table(
    "meeting_body",
    Base.metadata,
    Column("meeting_id", ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True),
    Column("body_id", ForeignKey("body.id", ondelete="RESTRICT"), primary_key=True, index=True),
)


class MeetingSeries(Base):
    """A recurring cycle of meetings: an RRULE from a first date at a wall-clock time."""

    __tablename__ = "meeting_series"
    __table_args__ = (CheckConstraint("duration_minutes > 0", "positive_duration"),)

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: name shown for its meetings; empty: the bodies' names
    title: Mapped[str | None] = mapped_column(String(200))
    #: the RFC 5545 rule in canonical form, without DTSTART (see recurrence.py)
    rrule: Mapped[str] = mapped_column(String(300))
    #: first local date of the series (a meeting only if it matches the rule)
    first_date: Mapped[date]
    #: wall-clock start time in ``timezone``
    start_time: Mapped[time]
    #: length of each meeting in minutes
    duration_minutes: Mapped[int]
    #: IANA zone of the wall-clock time
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Brussels")
    #: address of the meetings
    location: Mapped[str | None] = mapped_column(String(300))
    #: video-call link of the meetings
    online_url: Mapped[str | None] = mapped_column(String(500))
    #: invited roles of the bodies' members, comma-separated Role values
    invite_roles: Mapped[str] = mapped_column(String(100), default=DEFAULT_INVITE_ROLES)
    #: local date up to which meetings have been generated (the rolling horizon)
    generated_until: Mapped[date | None]
    #: the series this one was split from ("this and the following meetings")
    previous_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_series.id", ondelete="SET NULL")
    )
    #: when the record was made
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    #: last change
    updated_at: Mapped[datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=func.now()
    )
    #: increases on every change (SQLAlchemy's version counter: a stale save changes nothing)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    bodies: Mapped[list[Body]] = relationship(secondary=series_body, order_by=Body.name)
    guests: Mapped[list[Person]] = relationship(secondary=series_guest, order_by=Person.name)
    meetings: Mapped[list[Meeting]] = relationship(
        back_populates="series", order_by="Meeting.starts_at", passive_deletes=True
    )

    @property
    def roles(self) -> list[Role]:
        """The invited roles."""
        return parse_roles(self.invite_roles)


class Meeting(Base):
    """One meeting: generated by a series or planned once; has its own time, place, status."""

    __tablename__ = "meeting"
    __table_args__ = (
        UniqueConstraint("series_id", "occurrence_date"),
        CheckConstraint("ends_at > starts_at", "ends_after_start"),
        Index("ix_meeting_starts_at", "starts_at"),
    )

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: stable iCalendar UID (uuid4@rosemeet); never changes
    uid: Mapped[str] = mapped_column(String(100), unique=True, default=new_uid)
    #: the series it was generated by, if any
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_series.id", ondelete="SET NULL"), index=True
    )
    #: the series date it stands for (RECURRENCE-ID); kept when the meeting is moved
    occurrence_date: Mapped[date | None]
    #: name; empty: the bodies' names
    title: Mapped[str | None] = mapped_column(String(200))
    #: start (UTC)
    starts_at: Mapped[datetime]
    #: end (UTC)
    ends_at: Mapped[datetime]
    #: IANA zone the meeting is planned in
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Brussels")
    #: address
    location: Mapped[str | None] = mapped_column(String(300))
    #: video-call link
    online_url: Mapped[str | None] = mapped_column(String(500))
    #: invited roles of the bodies' members, comma-separated Role values
    invite_roles: Mapped[str] = mapped_column(String(100), default=DEFAULT_INVITE_ROLES)
    #: scheduled or cancelled
    status: Mapped[MeetingStatus] = mapped_column(
        enum_column(MeetingStatus), default=MeetingStatus.SCHEDULED
    )
    #: why it was cancelled
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    #: iCalendar SEQUENCE: increases on every change of time, place or status
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    #: when the record was made
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    #: last change
    updated_at: Mapped[datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=func.now()
    )
    #: increases on every change of the row, unlike ``sequence`` (SQLAlchemy's version
    #: counter: a stale save changes nothing)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    series: Mapped[MeetingSeries | None] = relationship(back_populates="meetings")
    bodies: Mapped[list[Body]] = relationship(secondary=meeting_body, order_by=Body.name)
    attendances: Mapped[list[Attendance]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def is_cancelled(self) -> bool:
        """Cancelled meetings stay visible, marked as such."""
        return self.status is MeetingStatus.CANCELLED

    @property
    def zone(self) -> ZoneInfo:
        """The meeting's time zone."""
        return ZoneInfo(self.timezone)

    @property
    def local_start(self) -> datetime:
        """Start in the meeting's zone."""
        return self.starts_at.astimezone(self.zone)

    @property
    def local_end(self) -> datetime:
        """End in the meeting's zone."""
        return self.ends_at.astimezone(self.zone)

    @property
    def display_title(self) -> str:
        """The title, or the names of its bodies."""
        if self.title:
            return self.title
        return " + ".join(b.name for b in self.bodies) or str(_l("Meeting"))

    @property
    def roles(self) -> list[Role]:
        """The invited roles."""
        return parse_roles(self.invite_roles)


class Attendance(Base):
    """An invitee's answer and presence at one meeting; guests exist only as rows here."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the meeting
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    #: the invitee
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    #: invited as a guest (not through a body's membership)
    is_guest: Mapped[bool] = mapped_column(default=False, server_default="0")
    #: the invitee's answer
    response: Mapped[Response] = mapped_column(enum_column(Response), default=Response.NEEDS_ACTION)
    #: when the answer was given
    responded_at: Mapped[datetime | None]
    #: where the answer was given (rosemeet's page, the one-click link, a calendar's reply)
    responded_via: Mapped[ResponseChannel | None] = mapped_column(enum_column(ResponseChannel))
    #: the invitee's comment with the answer (an iTIP COMMENT)
    response_comment: Mapped[str | None] = mapped_column(Text)
    #: present, excused or absent (recorded by the secretary)
    presence: Mapped[Presence | None] = mapped_column(enum_column(Presence))

    meeting: Mapped[Meeting] = relationship(back_populates="attendances")
    person: Mapped[Person] = relationship()


class QuorumRule(Base):
    """A body's quorum: at least ``percent`` % of its members or member organisations present."""

    __tablename__ = "quorum_rule"
    __table_args__ = (CheckConstraint("percent > 0 AND percent <= 100", "percent_range"),)

    #: the body (one rule per body); deleted with it, as it is not history
    body_id: Mapped[int] = mapped_column(
        ForeignKey("body.id", ondelete="CASCADE"), primary_key=True
    )
    #: members or member organisations
    basis: Mapped[QuorumBasis] = mapped_column(enum_column(QuorumBasis))
    #: share that must be present, in percent (50: half)
    percent: Mapped[int] = mapped_column(default=50)

    body: Mapped[Body] = relationship()


def parse_roles(text: str | None) -> list[Role]:
    """Role values from a comma-separated text, unknown ones dropped."""
    return [r for r in (Role.parse(v.strip()) for v in (text or "").split(",")) if r]


class ReplyKind(LabelledEnum):
    """What an iTIP message from an invitee's calendar asked."""

    REPLY = "reply", _l("Answer")
    COUNTER = "counter", _l("Proposed new time")


class ReplyStatus(LabelledEnum):
    """What rosemeet did with a calendar reply."""

    APPLIED = "applied", _l("Applied")
    OUTDATED = "outdated", _l("Answer to an earlier time")
    NOT_MATCHED = "not_matched", _l("Not matched")
    UNKNOWN_MEETING = "unknown_meeting", _l("Unknown meeting")
    CANCELLED = "cancelled", _l("Meeting cancelled")
    DELEGATED = "delegated", _l("Delegated")
    COUNTER = "counter", _l("Proposed new time")
    HANDLED = "handled", _l("Handled")


class CalendarReply(Base):
    """One answer (or proposed time) that came in from an invitee's calendar by mail, with
    what was done with it; listed for the secretary when it needs a person."""

    __tablename__ = "calendar_reply"

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the mail it came in (``mail.models.InboundMessage``)
    inbound_message_id: Mapped[int] = mapped_column(
        ForeignKey("inbound_message.id", ondelete="CASCADE"), index=True
    )
    #: the meeting its UID names, when known
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    #: the invitee it was matched to
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    #: the ATTENDEE's address as the reply gave it
    attendee_email: Mapped[str | None] = mapped_column(String(320))
    #: the UID the reply names
    uid: Mapped[str | None] = mapped_column(String(255))
    #: a REPLY or a COUNTER
    kind: Mapped[ReplyKind] = mapped_column(enum_column(ReplyKind), default=ReplyKind.REPLY)
    #: the PARTSTAT (accepted, tentative, declined, delegated), lower case
    partstat: Mapped[str | None] = mapped_column(String(30))
    #: the reply's SEQUENCE (older than the meeting's: an answer to an earlier time)
    sequence: Mapped[int | None]
    #: the COMMENT it carried
    comment: Mapped[str | None] = mapped_column(Text)
    #: DELEGATED-TO: the address it was delegated to
    delegated_to: Mapped[str | None] = mapped_column(String(320))
    #: a COUNTER's proposed start and end
    proposed_starts_at: Mapped[datetime | None]
    proposed_ends_at: Mapped[datetime | None]
    #: what was done with it
    status: Mapped[ReplyStatus] = mapped_column(enum_column(ReplyStatus))
    #: when a person dealt with it (a proposed time taken or set aside, a delegate added)
    handled_at: Mapped[datetime | None]
    #: when it came in
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())

    meeting: Mapped[Meeting | None] = relationship()
    person: Mapped[Person | None] = relationship()
