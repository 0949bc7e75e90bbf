"""Deliver due outbox messages over SMTP: each message by one deliverer, retried with backoff.

Any number of deliverers may run at once (the scheduler's job, ``rosemeet deliver-mail``, a
paused leader that resumes); a run never talks to the SMTP server inside a transaction:

1. *claim*: one short transaction marks a handful of due messages as this run's
   (``claimed_by``, ``claimed_until``; ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, the write lock
   on SQLite), gives each its Message-ID once, and commits;
2. before each send a short transaction renews the claim if it is still ours, asks the
   caller's ``guard`` (the scheduler: do we still hold the lease, with our fence?), builds the
   e-mail (secret links are made now, ``mail.links``) and commits;
3. the SMTP conversation, with no transaction open;
4. a short transaction records the outcome, only where the claim is still ours.

Per recipient: accepted, sent; refused with a 5xx, failed at once with the server's answer
(shown on the admin mail page); a 4xx, retried after 1, 2, 4, ... minutes (at most
MAIL_MAX_BACKOFF_MINUTES) and failed only MAIL_DEAD_AFTER_HOURS after its first attempt. A
server that cannot be reached or that closes the connection (421) costs no attempt to the
messages it never saw: the run reconnects, or leaves them to the next run. A message that
cannot be built (a header that cannot be encoded, a link that can no longer be made) fails
alone, with the reason; the run goes on.

Delivery is at least once: a deliverer stopped between handing a message to the server and
recording it (killed, or paused longer than its claim, MAIL_CLAIM_SECONDS) lets a later run
send that one message again, with the same Message-ID, so that receivers can recognise it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import smtplib
import socket
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from urllib.parse import urlsplit
from uuid import uuid4

from flask import current_app
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.dml import Update

from rosemeet.core.web import outside_request_context
from rosemeet.db import rows_changed, utcnow
from rosemeet.extensions import db
from rosemeet.mail import links
from rosemeet.mail.models import MessageStatus, OutboxMessage

logger = logging.getLogger(__name__)

#: first retry delay; doubles with every attempt up to MAIL_MAX_BACKOFF_MINUTES
BASE_BACKOFF = timedelta(minutes=1)
#: messages claimed per transaction (a run claims again when these are done)
CLAIM_CHUNK = 20
#: new connections a run makes after the server closed one, before it leaves the rest
MAX_RECONNECTS = 3
#: tries of a write that records an outcome, before it is kept for the next run
WRITE_TRIES = 3
#: what a database that is busy or away raises: SQLAlchemy's errors, and the driver's own when
#: it fails as a transaction begins (SQLite's BEGIN IMMEDIATE, issued in an engine event)
DATABASE_ERRORS = (SQLAlchemyError, sqlite3.Error)
#: line breaks and other control characters, which have no place in a header value
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")

#: writes (outcomes, released claims) that failed on a database error: the next run in this
#: process makes them first, so a message sent during a "database is locked" is not sent again
_deferred: list[Update] = []
_deferred_lock = threading.Lock()


@dataclass
class DeliveryReport:
    """What one delivery run did (``failed`` counts ``dead`` too)."""

    sent: int = 0
    failed: int = 0
    skipped: bool = False
    #: messages failed for good in this run: cannot be built, refused with a 5xx, too old
    dead: int = 0
    #: messages this run claimed (some may have been left to the next run)
    claimed: int = 0
    #: the SMTP server could not be reached
    unreachable: bool = False
    #: the guard said stop (the scheduler no longer holds its lease)
    stopped: bool = False


@dataclass
class Outcome:
    """What became of one message: ``sent``, ``dead``, ``retry`` (a counted attempt), or
    ``untried`` (the server never took it up: no attempt)."""

    kind: str
    error: str = ""
    #: the connection is gone (closed by the server or broken)
    connection_lost: bool = False


@dataclass
class _Settings:
    """The delivery settings of the app, and the run's clock."""

    dead_after: timedelta
    max_backoff: timedelta
    claim_for: timedelta
    offset: timedelta

    @classmethod
    def load(cls, now: datetime | None) -> _Settings:
        """From the app config; ``now`` (tests) shifts the run's clock."""
        config = current_app.config
        return cls(
            dead_after=timedelta(hours=config.get("MAIL_DEAD_AFTER_HOURS", 72)),
            max_backoff=timedelta(minutes=config.get("MAIL_MAX_BACKOFF_MINUTES", 30)),
            claim_for=timedelta(seconds=config.get("MAIL_CLAIM_SECONDS", 300)),
            offset=(now - utcnow()) if now is not None else timedelta(0),
        )

    def now(self) -> datetime:
        """The run's current time."""
        return utcnow() + self.offset

    def backoff(self, attempts: int) -> timedelta:
        """The wait after this many failed attempts: 1, 2, 4, ... minutes, capped."""
        return min(BASE_BACKOFF * 2 ** min(max(attempts - 1, 0), 30), self.max_backoff)


