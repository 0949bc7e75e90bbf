"""``rosemeet scheduler``: wait for the lease, then run APScheduler while we hold it."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import uuid
from datetime import timedelta

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from rosemeet.extensions import db
from rosemeet.scheduler import jobs, lease

logger = logging.getLogger(__name__)

#: name of the table APScheduler keeps its jobs in (created by migration 0004)
JOBS_TABLE = "apscheduler_jobs"


class SchedulerProcess:
    """One scheduler process: at most one of them runs jobs, the others wait."""

    def __init__(self, app: Flask, lease_seconds: int = 60, poll_seconds: float = 10):
        self.app = app
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.ttl = timedelta(seconds=lease_seconds)
        self.poll = poll_seconds
        self.stopping = threading.Event()
        self.scheduler: BlockingScheduler | None = None

    def build_scheduler(self) -> BlockingScheduler:
        """APScheduler with the jobs in the database, coalesced, with a grace time."""
        scheduler = BlockingScheduler(
            jobstores={
                "default": SQLAlchemyJobStore(engine=db.engine, tablename=JOBS_TABLE),
                "memory": MemoryJobStore(),
            },
            job_defaults={"coalesce": True, "misfire_grace_time": 15 * 60, "max_instances": 1},
            timezone="Europe/Brussels",
        )
        for job_id, (func, trigger, arguments) in jobs.job_table(self.app.config).items():
            scheduler.add_job(func, trigger, id=job_id, replace_existing=True, **arguments)
        scheduler.add_job(
            self.renew,
            "interval",
            seconds=max(1, self.ttl.total_seconds() / 4),
            id="renew_lease",
            jobstore="memory",
        )
        return scheduler

    def renew(self) -> None:
        """Keep the lease; stop running jobs at once if another process has taken it."""
        with self.app.app_context():
            held = lease.acquire(self.holder, self.ttl)
        if not held:
            logger.warning("lease lost: stopping jobs")
            self.scheduler.shutdown(wait=False)

    def stop(self, *_args) -> None:
        """Stop after the running jobs (SIGTERM, SIGINT)."""
        self.stopping.set()
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def run(self) -> None:
        """Wait for the lease, run the jobs while holding it, and repeat until stopped."""
        jobs.bind_app(self.app)
        while not self.stopping.is_set():
            with self.app.app_context():
                held = lease.acquire(self.holder, self.ttl)
            if not held:
                self.stopping.wait(self.poll)
                continue
            logger.warning("scheduler %s holds the lease and runs the jobs", self.holder)
            with self.app.app_context():
                self.scheduler = self.build_scheduler()
                # remove jobs that no longer exist in this version of the code
                for job in self.scheduler.get_jobs(jobstore="default"):
                    if job.id not in jobs.job_table(self.app.config):
                        job.remove()
            self.scheduler.start()  # blocks until shutdown (lease lost or stop)
            self.scheduler = None
        with self.app.app_context():
            lease.release(self.holder)
        logger.warning("scheduler %s stopped", self.holder)


def run_forever(app: Flask) -> None:
    """Entry point of ``rosemeet scheduler``."""
    process = SchedulerProcess(
        app,
        lease_seconds=app.config["SCHEDULER_LEASE_SECONDS"],
        poll_seconds=app.config["SCHEDULER_POLL_SECONDS"],
    )
    signal.signal(signal.SIGTERM, process.stop)
    signal.signal(signal.SIGINT, process.stop)
    process.run()
