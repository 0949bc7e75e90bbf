"""Calendar feed tokens."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rosemeet.accounts.models import Person
from rosemeet.core.enums import LabelledEnum, enum_column
from rosemeet.db import Base, utcnow


class FeedScope(LabelledEnum):
    """Which meetings a feed shows."""

    PERSON = "person", _l("All my meetings")
    BODY = "body", _l("The meetings of a body")
    ORGANISATION = "organisation", _l("The meetings of an organisation's people")
    PUBLIC = "public", _l("The meetings of all public bodies")


class FeedToken(Base):
    """A subscribable calendar at /feeds/<token>.ics; only the token's hash is kept."""

    __tablename__ = "feed_token"

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: who made it; the feed shows what this person may see
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    #: person, body, organisation or public
    scope: Mapped[FeedScope] = mapped_column(enum_column(FeedScope))
    #: the body or organisation of the feed (empty for person and public feeds)
    target_id: Mapped[int | None]
    #: what the calendar is called in the calendar application
    name: Mapped[str] = mapped_column(String(200))
    #: SHA-256 of the token, hex
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: creation time
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    #: last time a calendar application fetched it
    last_used_at: Mapped[datetime | None]
    #: set when revoked: the URL answers 404 from then on
    revoked_at: Mapped[datetime | None]
    #: a reminder (VALARM) this many minutes before each meeting; None: no alarm
    alarm_minutes: Mapped[int | None]

    person: Mapped[Person] = relationship()

    @property
    def is_active(self) -> bool:
        """Not revoked."""
        return self.revoked_at is None