def header_text(value: str | None) -> str:
    """A header value on one line: control characters become one space."""
    return " ".join(_CONTROL.sub(" ", value or "").split())


def message_id_domain() -> str:
    """The right-hand side of our Message-IDs: this installation's host (BASE_URL)."""
    host = urlsplit(current_app.config.get("BASE_URL", "")).hostname
    return host or "rosemeet.invalid"


def ensure_message_id(message: OutboxMessage) -> str:
    """The message's Message-ID, made (random, unique) and kept on the row the first time."""
    if not message.message_id:
        message.message_id = make_msgid(idstring=f"outbox-{message.id}", domain=message_id_domain())
    return message.message_id


def build_email(message: OutboxMessage, sender: str) -> EmailMessage:
    """The MIME message for an outbox row: text, with an HTML alternative when there is one.

    Secret links are made now (``mail.links``); raises ``links.LinkUnavailable`` when they
    can no longer be, and ValueError for an address that cannot be a header.
    """
    text_body, html_body = message.text_body, message.html_body
    if message.link_kind:
        with outside_request_context():
            urls = links.make_links(message.link_kind, message.link_args)
        text_body = links.fill(text_body, urls) or ""  # text stays text
        html_body = links.fill(html_body, urls, as_html=True)
    if _CONTROL.search(message.to_email or ""):
        raise ValueError("the address contains a line break or control character")
    email = EmailMessage()
    email["From"] = sender
    email["To"] = formataddr((header_text(message.to_name), message.to_email))
    email["Subject"] = header_text(message.subject)
    email["Message-ID"] = ensure_message_id(message)
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


def _answer(code: int, reason: bytes | str) -> str:
    """An SMTP answer as text: "550 5.1.1 Mailbox unknown"."""
    if isinstance(reason, bytes):
        reason = reason.decode("utf-8", "replace")
    return f"{code} {' '.join(reason.split())}".strip()


