"""People (who may log in) and their credentials."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rosemeet.db import Base, utcnow

if TYPE_CHECKING:
    from rosemeet.network.models import Membership, Organisation


class Person(UserMixin, Base):
    """A person of the network: member of bodies, invitee of meetings, maybe a user."""

    __tablename__ = "person"

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: full name as shown everywhere
    name: Mapped[str] = mapped_column(String(200))
    #: e-mail address, lower case; people without one get no mail and cannot log in
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    #: telephone number, free text
    phone: Mapped[str | None] = mapped_column(String(50))
    #: the organisation the person works for
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    #: argon2id hash; empty until the person has set a password
    password_hash: Mapped[str | None] = mapped_column(String(255))
    #: the regisseur and other administrators may do everything
    is_admin: Mapped[bool] = mapped_column(default=False, server_default="0")
    #: false blocks login without deleting history
    is_active_account: Mapped[bool] = mapped_column(default=True, server_default="1")
    #: UI language, "nl" or "en"
    locale: Mapped[str] = mapped_column(String(5), default="nl", server_default="nl")
    #: bumped at logout and password change: every older session cookie stops working
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    #: when the record was made
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    #: last successful login
    last_login_at: Mapped[datetime | None]
    #: last time an invitation mail was queued
    invited_at: Mapped[datetime | None]

    organisation: Mapped[Organisation | None] = relationship(back_populates="people")
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )
    api_tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )

    def get_id(self) -> str:
        """Flask-Login identity: the id and the session version, so old cookies die."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        """Flask-Login: deactivated people cannot log in."""
        return self.is_active_account

    @property
    def can_log_in(self) -> bool:
        """Has an address, a password and an active account."""
        return bool(self.email and self.password_hash and self.is_active_account)

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.name!r}>"


class ApiToken(Base):
    """A personal token for ``Authorization: Bearer``; only its hash is kept."""

    __tablename__ = "api_token"

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: owner; the token acts with the owner's permissions
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    #: what the owner called it ("agenda script")
    name: Mapped[str] = mapped_column(String(100))
    #: SHA-256 of the token, hex
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: first characters of the token, to recognise it in the list
    prefix: Mapped[str] = mapped_column(String(12))
    #: creation time
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    #: last request made with it
    last_used_at: Mapped[datetime | None]
    #: set when revoked; a revoked token answers 401
    revoked_at: Mapped[datetime | None]

    person: Mapped[Person] = relationship(back_populates="api_tokens")


class LoginAttempt(Base):
    """One login attempt or reset request, kept in the database so throttling holds across
    workers (forgotten after LOGIN_ATTEMPTS_KEEP_DAYS by the scheduler)."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_scope_key_at", "scope", "key", "attempted_at"),)

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: "account" / "reset" (key = e-mail) or "ip" / "reset-ip" (key = address)
    scope: Mapped[str] = mapped_column(String(10))
    #: the e-mail address or IP address
    key: Mapped[str] = mapped_column(String(320))
    #: whether the password was right (reset requests: always true)
    succeeded: Mapped[bool] = mapped_column(default=False)
    #: when
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
