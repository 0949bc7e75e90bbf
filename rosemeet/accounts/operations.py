"""Accounts: people, passwords, login throttling, reset and invitation links, API tokens.

Every function changes objects and flushes; the caller commits once.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import secrets
from datetime import datetime, timedelta

from argon2 import Parameters, PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, func, select

from rosemeet.accounts.models import ApiToken, LoginAttempt, Person
from rosemeet.accounts.passwords import password_problem
from rosemeet.accounts.queries import (
    RESET_SCOPE_ADDRESS,
    RESET_SCOPE_IP,
    find_by_email,
    normalize_email,
)
from rosemeet.core.errors import Refused
from rosemeet.core.i18n import babel_locale
from rosemeet.db import rows_changed, utcnow
from rosemeet.extensions import db
from rosemeet.mail.links import LinkUnavailable, placeholder
from rosemeet.mail.operations import enqueue_template

logger = logging.getLogger(__name__)

#: argon2id costs per ``ARGON2_PROFILE``: RFC 9106's low-memory profile (argon2-cffi's default)
#: for real passwords, the cheapest one for the test suite. A hash stores its parameters, so it
#: verifies under either profile; a login under production rehashes a cheap hash once.
ARGON2_PROFILES: dict[str, Parameters] = {
    "production": profiles.RFC_9106_LOW_MEMORY,
    "test": profiles.CHEAPEST,
}

#: "last used" of an API token is updated at most this often
TOKEN_USE_PRECISION = timedelta(minutes=5)


class AccountError(Refused):
    """A user-facing refusal (the message is translated)."""


class LoginDelayed(AccountError):
    """A login refused unseen because of recent failures: retry after ``seconds``."""

    def __init__(self, message: str, seconds: int):
        super().__init__(message, code="delayed", status=429)
        #: whole seconds to wait before the next attempt is looked at
        self.seconds = seconds


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


@functools.cache
def _hasher_of(profile: str) -> PasswordHasher:
    """The password hasher of one profile (made once)."""
    return PasswordHasher.from_parameters(ARGON2_PROFILES[profile])


def _hasher() -> PasswordHasher:
    """The password hasher of the app's ``ARGON2_PROFILE``."""
    return _hasher_of(current_app.config["ARGON2_PROFILE"])


def set_password(person: Person, password: str) -> None:
    """Check the policy, store a new password hash and end every session of this person."""
    problem = password_problem(password, email=person.email, name=person.name)
    if problem:
        raise AccountError(problem)
    person.password_hash = _hasher().hash(password)
    person.session_version += 1
    db.session.flush()


@functools.cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """The hash of a random password, made like real ones, for people who have none."""
    return hasher.hash(secrets.token_urlsafe(16))


def check_password(person: Person | None, password: str) -> bool:
    """Verify a password; rehash it when the parameters have changed. Without a person,
    password or active account a dummy hash is verified, so the refusal takes as long."""
    hasher = _hasher()
    stored = person.password_hash if person is not None and person.is_active_account else None
    try:
        hasher.verify(stored or _dummy_hash(hasher), password)
    except (VerificationError, InvalidHashError):
        return False
    if person is None or not stored:
        return False
    if hasher.check_needs_rehash(stored):
        person.password_hash = hasher.hash(password)
    return True


# --- throttling: login delays and reset limits, kept in the database for every worker ---------


def _failures(scope: str, key: str, since: datetime) -> tuple[int, datetime | None]:
    """How many failed attempts of this scope and key since a moment, and the last one."""
    count, last = db.session.execute(
        select(func.count(LoginAttempt.id), func.max(LoginAttempt.attempted_at)).where(
            LoginAttempt.scope == scope,
            LoginAttempt.key == key,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.attempted_at > since,
        )
    ).one()
    return count, last


def _last_success(scope: str, key: str, since: datetime) -> datetime | None:
    """The last successful attempt of this scope and key since a moment."""
    return db.session.scalar(
        select(func.max(LoginAttempt.attempted_at)).where(
            LoginAttempt.scope == scope,
            LoginAttempt.key == key,
            LoginAttempt.succeeded.is_(True),
            LoginAttempt.attempted_at > since,
        )
    )