def outcome_of(exc: Exception) -> Outcome:
    """What an exception of ``send_message`` means for its message."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        answers = list(exc.recipients.values()) or [(0, b"no recipient accepted")]
        code = answers[0][0]
        text = "; ".join(_answer(c, r) for c, r in answers)
        if code == 421:  # the server closes the connection before it took the message up
            return Outcome("untried", text, connection_lost=True)
        if all(500 <= c < 600 for c, _r in answers):
            return Outcome("dead", f"refused by the mail server: {text}")
        return Outcome("retry", text)
    if isinstance(exc, smtplib.SMTPResponseException):
        text = _answer(exc.smtp_code, exc.smtp_error)
        if exc.smtp_code == 421:  # closing: the message was on its way only at DATA
            tried = isinstance(exc, smtplib.SMTPDataError)
            return Outcome("retry" if tried else "untried", text, connection_lost=True)
        if 500 <= exc.smtp_code < 600:
            return Outcome("dead", f"refused by the mail server: {text}")
        return Outcome("retry", text)
    if isinstance(exc, smtplib.SMTPNotSupportedError):  # e.g. the address needs SMTPUTF8
        return Outcome("dead", f"cannot be sent: {exc}")
    # SMTPServerDisconnected or a socket error: the connection broke with this message on it
    return Outcome("retry", f"connection: {exc}", connection_lost=True)


def _connect() -> smtplib.SMTP:
    """A connection to the configured SMTP server (STARTTLS and login when configured)."""
    config = current_app.config
    smtp = smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30)
    try:
        if config["SMTP_STARTTLS"]:
            smtp.starttls()
        if config["SMTP_USER"]:
            smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
    except BaseException:
        smtp.close()
        raise
    return smtp


def _disconnect(smtp: smtplib.SMTP | None) -> None:
    """Say goodbye to the server, or just close the socket."""
    if smtp is None:
        return
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def _send(smtp: smtplib.SMTP, email: EmailMessage) -> Outcome:
    """Hand one message to the server; what happened to it."""
    try:
        refused = smtp.send_message(email)
    except (ValueError, UnicodeError) as exc:
        return Outcome("dead", f"cannot be sent: {type(exc).__name__}: {exc}")
    except OSError as exc:  # smtplib's exceptions are OSErrors too
        return outcome_of(exc)
    except Exception as exc:  # unforeseen: retried later on a new connection, the run goes on
        logger.exception("sending a message failed")
        return Outcome("retry", f"{type(exc).__name__}: {exc}", connection_lost=True)
    if refused:  # accepted for another recipient (not ours: one recipient per message)
        logger.warning("message partly refused: %s", refused)
    return Outcome("sent")


def _due(now: datetime):
    """Pending messages whose time has come and that no live run has claimed."""
    return and_(
        OutboxMessage.status == MessageStatus.PENDING,
        OutboxMessage.next_attempt_at <= now,
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
    )


def _write(statement: Update) -> int:
    """Run one UPDATE in its own transaction and commit, trying again on a database error;
    a write that still fails is kept for the next run (and the error raised)."""
    for attempt in range(WRITE_TRIES):
        try:
            count = rows_changed(db.session.execute(statement))
            db.session.commit()
            return count
        except DATABASE_ERRORS as exc:
            db.session.rollback()
            if attempt + 1 == WRITE_TRIES:
                with _deferred_lock:
                    _deferred.append(statement)
                logger.warning("could not record a delivery outcome, kept for later: %s", exc)
                raise
            time.sleep(1)
    return 0  # not reached


def _write_deferred() -> None:
    """Make the writes an earlier run could not (oldest first); stop at the first failure."""
    with _deferred_lock:
        while _deferred:
            try:
                db.session.execute(_deferred[0])
                db.session.commit()
            except DATABASE_ERRORS:
                db.session.rollback()
                raise
            _deferred.pop(0)


def _where_ours(message_id: int, claim: str):
    """An UPDATE of this message that changes nothing once the claim is no longer ours."""
    return (
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.claimed_by == claim)
        .execution_options(synchronize_session=False)
    )


def _release(message_ids: list[int], claim: str) -> None:
    """Let go of claimed messages that were not tried (no attempt is counted)."""
    if not message_ids:
        return
    _write(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(message_ids), OutboxMessage.claimed_by == claim)
        .values(claimed_by=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )


@dataclass
class _Tried:
    """What a run knows of a message it is about to send (it holds the claim)."""

    id: int
    attempts: int
    first_attempt_at: datetime | None


def _outcome_values(tried: _Tried, outcome: Outcome, settings: _Settings) -> dict:
    """The columns that record an outcome (the claim is let go in every case)."""
    now = settings.now()
    first = tried.first_attempt_at or now
    values: dict = {"claimed_by": None, "claimed_until": None, "first_attempt_at": first}
    error = outcome.error[:2000]
    if outcome.kind == "sent":
        return {
            **values,
            "status": MessageStatus.SENT,
            "sent_at": now,
            "attempts": tried.attempts + 1,
            "last_error": None,
        }
    if outcome.kind == "dead":
        logger.warning("message %s failed for good: %s", tried.id, error[:200])
        return {**values, "status": MessageStatus.DEAD, "attempts": tried.attempts + 1,
                "last_error": error}  # fmt: skip
    attempts = tried.attempts + (1 if outcome.kind == "retry" else 0)
    values.update(attempts=attempts, last_error=error)
    if now - first >= settings.dead_after:
        hours = settings.dead_after / timedelta(hours=1)
        logger.warning("message %s given up after %g hours: %s", tried.id, hours, error[:200])
        values.update(
            status=MessageStatus.DEAD,
            last_error=f"{error} (given up {hours:g} hours after the first attempt)"[:2000],
        )
    elif outcome.kind == "retry":
        values["next_attempt_at"] = now + settings.backoff(attempts)
    return values


class _GuardSaysStop(Exception):
    """The run's guard refused: stop sending (the scheduler lost its lease)."""


