"""Outbox messages."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rosemeet.core.enums import LabelledEnum, enum_column
from rosemeet.db import Base, utcnow

if TYPE_CHECKING:  # mail sits below accounts: the person is known by its table
    from rosemeet.accounts.models import Person


class MessageStatus(LabelledEnum):
    """Where a message stands in delivery."""

    PENDING = "pending", _l("Pending")
    SENT = "sent", _l("Sent")
    DEAD = "dead", _l("Failed")


class OutboxMessage(Base):
    """One e-mail to one recipient, delivered at least once and at most once per key."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_message_status_next", "status", "next_attempt_at"),
        # a unique index, not a constraint: SQLite adds it without rebuilding the table (0008)
        Index("uq_outbox_message_message_id", "message_id", unique=True),
    )

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: idempotency key: the same event never queues two messages
    key: Mapped[str] = mapped_column(String(200), unique=True)
    #: what kind of message ("password_reset", "invitation", ...)
    kind: Mapped[str] = mapped_column(String(40))
    #: the recipient, when a person of the network
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    #: recipient address
    to_email: Mapped[str] = mapped_column(String(320))
    #: recipient name
    to_name: Mapped[str] = mapped_column(String(200), default="")
    #: subject line
    subject: Mapped[str] = mapped_column(String(300))
    #: plain text body
    text_body: Mapped[str] = mapped_column(Text)
    #: HTML body, optional
    html_body: Mapped[str | None] = mapped_column(Text)
    #: iCalendar object sent as a text/calendar part and as invite.ics (iTIP)
    calendar_body: Mapped[str | None] = mapped_column(Text)
    #: iTIP method of the calendar part: REQUEST or CANCEL
    calendar_method: Mapped[str | None] = mapped_column(String(20))
    #: who makes the secret links when the message is sent ("reset", "invite", "rsvp"):
    #: the bodies hold placeholders, the outbox never a token
    link_kind: Mapped[str | None] = mapped_column(String(40))
    #: what that link maker needs (ids and a password fingerprint, never a token)
    link_args: Mapped[dict | None] = mapped_column(JSON)
    #: changes with the same coalesce key, queued before the first is sent, become one message
    coalesce_key: Mapped[str | None] = mapped_column(String(200), index=True)
    #: pending, sent or dead
    status: Mapped[MessageStatus] = mapped_column(
        enum_column(MessageStatus), default=MessageStatus.PENDING
    )
    #: delivery attempts so far (a server that cannot be reached is no attempt)
    attempts: Mapped[int] = mapped_column(default=0)
    #: when delivery first tried this message; it is given up MAIL_DEAD_AFTER_HOURS later
    first_attempt_at: Mapped[datetime | None]
    #: the delivery run that has taken this message to send it (no other run touches it)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    #: that claim lapses at this time (a run that died lets go of its messages)
    claimed_until: Mapped[datetime | None]
    #: the Message-ID header, made once: every attempt sends the same one, so receivers
    #: recognise a message that reaches them twice
    message_id: Mapped[str | None] = mapped_column(String(250))
    #: not to be tried before this time
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: the last SMTP error, or why the message could not be built or was refused for good
    last_error: Mapped[str | None] = mapped_column(Text)
    #: when queued
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    #: when accepted by the SMTP server
    sent_at: Mapped[datetime | None]

    person: Mapped[Person | None] = relationship()


#: the longest key of a kind of reminder (``mail.reminders.register_reminder_kind``)
KIND_LENGTH = 30


class ReminderOptOut(Base):
    """A kind of reminder that a person has switched off."""

    __tablename__ = "reminder_opt_out"

    #: the person
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    #: the key of the kind switched off (one that a domain registered: ``mail.reminders``)
    kind: Mapped[str] = mapped_column(String(KIND_LENGTH), primary_key=True)


class InboundStatus(LabelledEnum):
    """What became of a mail read from the inbound mailbox."""

    PROCESSED = "processed", _l("Processed")
    UNUSABLE = "unusable", _l("Not usable")


class InboundMessage(Base):
    """A mail read from the inbound mailbox (IMAP), once per Message-ID: reading the same mail
    again (after a crash between reading and moving it) finds this row and changes nothing."""

    __tablename__ = "inbound_message"

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the Message-ID header (or a hash of the raw mail when it has none): the key of a mail
    message_key: Mapped[str] = mapped_column(String(300), unique=True)
    #: the From address
    sender: Mapped[str | None] = mapped_column(String(320))
    #: the subject (cut to 300 characters)
    subject: Mapped[str | None] = mapped_column(String(300))
    #: its size in bytes as the server gave it
    size: Mapped[int | None]
    #: processed (a handler used it) or unusable (moved to the folder of unknown mail)
    status: Mapped[InboundStatus] = mapped_column(enum_column(InboundStatus))
    #: why it could not be used, or what was done, in words for the admin's mail page
    detail: Mapped[str | None] = mapped_column(Text)
    #: when it was read
    received_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
