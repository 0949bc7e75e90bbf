"""A fenced lease in the database: take it when free or lapsed, renew it while alive.

Taking and renewing are single UPDATE statements guarded by the holder and the expiry, so
two processes can never both believe they hold it (the database serialises the writes).
Every take-over by another process raises the lease's ``fence``; a holder remembers the
fence it got, and work that must not be done twice (sending mail) first checks ``holds()``:
a holder that was paused past its lease and resumes finds a higher fence and stops, even
before it has noticed that its lease is gone.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from rosemeet.db import utcnow
from rosemeet.extensions import db
from rosemeet.scheduler.models import SchedulerLease

logger = logging.getLogger(__name__)

LEASE_NAME = "scheduler"


def acquire(holder: str, ttl: timedelta, name: str = LEASE_NAME) -> int | None:
    """Take or renew the lease for ``holder`` until now + ttl: its fence (1 or more), or None
    when another process holds it. A renewal keeps the fence; a take-over raises it."""
    db.session.connection()  # begin first: on SQLite this may wait for the write lock
    now = utcnow()
    taken_over = SchedulerLease.holder != holder
    fence = db.session.scalar(
        update(SchedulerLease)
        .where(SchedulerLease.name == name)
        .where(or_(SchedulerLease.holder == holder, SchedulerLease.expires_at < now))
        .values(
            holder=holder,
            expires_at=now + ttl,
            # the SET expressions see the row as it was: the previous holder and fence
            fence=case((taken_over, SchedulerLease.fence + 1), else_=SchedulerLease.fence),
            acquired_at=case((taken_over, now), else_=SchedulerLease.acquired_at),
        )
        .returning(SchedulerLease.fence)
        .execution_options(synchronize_session=False)
    )
    if fence is not None:
        db.session.commit()
        return fence
    db.session.rollback()
    if db.session.get(SchedulerLease, name) is not None:
        db.session.rollback()
        return None
    try:
        db.session.add(
            SchedulerLease(name=name, holder=holder, expires_at=now + ttl, acquired_at=now, fence=1)
        )
        db.session.commit()
    except IntegrityError:  # another process inserted it first
        db.session.rollback()
        return None
    return 1


def holds(holder: str, fence: int, name: str = LEASE_NAME) -> bool:
    """Does ``holder`` still hold the lease, unexpired, with the fence it was given?"""
    found = db.session.scalar(
        select(func.count())
        .select_from(SchedulerLease)
        .where(
            SchedulerLease.name == name,
            SchedulerLease.holder == holder,
            SchedulerLease.fence == fence,
            SchedulerLease.expires_at > utcnow(),
        )
    )
    return found == 1


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
    lease = db.session.get(SchedulerLease, name, populate_existing=True)
    if lease is None or lease.expires_at < utcnow():
        return None
    return lease.holder


def current_fence(name: str = LEASE_NAME) -> int | None:
    """The lease's fence, if there is a lease."""
    lease = db.session.get(SchedulerLease, name, populate_existing=True)
    return None if lease is None else lease.fence
