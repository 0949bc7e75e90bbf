"""Queue messages in the outbox (no commit: the caller's transaction decides)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from flask import render_template
from sqlalchemy import insert, select, update

from rosemeet.db import rows_changed, utcnow
from rosemeet.extensions import db
from rosemeet.mail.models import MessageStatus, OutboxMessage

if TYPE_CHECKING:  # mail sits below accounts: a person is only passed through
    from rosemeet.accounts.models import Person

logger = logging.getLogger(__name__)


def enqueue(
    *,
    key: str,
    kind: str,
    to_email: str,
    to_name: str,
    subject: str,
    text_body: str,
    html_body: str | None = None,
    person: Person | None = None,
    calendar_body: str | None = None,
    calendar_method: str | None = None,
    coalesce_key: str | None = None,
    delay: timedelta | None = None,
    link_kind: str | None = None,
    link_args: dict | None = None,
) -> OutboxMessage:
    """Queue one message (no commit: it belongs to the caller's transaction).

    The same ``key`` never queues a second message. With a ``coalesce_key``, a message
    that is still waiting (not yet tried) takes the new content instead of a second message
    being queued, and ``delay`` gives later changes the time to join it. Secret links are
    never stored: the bodies hold ``mail.links.placeholder`` stand-ins, and ``link_kind``
    with ``link_args`` (ids, no token) let delivery make the links when it sends.
    """
    existing = db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
    if existing is not None:
        return existing
    message = pending_message(coalesce_key) if coalesce_key else None
    if message is not None and not hold_unclaimed(message):
        message = None  # a delivery run has just taken it: this change is a message of its own
    if message is None:
        message = OutboxMessage(key=key, coalesce_key=coalesce_key)
        db.session.add(message)
    message.kind, message.person = kind, person
    message.to_email, message.to_name, message.subject = to_email, to_name, subject
    message.text_body, message.html_body = text_body, html_body
    message.calendar_body, message.calendar_method = calendar_body, calendar_method
    message.link_kind, message.link_args = link_kind, link_args
    message.next_attempt_at = utcnow() + (delay or timedelta(0))
    db.session.flush()
    logger.info("queued %s message %s", kind, message.id)
    return message


#: keys per IN (...) list when many messages are queued at once (well below every engine's limit)
_KEYS_PER_QUERY = 500


def _chunks(values: list, size: int = _KEYS_PER_QUERY):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def enqueue_many(messages: list[dict]) -> int:
    """Queue many messages at once, each as ``enqueue(**message)`` would (same key and coalesce
    rules), with a few queries and one bulk INSERT instead of several statements per message
    (a series' thousands of invitations). Returns how many were queued or merged."""
    keys = list(dict.fromkeys(m["key"] for m in messages))
    existing: set[str] = set()
    for chunk in _chunks(keys):
        found_keys = select(OutboxMessage.key).where(OutboxMessage.key.in_(chunk))
        existing.update(db.session.scalars(found_keys))
    coalesce_keys = [k for k in dict.fromkeys(m.get("coalesce_key") for m in messages) if k]
    # waiting messages (rows in the database, or rows of this batch) by coalesce key
    waiting: dict[str | None, OutboxMessage | dict[str, Any]] = {}
    for chunk in _chunks(coalesce_keys):
        for found in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.coalesce_key.in_(chunk), _still_waiting())
        ):
            waiting.setdefault(found.coalesce_key, found)
    now = utcnow()
    rows, merged = [], 0
    for message in messages:
        if message["key"] in existing:
            continue
        existing.add(message["key"])
        values = dict(message)
        person = values.pop("person", None)
        delay = values.pop("delay", None)
        row = {
            "html_body": None,
            "calendar_body": None,
            "calendar_method": None,
            "coalesce_key": None,
            "link_kind": None,
            "link_args": None,
            **values,
            "person_id": person.id if person is not None else None,
            "next_attempt_at": now + (delay or timedelta(0)),
        }
        target = waiting.get(row["coalesce_key"]) if row["coalesce_key"] else None
        if isinstance(target, OutboxMessage) and not hold_unclaimed(target):
            target = None  # a delivery run has just taken it
        if target is None:
            rows.append(row)
            if row["coalesce_key"]:
                waiting[row["coalesce_key"]] = row
            continue
        # a waiting message with the same coalesce key takes the new content, as in enqueue
        content = {n: v for n, v in row.items() if n not in ("key", "coalesce_key", "person_id")}
        if isinstance(target, dict):
            target.update(content, person_id=row["person_id"])
        else:
            for name, value in content.items():
                setattr(target, name, value)
            target.person = person
        merged += 1
    if rows:
        db.session.execute(insert(OutboxMessage), rows)
    db.session.flush()
    logger.info("queued %d messages (%d merged into waiting ones)", len(rows), merged)
    return len(rows) + merged


