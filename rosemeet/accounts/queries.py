"""Reads on accounts: finding a person by address, whether reset requests are throttled."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from rosemeet.accounts.models import LoginAttempt, Person
from rosemeet.db import utcnow
from rosemeet.extensions import db


def normalize_email(email: str) -> str:
    """Addresses are compared in lower case without surrounding blanks."""
    return email.strip().lower()


def find_by_email(email: str) -> Person | None:
    """The person with this address, if any."""
    return db.session.scalar(select(Person).where(Person.email == normalize_email(email)))


#: login_attempt scopes of password reset requests (key: the address / the IP address)
RESET_SCOPE_ADDRESS = "reset"
RESET_SCOPE_IP = "reset-ip"


def _requests(scope: str, key: str, since: datetime) -> int:
    """How many reset requests of this scope and key since a moment."""
    return db.session.execute(
        select(func.count(LoginAttempt.id)).where(
            LoginAttempt.scope == scope,
            LoginAttempt.key == key,
            LoginAttempt.attempted_at > since,
        )
    ).scalar_one()


def reset_throttled(email: str, ip: str) -> bool:
    """Has this address, or this IP address, asked for enough reset links lately?
    Known and unknown addresses count alike, so the answer tells nothing about accounts."""
    config = current_app.config
    since = utcnow() - timedelta(seconds=config["RESET_THROTTLE_WINDOW"])
    return (
        _requests(RESET_SCOPE_ADDRESS, normalize_email(email), since)
        >= config["RESET_MAX_PER_ADDRESS"]
        or _requests(RESET_SCOPE_IP, ip, since) >= config["RESET_MAX_PER_IP"]
    )
