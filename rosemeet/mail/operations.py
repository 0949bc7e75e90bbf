"""Queue messages in the outbox (no commit: the caller's transaction decides)."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import render_template
from sqlalchemy import select

from rosemeet.accounts.models import Person
from rosemeet.db import utcnow
from rosemeet.extensions import db
from rosemeet.mail.models import MessageStatus, OutboxMessage

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


def resend(message: OutboxMessage) -> None:
    """Put a dead message back in the queue."""
    message.status = MessageStatus.PENDING
    message.attempts = 0
    message.last_error = None
    message.next_attempt_at = utcnow()


def pending_message(coalesce_key: str) -> OutboxMessage | None:
    """The message with this coalesce key that is still waiting and was never tried."""
    return db.session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.coalesce_key == coalesce_key,
            OutboxMessage.status == MessageStatus.PENDING,
            OutboxMessage.attempts == 0,
        )
    )


def withdraw(message: OutboxMessage) -> None:
    """Drop a message that was never tried (its news is no longer true)."""
    db.session.delete(message)
    db.session.flush()
