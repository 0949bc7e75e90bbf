"""The periodic jobs. APScheduler stores them by reference ("rosemeet.scheduler.jobs:name"),
so each is a module-level function that opens an app context of the running app."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import Flask

from rosemeet.core.time import local_today
from rosemeet.extensions import db
from rosemeet.mail.delivery import deliver_due
from rosemeet.mail.reminders import queue_due_reminders
from rosemeet.meetings import operations as meetings

logger = logging.getLogger(__name__)

#: the app of this scheduler process (set by the runner before jobs run)
_app: Flask | None = None


def bind_app(app: Flask) -> None:
    """Give the jobs the app they run in."""
    global _app
    _app = app


def deliver_mail() -> None:
    """Send the due outbox messages."""
    with _app.app_context():
        report = deliver_due()
        if report.sent or report.failed:
            logger.info("mail: sent %s, failed %s", report.sent, report.failed)


def extend_meetings() -> None:
    """Extend every series up to the rolling horizon (daily)."""
    with _app.app_context():
        created = meetings.extend_all_series(local_today())
        db.session.commit()
        logger.info("horizon extended: %s meetings", created)


def send_reminders() -> None:
    """Queue the reminders that are due (agenda, follow-ups, minutes, digests)."""
    with _app.app_context():
        queued = queue_due_reminders()
        db.session.commit()
        if queued:
            logger.info("reminders queued: %s", queued)


def job_table(config) -> dict[str, tuple[str, str, dict]]:
    """Job id -> (function reference, trigger, trigger arguments).

    Interval jobs also run right at start, so a restarted scheduler catches up at once.
    """
    now = datetime.now(UTC)
    return {
        "deliver_mail": (
            "rosemeet.scheduler.jobs:deliver_mail",
            "interval",
            {"seconds": config["MAIL_DELIVERY_INTERVAL"], "next_run_time": now},
        ),
        "extend_meetings": ("rosemeet.scheduler.jobs:extend_meetings", "cron", {"hour": 3}),
        "send_reminders": (
            "rosemeet.scheduler.jobs:send_reminders",
            "interval",
            {"minutes": 10, "next_run_time": now},
        ),
    }