def _wait(scope: str, key: str, now: datetime, free: int, most: int, reset_by_success: bool) -> int:
    """Seconds left before an attempt of this key is looked at: after ``free`` failures in
    the window each failure doubles the wait after it (1, 2, 4 ... seconds, at most ``most``)."""
    since = now - timedelta(seconds=current_app.config["LOGIN_THROTTLE_WINDOW"])
    if reset_by_success:
        since = max(since, _last_success(scope, key, since) or since)
    count, last = _failures(scope, key, since)
    if count < free or last is None:
        return 0
    delay = min(2 ** min(count - free, 30), most)
    left = delay - (now - last).total_seconds()
    return max(0, math.ceil(left))


def login_delay(email: str, ip: str, now: datetime | None = None) -> int:
    """Seconds to wait before a login for this address from this IP is looked at (0 = now).
    A success clears the account's delay; an address's delay only ages out."""
    config = current_app.config
    now = now or utcnow()
    return max(
        _wait(
            "account",
            normalize_email(email),
            now,
            config["LOGIN_FREE_FAILURES_ACCOUNT"],
            config["LOGIN_MAX_DELAY_ACCOUNT"],
            reset_by_success=True,
        ),
        _wait(
            "ip",
            ip,
            now,
            config["LOGIN_FREE_FAILURES_IP"],
            config["LOGIN_MAX_DELAY_IP"],
            reset_by_success=False,
        ),
    )


def authenticate(email: str, password: str, ip: str) -> Person:
    """Check the credentials and record the attempt; raise AccountError when refused.

    During a delay the attempt is refused without looking at the password and not recorded,
    so hammering does not lengthen it; unknown addresses are treated exactly like known ones.

    Everything up to the password check only reads, and the check (argon2, tens of ms) comes
    before the first write: called in a deferred transaction (the login view is
    ``@reads_first``), SQLite's write lock is taken only to record the attempt, never during
    argon2, so simultaneous logins do not queue behind each other's hashing.
    """
    email = normalize_email(email)
    now = utcnow()
    wait = login_delay(email, ip, now)
    if wait:
        logger.warning("login delayed %s s for an account or address", wait)
        raise LoginDelayed(
            ngettext(
                "Too many failed attempts. Wait %(num)d second and try again.",
                "Too many failed attempts. Wait %(num)d seconds and try again.",
                wait,
            ),
            wait,
        )
    person = find_by_email(email)
    ok = check_password(person, password)
    db.session.add_all(
        [
            LoginAttempt(scope="account", key=email, succeeded=ok, attempted_at=now),
            LoginAttempt(scope="ip", key=ip, succeeded=ok, attempted_at=now),
        ]
    )
    db.session.flush()
    if not ok or person is None:  # only a person's password can be correct
        raise AccountError(_("E-mail address or password is not correct."))
    person.last_login_at = now
    return person


def record_reset_request(email: str, ip: str) -> None:
    """Count one reset request for the address and for the IP address."""
    now = utcnow()
    address = normalize_email(email)
    db.session.add_all(
        [
            LoginAttempt(scope=RESET_SCOPE_ADDRESS, key=address, succeeded=True, attempted_at=now),
            LoginAttempt(scope=RESET_SCOPE_IP, key=ip, succeeded=True, attempted_at=now),
        ]
    )
    db.session.flush()


def forget_old_attempts(now: datetime | None = None) -> int:
    """Delete the login attempts and reset requests older than LOGIN_ATTEMPTS_KEEP_DAYS (at
    least the throttling windows); returns how many."""
    config = current_app.config
    windows = max(config["LOGIN_THROTTLE_WINDOW"], config["RESET_THROTTLE_WINDOW"])
    keep = max(timedelta(days=config["LOGIN_ATTEMPTS_KEEP_DAYS"]), timedelta(seconds=windows))
    result = db.session.execute(
        delete(LoginAttempt)
        .where(LoginAttempt.attempted_at < (now or utcnow()) - keep)
        .execution_options(synchronize_session=False)
    )
    forgotten = rows_changed(result)
    logger.info("forgot %s old login attempts", forgotten)
    return forgotten


# --- sessions and tokens ------------------------------------------------------------------------


def end_sessions(person: Person) -> None:
    """Invalidate every session cookie of this person (logout everywhere)."""
    person.session_version += 1
    db.session.flush()


