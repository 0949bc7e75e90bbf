"""Queue messages in the outbox (no commit: the caller's transaction decides)."""

from __future__ import annotations

import logging

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
) -> OutboxMessage:
    """Queue one message; a message with the same key is returned instead of a second one."""
    existing = db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
    if existing is not None:
        return existing
    message = OutboxMessage(
        key=key,
        kind=kind,
        to_email=to_email,
        to_name=to_name,
        subject=subject,
        text_body=text_body,
        html_body=html_body,
        person=person,
    )
    db.session.add(message)
    db.session.flush()
    logger.info("queued %s message %s", kind, message.id)
    return message


def enqueue_template(
    *, key: str, kind: str, person: Person, subject: str, template: str, **context
) -> OutboxMessage:
    """Queue a message rendered from ``templates/mail/<template>.txt`` (and ``.html``)."""
    context = {"person": person, **context}
    return enqueue(
        key=key,
        kind=kind,
        to_email=person.email or "",
        to_name=person.name,
        subject=subject,
        text_body=render_template(f"mail/{template}.txt", **context),
        html_body=render_template(f"mail/{template}.html", **context),
        person=person,
    )


def resend(message: OutboxMessage) -> None:
    """Put a dead message back in the queue."""
    message.status = MessageStatus.PENDING
    message.attempts = 0
    message.last_error = None
    message.next_attempt_at = utcnow()