class _Run:
    """One delivery run: its claim, its connection, its report."""

    def __init__(self, settings: _Settings, worker: str, guard: Callable[[], bool] | None):
        self.settings = settings
        self.claim = f"{worker}/{uuid4().hex[:8]}"[:200]
        self.guard = guard
        self.sender = current_app.config["MAIL_FROM"]
        self.report = DeliveryReport()
        self.smtp: smtplib.SMTP | None = None
        self.reconnects = 0

    def check_guard(self) -> None:
        """Raise _GuardSaysStop when the guard refuses (inside the current transaction)."""
        if self.guard is not None and not self.guard():
            raise _GuardSaysStop

    def claim_some(self, count: int) -> list[int]:
        """Claim up to ``count`` due messages for this run; their ids, oldest first."""
        db.session.connection()  # begin first: on SQLite this may wait for the write lock
        now = self.settings.now()
        due = select(OutboxMessage.id).where(_due(now)).order_by(OutboxMessage.id).limit(count)
        if db.engine.dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        try:
            ids = sorted(
                db.session.scalars(
                    update(OutboxMessage)
                    .where(OutboxMessage.id.in_(due))
                    .values(claimed_by=self.claim, claimed_until=now + self.settings.claim_for)
                    .returning(OutboxMessage.id)
                    .execution_options(synchronize_session=False)
                )
            )
            if ids:
                self.check_guard()
                unnamed = select(OutboxMessage).where(
                    OutboxMessage.id.in_(ids), OutboxMessage.message_id.is_(None)
                )
                for message in db.session.scalars(unnamed):
                    ensure_message_id(message)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        return ids

    def prepare(self, message_id: int) -> tuple[_Tried, EmailMessage] | None:
        """Renew the claim and build the e-mail, in one short transaction; None when the
        message is no longer ours to send, or failed here (cannot be built)."""
        try:
            db.session.connection()  # begin first: on SQLite this may wait for the write lock
            now = self.settings.now()
            renewed = rows_changed(
                db.session.execute(
                    _where_ours(message_id, self.claim)
                    .where(OutboxMessage.status == MessageStatus.PENDING)
                    .values(claimed_until=now + self.settings.claim_for)
                )
            )
            if renewed != 1:
                db.session.rollback()
                logger.info("message %s is no longer ours to send", message_id)
                return None
            self.check_guard()
            message = db.session.get_one(OutboxMessage, message_id, populate_existing=True)
            tried = _Tried(message.id, message.attempts, message.first_attempt_at)
            failure = None
            try:
                email = build_email(message, self.sender)
            except links.LinkUnavailable as exc:
                failure = f"not sent, the link cannot be made: {exc}"
            except DATABASE_ERRORS:
                raise
            except Exception as exc:  # whatever this message holds, the others must go out
                logger.exception("message %s cannot be built", message_id)
                failure = f"cannot be built: {type(exc).__name__}: {exc}"
            if failure is not None:
                db.session.execute(
                    _where_ours(message_id, self.claim).values(
                        **_outcome_values(tried, Outcome("dead", failure), self.settings)
                    )
                )
                self.count("dead")
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        return None if failure is not None else (tried, email)

    def record(self, tried: _Tried, outcome: Outcome) -> None:
        """Write the outcome, in a short transaction, if the claim is still ours."""
        values = _outcome_values(tried, outcome, self.settings)
        if values.get("status") == MessageStatus.DEAD:
            self.count("dead")
        elif outcome.kind != "untried":  # a message the server never took up is no failure
            self.count("sent" if outcome.kind == "sent" else "failed")
        if _write(_where_ours(tried.id, self.claim).values(**values)) != 1:
            logger.warning(
                "message %s: its claim lapsed before its outcome (%s) was recorded",
                tried.id,
                outcome.kind,
            )

    def count(self, kind: str) -> None:
        """Add a message that was "sent", "failed" (to be retried) or is "dead" to the report."""
        if kind == "sent":
            self.report.sent += 1
            return
        self.report.failed += 1
        if kind == "dead":
            self.report.dead += 1

    def reconnect(self) -> bool:
        """A new connection after the server closed ours, a few times per run."""
        _disconnect(self.smtp)
        self.smtp = None
        if self.reconnects >= MAX_RECONNECTS:
            return False
        self.reconnects += 1
        try:
            self.smtp = _connect()
        except OSError as exc:
            logger.warning("SMTP server unreachable after it closed the connection: %s", exc)
            return False
        return True

    def deliver(self, limit: int | None) -> None:
        """Claim, send and record, chunk by chunk, until nothing is due or ``limit`` claimed."""
        waiting: list[int] = []
        try:
            while limit is None or self.report.claimed < limit:
                count = (
                    CLAIM_CHUNK if limit is None else min(CLAIM_CHUNK, limit - self.report.claimed)
                )
                waiting = self.claim_some(count)
                if not waiting:
                    return
                self.report.claimed += len(waiting)
                while waiting:
                    prepared = self.prepare(waiting[0])
                    if prepared is None:
                        waiting.pop(0)
                        continue
                    tried, email = prepared
                    assert self.smtp is not None  # connected before deliver(), kept by reconnect()
                    outcome = _send(self.smtp, email)  # no transaction is open here
                    waiting.pop(0)
                    self.record(tried, outcome)
                    if outcome.connection_lost and not self.reconnect():
                        return
        except _GuardSaysStop:
            self.report.stopped = True
            logger.warning("delivery stopped: the guard refused (lease lost)")
        finally:
            with contextlib.suppress(*DATABASE_ERRORS):  # kept for the next run, or they lapse
                _release(waiting, self.claim)


