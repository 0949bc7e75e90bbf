"""A lease in the database: take it when free or lapsed, renew it while alive.

Taking and renewing are single UPDATE statements guarded by the holder and the expiry, so
two processes can never both believe they hold it (the database serialises the writes).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError

from rosemeet.db import utcnow
from rosemeet.extensions import db
from rosemeet.scheduler.models import SchedulerLease

logger = logging.getLogger(__name__)

LEASE_NAME = "scheduler"


def acquire(holder: str, ttl: timedelta, name: str = LEASE_NAME) -> bool:
    """Take or renew the lease for ``holder``; True when it is ours until now + ttl."""
    now = utcnow()
    result = db.session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == name)
        .where(or_(SchedulerLease.holder == holder, SchedulerLease.expires_at < now))
        .values(holder=holder, expires_at=now + ttl)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:
        db.session.commit()
        return True
    db.session.rollback()
    if db.session.get(SchedulerLease, name) is not None:
        return False
    try:
        db.session.add(
            SchedulerLease(name=name, holder=holder, expires_at=now + ttl, acquired_at=now)
        )
        db.session.commit()
    except IntegrityError:  # another process inserted it first
        db.session.rollback()
        return False
    return True


def release(holder: str, name: str = LEASE_NAME) -> None:
    """Give the lease up at once (on a clean shutdown), if we hold it."""
    db.session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == name, SchedulerLease.holder == holder)
        .values(expires_at=utcnow() - timedelta(seconds=1))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def current_holder(name: str = LEASE_NAME) -> str | None:
    """The holder of an unexpired lease, if any."""
    lease = db.session.get(SchedulerLease, name)
    if lease is None or lease.expires_at < utcnow():
        return None
    return lease.holder