def enqueue_template(
    *,
    key: str,
    kind: str,
    person: Person,
    subject: str,
    template: str,
    message_options: dict | None = None,
    **context,
) -> OutboxMessage:
    """Queue a message rendered from ``templates/<template>.txt`` and ``.html``.

    A bare name means ``templates/mail/<name>``; ``message_options`` passes calendar
    parts, a coalesce key, a delay or the link kind and arguments on to ``enqueue``.
    """
    context = {"person": person, **context}
    if "/" not in template:
        template = f"mail/{template}"
    return enqueue(
        key=key,
        kind=kind,
        to_email=person.email or "",
        to_name=person.name,
        subject=subject,
        text_body=render_template(f"{template}.txt", **context),
        html_body=render_template(f"{template}.html", **context),
        person=person,
        **(message_options or {}),
    )


#: what a failed message becomes when it is queued again: a new start, the same Message-ID
_REQUEUED = {
    "status": MessageStatus.PENDING,
    "attempts": 0,
    "last_error": None,
    "first_attempt_at": None,
    "claimed_by": None,
    "claimed_until": None,
}


def resend(message: OutboxMessage) -> bool:
    """Put a failed message back in the queue; False when it had not failed."""
    if message.status != MessageStatus.DEAD:
        return False
    for name, value in _REQUEUED.items():
        setattr(message, name, value)
    message.next_attempt_at = utcnow()
    db.session.flush()
    logger.info("message %s queued again", message.id)
    return True


def resend_all_failed() -> int:
    """Put every failed message back in the queue at once; how many."""
    count = rows_changed(
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == MessageStatus.DEAD)
            .values(**_REQUEUED, next_attempt_at=utcnow())
            .execution_options(synchronize_session="fetch")
        )
    )
    logger.info("%s failed messages queued again", count)
    return count


def _still_waiting():
    """Pending, never tried, and not taken by a delivery run: its content may still change."""
    return (
        (OutboxMessage.status == MessageStatus.PENDING)
        & (OutboxMessage.attempts == 0)
        & OutboxMessage.claimed_by.is_(None)
    )


def pending_message(coalesce_key: str) -> OutboxMessage | None:
    """The message with this coalesce key that is still waiting and was never tried."""
    return db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.coalesce_key == coalesce_key, _still_waiting())
    )


def hold_unclaimed(message: OutboxMessage) -> bool:
    """Keep delivery away from a waiting message until this transaction ends (a row lock on
    PostgreSQL, the write lock on SQLite): False when a delivery run has claimed it since it
    was read, so that its content can no longer be changed or withdrawn."""
    held = rows_changed(
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message.id, _still_waiting())
            .values(next_attempt_at=OutboxMessage.next_attempt_at)
            .execution_options(synchronize_session=False)
        )
    )
    return held == 1


def withdraw(message: OutboxMessage) -> bool:
    """Drop a message that was never tried (its news is no longer true); False when a
    delivery run took it in the meantime (it is going out)."""
    if not hold_unclaimed(message):
        return False
    db.session.delete(message)
    db.session.flush()
    return True