def _note_unreachable(error: str, settings: _Settings) -> int:
    """The server cannot be reached: no attempt is counted, but the due messages show why
    and their clock starts; those whose first attempt is MAIL_DEAD_AFTER_HOURS old fail."""
    now = settings.now()
    due = _due(now)
    try:
        count = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(due))
        db.session.execute(
            update(OutboxMessage)
            .where(due)
            .where(
                or_(
                    OutboxMessage.first_attempt_at.is_(None),
                    OutboxMessage.last_error.is_(None),
                    OutboxMessage.last_error != error,
                )
            )
            .values(
                first_attempt_at=func.coalesce(OutboxMessage.first_attempt_at, now),
                last_error=error,
            )
            .execution_options(synchronize_session=False)
        )
        hours = settings.dead_after / timedelta(hours=1)
        given_up = rows_changed(
            db.session.execute(
                update(OutboxMessage)
                .where(due, OutboxMessage.first_attempt_at <= now - settings.dead_after)
                .values(
                    status=MessageStatus.DEAD,
                    last_error=f"{error} (given up {hours:g} hours after the first attempt)",
                )
                .execution_options(synchronize_session=False)
            )
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    if given_up:
        logger.warning("%s messages given up: the SMTP server was unreachable", given_up)
    return count or 0


def default_worker() -> str:
    """Who this process is, for claims: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def deliver_due(
    limit: int | None = 100,
    now: datetime | None = None,
    *,
    worker: str | None = None,
    guard: Callable[[], bool] | None = None,
) -> DeliveryReport:
    """Send the due messages (at most ``limit``; None: all), each claimed first so that no
    other run sends it; ``guard`` is asked before every send (False: stop at once)."""
    if not current_app.config["SMTP_HOST"]:
        return DeliveryReport(skipped=True)
    settings = _Settings.load(now)
    _write_deferred()
    anything = db.session.scalar(select(OutboxMessage.id).where(_due(settings.now())).limit(1))
    db.session.commit()  # no transaction stays open during the SMTP conversation
    if anything is None:
        return DeliveryReport()
    run = _Run(settings, worker or default_worker(), guard)
    try:
        run.smtp = _connect()
    except OSError as exc:  # refused, timed out, TLS or login failed
        logger.warning("SMTP server unreachable: %s", exc)
        run.report.unreachable = True
        run.report.failed = _note_unreachable(f"connection: {exc}", settings)
        return run.report
    try:
        run.deliver(limit)
    finally:
        _disconnect(run.smtp)
    return run.report