def revoke_all_api_tokens(person: Person) -> int:
    """Revoke every live API token of this person; return how many."""
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.person_id == person.id, ApiToken.revoked_at.is_(None))
    ).all()
    now = utcnow()
    for token in tokens:
        token.revoked_at = now
    db.session.flush()
    if tokens:
        logger.info("%s API tokens of person %s revoked", len(tokens), person.id)
    return len(tokens)


def end_everything(person: Person) -> int:
    """End every session and revoke every API token of this person; return the tokens revoked."""
    end_sessions(person)
    return revoke_all_api_tokens(person)


# --- signed links: password reset and invitation -------------------------------------------


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"rosemeet-{purpose}")


def _fingerprint(person: Person) -> str:
    """Changes when the password changes, so a used link cannot be used again."""
    material = f"{person.password_hash or ''}:{person.session_version}".encode()
    return hashlib.sha256(material).hexdigest()[:16]


def make_link_token(person: Person, purpose: str, issued: float | None = None) -> str:
    """A signed token for a reset ("reset") or invitation ("invite") link. Its age counts from
    ``issued`` (POSIX seconds: when the link was asked for), also when it is made at send time."""
    issued = int(issued if issued is not None else utcnow().timestamp())
    return _serializer(purpose).dumps({"p": person.id, "f": _fingerprint(person), "t": issued})


def load_link_token(token: str, purpose: str) -> Person | None:
    """The person a link token names, if it is genuine, fresh and not yet used."""
    max_age = current_app.config[
        "RESET_TOKEN_MAX_AGE" if purpose == "reset" else "INVITE_TOKEN_MAX_AGE"
    ]
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    issued = data.get("t")
    if isinstance(issued, int | float) and utcnow().timestamp() - issued > max_age:
        return None  # asked for too long ago, even if the mail went out later
    person = db.session.get(Person, data.get("p"))
    if person is None or data.get("f") != _fingerprint(person) or not person.is_active_account:
        return None
    return person


def account_links(purpose: str, person: int, fingerprint: str, issued: int) -> dict[str, str]:
    """The reset or invitation link of a queued message, made when it is sent (never stored).

    Refused (LinkUnavailable) when the link would not work: the account is gone or blocked,
    the password changed or every session ended since it was asked for, or it expired.
    """
    endpoint = {"reset": "accounts.reset_password", "invite": "accounts.accept_invitation"}
    max_age = current_app.config[
        "RESET_TOKEN_MAX_AGE" if purpose == "reset" else "INVITE_TOKEN_MAX_AGE"
    ]
    found = db.session.get(Person, person)
    if found is None or not found.is_active_account:
        raise LinkUnavailable("the account no longer exists or is blocked")
    if fingerprint != _fingerprint(found):
        raise LinkUnavailable("the password changed (or every session ended) since it was asked")
    if utcnow().timestamp() - issued > max_age:
        raise LinkUnavailable("the link expired before the message could be sent")
    token = make_link_token(found, purpose, issued)
    return {"link": current_app.config["BASE_URL"] + url_for(endpoint[purpose], token=token)}


def _queue_link_mail(person: Person, purpose: str, template: str, subject: LazyString) -> None:
    """Queue a mail (kind and template ``template``) carrying a ``purpose`` link, in the
    person's language. The outbox holds a placeholder: delivery makes the link when it sends."""
    issued = int(utcnow().timestamp())
    with force_locale(babel_locale(person.locale)):
        enqueue_template(
            key=f"{purpose}:{person.id}:{issued}",
            kind=template,
            person=person,
            subject=str(subject),
            template=template,
            message_options={
                "link_kind": purpose,
                "link_args": {
                    "purpose": purpose,
                    "person": person.id,
                    "fingerprint": _fingerprint(person),
                    "issued": issued,
                },
            },
            link=placeholder("link"),
        )


def request_password_reset(email: str) -> None:
    """Queue a reset mail if the address is known; say nothing either way (no account probing)."""
    person = find_by_email(email)
    if person is None or not person.is_active_account:
        logger.info("password reset asked for an unknown address")
        return
    _queue_link_mail(person, "reset", "password_reset", _l("Reset your rosemeet password"))


def invite_person(person: Person) -> None:
    """Queue an invitation to set a password (its link is made when the mail is sent)."""
    if not person.email:
        raise AccountError(_("This person has no e-mail address."))
    person.invited_at = utcnow()
    _queue_link_mail(person, "invite", "invitation", _l("You are invited to rosemeet"))


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
