"""Deliver due outbox messages over SMTP: one connection per batch, retry with backoff.

A message that cannot be built (a header that cannot be encoded, a secret link that can no
longer be made) or that the server refuses for good (5xx for its recipient or its data) is
failed at once with the reason, shown on the admin mail page; the run goes on with the next
one, so one bad message never holds up the queue. Temporary trouble (4xx, a lost connection)
is retried with backoff.
"""

from __future__ import annotations

import logging
import re
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from rosemeet.core.web import outside_request_context
from rosemeet.db import utcnow
from rosemeet.extensions import db
from rosemeet.mail import links
from rosemeet.mail.models import MessageStatus, OutboxMessage

logger = logging.getLogger(__name__)

#: after this many failed attempts a message is marked dead (visible on the admin mail page)
MAX_ATTEMPTS = 8
#: first retry delay; doubles with every attempt
BASE_BACKOFF = timedelta(minutes=1)
#: line breaks and other control characters, which have no place in a header value
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


@dataclass
class DeliveryReport:
    """What one delivery run did (``failed`` counts ``dead`` too)."""

    sent: int = 0
    failed: int = 0
    skipped: bool = False
    #: messages failed for good in this run: cannot be built, or refused with a 5xx
    dead: int = 0


def header_text(value: str | None) -> str:
    """A header value on one line: control characters become one space."""
    return " ".join(_CONTROL.sub(" ", value or "").split())


def build_email(message: OutboxMessage, sender: str) -> EmailMessage:
    """The MIME message for an outbox row: text, with an HTML alternative when there is one.

    Secret links are made now (``mail.links``); raises ``links.LinkUnavailable`` when they
    can no longer be, and ValueError for an address that cannot be a header.
    """
    text_body, html_body = message.text_body, message.html_body
    if message.link_kind:
        with outside_request_context():
            urls = links.make_links(message.link_kind, message.link_args)
        text_body = links.fill(text_body, urls)
        html_body = links.fill(html_body, urls, as_html=True)
    if _CONTROL.search(message.to_email or ""):
        raise ValueError("the address contains a line break or control character")
    email = EmailMessage()
    email["From"] = sender
    email["To"] = formataddr((header_text(message.to_name), message.to_email))
    email["Subject"] = header_text(message.subject)
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}", domain="rosemeet")
    email.set_content(text_body)
    if html_body:
        email.add_alternative(html_body, subtype="html")
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


def _mark_dead(message: OutboxMessage, error: str) -> None:
    """Fail a message for good: retrying cannot help (admins see why and may send it again)."""
    message.attempts += 1
    message.status = MessageStatus.DEAD
    message.last_error = error[:2000]
    logger.warning("message %s failed for good: %s", message.id, error[:200])


def is_permanent(exc: Exception) -> bool:
    """Does the SMTP server refuse this message for good (5xx for its recipient, its data or
    its size), rather than for now (4xx) or because of the connection?"""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _reason in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPDataError):
        return 500 <= exc.smtp_code < 600
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return exc.smtp_code == 552  # the message is larger than the server takes
    return isinstance(exc, smtplib.SMTPNotSupportedError)  # e.g. needs SMTPUTF8


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


def _send_one(smtp: smtplib.SMTP, message: OutboxMessage, sender: str) -> str:
    """Build and send one message and record the outcome: "sent", "dead" (cannot be built or
    refused for good), "retry", or "disconnected" (retry, and the connection is gone)."""
    try:
        email = build_email(message, sender)
    except links.LinkUnavailable as exc:
        _mark_dead(message, f"not sent, the link cannot be made: {exc}")
        return "dead"
    except SQLAlchemyError:
        raise
    except Exception as exc:  # whatever this message holds, the others must still go out
        logger.exception("message %s cannot be built", message.id)
        _mark_dead(message, f"cannot be built: {type(exc).__name__}: {exc}")
        return "dead"
    try:
        smtp.send_message(email)
    except (ValueError, UnicodeError) as exc:
        _mark_dead(message, f"cannot be sent: {type(exc).__name__}: {exc}")
        return "dead"
    except (OSError, smtplib.SMTPException) as exc:
        if is_permanent(exc):
            _mark_dead(message, f"refused: {exc}")
            return "dead"
        _schedule_retry(message, str(exc))
        if isinstance(exc, OSError | smtplib.SMTPServerDisconnected):
            return "disconnected"
        return "retry"
    message.status = MessageStatus.SENT
    message.sent_at = utcnow()
    message.attempts += 1
    return "sent"


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
            outcome = _send_one(smtp, message, sender)
            if outcome == "sent":
                report.sent += 1
            else:
                report.failed += 1
            if outcome == "dead":
                report.dead += 1
            db.session.commit()
            if outcome == "disconnected":
                break
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return report
