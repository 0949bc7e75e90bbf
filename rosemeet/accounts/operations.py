"""Accounts: people, passwords, login throttling, reset and invitation links, API tokens.

Every function changes objects and flushes; the caller commits once.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select

from rosemeet.accounts.models import ApiToken, LoginAttempt, Person
from rosemeet.db import utcnow
from rosemeet.extensions import db
from rosemeet.mail.operations import enqueue_template

logger = logging.getLogger(__name__)

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters

#: "last used" of an API token is updated at most this often
TOKEN_USE_PRECISION = timedelta(minutes=5)
#: shortest password accepted
MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """A user-facing refusal (the message is translated)."""


def normalize_email(email: str) -> str:
    """Addresses are compared in lower case without surrounding blanks."""
    return email.strip().lower()


def find_by_email(email: str) -> Person | None:
    """The person with this address, if any."""
    return db.session.scalar(select(Person).where(Person.email == normalize_email(email)))


def create_person(
    *,
    name: str,
    email: str | None = None,
    organisation=None,
    is_admin: bool = False,
    phone: str | None = None,
    locale: str = "nl",
) -> Person:
    """Add a person; a second person with the same address is refused."""
    email = normalize_email(email) if email else None
    if email and find_by_email(email):
        raise AccountError(_("Someone with this e-mail address already exists."))
    person = Person(
        name=name.strip(),
        email=email,
        organisation=organisation,
        is_admin=is_admin,
        phone=phone,
        locale=locale,
    )
    db.session.add(person)
    db.session.flush()
    logger.info("person %s created", person.id)
    return person


def update_person(person: Person, **fields) -> Person:
    """Change a person's details; the address stays unique."""
    if "email" in fields:
        email = normalize_email(fields["email"]) if fields["email"] else None
        other = find_by_email(email) if email else None
        if other is not None and other.id != person.id:
            raise AccountError(_("Someone with this e-mail address already exists."))
        fields["email"] = email
    for key, value in fields.items():
        setattr(person, key, value)
    db.session.flush()
    return person


def set_password(person: Person, password: str) -> None:
    """Store a new password hash and end every existing session of this person."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            _("The password must be at least %(n)s characters long.", n=MIN_PASSWORD_LENGTH)
        )
    person.password_hash = _hasher.hash(password)
    person.session_version += 1
    db.session.flush()


def check_password(person: Person, password: str) -> bool:
    """Verify a password; rehash it when the parameters have changed."""
    if not person.password_hash:
        return False
    try:
        _hasher.verify(person.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(person.password_hash):
        person.password_hash = _hasher.hash(password)
    return True


def _recent_failures(scope: str, key: str) -> int:
    window = timedelta(seconds=current_app.config["LOGIN_THROTTLE_WINDOW"])
    return db.session.scalar(
        select(func.count(LoginAttempt.id)).where(
            LoginAttempt.scope == scope,
            LoginAttempt.key == key,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.attempted_at > utcnow() - window,
        )
    )


def is_throttled(email: str, ip: str) -> bool:
    """Too many recent failures for this account or from this address?"""
    config = current_app.config
    return (
        _recent_failures("account", normalize_email(email)) >= config["LOGIN_MAX_FAILURES_ACCOUNT"]
        or _recent_failures("ip", ip) >= config["LOGIN_MAX_FAILURES_IP"]
    )


def authenticate(email: str, password: str, ip: str) -> Person:
    """Check the credentials and record the attempt; raise AccountError when refused."""
    email = normalize_email(email)
    if is_throttled(email, ip):
        logger.warning("login throttled for an account or address")
        raise AccountError(
            _("Too many failed attempts. Wait a quarter of an hour or reset your password.")
        )
    person = find_by_email(email)
    ok = person is not None and person.is_active_account and check_password(person, password)
    db.session.add_all(
        [
            LoginAttempt(scope="account", key=email, succeeded=ok),
            LoginAttempt(scope="ip", key=ip, succeeded=ok),
        ]
    )
    db.session.flush()
    if not ok:
        raise AccountError(_("E-mail address or password is not correct."))
    person.last_login_at = utcnow()
    return person


def end_sessions(person: Person) -> None:
    """Invalidate every session cookie of this person (logout everywhere)."""
    person.session_version += 1
    db.session.flush()


# --- signed links: password reset and invitation -------------------------------------------


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"rosemeet-{purpose}")


def _fingerprint(person: Person) -> str:
    """Changes when the password changes, so a used link cannot be used again."""
    material = f"{person.password_hash or ''}:{person.session_version}".encode()
    return hashlib.sha256(material).hexdigest()[:16]


def make_link_token(person: Person, purpose: str) -> str:
    """A signed token for a reset ("reset") or invitation ("invite") link."""
    return _serializer(purpose).dumps({"p": person.id, "f": _fingerprint(person)})


def load_link_token(token: str, purpose: str) -> Person | None:
    """The person a link token names, if it is genuine, fresh and not yet used."""
    max_age = current_app.config[
        "RESET_TOKEN_MAX_AGE" if purpose == "reset" else "INVITE_TOKEN_MAX_AGE"
    ]
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except BadSignature:
        return None
    person = db.session.get(Person, data.get("p"))
    if person is None or data.get("f") != _fingerprint(person) or not person.is_active_account:
        return None
    return person


def _link(endpoint: str, token: str) -> str:
    return current_app.config["BASE_URL"] + url_for(endpoint, token=token)


def request_password_reset(email: str) -> None:
    """Queue a reset mail if the address is known; say nothing either way (no account probing)."""
    person = find_by_email(email)
    if person is None or not person.is_active_account:
        logger.info("password reset asked for an unknown address")
        return
    token = make_link_token(person, "reset")
    with force_locale(person.locale):
        enqueue_template(
            key=f"reset:{person.id}:{hashlib.sha256(token.encode()).hexdigest()[:24]}",
            kind="password_reset",
            person=person,
            subject=_("Reset your rosemeet password"),
            template="password_reset",
            link=_link("accounts.reset_password", token),
        )


def invite_person(person: Person) -> None:
    """Queue an invitation to set a password."""
    if not person.email:
        raise AccountError(_("This person has no e-mail address."))
    person.invited_at = utcnow()
    token = make_link_token(person, "invite")
    with force_locale(person.locale):
        enqueue_template(
            key=f"invite:{person.id}:{hashlib.sha256(token.encode()).hexdigest()[:24]}",
            kind="invitation",
            person=person,
            subject=_("You are invited to rosemeet"),
            template="invitation",
            link=_link("accounts.accept_invitation", token),
        )


# --- API tokens -----------------------------------------------------------------------------


def hash_token(token: str) -> str:
    """Tokens are stored as their SHA-256 (they are long random values, no salt needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(person: Person, name: str) -> tuple[ApiToken, str]:
    """Make a token; the plain value is returned once and never stored."""
    plain = "rm_" + secrets.token_urlsafe(32)
    token = ApiToken(
        person=person, name=name.strip() or "API", token_hash=hash_token(plain), prefix=plain[:10]
    )
    db.session.add(token)
    db.session.flush()
    logger.info("API token %s created for person %s", token.id, person.id)
    return token, plain


def person_for_api_token(plain: str) -> Person | None:
    """The active owner of a valid, unrevoked token."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(plain)))
    if token is None or token.revoked_at is not None or not token.person.is_active_account:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_USE_PRECISION:
        token.last_used_at = now  # not on every request: reads should not all write
    return token.person


def revoke_api_token(token: ApiToken) -> None:
    """Revoke a token: it answers 401 from now on."""
    token.revoked_at = utcnow()
    db.session.flush()
