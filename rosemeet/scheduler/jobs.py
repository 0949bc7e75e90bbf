"""The periodic jobs. Each is a module-level function that opens an app context of the running
app, and none lets an error out: a database that is busy or gone for a moment ("database is
locked", a dropped connection) or an SMTP server in trouble is logged, the transaction rolled
back, and the job simply runs again at its next tick."""

from __future__ import annotations

import contextlib
import functools
import logging
import smtplib
from collections.abc import Callable
from datetime import UTC, datetime

from flask import Flask

from rosemeet.accounts.operations import forget_old_attempts
from rosemeet.core.time import local_today
from rosemeet.documents import operations as documents
from rosemeet.extensions import db
from rosemeet.mail import imap
from rosemeet.mail.delivery import DATABASE_ERRORS, deliver_due
from rosemeet.mail.reminders import queue_due_reminders
from rosemeet.meetings import operations as meetings
from rosemeet.scheduler import lease

logger = logging.getLogger(__name__)

#: errors that pass: the job runs again at its next tick
TRANSIENT = (*DATABASE_ERRORS, smtplib.SMTPException, OSError)

#: the app of this scheduler process (set by the runner before jobs run)
_app: Flask | None = None
#: (holder, fence) of the lease this process holds, for jobs that must not run twice
_lease: tuple[str, int] | None = None


def bind_app(app: Flask) -> None:
    """Give the jobs the app they run in."""
    global _app
    _app = app


def bind_lease(holder: str | None, fence: int | None = None) -> None:
    """Tell the jobs which lease (holder and fence) this process runs them under."""
    global _lease
    _lease = (holder, fence) if holder is not None and fence is not None else None


def job(func: Callable[[], None]) -> Callable[[], None]:
    """Run the job in the app; log and swallow any error, so that the process lives on."""

    @functools.wraps(func)
    def run() -> None:
        assert _app is not None, "bind_app() comes first"
        with _app.app_context():
            try:
                func()
            except TRANSIENT as exc:
                _rollback()
                logger.warning("job %s failed, it runs again next time: %s", func.__name__, exc)
            except Exception:
                _rollback()
                logger.exception("job %s failed, it runs again next time", func.__name__)

    return run


def _rollback() -> None:
    """End the failed transaction (the connection may be gone as well)."""
    with contextlib.suppress(*DATABASE_ERRORS):
        db.session.rollback()


@job
def deliver_mail() -> None:
    """Send the due outbox messages, as long as this process still holds its lease."""
    held = _lease
    if held is None:  # not started by the runner (tests, a shell): no lease to check
        report = deliver_due()
    else:
        holder, fence = held
        report = deliver_due(
            worker=f"scheduler {holder} fence {fence}",
            guard=lambda: lease.holds(holder, fence),
        )
    if report.sent or report.failed:
        logger.info("mail: sent %s, failed %s", report.sent, report.failed)


@job
def extend_meetings() -> None:
    """Extend every series up to the rolling horizon (daily)."""
    created = meetings.extend_all_series(local_today())
    db.session.commit()
    logger.info("horizon extended: %s meetings", created)


@job
def send_reminders() -> None:
    """Queue the reminders that are due (agenda, follow-ups, minutes, digests)."""
    queued = queue_due_reminders()
    db.session.commit()
    if queued:
        logger.info("reminders queued: %s", queued)


@job
def forget_login_attempts() -> None:
    """Forget old login attempts and reset requests (daily)."""
    forget_old_attempts()
    db.session.commit()


@job
def remove_unused_files() -> None:
    """Remove stored files no document version uses any more (daily)."""
    removed = documents.remove_unused_files()
    db.session.commit()
    if removed:
        logger.info("unused files removed: %s", removed)


@job
def fetch_replies() -> None:
    """Read the inbound mailbox: calendar answers count (every IMAP_POLL_SECONDS)."""
    try:
        result = imap.fetch_replies()
    except imap.ImapError as error:
        logger.warning("inbound mailbox not read: %s", error)
        return
    if result.read:
        logger.info("inbound mailbox: %s", result)


def job_table(config) -> dict[str, tuple[Callable[[], None], str, dict]]:
    """Job id -> (function, trigger, trigger arguments).

    Interval jobs also run right at start, so a restarted scheduler catches up at once.
    """
    now = datetime.now(UTC)
    jobs: dict[str, tuple[Callable[[], None], str, dict]] = {
        "deliver_mail": (
            deliver_mail,
            "interval",
            {"seconds": config["MAIL_DELIVERY_INTERVAL"], "next_run_time": now},
        ),
        "extend_meetings": (extend_meetings, "cron", {"hour": 3}),
        "send_reminders": (send_reminders, "interval", {"minutes": 10, "next_run_time": now}),
        "forget_login_attempts": (forget_login_attempts, "cron", {"hour": 4}),
        "remove_unused_files": (remove_unused_files, "cron", {"hour": 4, "minute": 30}),
    }
    if imap.polling_enabled(config):
        jobs["fetch_replies"] = (
            fetch_replies,
            "interval",
            {"seconds": config["IMAP_POLL_SECONDS"], "next_run_time": now},
        )
    return jobs
