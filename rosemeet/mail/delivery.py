"""Deliver due outbox messages over SMTP: one connection per batch, retry with backoff."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app
from sqlalchemy import select

from rosemeet.db import utcnow
from rosemeet.extensions import db
from rosemeet.mail.models import MessageStatus, OutboxMessage

logger = logging.getLogger(__name__)

#: after this many failed attempts a message is marked dead (visible on the admin mail page)
MAX_ATTEMPTS = 8
#: first retry delay; doubles with every attempt
BASE_BACKOFF = timedelta(minutes=1)


@dataclass
class DeliveryReport:
    """What one delivery run did."""

    sent: int = 0
    failed: int = 0
    skipped: bool = False


def build_email(message: OutboxMessage, sender: str) -> EmailMessage:
    """The MIME message for an outbox row: text, with an HTML alternative when there is one."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = formataddr((message.to_name, message.to_email))
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}", domain="rosemeet")
    email.set_content(message.text_body)
    if message.html_body:
        email.add_alternative(message.html_body, subtype="html")
    if message.calendar_body:
        # iMIP (RFC 6047): the calendar as an alternative part with its method, and as a file
        method = message.calendar_method or "REQUEST"
        email.add_alternative(message.calendar_body, subtype="calendar", params={"method": method})
        email.add_attachment(
            message.calendar_body.encode(),
            maintype="application",
            subtype="ics",
            filename="invite.ics",
        )
    return email


def _schedule_retry(message: OutboxMessage, error: str) -> None:
    message.attempts += 1
    message.last_error = error[:2000]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = MessageStatus.DEAD
        logger.warning("message %s is dead after %s attempts", message.id, message.attempts)
    else:
        message.next_attempt_at = utcnow() + BASE_BACKOFF * 2 ** (message.attempts - 1)


def _connect() -> smtplib.SMTP:
    config = current_app.config
    smtp = smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30)
    if config["SMTP_STARTTLS"]:
        smtp.starttls()
    if config["SMTP_USER"]:
        smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
    return smtp


def due_messages(limit: int, now: datetime | None = None) -> list[OutboxMessage]:
    """Pending messages whose time has come, oldest first (locked on PostgreSQL)."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == MessageStatus.PENDING)
        .where(OutboxMessage.next_attempt_at <= (now or utcnow()))
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(db.session.scalars(query))


def deliver_due(limit: int = 100, now: datetime | None = None) -> DeliveryReport:
    """Send the due messages; commit after each one so a crash never resends a sent one."""
    report = DeliveryReport()
    if not current_app.config["SMTP_HOST"]:
        report.skipped = True
        return report
    messages = due_messages(limit, now)
    if not messages:
        db.session.rollback()
        return report
    ids = [m.id for m in messages]
    sender = current_app.config["MAIL_FROM"]
    try:
        smtp = _connect()
    except (OSError, smtplib.SMTPException) as exc:
        logger.warning("SMTP server unreachable: %s", exc)
        for message in messages:
            _schedule_retry(message, f"connection: {exc}")
        db.session.commit()
        report.failed = len(messages)
        return report
    try:
        for message_id in ids:
            message = db.session.get(OutboxMessage, message_id)
            if message is None or message.status != MessageStatus.PENDING:
                continue
            try:
                smtp.send_message(build_email(message, sender))
            except (OSError, smtplib.SMTPException) as exc:
                _schedule_retry(message, str(exc))
                report.failed += 1
                if isinstance(exc, OSError | smtplib.SMTPServerDisconnected):
                    db.session.commit()
                    break
            else:
                message.status = MessageStatus.SENT
                message.sent_at = utcnow()
                message.attempts += 1
                report.sent += 1
            db.session.commit()
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return report
