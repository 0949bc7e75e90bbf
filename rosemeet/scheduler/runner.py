"""``rosemeet scheduler``: wait for the lease, then run APScheduler while we hold it.

The process never dies of a transient error: a database that is locked, restarting or out of
reach is logged and tried again (the lease lapses if that lasts, and jobs stop until it is
ours again). It exits only when stopped (SIGTERM, SIGINT: status 0) or when the
configuration cannot work (EX_CONFIG, 78: a database without rosemeet's tables, say which),
so that a supervisor restarts it after a crash but not in a loop on a bad setting.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
import uuid
from datetime import timedelta

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy import inspect
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from rosemeet.extensions import db
from rosemeet.mail.delivery import DATABASE_ERRORS
from rosemeet.scheduler import jobs, lease

logger = logging.getLogger(__name__)

#: the exit status for a configuration that cannot work (sysexits' EX_CONFIG)
EXIT_CONFIG = 78
#: tables and columns the jobs need (the newest migration that touches them: 0008)
REQUIRED = {
    "scheduler_lease": {"name", "holder", "expires_at", "fence"},
    "outbox_message": {"status", "next_attempt_at", "claimed_by", "claimed_until", "message_id"},
    "meeting_series": {"id"},
}


class ConfigurationError(Exception):
    """The scheduler cannot work with this configuration (the message says why)."""


def check_database(app: Flask) -> None:
    """Raise ConfigurationError when the database lacks tables or columns the jobs need;
    one of DATABASE_ERRORS when it cannot be reached (transient: try again)."""
    with app.app_context():
        try:
            inspector = inspect(db.engine)
            tables = set(inspector.get_table_names())
            missing = []
            for table, columns in REQUIRED.items():
                if table not in tables:
                    missing.append(f"table {table}")
                    continue
                present = {column["name"] for column in inspector.get_columns(table)}
                missing.extend(f"column {table}.{name}" for name in sorted(columns - present))
            where = db.engine.url.render_as_string(hide_password=True)
        except (ArgumentError, NoSuchModuleError) as exc:
            raise ConfigurationError(f"ROSEMEET_DATABASE_URL cannot be used: {exc}") from exc
        finally:
            db.session.remove()
    if missing:
        raise ConfigurationError(
            f"the database {where} lacks {', '.join(missing)}: run `rosemeet db upgrade`"
        )


class SchedulerProcess:
    """One scheduler process: at most one of them runs jobs, the others wait."""

    def __init__(self, app: Flask, lease_seconds: int = 60, poll_seconds: float = 10):
        self.app = app
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.ttl = timedelta(seconds=lease_seconds)
        self.poll = poll_seconds
        self.stopping = threading.Event()
        self.scheduler: BlockingScheduler | None = None
        #: the fence of the lease we hold (None: we hold none)
        self.fence: int | None = None
        #: time.monotonic() of the last successful renewal
        self.renewed_at = 0.0

    def build_scheduler(self) -> BlockingScheduler:
        """APScheduler with the jobs in memory (nothing it does touches the database),
        coalesced, one instance each, with a grace time."""
        scheduler = BlockingScheduler(
            jobstores={"default": MemoryJobStore()},
            job_defaults={"coalesce": True, "misfire_grace_time": 15 * 60, "max_instances": 1},
            timezone="Europe/Brussels",
        )
        for job_id, (func, trigger, arguments) in jobs.job_table(self.app.config).items():
            scheduler.add_job(func, trigger, id=job_id, **arguments)
        scheduler.add_job(
            self.renew, "interval", seconds=max(0.5, self.ttl.total_seconds() / 4), id="renew"
        )
        return scheduler

    def acquire(self) -> int | None:
        """Take or renew the lease; its fence, or None (another process holds it)."""
        with self.app.app_context():
            return lease.acquire(self.holder, self.ttl)

    def renew(self) -> None:
        """Keep the lease. Stop the jobs when another process has taken it, or when renewing
        has failed for longer than the lease lasts (it may have lapsed meanwhile)."""
        if self.stopping.is_set():  # a stop that came while the scheduler was starting
            self.stop_jobs()
            return
        started = time.monotonic()  # the lease lasts from before the renewal, not after
        try:
            fence = self.acquire()
        except DATABASE_ERRORS as exc:
            if started - self.renewed_at < self.ttl.total_seconds():
                logger.warning("lease renewal failed, trying again: %s", exc)
                return
            logger.warning("lease renewal failed for longer than the lease: stopping jobs")
            self.stop_jobs()
            return
        if fence != self.fence:
            logger.warning("lease lost to another process: stopping jobs")
            self.stop_jobs()
            return
        self.renewed_at = started

    def stop_jobs(self) -> None:
        """Stop running jobs under the lease (a running delivery stops at its next message)."""
        self.fence = None
        jobs.bind_lease(None)
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def stop(self, *_args) -> None:
        """Stop after the running jobs (SIGTERM, SIGINT)."""
        self.stopping.set()
        self.stop_jobs()

    def wait_for_database(self) -> None:
        """Check the schema once the database answers (ConfigurationError when it lacks
        rosemeet's tables); a database out of reach is waited for, not a reason to exit."""
        while not self.stopping.is_set():
            try:
                check_database(self.app)
                return
            except DATABASE_ERRORS as exc:
                logger.warning("database unavailable, trying again: %s", exc)
                self.stopping.wait(self.poll)

    def run(self) -> None:
        """Wait for the lease, run the jobs while holding it, and repeat until stopped."""
        jobs.bind_app(self.app)
        self.wait_for_database()
        while not self.stopping.is_set():
            started = time.monotonic()
            try:
                fence = self.acquire()
            except DATABASE_ERRORS as exc:
                logger.warning("lease not checked, the database did not answer: %s", exc)
                self.stopping.wait(self.poll)
                continue
            if fence is None:
                self.stopping.wait(self.poll)
                continue
            self.fence, self.renewed_at = fence, started
            jobs.bind_lease(self.holder, fence)
            logger.warning("scheduler %s holds the lease (fence %s)", self.holder, fence)
            self.scheduler = self.build_scheduler()
            if not self.stopping.is_set():
                self.scheduler.start()  # blocks until shutdown (lease lost or stop)
            self.scheduler = None
            jobs.bind_lease(None)
        try:
            with self.app.app_context():
                lease.release(self.holder)
        except DATABASE_ERRORS as exc:  # it lapses by itself
            logger.warning("lease not released: %s", exc)
        logger.warning("scheduler %s stopped", self.holder)


def run_forever(app: Flask) -> None:
    """Entry point of ``rosemeet scheduler``; raises ConfigurationError on a bad setting."""
    process = SchedulerProcess(
        app,
        lease_seconds=app.config["SCHEDULER_LEASE_SECONDS"],
        poll_seconds=app.config["SCHEDULER_POLL_SECONDS"],
    )
    signal.signal(signal.SIGTERM, process.stop)
    signal.signal(signal.SIGINT, process.stop)
    process.run()
